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
	wishOf := make([]int32, m)
	for w := range p.Wishes {
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			wishOf[e] = int32(w)
		}
	}
	// Costs fit in 31 bits (MaxCost), so cost and edge pack into one key
	// that sorts by cost, then wish (edges are numbered by wish), then
	// edge; runs of one wish at one cost are then put in supplier order.
	keys := make([]uint64, m)
	for e := range keys {
		keys[e] = uint64(p.Cost[e])<<32 | uint64(e)
	}
	slices.Sort(keys)
	order := make([]int32, m)
	for i, k := range keys {
		order[i] = int32(uint32(k))
	}
	for i := 0; i < m; {
		j := i + 1
		for j < m && p.Cost[order[j]] == p.Cost[order[i]] && wishOf[order[j]] == wishOf[order[i]] {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(order[i:j], func(a, b int32) int {
				return cmp.Or(cmp.Compare(p.Supplier[a], p.Supplier[b]), cmp.Compare(a, b))
			})
		}
		i = j
	}
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
