package assign

import (
	"context"
	"errors"
)

// Phase two: the cheapest matching that matches q_t wishes of class t.
//
// Each class t gets a stand-in supplier of capacity n_t - q_t, joined to
// every wish of the class at one fixed cost. Every wish is then assigned,
// to a real supplier or to its stand-in, and a stand-in is full in every
// such assignment (a class cannot match more than q_t wishes without
// losing weight elsewhere, by phase one), so its cost is a constant and the
// cheapest full assignment is the cheapest matching with the counts. Any
// constant would do; one more than the dearest edge makes a wish try its
// real suppliers first and bounds how far a search for a wish that ends up
// unmatched has to look.
//
// That assignment is found by successive shortest augmenting paths. Each
// supplier has a price p_s >= 0, and the solver keeps two invariants:
//
//   - a wish's edge costs, price included, no more than any other edge it
//     has: c(w, a(w)) + p_a(w) = min over its edges of c(w, s) + p_s;
//   - a supplier with room left has price 0.
//
// They make every alternating path's reduced cost non-negative and so an
// assignment of all wishes that keeps them optimal. A free wish is then
// assigned by Dijkstra's search over reduced costs to the nearest supplier
// with room, and prices of the suppliers it settled rise by how much closer
// than that they were, which keeps both invariants.

// mincost holds phase two's state for one graph.
type mincost struct {
	g       *graph
	cls     *classes
	h       *holders // over suppliers, then one stand-in per class
	edge    []int32  // by wish: its edge, or -1 for the stand-in
	sup     []supply // by supplier, then stand-in
	node    []label  // by supplier, then stand-in: the current search
	standIn int64    // cost of a stand-in edge
	first   int32    // index of the first stand-in
	workers int      // goroutines for the parallel steps
	cold    bool     // every price is 0
	nearest []int64  // by wish, on a warm start: its cheapest edge, price aside

	order []int32 // suppliers settled in the current search, in order
	heap  heap
	epoch uint32
}

// supply is a supplier's price and capacity, side by side since every
// edge looked at reads both.
type supply struct {
	price    int64
	capacity int32
}

// label is a supplier's state in the current search, valid where stamp is
// the search's epoch. One record, not five arrays, so that reaching a
// supplier costs one cache miss for its label.
type label struct {
	dist       int64 // tentative distance from the root
	stamp      uint32
	wish, edge int32 // how the search reached it
	settled    bool
}

func newMincost(g *graph, cls *classes, q []int32, workers int) *mincost {
	n := g.suppliers + len(cls.weight)
	m := &mincost{
		g: g, cls: cls, h: newHolders(g.wishes, n),
		edge: make([]int32, g.wishes), sup: make([]supply, n), node: make([]label, n),
		standIn: g.maxCost(workers) + 1, first: int32(g.suppliers), workers: workers, cold: true,
	}
	for s, c := range g.capacity {
		m.sup[s].capacity = c
	}
	for t := range cls.weight {
		m.sup[g.suppliers+t].capacity = int32(len(cls.wishes[t])) - q[t]
	}
	for w := range m.edge {
		m.edge[w] = -1
	}
	return m
}

// value returns what wish w pays for its assignment, price included.
func (m *mincost) value(w int32) int64 {
	s := m.h.at[w]
	if e := m.edge[w]; e >= 0 {
		return m.g.cost[e] + m.sup[s].price
	}
	return m.standIn + m.sup[s].price
}

// errNoPath means phase one's counts cannot be met, which is a bug.
var errNoPath = errors.New("assign: no augmenting path (internal error)")

// run assigns every free wish, checking ctx and reporting each assignment
// to tick.
func (m *mincost) run(ctx context.Context, free []int32, tick func(n int)) error {
	for i, w := range free {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !m.augment(w) {
			return errNoPath
		}
		tick(1)
	}
	return nil
}

// augment assigns the free wish root along a shortest path to a supplier
// with room, and reports whether there was one.
func (m *mincost) augment(root int32) bool {
	m.newSearch()
	m.scan(root, 0, 0)
	h := m.h
	for {
		d, s, ok := m.heap.pop()
		if !ok {
			return false
		}
		if m.node[s].settled || d > m.node[s].dist {
			continue
		}
		m.node[s].settled = true
		m.order = append(m.order, s)
		if h.load[s] < m.sup[s].capacity {
			m.apply(s, d)
			return true
		}
		for x := h.head[s]; x >= 0; x = h.next[x] {
			m.scan(x, d, m.value(x))
		}
	}
}

// newSearch clears the labels, the heap and the settled list.
func (m *mincost) newSearch() {
	m.epoch++
	if m.epoch == 0 {
		for s := range m.node {
			m.node[s].stamp = 0
		}
		m.epoch = 1
	}
	m.heap.reset()
	m.order = m.order[:0]
}

// scan relaxes the edges of wish w, reached at distance d and paying v.
func (m *mincost) scan(w int32, d, v int64) {
	g := m.g
	for e := g.start[w]; e < g.start[w+1]; e++ {
		s := g.supplier[e]
		if u := &m.sup[s]; u.capacity > 0 {
			m.relax(s, d+g.cost[e]+u.price-v, w, e)
		}
	}
	if s := m.first + m.cls.of[w]; m.sup[s].capacity > 0 {
		m.relax(s, d+m.standIn+m.sup[s].price-v, w, -1)
	}
}

func (m *mincost) relax(s int32, key int64, w, e int32) {
	n := &m.node[s]
	if n.stamp != m.epoch {
		n.stamp = m.epoch
		n.settled = false
	} else if n.settled || key >= n.dist {
		return
	}
	n.dist, n.wish, n.edge = key, w, e
	m.heap.push(key, s)
}

// apply raises the prices of the settled suppliers and shifts the wishes
// along the path ending at t, reached at distance d.
func (m *mincost) apply(t int32, d int64) {
	m.raise(d)
	m.shift(t)
}

// raise adds level minus its distance to the price of every supplier the
// search settled nearer than level, and clears their settled flags.
func (m *mincost) raise(level int64) {
	for _, s := range m.order {
		n := &m.node[s]
		if n.dist < level {
			m.sup[s].price += level - n.dist
		}
		n.settled = false
	}
}

// shift moves each wish on the path the search found to t one supplier
// on, the path's first wish taking its first supplier.
func (m *mincost) shift(t int32) {
	h := m.h
	for s := t; ; {
		w, e := m.node[s].wish, m.node[s].edge
		from := h.at[w]
		if from >= 0 {
			h.remove(w)
		}
		h.add(s, w)
		m.edge[w] = e
		if from < 0 {
			return
		}
		s = from
	}
}
