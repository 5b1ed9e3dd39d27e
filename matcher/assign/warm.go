package assign

import "sync"

// Warm starts. A previous round's prices are a good guess at this round's:
// most wishes still find their old supplier cheapest, price included, and
// keep it. What changed breaks the second invariant in places (a supplier
// whose wish went away has room left but a price above 0), and that is
// repaired before the search, so a warm start never changes the optimum.

// warmStart takes the prices in price, assigns what it can and returns the
// wishes left free, with both invariants holding.
func (m *mincost) warmStart(price []int64, hint []int32) []int32 {
	g := m.g
	m.cold = false
	for s := range g.suppliers {
		if s < len(price) {
			m.sup[s].price = max(0, price[s])
		}
	}
	// A supplier that fewer wishes name than it has room for will have
	// room left: its price goes to 0 before anyone chooses.
	named := make([]int32, g.suppliers)
	for _, s := range hint {
		if s >= 0 {
			named[s]++
		}
	}
	for s, n := range named {
		if n < m.sup[s].capacity {
			m.sup[s].price = 0
		}
	}
	return m.repair(m.start(hint))
}

// repair brings the price of every supplier and stand-in with room left
// down to 0, and frees every wish that then finds a cheaper option than
// its own. A freed wish leaves room behind, so this goes on in rounds
// until no price changes. A wish already on its cheapest edge, price
// aside (m.nearest), cannot find a cheaper one, so a round reads the edges
// of the others only, on m.workers goroutines.
func (m *mincost) repair(free []int32) []int32 {
	g, h := m.g, m.h
	lowered := make([]bool, len(m.sup))
	for {
		n := 0
		for s := range m.sup {
			lowered[s] = m.sup[s].price > 0 && h.load[s] < m.sup[s].capacity
			if lowered[s] {
				m.sup[s].price = 0
				n++
			}
		}
		if n == 0 {
			return free
		}
		var mu sync.Mutex
		var broken []int32
		inParallel(m.workers, g.wishes, func(lo, hi int) {
			var mine []int32
			for w := int32(lo); w < int32(hi); w++ {
				if h.at[w] < 0 {
					continue
				}
				v := m.value(w)
				bad := lowered[m.first+m.cls.of[w]] && m.standIn < v
				if v > m.nearest[w] {
					for e := g.start[w]; e < g.start[w+1] && !bad; e++ {
						bad = lowered[g.supplier[e]] && g.cost[e] < v
					}
				}
				if bad {
					mine = append(mine, w)
				}
			}
			mu.Lock()
			broken = append(broken, mine...)
			mu.Unlock()
		})
		for _, w := range broken {
			h.remove(w)
			m.edge[w] = -1
			free = append(free, w)
		}
	}
}
