package assign

import (
	"cmp"
	"slices"
)

// split cuts p into its connected parts, counting only edges to suppliers
// with capacity, and returns them largest first. A wish or supplier with no
// such edge belongs to no part. When everything with an edge is one part,
// that part is p itself, unsplit and uncopied.
func split(p *Problem) []*graph {
	n := p.Wishes + p.Suppliers
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for w := range p.Wishes {
		rw := find(int32(w))
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			s := p.Supplier[e]
			if p.Capacity[s] == 0 {
				continue
			}
			rs := find(int32(p.Wishes) + s)
			if rs == rw {
				continue
			}
			// Link the larger index under the smaller, so a part's root
			// is its first wish.
			if rs < rw {
				rw, rs = rs, rw
			}
			parent[rs] = rw
		}
	}
	// Number the parts that have an edge, by root.
	id := make([]int32, n)
	for i := range id {
		id[i] = -1
	}
	var sizes []int // edges by part
	for w := range p.Wishes {
		r := find(int32(w))
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			if p.Capacity[p.Supplier[e]] == 0 {
				continue
			}
			if id[r] < 0 {
				id[r] = int32(len(sizes))
				sizes = append(sizes, 0)
			}
			sizes[id[r]]++
		}
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
		r := find(int32(p.Wishes + s))
		if id[r] < 0 {
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
		r := find(int32(w))
		if id[r] < 0 {
			continue
		}
		g := parts[id[r]]
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
