package assign

import (
	"cmp"
	"math"
	"slices"
)

// The first assignment. Every wish that can take one of its cheapest
// options, price included, where there is room takes it; that keeps the
// first invariant (mincost.go) and leaves the rest to the search. One
// parallel pass over the edges finds each wish's cheapest real option, a
// sequential pass over the wishes chooses, and on a warm start the
// stand-ins are priced in between.

// options is what that pass learns of each wish.
type options struct {
	best    []int64 // least value over its real edges; MaxInt64 if none
	first   []int32 // the first real edge at best, or -1
	hinted  []int32 // an edge to the hinted supplier at best, or -1
	nearest []int64 // least cost over its real edges, price aside (warm)
}

// start assigns every wish that can take one of its cheapest options with
// room, preferring the supplier hint[w] names when it is one, and returns
// the wishes left free.
func (m *mincost) start(hint []int32) []int32 {
	o := m.options(hint)
	if !m.cold {
		m.priceStandIns(o.best)
		m.nearest = o.nearest
	}
	return m.choose(o, hint)
}

// options runs the pass over the edges on m.workers goroutines.
func (m *mincost) options(hint []int32) *options {
	g := m.g
	o := &options{best: make([]int64, g.wishes), first: make([]int32, g.wishes)}
	if hint != nil {
		o.hinted = make([]int32, g.wishes)
	}
	if !m.cold {
		o.nearest = make([]int64, g.wishes)
	}
	inParallel(m.workers, g.wishes, func(lo, hi int) {
		if m.cold && hint == nil {
			m.optionsCold(o, lo, hi)
			return
		}
		for w := int32(lo); w < int32(hi); w++ {
			b, near, at, hw := int64(math.MaxInt64), int64(math.MaxInt64), int32(-1), int32(-1)
			for e := g.start[w]; e < g.start[w+1]; e++ {
				s := g.supplier[e]
				u := &m.sup[s]
				if u.capacity == 0 {
					continue
				}
				near = min(near, g.cost[e])
				v := g.cost[e] + u.price
				if v < b {
					b, at, hw = v, e, -1
				}
				if v == b && hint != nil && s == hint[w] && hw < 0 {
					hw = e
				}
			}
			o.best[w], o.first[w] = b, at
			if o.hinted != nil {
				o.hinted[w] = hw
			}
			if o.nearest != nil {
				o.nearest[w] = near
			}
		}
	})
	return o
}

// optionsCold is the pass while every price is 0, the usual cold start:
// it reads only costs and the graph's capacities, a quarter of the memory
// the general pass touches per edge.
func (m *mincost) optionsCold(o *options, lo, hi int) {
	g := m.g
	for w := int32(lo); w < int32(hi); w++ {
		b, at := int64(math.MaxInt64), int32(-1)
		for e := g.start[w]; e < g.start[w+1]; e++ {
			if c := g.cost[e]; c < b && g.capacity[g.supplier[e]] > 0 {
				b, at = c, e
			}
		}
		o.best[w], o.first[w] = b, at
	}
}

// priceStandIns guesses each stand-in's price from the real prices: a
// class whose stand-in holds k wishes leaves out, near enough, the k
// wishes whose cheapest real option costs most, so the stand-in is priced
// to cost what the k-th dearest of those options does. Without this, a
// warm start of a round where supply is short would find the stand-in at
// price 0 far cheaper than any real option, and free nearly every wish.
// The guess only has to be good: start keeps whatever it makes tight and
// the repair and the search do the rest.
func (m *mincost) priceStandIns(best []int64) {
	for t, wishes := range m.cls.wishes {
		s := m.first + int32(t)
		k := int(m.sup[s].capacity)
		if k == 0 {
			continue
		}
		vals := make([]int64, len(wishes))
		for i, w := range wishes {
			vals[i] = best[w]
		}
		slices.SortFunc(vals, func(a, b int64) int { return cmp.Compare(b, a) })
		level := vals[k-1]
		if level == math.MaxInt64 {
			// k wishes have no real option at all: price the
			// stand-in above every real option.
			level = m.standIn
			for _, v := range vals {
				if v != math.MaxInt64 {
					level = max(level, v+1)
				}
			}
		}
		m.sup[s].price = max(0, level-m.standIn)
	}
}

// choose assigns each wish to its cheapest option where there is room,
// comparing the real options with its stand-in, and returns the wishes it
// could not place.
func (m *mincost) choose(o *options, hint []int32) []int32 {
	g, h := m.g, m.h
	var free []int32
	room := func(s int32) bool { return h.load[s] < m.sup[s].capacity }
	take := func(w, s, e int32) {
		h.add(s, w)
		m.edge[w] = e
	}
	for w := range int32(g.wishes) {
		best, e := o.best[w], o.first[w]
		standIn := m.first + m.cls.of[w]
		if m.sup[standIn].capacity > 0 {
			// The stand-in wins ties, so that the wishes priceStandIns
			// meant for it fill it.
			if v := m.standIn + m.sup[standIn].price; v <= best {
				best, e = v, -1
			}
		}
		switch {
		case best == math.MaxInt64:
			free = append(free, w) // nothing at all; phase one forbids this
		case e >= 0 && o.hinted != nil && o.hinted[w] >= 0 && room(hint[w]):
			take(w, hint[w], o.hinted[w])
		case e < 0 && room(standIn):
			take(w, standIn, -1)
		case e >= 0 && room(g.supplier[e]):
			take(w, g.supplier[e], e)
		default:
			if e, s, ok := m.otherCheapest(w, best); ok {
				take(w, s, e)
			} else {
				free = append(free, w)
			}
		}
	}
	return free
}

// otherCheapest looks for any option of w at value best with room, for
// when the first one found is full.
func (m *mincost) otherCheapest(w int32, best int64) (e, s int32, ok bool) {
	g, h := m.g, m.h
	for e := g.start[w]; e < g.start[w+1]; e++ {
		s := g.supplier[e]
		if h.load[s] < m.sup[s].capacity && g.cost[e]+m.sup[s].price == best {
			return e, s, true
		}
	}
	if s := m.first + m.cls.of[w]; h.load[s] < m.sup[s].capacity && m.standIn+m.sup[s].price == best {
		return -1, s, true
	}
	return 0, 0, false
}
