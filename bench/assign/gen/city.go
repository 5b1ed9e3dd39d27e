package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/assign"
)

// city is the benchmark instance: wishes and volunteers uniform over a
// square around 30.27 N 120.15 E, an edge for every pair within the
// 15-minute walking circle (937.5 m great-circle), costing the walk in
// 1e-4 minutes at 4.5 km/h with a detour factor of 1.2.
type city struct {
	wishes, volunteers, capacity int
	side                         float64
	seed                         uint64
}

const (
	cityLat, cityLng = 30.27, 120.15
	radiusMeters     = 937.5
)

// sideMeters returns the square's side: 40 km for 100,000 volunteers, at
// the same density for other numbers, unless side is set.
func (c city) sideMeters() float64 {
	if c.side > 0 {
		return c.side
	}
	return 40_000 * math.Sqrt(max(1, float64(c.volunteers)/100_000))
}

// walkCost returns the cost of a walk of d metres of great circle.
func walkCost(d float64) int64 {
	return int64(math.Round(d / (4500.0 / 60) * 1.2 * 1e4))
}

// build generates the instance; the same city always gives the same one.
func (c city) build() *instance {
	r := rand.New(rand.NewPCG(c.seed, 0x61737369676e))
	side := c.sideMeters()
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	type spot struct {
		pt   geo.Point
		x, y float64
	}
	place := func() spot {
		y := (r.Float64() - 0.5) * side
		x := (r.Float64() - 0.5) * side
		return spot{geo.Point{Lat: cityLat + y/mPerDeg, Lng: cityLng + x/(mPerDeg*math.Cos(cityLat*math.Pi/180))}, x, y}
	}
	// Volunteers in square cells a little over one radius wide, so that a
	// wish looks at 3 × 3 cells.
	cell := radiusMeters * 1.01
	n := int(math.Ceil(side / cell))
	bucket := func(s spot) (int, int) {
		return min(n-1, int((s.x+side/2)/cell)), min(n-1, int((s.y+side/2)/cell))
	}
	vols := make([]geo.Point, c.volunteers)
	cellOf := make([]int32, c.volunteers)
	cellStart := make([]int32, n*n+1)
	for v := range vols {
		s := place()
		vols[v] = s.pt
		i, j := bucket(s)
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
	p := &assign.Problem{Wishes: c.wishes, Suppliers: c.volunteers, Capacity: make([]int32, c.volunteers)}
	for v := range p.Capacity {
		p.Capacity[v] = int32(c.capacity)
	}
	p.Start = make([]int32, 1, c.wishes+1)
	type near struct {
		v    int32
		cost int64
	}
	var edges []near
	for range c.wishes {
		s := place()
		i0, j0 := bucket(s)
		edges = edges[:0]
		for j := max(0, j0-1); j <= min(n-1, j0+1); j++ {
			for i := max(0, i0-1); i <= min(n-1, i0+1); i++ {
				for _, v := range members[cellStart[j*n+i]:cellStart[j*n+i+1]] {
					if d := geo.Distance(s.pt, vols[v]); d <= radiusMeters {
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
	inst := &instance{p: p, capacity: c.capacity}
	for w := range c.wishes {
		inst.wishIDs = append(inst.wishIDs, fmt.Sprintf("wsh_%06d", w))
	}
	for v := range c.volunteers {
		inst.volIDs = append(inst.volIDs, fmt.Sprintf("vol_%07d", v))
	}
	return inst
}
