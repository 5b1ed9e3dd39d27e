package assign

import (
	"context"
	"math/rand/v2"
	"testing"
)

// TestSolveAgreesWithItself runs large instances cold on one worker and
// compares every other way of solving them: two workers, and warm starts
// from the cold solution's prices and from prices that are plain wrong.
// All must be feasible with the same weight and cost.
func TestSolveAgreesWithItself(t *testing.T) {
	tests := []struct {
		name string
		give city
	}{
		{name: "one dense part, capacity 1", give: city{wishes: 3000, volunteers: 20_000, capacity: 1, seed: 2, side: 20_000}},
		{name: "one dense part, capacity 3", give: city{wishes: 3000, volunteers: 10_000, capacity: 3, seed: 3, side: 20_000}},
		{name: "scarce", give: city{wishes: 3000, volunteers: 2500, capacity: 1, seed: 4, side: 20_000}},
		{name: "many districts", give: city{wishes: 3000, volunteers: 4000, capacity: 2, seed: 5, side: 120_000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.give.problem(t)
			if len(split(p, 1)) < 2 && tt.name == "many districts" {
				t.Fatalf("only %d parts", len(split(p, 1)))
			}
			addWeights(p, rand.New(rand.NewPCG(tt.give.seed, 9)))
			cold := mustSolve(t, p, Options{Workers: 1})
			r := rand.New(rand.NewPCG(tt.give.seed, 10))
			noise := make([]int64, p.Suppliers)
			for j := range noise {
				noise[j] = r.Int64N(200_000)
			}
			others := []struct {
				name string
				opt  Options
			}{
				{"two workers", Options{Workers: 2}},
				{"warm", Options{Workers: 2, Warm: cold.Warm(p)}},
				{"warm prices, no choices", Options{Warm: &Warm{Price: cold.Price}}},
				{"random prices", Options{Warm: &Warm{Price: noise}}},
			}
			for _, o := range others {
				s := mustSolve(t, p, o.opt)
				if s.Weight != cold.Weight || s.Cost != cold.Cost {
					t.Errorf("%s: weight %d cost %d, cold on one worker %d, %d", o.name, s.Weight, s.Cost, cold.Weight, cold.Cost)
				}
			}
		})
	}
}

// addWeights gives a fifth of the wishes priority 2 and a tenth 5.
func addWeights(p *Problem, r *rand.Rand) {
	p.Weight = make([]int32, p.Wishes)
	for w := range p.Weight {
		switch x := r.IntN(10); {
		case x == 0:
			p.Weight[w] = 5
		case x < 3:
			p.Weight[w] = 2
		default:
			p.Weight[w] = 1
		}
	}
}

// mustSolve solves p and checks that the solution is feasible and certified
// optimal.
func mustSolve(tb testing.TB, p *Problem, opt Options) *Solution {
	tb.Helper()
	s, err := Solve(context.Background(), p, opt)
	if err != nil {
		tb.Fatal(err)
	}
	check(tb, p, s)
	if err := certify(p, s); err != nil {
		tb.Fatal(err)
	}
	return s
}
