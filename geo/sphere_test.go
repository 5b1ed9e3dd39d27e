package geo

import (
	"math"

	"github.com/uber/h3-go/v4"
)

// Spherical helpers for the tests: independent of the code under test
// except for Distance, which has its own known-value tests.

type vec3 struct{ x, y, z float64 }

func toVec(p Point) vec3 {
	lat, lng := p.Lat*degToRad, p.Lng*degToRad
	return vec3{math.Cos(lat) * math.Cos(lng), math.Cos(lat) * math.Sin(lng), math.Sin(lat)}
}

func fromVec(v vec3) Point {
	n := math.Sqrt(v.dot(v))
	return Point{Lat: math.Asin(v.z/n) / degToRad, Lng: math.Atan2(v.y, v.x) / degToRad}
}

func (a vec3) dot(b vec3) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }

func (a vec3) cross(b vec3) vec3 {
	return vec3{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}

func (a vec3) scale(s float64) vec3 { return vec3{a.x * s, a.y * s, a.z * s} }
func (a vec3) add(b vec3) vec3      { return vec3{a.x + b.x, a.y + b.y, a.z + b.z} }

// destination returns the point reached from p going meters along the great
// circle with the given bearing (degrees clockwise from north).
func destination(p Point, bearingDeg, meters float64) Point {
	lat1, lng1 := p.Lat*degToRad, p.Lng*degToRad
	b := bearingDeg * degToRad
	d := meters / EarthRadiusMeters
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(b))
	lng2 := lng1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lng2 = math.Remainder(lng2, 2*math.Pi)
	return Point{Lat: lat2 / degToRad, Lng: lng2 / degToRad}
}

// boundary returns the vertices of c's boundary as Points. Consecutive
// vertices are joined by great-circle arcs: H3 cell edges are straight in
// the gnomonic projection of a face, and the boundary carries an extra
// vertex wherever it crosses a face edge.
func boundary(c Cell) []Point {
	b := c.h3().Boundary()
	out := make([]Point, len(b))
	for i, v := range b {
		out[i] = Point{Lat: v.Lat, Lng: v.Lng}
	}
	return out
}

// diskClearance returns a lower bound in metres on the distance from any
// point of cell c0 to any cell more than k rings away from it, that is to
// anything that Disk would miss for a centre in c0. The point of c0 nearest
// to such a cell is on c0's boundary, which is sampled every step metres at
// most; the distance to the outside is 1-Lipschitz, so half a step is taken
// off. Distances to the cells of ring k+1, which separate the disk from the
// rest, are exact distances to their great-circle edges.
func diskClearance(c0 Cell, k int, step float64) float64 {
	inner := make(map[h3.Cell]bool)
	for _, c := range h3.GridDisk(c0.h3(), k) {
		inner[c] = true
	}
	var arcs []edge
	for _, c := range h3.GridDisk(c0.h3(), k+1) {
		if inner[c] {
			continue
		}
		vs := boundary(Cell(c))
		for i := range vs {
			arcs = append(arcs, newEdge(vs[i], vs[(i+1)%len(vs)]))
		}
	}
	vs := boundary(c0)
	best := math.Inf(1)
	for i := range vs {
		a, b := vs[i], vs[(i+1)%len(vs)]
		n := int(math.Ceil(Distance(a, b)/step)) + 1
		av, bv := toVec(a), toVec(b)
		for j := 0; j < n; j++ {
			t := float64(j) / float64(n)
			pv := av.scale(1 - t).add(bv.scale(t))
			pv = pv.scale(1 / math.Sqrt(pv.dot(pv)))
			for _, e := range arcs {
				best = math.Min(best, e.sinDistance(pv))
			}
		}
	}
	return math.Asin(best)*EarthRadiusMeters - step/2
}

// edge is a great-circle arc prepared for many distance queries.
type edge struct {
	a, b   vec3
	n      vec3 // unit normal of the arc's plane
	na, bn vec3 // n×a and b×n: p is beside the arc when p·na ≥ 0 and p·bn ≥ 0
}

func newEdge(a, b Point) edge {
	av, bv := toVec(a), toVec(b)
	n := av.cross(bv)
	n = n.scale(1 / math.Sqrt(n.dot(n)))
	return edge{a: av, b: bv, n: n, na: n.cross(av), bn: bv.cross(n)}
}

// sinDistance returns the sine of the angle between unit vector p and the
// arc, which orders distances under a quarter of the globe like the angle.
func (e edge) sinDistance(p vec3) float64 {
	if p.dot(e.na) >= 0 && p.dot(e.bn) >= 0 {
		return math.Abs(p.dot(e.n))
	}
	return math.Min(chordSin(p, e.a), chordSin(p, e.b))
}

// chordSin returns the sine of the angle between unit vectors p and q from
// their chord c: the angle is 2·asin(c/2), whose sine is c·sqrt(1 − c²/4).
func chordSin(p, q vec3) float64 {
	d := vec3{p.x - q.x, p.y - q.y, p.z - q.z}
	c2 := d.dot(d)
	return math.Sqrt(c2 * (1 - c2/4))
}

// clears reports whether no point of c0 is within r metres of a cell more
// than k rings away, with the clearance found. It samples every step metres
// and, where that leaves the answer open, up to a hundred times finer.
func clears(c0 Cell, k int, r, step float64) (float64, bool) {
	m := diskClearance(c0, k, step)
	for range 2 {
		if m > r {
			break
		}
		step /= 10
		m = diskClearance(c0, k, step)
	}
	return m, m > r
}
