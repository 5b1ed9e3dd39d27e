package assign

import (
	"cmp"
	"slices"
)

// Greedy is the nearest-first baseline Solve is measured against: it takes
// edges from the cheapest up (ties by wish, then supplier, then edge) and
// keeps an edge when its wish is free and its supplier has room. It
// ignores priorities and returns no prices.
func Greedy(p *Problem) *Solution {
	m := p.Edges()
	order := make([]int32, m)
	wishOf := make([]int32, m)
	for w := range p.Wishes {
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			order[e] = e
			wishOf[e] = int32(w)
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(
			cmp.Compare(p.Cost[a], p.Cost[b]),
			cmp.Compare(wishOf[a], wishOf[b]),
			cmp.Compare(p.Supplier[a], p.Supplier[b]),
			cmp.Compare(a, b))
	})
	s := &Solution{Match: make([]int32, p.Wishes)}
	for i := range s.Match {
		s.Match[i] = -1
	}
	left := slices.Clone(p.Capacity)
	for _, e := range order {
		w, j := wishOf[e], p.Supplier[e]
		if s.Match[w] < 0 && left[j] > 0 {
			s.Match[w] = e
			left[j]--
		}
	}
	s.summarize(p)
	return s
}
