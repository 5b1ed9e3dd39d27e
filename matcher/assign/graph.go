package assign

import "sync"

// graph is one connected part of a Problem in its own indices: wishes
// 0..wishes-1 with their edges in CSR form, suppliers 0..suppliers-1. When
// the Problem is one part, graph shares its slices and the maps back are
// nil.
type graph struct {
	wishes, suppliers int
	start             []int32 // by wish, wishes+1 entries
	supplier          []int32 // by edge
	cost              []int64 // by edge
	capacity          []int32 // by supplier
	weight            []int32 // by wish; nil means all 1

	// wishID and supplierID give each wish's and supplier's index in the
	// Problem, and edgeBase each wish's first edge there; nil means the
	// indices are the Problem's.
	wishID, supplierID, edgeBase []int32
}

// whole returns the graph of all of p, sharing p's slices.
func whole(p *Problem) *graph {
	return &graph{
		wishes: p.Wishes, suppliers: p.Suppliers,
		start: p.Start, supplier: p.Supplier, cost: p.Cost, capacity: p.Capacity, weight: p.Weight,
	}
}

// problemWish, problemSupplier and problemEdge map indices back to the
// Problem's.
func (g *graph) problemWish(w int32) int32 {
	if g.wishID == nil {
		return w
	}
	return g.wishID[w]
}

func (g *graph) problemSupplier(s int32) int32 {
	if g.supplierID == nil {
		return s
	}
	return g.supplierID[s]
}

func (g *graph) problemEdge(w, e int32) int32 {
	if g.edgeBase == nil {
		return e
	}
	return g.edgeBase[w] + e - g.start[w]
}

// maxCost returns the largest edge cost, on up to workers goroutines.
func (g *graph) maxCost(workers int) int64 {
	var mu sync.Mutex
	var m int64
	inParallel(workers, len(g.cost), func(lo, hi int) {
		var x int64
		for _, c := range g.cost[lo:hi] {
			x = max(x, c)
		}
		mu.Lock()
		m = max(m, x)
		mu.Unlock()
	})
	return m
}
