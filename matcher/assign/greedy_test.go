package assign

import (
	"math/rand/v2"
	"testing"
)

func TestGreedy(t *testing.T) {
	tests := []struct {
		name string
		give *Problem
		want []int32 // Match
	}{
		{
			name: "nearest first steals the shared supplier",
			// Wish 0 is nearest to supplier 0 (cost 1); wish 1 has only
			// supplier 0 (cost 2), so greedy leaves it out.
			give: &Problem{Wishes: 2, Suppliers: 2, Capacity: []int32{1, 1},
				Start: []int32{0, 2, 3}, Supplier: []int32{0, 1, 0}, Cost: []int64{1, 5, 2}},
			want: []int32{0, -1},
		},
		{
			name: "ties go to the lower wish, then the lower supplier",
			give: &Problem{Wishes: 2, Suppliers: 2, Capacity: []int32{1, 1},
				Start: []int32{0, 2, 4}, Supplier: []int32{1, 0, 0, 1}, Cost: []int64{3, 3, 3, 3}},
			want: []int32{1, 3},
		},
		{
			name: "capacity is shared out",
			give: &Problem{Wishes: 3, Suppliers: 1, Capacity: []int32{2},
				Start: []int32{0, 1, 2, 3}, Supplier: []int32{0, 0, 0}, Cost: []int64{9, 1, 4}},
			want: []int32{-1, 1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Greedy(tt.give)
			check(t, tt.give, s)
			for w, e := range tt.want {
				if s.Match[w] != e {
					t.Fatalf("Match = %v, want %v", s.Match, tt.want)
				}
			}
		})
	}
}

func TestGreedyIsFeasibleAndNoBetterThanSolve(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		p := randomProblem(r, 20, 10)
		p.Weight = nil
		g := Greedy(p)
		check(t, p, g)
		if (score{g.Weight, g.Cost}).better(reference(p)) {
			t.Fatalf("instance %d: greedy %d/%d beats the optimum", i, g.Weight, g.Cost)
		}
	}
}
