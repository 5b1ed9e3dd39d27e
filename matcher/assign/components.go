package assign

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// split cuts p into its connected parts, counting only edges to suppliers
// with capacity, and returns them largest first. A wish or supplier with no
// such edge belongs to no part. When everything with an edge is one part,
// that part is p itself, unsplit and uncopied. The union-find runs on up
// to workers goroutines.
func split(p *Problem, workers int) []*graph {
	nw := int32(p.Wishes)
	f := make(forest, p.Wishes+p.Suppliers)
	for i := range f {
		f[i].Store(int32(i))
	}
	usable := make([]bool, p.Wishes) // has an edge to a supplier with capacity
	inParallel(workers, p.Wishes, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			r := f.find(int32(w)) // kept as the wish's root while it is one
			for e := p.Start[w]; e < p.Start[w+1]; e++ {
				if s := p.Supplier[e]; p.Capacity[s] > 0 {
					r = f.join(r, nw+s)
					usable[w] = true
				}
			}
		}
	})
	root := make([]int32, p.Wishes)
	inParallel(workers, p.Wishes, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			root[w] = f.find(int32(w))
		}
	})
	// Number the parts that have an edge, by root, a wish since wishes
	// come first and unions link under the smaller index.
	id := make([]int32, p.Wishes)
	for i := range id {
		id[i] = -1
	}
	var sizes []int // edges by part
	for w := range p.Wishes {
		if !usable[w] {
			continue
		}
		r := root[w]
		if id[r] < 0 {
			id[r] = int32(len(sizes))
			sizes = append(sizes, 0)
		}
		sizes[id[r]] += int(p.Start[w+1] - p.Start[w])
	}
	switch len(sizes) {
	case 0:
		return nil
	case 1:
		return []*graph{whole(p)}
	}
	parts := make([]*graph, len(sizes))
	for i := range parts {
		parts[i] = &graph{}
	}
	local := make([]int32, p.Suppliers) // supplier's index in its part
	for s := range p.Suppliers {
		local[s] = -1
		if p.Capacity[s] == 0 {
			continue
		}
		r := f.find(nw + int32(s))
		if r >= nw {
			continue // no edge
		}
		g := parts[id[r]]
		local[s] = int32(len(g.supplierID))
		g.supplierID = append(g.supplierID, int32(s))
		g.capacity = append(g.capacity, p.Capacity[s])
	}
	for i, g := range parts {
		g.supplier = make([]int32, 0, sizes[i])
		g.cost = make([]int64, 0, sizes[i])
		g.start = []int32{0}
		if p.Weight != nil {
			g.weight = []int32{}
		}
	}
	for w := range p.Wishes {
		if !usable[w] {
			continue
		}
		g := parts[id[root[w]]]
		g.wishID = append(g.wishID, int32(w))
		g.edgeBase = append(g.edgeBase, p.Start[w])
		if p.Weight != nil {
			g.weight = append(g.weight, p.Weight[w])
		}
		// Edges to suppliers without capacity are kept, pointing at a
		// supplier of capacity 0, so that edge offsets still map back.
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			s := p.Supplier[e]
			ls := local[s]
			if ls < 0 {
				ls = g.noCapacity()
			}
			g.supplier = append(g.supplier, ls)
			g.cost = append(g.cost, p.Cost[e])
		}
		g.start = append(g.start, int32(len(g.supplier)))
	}
	for _, g := range parts {
		g.wishes = len(g.wishID)
		g.suppliers = len(g.supplierID)
	}
	slices.SortStableFunc(parts, func(a, b *graph) int { return cmp.Compare(len(b.supplier), len(a.supplier)) })
	return parts
}

// noCapacity returns the index of g's stand-in for every supplier without
// capacity, adding it on first use. Its Problem index is -1.
func (g *graph) noCapacity() int32 {
	n := len(g.supplierID)
	if n > 0 && g.supplierID[n-1] == -1 {
		return int32(n - 1)
	}
	g.supplierID = append(g.supplierID, -1)
	g.capacity = append(g.capacity, 0)
	return int32(n)
}

// forest is a union-find that goroutines may share: a root changes parent
// only by compare-and-swap from itself to a smaller index, so links never
// form a cycle, and path halving only ever points a node at an ancestor.
type forest []atomic.Int32

func (f forest) find(x int32) int32 {
	for {
		p := f[x].Load()
		if p == x {
			return x
		}
		gp := f[p].Load()
		if gp == p {
			return p
		}
		f[x].CompareAndSwap(p, gp)
		x = gp
	}
}

// join unites the sets of r, a node of one set (its root, as a rule), and
// x, and returns a node of the united set to pass as r next time: its
// root, unless another goroutine linked it meanwhile. Every link points to
// a smaller index, so linking under a node that is no longer a root is
// still correct.
func (f forest) join(r, x int32) int32 {
	for {
		rx := f.find(x)
		switch {
		case rx == r:
			return r
		case rx > r:
			if f[rx].CompareAndSwap(rx, r) {
				return r
			}
		default:
			if f[r].CompareAndSwap(r, rx) {
				return rx
			}
			r = f.find(r)
		}
	}
}
