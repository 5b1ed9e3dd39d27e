package assign

// Warm starts. A previous round's prices are a good guess at this round's:
// most wishes still find their old supplier cheapest, price included, and
// keep it. What changed breaks the second invariant in places (a supplier
// whose wish went away has room left but a price above 0), and that is
// repaired before the search, so a warm start never changes the optimum.

// warmStart takes the prices in price, assigns what it can and returns the
// wishes left free, with both invariants holding.
func (m *mincost) warmStart(price []int64, hint []int32) []int32 {
	g := m.g
	for s := range g.suppliers {
		if s < len(price) {
			m.price[s] = max(0, price[s])
		}
	}
	free := m.start(hint)
	var work []int32
	for s := range int32(g.suppliers) {
		if m.price[s] > 0 && m.h.load[s] < m.capacity[s] {
			work = append(work, s)
		}
	}
	if len(work) == 0 {
		return free
	}
	return m.repair(work, free)
}

// repair brings the price of each supplier in work, all with room left,
// down to 0, and frees every wish that then finds a cheaper edge than its
// own. A freed wish leaves room behind, so its supplier joins work.
func (m *mincost) repair(work, free []int32) []int32 {
	g, h := m.g, m.h
	rev := reverse(g)
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		if m.price[s] == 0 {
			continue
		}
		m.price[s] = 0
		for i := rev.start[s]; i < rev.start[s+1]; i++ {
			w, e := rev.wish[i], rev.edge[i]
			if h.at[w] < 0 || g.cost[e] >= m.value(w) {
				continue
			}
			from := h.at[w]
			h.remove(w)
			m.edge[w] = -1
			free = append(free, w)
			if from < m.first && m.price[from] > 0 {
				work = append(work, from)
			}
		}
	}
	return free
}

// adjacency is a graph's edges by supplier.
type adjacency struct {
	start      []int32 // by supplier, suppliers+1 entries
	wish, edge []int32
}

func reverse(g *graph) *adjacency {
	a := &adjacency{start: make([]int32, g.suppliers+1)}
	for _, s := range g.supplier {
		a.start[s+1]++
	}
	for s := range g.suppliers {
		a.start[s+1] += a.start[s]
	}
	a.wish = make([]int32, len(g.supplier))
	a.edge = make([]int32, len(g.supplier))
	fill := make([]int32, g.suppliers)
	copy(fill, a.start)
	for w := range int32(g.wishes) {
		for e := g.start[w]; e < g.start[w+1]; e++ {
			s := g.supplier[e]
			a.wish[fill[s]] = w
			a.edge[fill[s]] = e
			fill[s]++
		}
	}
	return a
}
