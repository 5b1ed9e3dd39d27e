package assign

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// city is the benchmark's instance: wishes and volunteers uniform over a
// 40 × 40 km square, an edge for every pair within the 15-minute walking
// circle (937.5 m great-circle), costing the walk in 1e-4 minutes
// (4.5 km/h with a detour factor of 1.2).
//
// The square is 40 km a side for 100,000 volunteers and grows with their
// number, so that every city has the reference's density: ten times the
// volunteers (and wishes) is ten times the area and the edges.
type city struct {
	wishes, volunteers int
	capacity           int32
	seed               uint64
	// side overrides the square's side in metres (0: by density).
	side float64
}

// sideMeters returns the side of the square.
func (c city) sideMeters() float64 {
	if c.side > 0 {
		return c.side
	}
	return 40_000 * math.Sqrt(max(1, float64(c.volunteers)/100_000))
}

const (
	cityLat, cityLng = 30.27, 120.15
	cityRadius       = 937.5 // metres
	earthRadius      = 6371008.8
)

// walkCost returns the cost of a walk of d metres of great circle.
func walkCost(d float64) int64 {
	minutes := d / (4500.0 / 60) * 1.2
	return int64(math.Round(minutes * 1e4))
}

func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	sinDLat := math.Sin((lat2 - lat1) * rad / 2)
	sinDLng := math.Sin((lng2 - lng1) * rad / 2)
	h := sinDLat*sinDLat + math.Cos(lat1*rad)*math.Cos(lat2*rad)*sinDLng*sinDLng
	return 2 * earthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// problem builds the instance; the same city always gives the same
// Problem.
func (c city) problem(tb testing.TB) *Problem {
	tb.Helper()
	r := rand.New(rand.NewPCG(c.seed, 0x61737369676e))
	citySide := c.sideMeters()
	const mPerDeg = earthRadius * math.Pi / 180
	point := func() (lat, lng, x, y float64) {
		y = (r.Float64() - 0.5) * citySide
		x = (r.Float64() - 0.5) * citySide
		return cityLat + y/mPerDeg, cityLng + x/(mPerDeg*math.Cos(cityLat*math.Pi/180)), x, y
	}
	// Volunteers bucketed in square cells one radius wide (a little more,
	// for the flat approximation), so a wish looks at 3 × 3 cells.
	cell := cityRadius * 1.01
	n := int(math.Ceil(citySide / cell))
	bucket := func(x, y float64) (int, int) {
		return min(n-1, int((x+citySide/2)/cell)), min(n-1, int((y+citySide/2)/cell))
	}
	lat := make([]float64, c.volunteers)
	lng := make([]float64, c.volunteers)
	cellOf := make([]int32, c.volunteers)
	cellStart := make([]int32, n*n+1)
	for v := range c.volunteers {
		var x, y float64
		lat[v], lng[v], x, y = point()
		i, j := bucket(x, y)
		cellOf[v] = int32(j*n + i)
		cellStart[cellOf[v]+1]++
	}
	for k := range n * n {
		cellStart[k+1] += cellStart[k]
	}
	members := make([]int32, c.volunteers)
	fill := slices.Clone(cellStart)
	for v := range int32(c.volunteers) {
		members[fill[cellOf[v]]] = v
		fill[cellOf[v]]++
	}
	p := &Problem{Wishes: c.wishes, Suppliers: c.volunteers, Capacity: make([]int32, c.volunteers)}
	for v := range p.Capacity {
		p.Capacity[v] = c.capacity
	}
	p.Start = make([]int32, 1, c.wishes+1)
	type near struct {
		v    int32
		cost int64
	}
	var edges []near
	for range c.wishes {
		wlat, wlng, x, y := point()
		i0, j0 := bucket(x, y)
		edges = edges[:0]
		for j := max(0, j0-1); j <= min(n-1, j0+1); j++ {
			for i := max(0, i0-1); i <= min(n-1, i0+1); i++ {
				for _, v := range members[cellStart[j*n+i]:cellStart[j*n+i+1]] {
					if d := haversine(wlat, wlng, lat[v], lng[v]); d <= cityRadius {
						edges = append(edges, near{v, walkCost(d)})
					}
				}
			}
		}
		slices.SortFunc(edges, func(a, b near) int { return int(a.v - b.v) })
		for _, e := range edges {
			p.Supplier = append(p.Supplier, e.v)
			p.Cost = append(p.Cost, e.cost)
		}
		p.Start = append(p.Start, int32(len(p.Supplier)))
	}
	return p
}
