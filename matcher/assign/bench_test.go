package assign

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// The benchmark instances: the reference city (10,000 wishes, 100,000
// volunteers on 40 × 40 km), the same with capacity 3, two scarce cities
// on the same square (15,000 volunteers, and 10,000 where not every wish
// can be matched), and the city ten times larger at the same density.
var benchCities = []city{
	{wishes: 10_000, volunteers: 100_000, capacity: 1, seed: 1},
	{wishes: 10_000, volunteers: 100_000, capacity: 3, seed: 1},
	{wishes: 10_000, volunteers: 15_000, capacity: 1, seed: 1, side: 40_000},
	{wishes: 10_000, volunteers: 10_000, capacity: 1, seed: 1, side: 40_000},
	{wishes: 100_000, volunteers: 1_000_000, capacity: 1, seed: 1},
	{wishes: 100_000, volunteers: 1_000_000, capacity: 3, seed: 1},
}

func (c city) String() string {
	return fmt.Sprintf("%dx%d/cap%d", c.wishes, c.volunteers, c.capacity)
}

func BenchmarkSolve(b *testing.B) {
	for _, c := range benchCities {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers%d", c, workers), func(b *testing.B) {
				p := c.problem(b)
				var s *Solution
				for b.Loop() {
					var err error
					if s, err = Solve(context.Background(), p, Options{Workers: workers}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(p.Edges()), "edges")
				b.ReportMetric(float64(s.Matched), "matched")
				b.ReportMetric(float64(s.Cost)/1e4, "minutes")
			})
		}
	}
}

func BenchmarkGreedy(b *testing.B) {
	for _, c := range benchCities[:4] {
		b.Run(c.String(), func(b *testing.B) {
			p := c.problem(b)
			var s *Solution
			for b.Loop() {
				s = Greedy(p)
			}
			b.ReportMetric(float64(s.Matched), "matched")
			b.ReportMetric(float64(s.Cost)/1e4, "minutes")
		})
	}
}

// BenchmarkNextRound solves the round after the reference city's, with 1%
// of wishes, edges and suppliers changed, cold and warm from the first
// round's solution.
func BenchmarkNextRound(b *testing.B) {
	for _, c := range []city{benchCities[0], benchCities[1], benchCities[3], benchCities[4]} {
		p := c.problem(b)
		s, err := Solve(context.Background(), p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		q, old := nextRound(p, rand.New(rand.NewPCG(c.seed, 2)), 0.01)
		warm := carry(p, s, old)
		for _, start := range []struct {
			name string
			warm *Warm
		}{{"cold", nil}, {"warm", warm}} {
			b.Run(c.String()+"/"+start.name, func(b *testing.B) {
				var s *Solution
				for b.Loop() {
					if s, err = Solve(context.Background(), q, Options{Warm: start.warm}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(s.Matched), "matched")
				b.ReportMetric(float64(s.Cost)/1e4, "minutes")
			})
		}
	}
}
