package assign

import (
	"context"
	"errors"
	"testing"
)

func TestSolveRefusesAnInvalidProblem(t *testing.T) {
	p := &Problem{Wishes: 1, Suppliers: 1, Capacity: []int32{1}, Start: []int32{0, 1}, Supplier: []int32{3}, Cost: []int64{1}}
	if _, err := Solve(context.Background(), p, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Solve() error = %v, want ErrInvalid", err)
	}
}

func TestSolveHonoursCancellation(t *testing.T) {
	p := city{wishes: 2000, volunteers: 2000, capacity: 1, seed: 21, side: 20_000}.problem(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, p, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Solve() error = %v, want context.Canceled", err)
	}
	// Cancelled from inside, once the work has begun.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	_, err := Solve(ctx, p, Options{Progress: func(done, total int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Solve() error = %v, want context.Canceled", err)
	}
}

func TestSolveReportsProgress(t *testing.T) {
	p := city{wishes: 2000, volunteers: 8000, capacity: 1, seed: 22, side: 30_000}.problem(t)
	var calls, last int
	_, err := Solve(context.Background(), p, Options{Progress: func(done, total int) {
		if done < last || done > total || total != p.Wishes {
			t.Errorf("Progress(%d, %d) after %d", done, total, last)
		}
		calls++
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last != p.Wishes {
		t.Fatalf("%d calls, last done %d, want several ending at %d", calls, last, p.Wishes)
	}
}

func TestSolveEdgeCases(t *testing.T) {
	tests := []struct {
		name        string
		give        *Problem
		wantMatch   []int32
		wantMatched int
	}{
		{name: "empty", give: &Problem{Start: []int32{0}}},
		{name: "no suppliers", give: &Problem{Wishes: 2, Start: []int32{0, 0, 0}}, wantMatch: []int32{-1, -1}},
		{
			name:      "capacity 0 is no supplier",
			give:      &Problem{Wishes: 1, Suppliers: 1, Capacity: []int32{0}, Start: []int32{0, 1}, Supplier: []int32{0}, Cost: []int64{1}},
			wantMatch: []int32{-1},
		},
		{
			name:      "the cheaper parallel edge",
			give:      &Problem{Wishes: 1, Suppliers: 1, Capacity: []int32{1}, Start: []int32{0, 3}, Supplier: []int32{0, 0, 0}, Cost: []int64{5, 2, 9}},
			wantMatch: []int32{1}, wantMatched: 1,
		},
		{
			name: "weight before cost",
			// Wish 1 (weight 2) gets the only supplier though wish 0 is nearer.
			give: &Problem{Wishes: 2, Suppliers: 1, Capacity: []int32{1}, Weight: []int32{1, 2},
				Start: []int32{0, 1, 2}, Supplier: []int32{0, 0}, Cost: []int64{1, 100}},
			wantMatch: []int32{-1, 1}, wantMatched: 1,
		},
		{
			name: "count before cost",
			// Both wishes matched though wish 0 alone would be cheaper at supplier 0.
			give: &Problem{Wishes: 2, Suppliers: 2, Capacity: []int32{1, 1},
				Start: []int32{0, 2, 3}, Supplier: []int32{0, 1, 0}, Cost: []int64{0, 50, 0}},
			wantMatch: []int32{1, 2}, wantMatched: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSolve(t, tt.give, Options{})
			if s.Matched != tt.wantMatched {
				t.Fatalf("Matched = %d, want %d", s.Matched, tt.wantMatched)
			}
			for w, e := range tt.wantMatch {
				if s.Match[w] != e {
					t.Fatalf("Match = %v, want %v", s.Match, tt.wantMatch)
				}
			}
		})
	}
}
