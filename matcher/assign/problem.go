package assign

import (
	"errors"
	"fmt"
)

// Problem is one matching round: a bipartite graph of wishes and suppliers
// in compressed sparse row form, by wish.
//
// Wish w's edges are Start[w] to Start[w+1]-1; edge e joins wish w to
// supplier Supplier[e] at cost Cost[e]. Parallel edges are allowed: a
// Solution names the edge it chose, not only the supplier.
type Problem struct {
	// Wishes and Suppliers are the sizes of the two sides.
	Wishes, Suppliers int
	// Capacity is how many wishes each supplier may take; 0 means none.
	Capacity []int32
	// Weight is each wish's priority, positive; nil means every wish
	// weighs 1. Heavier wishes are matched first whatever they cost.
	Weight []int32
	// Start has Wishes+1 entries, from 0 to the number of edges.
	Start []int32
	// Supplier is each edge's supplier index.
	Supplier []int32
	// Cost is each edge's cost, non-negative (walk time in 1e-4 minutes in
	// Linli).
	Cost []int64
}

// MaxCost bounds an edge's cost. It keeps every price and path length the
// solver forms inside int64 (a price is at most the cost of a path, and a
// path has fewer than 2^31 edges).
const MaxCost = 1 << 30

// Edges returns the number of edges.
func (p *Problem) Edges() int {
	if len(p.Start) == 0 {
		return 0
	}
	return int(p.Start[len(p.Start)-1])
}

// weight returns wish w's priority.
func (p *Problem) weight(w int) int32 {
	if p.Weight == nil {
		return 1
	}
	return p.Weight[w]
}

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("assign: invalid problem")

// Validate reports the first thing wrong with p, naming the field and
// index, wrapped around ErrInvalid.
func (p *Problem) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Wishes < 0 || p.Suppliers < 0:
		return bad("Wishes %d and Suppliers %d must not be negative", p.Wishes, p.Suppliers)
	case p.Wishes >= 1<<31-1 || p.Suppliers >= 1<<31-1:
		return bad("Wishes %d and Suppliers %d must fit in int32", p.Wishes, p.Suppliers)
	case len(p.Capacity) != p.Suppliers:
		return bad("Capacity has %d entries, want Suppliers = %d", len(p.Capacity), p.Suppliers)
	case p.Weight != nil && len(p.Weight) != p.Wishes:
		return bad("Weight has %d entries, want Wishes = %d (or nil)", len(p.Weight), p.Wishes)
	case len(p.Start) != p.Wishes+1:
		return bad("Start has %d entries, want Wishes+1 = %d", len(p.Start), p.Wishes+1)
	case p.Start[0] != 0:
		return bad("Start[0] is %d, want 0", p.Start[0])
	}
	m := int(p.Start[p.Wishes])
	if len(p.Supplier) != m || len(p.Cost) != m {
		return bad("Supplier has %d and Cost %d entries, want Start[Wishes] = %d", len(p.Supplier), len(p.Cost), m)
	}
	for w := range p.Wishes {
		if p.Start[w+1] < p.Start[w] {
			return bad("Start[%d] = %d is less than Start[%d] = %d", w+1, p.Start[w+1], w, p.Start[w])
		}
	}
	for j, c := range p.Capacity {
		if c < 0 {
			return bad("Capacity[%d] is %d, must not be negative", j, c)
		}
	}
	for w, x := range p.Weight {
		if x <= 0 {
			return bad("Weight[%d] is %d, must be positive", w, x)
		}
	}
	for e, s := range p.Supplier {
		if s < 0 || int(s) >= p.Suppliers {
			return bad("Supplier[%d] is %d, outside 0..%d", e, s, p.Suppliers-1)
		}
	}
	for e, c := range p.Cost {
		if c < 0 || c > MaxCost {
			return bad("Cost[%d] is %d, outside 0..%d", e, c, int64(MaxCost))
		}
	}
	return nil
}
