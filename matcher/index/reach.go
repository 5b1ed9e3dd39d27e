package index

import (
	"cmp"
	"math"
	"slices"

	"github.com/linli/linli/geo"
)

// Reach is the supply of one place: the suppliers whose walking circle
// holds it.
type Reach struct {
	// Volunteers serve every category; Categories counts, per category,
	// the organisations, enterprises and resources that offer it; Total
	// counts every supplier once.
	Volunteers int
	Categories map[string]int
	Total      int
}

// Supply returns how many suppliers reach the place for a category.
func (r *Reach) Supply(category string) int { return r.Volunteers + r.Categories[category] }

// Reach counts the suppliers whose walking circle holds p, from the index
// only. A supplier with several points counts once.
func (x *Index) Reach(p geo.Point) Reach {
	cells := x.grid.Disk(p)
	pv := toVec(p)
	out := Reach{Categories: map[string]int{}}
	var seen map[string]bool
	// A cell whose centre is farther than this holds nobody in reach.
	far := chord2Of(x.radius + x.maxRadius)
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, c := range cells {
		b := x.suppliers[keyOf(c)]
		if b == nil || chord2(pv, toVec(b.center)) > far {
			continue
		}
		for i := range b.at {
			e := &b.at[i]
			if chord2(pv, e.vec3) > x.chordR2 {
				continue
			}
			if e.multi {
				if seen == nil {
					seen = map[string]bool{}
				}
				if seen[b.ids[i]] {
					continue
				}
				seen[b.ids[i]] = true
			}
			out.Total++
			pr := &x.profiles[e.profile]
			if pr.anyCat {
				out.Volunteers++
				continue
			}
			for _, c := range x.lists[pr.cats] {
				out.Categories[c]++
			}
		}
	}
	return out
}

// Nearest is the nearest supplier of a category to a place, at any
// distance.
type Nearest struct {
	Kind        string  `json:"kind"`
	ID          string  `json:"id"`
	WalkMinutes float64 `json:"walk_minutes"`
}

// NearestSupplier returns the supplier offering category nearest to p
// within maxMeters, by straight-line distance turned into walking minutes,
// and false when there is none. It scans cells nearest first and stops
// once no unscanned cell can hold a nearer supplier.
func (x *Index) NearestSupplier(p geo.Point, category string, maxMeters float64) (Nearest, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	type cand struct {
		key    cellKey
		bound  float64 // no supplier of the cell is nearer
		bucket *supplierBucket
	}
	var cells []cand
	for k, b := range x.suppliers {
		if len(b.at) == 0 {
			continue
		}
		if lb := geo.Distance(p, b.center) - x.maxRadius; lb <= maxMeters {
			cells = append(cells, cand{k, max(lb, 0), b})
		}
	}
	slices.SortFunc(cells, func(a, b cand) int { return cmp.Compare(a.bound, b.bound) })
	best, bestD := Nearest{}, math.Inf(1)
	for _, c := range cells {
		if c.bound > bestD {
			break
		}
		b := c.bucket
		for i := range b.at {
			pr := &x.profiles[b.at[i].profile]
			if !pr.anyCat && !slices.Contains(x.lists[pr.cats], category) {
				continue
			}
			d := geo.Distance(p, b.pts[i])
			if d < bestD || d == bestD && b.ids[i] < best.ID {
				bestD, best = d, Nearest{Kind: kindNames[b.at[i].kind], ID: b.ids[i]}
			}
		}
	}
	if bestD > maxMeters {
		return Nearest{}, false
	}
	best.WalkMinutes = x.grid.WalkMinutes(bestD)
	return best, true
}
