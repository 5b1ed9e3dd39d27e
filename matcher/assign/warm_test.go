package assign

import (
	"math/rand/v2"
	"testing"
)

// nextRound is the following round of p: some wishes gone and some new,
// some edges gone, some suppliers gone (capacity 0) and some back. It
// returns the new problem and, by new wish, the old wish (or -1).
func nextRound(p *Problem, r *rand.Rand, change float64) (*Problem, []int32) {
	q := &Problem{Suppliers: p.Suppliers, Capacity: make([]int32, p.Suppliers), Start: []int32{0}}
	if p.Weight != nil {
		q.Weight = []int32{}
	}
	for j, c := range p.Capacity {
		q.Capacity[j] = c
		if r.Float64() < change {
			q.Capacity[j] = int32(r.IntN(3))
		}
	}
	var old []int32
	addWish := func(from int, weight int32) {
		for e := p.Start[from]; e < p.Start[from+1]; e++ {
			if r.Float64() < change {
				continue
			}
			q.Supplier = append(q.Supplier, p.Supplier[e])
			q.Cost = append(q.Cost, p.Cost[e])
		}
		q.Start = append(q.Start, int32(len(q.Supplier)))
		if q.Weight != nil {
			q.Weight = append(q.Weight, weight)
		}
	}
	for w := range p.Wishes {
		if r.Float64() < change {
			continue // gone
		}
		addWish(w, p.weight(w))
		old = append(old, int32(w))
		if r.Float64() < change {
			// A new wish, where an old one is, with a new priority.
			addWish(r.IntN(p.Wishes), int32(1+r.IntN(3)))
			old = append(old, -1)
		}
	}
	q.Wishes = len(old)
	return q, old
}

// carry maps a solution of p onto the next round's wishes.
func carry(p *Problem, s *Solution, old []int32) *Warm {
	prev := s.Warm(p)
	w := &Warm{Price: prev.Price, Supplier: make([]int32, len(old))}
	for i, o := range old {
		w.Supplier[i] = -1
		if o >= 0 {
			w.Supplier[i] = prev.Supplier[o]
		}
	}
	return w
}

func TestWarmStartAfterChangesKeepsTheOptimum(t *testing.T) {
	tests := []struct {
		name   string
		give   city
		change float64
	}{
		{name: "dense, small changes", give: city{wishes: 3000, volunteers: 20_000, capacity: 1, seed: 11, side: 20_000}, change: 0.02},
		{name: "dense, capacity 3", give: city{wishes: 3000, volunteers: 10_000, capacity: 3, seed: 12, side: 20_000}, change: 0.05},
		{name: "scarce, large changes", give: city{wishes: 3000, volunteers: 2500, capacity: 1, seed: 13, side: 20_000}, change: 0.3},
		{name: "districts", give: city{wishes: 3000, volunteers: 4000, capacity: 2, seed: 14, side: 120_000}, change: 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(tt.give.seed, 1))
			p := tt.give.problem(t)
			addWeights(p, r)
			s := mustSolve(t, p, Options{})
			for round := range 3 {
				q, old := nextRound(p, r, tt.change)
				cold := mustSolve(t, q, Options{})
				warm := mustSolve(t, q, Options{Warm: carry(p, s, old)})
				if warm.Weight != cold.Weight || warm.Cost != cold.Cost {
					t.Fatalf("round %d: warm weight %d cost %d, cold %d, %d", round, warm.Weight, warm.Cost, cold.Weight, cold.Cost)
				}
				p, s = q, warm
			}
		})
	}
}

func TestWarmStartFromItsOwnSolutionNeedsNoSearch(t *testing.T) {
	p := city{wishes: 3000, volunteers: 20_000, capacity: 1, seed: 15, side: 20_000}.problem(t)
	s := mustSolve(t, p, Options{})
	g := whole(p)
	cls := classify(g)
	hint, price := localWarm(g, s.Warm(p))
	q, err := counts(t.Context(), g, cls, hint)
	if err != nil {
		t.Fatal(err)
	}
	m := newMincost(g, cls, q, 1)
	if free := m.warmStart(price, hint); len(free) != 0 {
		t.Fatalf("%d wishes left to search, want 0", len(free))
	}
}
