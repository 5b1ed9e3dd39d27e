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
// cheapest full assignment is the cheapest matching with the counts.
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
	g        *graph
	cls      *classes
	h        *holders // over suppliers, then one stand-in per class
	edge     []int32  // by wish: its edge, or -1 for the stand-in
	price    []int64  // by supplier and stand-in
	capacity []int32  // by supplier and stand-in
	standIn  int64    // cost of a stand-in edge
	first    int32    // index of the first stand-in

	// Scratch of one search, by supplier; valid where stamp == epoch.
	dist     []int64
	stamp    []uint32
	settled  []bool
	predWish []int32
	predEdge []int32
	order    []int32 // suppliers settled, in order
	heap     heap
	epoch    uint32
}

func newMincost(g *graph, cls *classes, q []int32) *mincost {
	n := g.suppliers + len(cls.weight)
	m := &mincost{
		g: g, cls: cls, h: newHolders(g.wishes, n),
		edge: make([]int32, g.wishes), price: make([]int64, n), capacity: make([]int32, n),
		standIn: g.maxCost() + 1, first: int32(g.suppliers),
		dist: make([]int64, n), stamp: make([]uint32, n), settled: make([]bool, n),
		predWish: make([]int32, n), predEdge: make([]int32, n),
	}
	copy(m.capacity, g.capacity)
	for t := range cls.weight {
		m.capacity[g.suppliers+t] = int32(len(cls.wishes[t])) - q[t]
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
		return m.g.cost[e] + m.price[s]
	}
	return m.standIn + m.price[s]
}

// start assigns every wish that can take one of its cheapest options (price
// included) with room, preferring hint[w] when it is one, and returns the
// wishes left free. Prices must already satisfy the invariants' bounds.
func (m *mincost) start(hint []int32) []int32 {
	g, h := m.g, m.h
	var free []int32
	for w := range int32(g.wishes) {
		best, bestS, bestE := int64(-1), int32(-1), int32(-1)
		room := false
		consider := func(s, e int32, v int64) {
			ok := h.load[s] < m.capacity[s]
			better := best < 0 || v < best
			tie := v == best && (ok && !room || ok && hint != nil && s == hint[w])
			if better || tie {
				best, bestS, bestE, room = v, s, e, ok
			}
		}
		for e := g.start[w]; e < g.start[w+1]; e++ {
			if s := g.supplier[e]; m.capacity[s] > 0 {
				consider(s, e, g.cost[e]+m.price[s])
			}
		}
		if s := m.first + m.cls.of[w]; m.capacity[s] > 0 {
			consider(s, -1, m.standIn+m.price[s])
		}
		if room {
			h.add(bestS, w)
			m.edge[w] = bestE
		} else {
			free = append(free, w)
		}
	}
	return free
}

// errNoPath means phase one's counts cannot be met, which is a bug.
var errNoPath = errors.New("assign: no augmenting path (internal error)")

// run assigns every free wish, checking ctx and reporting each assignment
// to tick.
func (m *mincost) run(ctx context.Context, free []int32, tick func()) error {
	for i, w := range free {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !m.augment(w) {
			return errNoPath
		}
		tick()
	}
	return nil
}

// augment assigns the free wish root along a shortest path to a supplier
// with room, and reports whether there was one.
func (m *mincost) augment(root int32) bool {
	m.epoch++
	if m.epoch == 0 {
		clear(m.stamp)
		m.epoch = 1
	}
	m.heap.reset()
	m.order = m.order[:0]
	m.scan(root, 0, 0)
	h := m.h
	for {
		d, s, ok := m.heap.pop()
		if !ok {
			return false
		}
		if m.settled[s] || d > m.dist[s] {
			continue
		}
		m.settled[s] = true
		m.order = append(m.order, s)
		if h.load[s] < m.capacity[s] {
			m.apply(s, d)
			return true
		}
		for x := h.head[s]; x >= 0; x = h.next[x] {
			m.scan(x, d, m.value(x))
		}
	}
}

// scan relaxes the edges of wish w, reached at distance d and paying v.
func (m *mincost) scan(w int32, d, v int64) {
	g := m.g
	for e := g.start[w]; e < g.start[w+1]; e++ {
		s := g.supplier[e]
		if m.capacity[s] == 0 {
			continue
		}
		m.relax(s, d+g.cost[e]+m.price[s]-v, w, e)
	}
	if s := m.first + m.cls.of[w]; m.capacity[s] > 0 {
		m.relax(s, d+m.standIn+m.price[s]-v, w, -1)
	}
}

func (m *mincost) relax(s int32, key int64, w, e int32) {
	if m.stamp[s] != m.epoch {
		m.stamp[s] = m.epoch
		m.settled[s] = false
	} else if m.settled[s] || key >= m.dist[s] {
		return
	}
	m.dist[s] = key
	m.predWish[s] = w
	m.predEdge[s] = e
	m.heap.push(key, s)
}

// apply raises the prices of the settled suppliers and shifts the wishes
// along the path ending at t, reached at distance d.
func (m *mincost) apply(t int32, d int64) {
	for _, s := range m.order {
		m.price[s] += d - m.dist[s]
		m.settled[s] = false
	}
	h := m.h
	for s := t; ; {
		w, e := m.predWish[s], m.predEdge[s]
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
