package assign

import (
	"context"
	"testing"

	"pgregory.net/rapid"
)

// drawProblem draws a small problem with every allowed feature.
func drawProblem(t *rapid.T) *Problem {
	p := &Problem{
		Wishes:    rapid.IntRange(0, 12).Draw(t, "wishes"),
		Suppliers: rapid.IntRange(0, 8).Draw(t, "suppliers"),
	}
	p.Capacity = rapid.SliceOfN(rapid.Int32Range(0, 3), p.Suppliers, p.Suppliers).Draw(t, "capacity")
	if rapid.Bool().Draw(t, "weighted") {
		p.Weight = rapid.SliceOfN(rapid.Int32Range(1, 4), p.Wishes, p.Wishes).Draw(t, "weight")
	}
	p.Start = []int32{0}
	for range p.Wishes {
		if p.Suppliers > 0 {
			for range rapid.IntRange(0, 4).Draw(t, "degree") {
				p.Supplier = append(p.Supplier, rapid.Int32Range(0, int32(p.Suppliers-1)).Draw(t, "supplier"))
				p.Cost = append(p.Cost, rapid.Int64Range(0, 30).Draw(t, "cost"))
			}
		}
		p.Start = append(p.Start, int32(len(p.Supplier)))
	}
	return p
}

// TestNoLocalMoveImproves checks that no single change to a solution
// improves the lexicographic objective: putting an unmatched wish in
// where there is room or in another wish's place, moving a matched wish to
// another edge with room, or swapping two matched wishes' suppliers.
func TestNoLocalMoveImproves(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawProblem(t)
		s, err := Solve(context.Background(), p, Options{Workers: rapid.IntRange(1, 2).Draw(t, "workers")})
		if err != nil {
			t.Fatal(err)
		}
		if err := feasible(p, s); err != nil {
			t.Fatal(err)
		}
		load := make([]int32, p.Suppliers)
		for _, e := range s.Match {
			if e >= 0 {
				load[p.Supplier[e]]++
			}
		}
		weight := func(w int) int64 { return int64(p.weight(w)) }
		for w := range p.Wishes {
			mine := s.Match[w]
			for e := p.Start[w]; e < p.Start[w+1]; e++ {
				j := p.Supplier[e]
				room := load[j] < p.Capacity[j]
				switch {
				case mine < 0 && room:
					t.Fatalf("unmatched wish %d fits at supplier %d", w, j)
				case mine >= 0 && e != mine && (room || p.Supplier[mine] == j) && p.Cost[e] < p.Cost[mine]:
					t.Fatalf("wish %d moves to edge %d, saving %d", w, e, p.Cost[mine]-p.Cost[e])
				}
				for x, xe := range s.Match {
					if x == w || xe < 0 || p.Supplier[xe] != j {
						continue
					}
					if mine < 0 {
						// w takes x's place.
						if weight(w) > weight(x) || weight(w) == weight(x) && p.Cost[e] < p.Cost[xe] {
							t.Fatalf("unmatched wish %d takes the place of wish %d", w, x)
						}
						continue
					}
					// w and x swap: w to j over e, x to w's supplier.
					for xf := p.Start[x]; xf < p.Start[x+1]; xf++ {
						if p.Supplier[xf] == p.Supplier[mine] && p.Cost[e]+p.Cost[xf] < p.Cost[mine]+p.Cost[xe] {
							t.Fatalf("wishes %d and %d swap suppliers, saving %d", w, x, p.Cost[mine]+p.Cost[xe]-p.Cost[e]-p.Cost[xf])
						}
					}
				}
			}
		}
	})
}
