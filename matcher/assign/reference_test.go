package assign

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds two solvers that are slow but obviously right, and the
// checks every test applies to a Solution.

// score is the lexicographic objective: weight first (larger is better),
// then cost (smaller is better).
type score struct {
	weight, cost int64
}

func (a score) better(b score) bool {
	return a.weight > b.weight || a.weight == b.weight && a.cost < b.cost
}

// bruteForce tries every assignment of wishes to edges or nothing.
func bruteForce(p *Problem) score {
	left := make([]int32, p.Suppliers)
	copy(left, p.Capacity)
	var best score
	var try func(w int, cur score)
	try = func(w int, cur score) {
		if w == p.Wishes {
			if cur.better(best) {
				best = cur
			}
			return
		}
		try(w+1, cur)
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			s := p.Supplier[e]
			if left[s] == 0 {
				continue
			}
			left[s]--
			try(w+1, score{cur.weight + int64(p.weight(w)), cur.cost + p.Cost[e]})
			left[s]++
		}
	}
	try(0, score{})
	return best
}

// reference is successive shortest paths with Bellman–Ford on a network
// whose arc costs are lexicographic pairs (−weight, cost): source → wish →
// supplier → sink. Pairs form an ordered group, so the usual theory holds:
// augmenting along a shortest path while it costs less than (0, 0) ends at
// a minimum-cost flow, which is the lexicographic optimum.
func reference(p *Problem) score {
	type arc struct {
		to, rev, cap int
		w, c         int64 // cost pair: w is −weight gained
	}
	n := p.Wishes + p.Suppliers + 2
	src, sink := n-2, n-1
	adj := make([][]arc, n)
	add := func(u, v, c int, w, cost int64) {
		adj[u] = append(adj[u], arc{v, len(adj[v]), c, w, cost})
		adj[v] = append(adj[v], arc{u, len(adj[u]) - 1, 0, -w, -cost})
	}
	for w := range p.Wishes {
		add(src, w, 1, -int64(p.weight(w)), 0)
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			add(w, p.Wishes+int(p.Supplier[e]), 1, 0, p.Cost[e])
		}
	}
	for s := range p.Suppliers {
		add(p.Wishes+s, sink, int(p.Capacity[s]), 0, 0)
	}
	var total score
	for {
		dist := make([]score, n)
		reached := make([]bool, n)
		from := make([][2]int, n)
		reached[src] = true
		for changed := true; changed; {
			changed = false
			for u := range n {
				if !reached[u] {
					continue
				}
				for i, a := range adj[u] {
					if a.cap == 0 {
						continue
					}
					d := score{dist[u].weight + a.w, dist[u].cost + a.c}
					// "less" in (−weight, cost) order
					if !reached[a.to] || d.weight < dist[a.to].weight || d.weight == dist[a.to].weight && d.cost < dist[a.to].cost {
						dist[a.to], reached[a.to], from[a.to] = d, true, [2]int{u, i}
						changed = true
					}
				}
			}
		}
		d := dist[sink]
		if !reached[sink] || d.weight > 0 || d.weight == 0 && d.cost >= 0 {
			return total
		}
		total.weight -= d.weight
		total.cost += d.cost
		for v := sink; v != src; {
			u, i := from[v][0], from[v][1]
			adj[u][i].cap--
			adj[v][adj[u][i].rev].cap++
			v = u
		}
	}
}

// check fails t unless s is a feasible solution of p whose summary fields
// agree with its Match.
func check(tb testing.TB, p *Problem, s *Solution) {
	tb.Helper()
	if err := feasible(p, s); err != nil {
		tb.Fatal(err)
	}
}

func feasible(p *Problem, s *Solution) error {
	if len(s.Match) != p.Wishes {
		return fmt.Errorf("Match has %d entries, want %d", len(s.Match), p.Wishes)
	}
	load := make([]int32, p.Suppliers)
	var sum Solution
	sum.Match = s.Match
	for w, e := range s.Match {
		if e < 0 {
			if e != -1 {
				return fmt.Errorf("wish %d: Match %d", w, e)
			}
			continue
		}
		if e < p.Start[w] || e >= p.Start[w+1] {
			return fmt.Errorf("wish %d takes edge %d, not one of its own (%d..%d)", w, e, p.Start[w], p.Start[w+1]-1)
		}
		load[p.Supplier[e]]++
	}
	for j, l := range load {
		if l > p.Capacity[j] {
			return fmt.Errorf("supplier %d takes %d wishes, capacity %d", j, l, p.Capacity[j])
		}
	}
	sum.summarize(p)
	if sum.Matched != s.Matched || sum.Weight != s.Weight || sum.Cost != s.Cost {
		return fmt.Errorf("summary matched %d weight %d cost %d, Match gives %d, %d, %d",
			s.Matched, s.Weight, s.Cost, sum.Matched, sum.Weight, sum.Cost)
	}
	return nil
}

// randomProblem makes a small problem with everything that is allowed:
// priorities, capacities 0..3, wishes and suppliers without edges,
// parallel edges and zero costs.
func randomProblem(r *rand.Rand, maxWishes, maxSuppliers int) *Problem {
	p := &Problem{Wishes: r.IntN(maxWishes + 1), Suppliers: r.IntN(maxSuppliers + 1)}
	p.Capacity = make([]int32, p.Suppliers)
	for j := range p.Capacity {
		p.Capacity[j] = int32(r.IntN(4))
	}
	if r.IntN(3) > 0 {
		p.Weight = make([]int32, p.Wishes)
		for w := range p.Weight {
			p.Weight[w] = int32(1 + r.IntN(3))
		}
	}
	maxCost := []int64{0, 3, 20, 1000}[r.IntN(4)]
	p.Start = append(p.Start, 0)
	for range p.Wishes {
		if p.Suppliers > 0 {
			for range r.IntN(4) {
				p.Supplier = append(p.Supplier, int32(r.IntN(p.Suppliers)))
				p.Cost = append(p.Cost, r.Int64N(maxCost+1))
			}
		}
		p.Start = append(p.Start, int32(len(p.Supplier)))
	}
	return p
}

// certify checks that s is optimal for p without solving p again, so that
// it works on instances far too large for reference.
//
// Weight: an unmatched wish must not reach, along alternating paths, a
// supplier with room (it could be added) or a matched wish of smaller
// weight (it could take that one's place). A breadth-first search per
// distinct weight W, from every unmatched wish of weight at least W, finds
// any such path.
//
// Cost, for the per-class counts s has: s.Price is a dual solution. Every
// price is non-negative and 0 where there is room; a matched wish's edge is
// its cheapest, price included; and in each class, no matched wish pays
// more than the cheapest option of any unmatched wish of that class in the
// same connected part (each part has its own prices and thresholds).
func certify(p *Problem, s *Solution) error {
	part := parts(p)
	load := make([]int32, p.Suppliers)
	held := make([][]int32, p.Suppliers)
	for w, e := range s.Match {
		if e >= 0 {
			j := p.Supplier[e]
			load[j]++
			held[j] = append(held[j], int32(w))
		}
	}
	weights := map[int32]bool{}
	for w := range p.Wishes {
		weights[p.weight(w)] = true
	}
	for W := range weights {
		seen := make([]bool, p.Wishes)
		var queue []int32
		for w := range p.Wishes {
			if s.Match[w] < 0 && p.weight(w) >= W {
				seen[w] = true
				queue = append(queue, int32(w))
			}
		}
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			if s.Match[w] >= 0 && p.weight(int(w)) < W {
				return fmt.Errorf("an unmatched wish of weight >= %d can take the place of wish %d (weight %d)", W, w, p.weight(int(w)))
			}
			for e := p.Start[w]; e < p.Start[w+1]; e++ {
				j := p.Supplier[e]
				if load[j] < p.Capacity[j] {
					return fmt.Errorf("supplier %d has room that an unmatched wish can reach", j)
				}
				for _, x := range held[j] {
					if !seen[x] {
						seen[x] = true
						queue = append(queue, x)
					}
				}
			}
		}
	}
	if len(s.Price) != p.Suppliers {
		return fmt.Errorf("Price has %d entries, want %d", len(s.Price), p.Suppliers)
	}
	for j, x := range s.Price {
		if x < 0 || x > 0 && load[j] < p.Capacity[j] {
			return fmt.Errorf("supplier %d has price %d with load %d of %d", j, x, load[j], p.Capacity[j])
		}
	}
	type class struct{ part, weight int32 }
	paid := map[class]int64{}  // most a matched wish pays
	least := map[class]int64{} // least an unmatched wish could
	for w := range p.Wishes {
		best := int64(math.MaxInt64)
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			if j := p.Supplier[e]; p.Capacity[j] > 0 {
				best = min(best, p.Cost[e]+s.Price[j])
			}
		}
		x := class{part[w], p.weight(w)}
		if e := s.Match[w]; e >= 0 {
			v := p.Cost[e] + s.Price[p.Supplier[e]]
			if v != best {
				return fmt.Errorf("wish %d pays %d, could pay %d", w, v, best)
			}
			paid[x] = max(paid[x], v)
		} else if m, ok := least[x]; !ok || best < m {
			least[x] = best
		}
	}
	for x, m := range least {
		if v, ok := paid[x]; ok && v > m {
			return fmt.Errorf("part %d, weight %d: a matched wish pays %d, an unmatched one could pay %d", x.part, x.weight, v, m)
		}
	}
	return nil
}

// parts labels each wish with its connected part, counting edges to
// suppliers with capacity, by breadth-first search.
func parts(p *Problem) []int32 {
	bySupplier := make([][]int32, p.Suppliers)
	for w := range p.Wishes {
		for e := p.Start[w]; e < p.Start[w+1]; e++ {
			if j := p.Supplier[e]; p.Capacity[j] > 0 {
				bySupplier[j] = append(bySupplier[j], int32(w))
			}
		}
	}
	part := make([]int32, p.Wishes)
	for w := range part {
		part[w] = -1
	}
	done := make([]bool, p.Suppliers)
	for w0 := range p.Wishes {
		if part[w0] >= 0 {
			continue
		}
		part[w0] = int32(w0)
		queue := []int32{int32(w0)}
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			for e := p.Start[w]; e < p.Start[w+1]; e++ {
				j := p.Supplier[e]
				if p.Capacity[j] == 0 || done[j] {
					continue
				}
				done[j] = true
				for _, x := range bySupplier[j] {
					if part[x] < 0 {
						part[x] = int32(w0)
						queue = append(queue, x)
					}
				}
			}
		}
	}
	return part
}
