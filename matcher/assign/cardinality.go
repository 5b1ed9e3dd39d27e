package assign

import (
	"cmp"
	"context"
	"slices"
)

// Phase one: how many wishes of each priority class an optimum matches.
//
// The sets of wishes that can be matched together are the independent sets
// of a transversal matroid (a supplier of capacity c counts as c copies).
// The greedy algorithm finds a largest-weight independent set: take the
// classes heaviest first, and within each add wishes while the set stays
// independent. Adding wishes by augmenting paths does exactly that, since
// an augmenting path never unmatches a matched wish, and a maximum matching
// of the wishes of classes 1..t that keeps classes 1..t-1 matched has
// rank(1..t) wishes. With weights w_1 > ... > w_T > 0 (and w_{T+1} = 0) the
// weight of any matchable set B is
//
//	sum over t of (w_t - w_{t+1}) * |B ∩ classes 1..t|,
//
// each term at most (w_t - w_{t+1}) * rank(1..t), and greedy reaches every
// bound at once. So a set is of largest weight exactly when it has
// rank(1..t) wishes of classes 1..t for every t: when it matches
// q_t = rank(1..t) - rank(1..t-1) wishes of class t. Phase two then looks
// for the cheapest matching with those counts.

// classes groups wishes by priority, heaviest first.
type classes struct {
	of     []int32   // by wish: its class
	weight []int32   // by class
	wishes [][]int32 // by class: its wishes in index order
}

func classify(g *graph) *classes {
	c := &classes{of: make([]int32, g.wishes)}
	if g.weight == nil {
		c.weight = []int32{1}
		all := make([]int32, g.wishes)
		for w := range all {
			all[w] = int32(w)
		}
		c.wishes = [][]int32{all}
		return c
	}
	c.weight = slices.Clone(g.weight)
	slices.SortFunc(c.weight, func(a, b int32) int { return cmp.Compare(b, a) })
	c.weight = slices.Compact(c.weight)
	c.wishes = make([][]int32, len(c.weight))
	for w, x := range g.weight {
		t, _ := slices.BinarySearchFunc(c.weight, x, func(a, b int32) int { return cmp.Compare(b, a) })
		c.of[w] = int32(t)
		c.wishes[t] = append(c.wishes[t], int32(w))
	}
	return c
}

// cardinality finds the largest matchable set greedily by class, with
// Hopcroft–Karp phases on a capacitated right side.
type cardinality struct {
	g     *graph
	h     *holders
	dist  []int32 // by wish: BFS layer, -1 unreached, dead after a failed search
	queue []int32
	next  []int32 // by wish: the next edge its search tries
	limit int32   // layer at which the BFS met a supplier with room
}

const dead = -2

// counts returns q_t for every class. hint, by wish, names a supplier to
// try first (the previous round's), or is nil.
func counts(ctx context.Context, g *graph, cls *classes, hint []int32) ([]int32, error) {
	c := &cardinality{g: g, h: newHolders(g.wishes, g.suppliers), dist: make([]int32, g.wishes), next: make([]int32, g.wishes)}
	for w := range c.dist {
		c.dist[w] = -1
		c.next[w] = g.start[w]
	}
	q := make([]int32, len(cls.weight))
	for t, roots := range cls.wishes {
		free := c.greedy(roots, hint)
		for len(free) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if !c.layer(free) {
				break
			}
			for _, w := range free {
				c.augment(w)
			}
			n := len(free)
			free = slices.DeleteFunc(free, func(w int32) bool { return c.h.at[w] >= 0 })
			c.resetLayers()
			if len(free) == n {
				break
			}
		}
		q[t] = int32(len(roots) - len(free))
	}
	return q, nil
}

// greedy matches each of roots to its hinted supplier or else to the first
// of its suppliers with room, and returns those left free.
func (c *cardinality) greedy(roots []int32, hint []int32) []int32 {
	g, h := c.g, c.h
	var free []int32
	for _, w := range roots {
		if hint != nil && hint[w] >= 0 && h.load[hint[w]] < g.capacity[hint[w]] {
			for e := g.start[w]; e < g.start[w+1]; e++ {
				if g.supplier[e] == hint[w] {
					h.add(hint[w], w)
					break
				}
			}
		}
		for e := g.start[w]; e < g.start[w+1] && h.at[w] < 0; e++ {
			if s := g.supplier[e]; h.load[s] < g.capacity[s] {
				h.add(s, w)
			}
		}
		if h.at[w] < 0 {
			free = append(free, w)
		}
	}
	return free
}

// layer runs the breadth-first search from the free wishes and reports
// whether it met a supplier with room.
func (c *cardinality) layer(free []int32) bool {
	g, h := c.g, c.h
	c.queue = c.queue[:0]
	for _, w := range free {
		c.dist[w] = 0
		c.queue = append(c.queue, w)
	}
	c.limit = -1
	for i := 0; i < len(c.queue); i++ {
		w := c.queue[i]
		d := c.dist[w]
		if c.limit >= 0 && d >= c.limit {
			break
		}
		for e := g.start[w]; e < g.start[w+1]; e++ {
			s := g.supplier[e]
			if g.capacity[s] == 0 {
				continue
			}
			if h.load[s] < g.capacity[s] {
				if c.limit < 0 {
					c.limit = d
				}
				continue
			}
			for x := h.head[s]; x >= 0; x = h.next[x] {
				if c.dist[x] == -1 {
					c.dist[x] = d + 1
					c.queue = append(c.queue, x)
				}
			}
		}
	}
	return c.limit >= 0
}

// resetLayers clears what the last search marked.
func (c *cardinality) resetLayers() {
	for _, w := range c.queue {
		c.dist[w] = -1
		c.next[w] = c.g.start[w]
	}
}

// augment looks for an augmenting path from wish w along the layers and
// applies it, reporting whether it found one.
func (c *cardinality) augment(w int32) bool {
	g, h := c.g, c.h
	d := c.dist[w]
	for ; c.next[w] < g.start[w+1]; c.next[w]++ {
		s := g.supplier[c.next[w]]
		if g.capacity[s] == 0 || h.at[w] == s {
			continue
		}
		ok := h.load[s] < g.capacity[s]
		for x := h.head[s]; !ok && x >= 0; x = h.next[x] {
			ok = c.dist[x] == d+1 && d+1 <= c.limit && c.augment(x)
		}
		if ok {
			if h.at[w] >= 0 {
				h.remove(w)
			}
			h.add(s, w)
			return true
		}
	}
	c.dist[w] = dead
	return false
}
