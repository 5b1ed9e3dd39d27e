package assign

import (
	"context"
	"math/rand/v2"
	"testing"
)

func TestReferenceMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 300 {
		p := randomProblem(r, 6, 4)
		if got, want := reference(p), bruteForce(p); got != want {
			t.Fatalf("instance %d: reference %+v, brute force %+v", i, got, want)
		}
	}
}

func TestSolveIsOptimalOnSmallInstances(t *testing.T) {
	tests := []struct {
		name                string
		n                   int
		wishes, suppliers   int
		bruteForce, workers bool
	}{
		{name: "tiny, brute force", n: 1500, wishes: 6, suppliers: 4, bruteForce: true},
		{name: "small", n: 800, wishes: 25, suppliers: 12},
		{name: "scarce", n: 300, wishes: 40, suppliers: 6},
		{name: "small, two workers", n: 300, wishes: 30, suppliers: 30, workers: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tt.n), uint64(tt.wishes)))
			for i := range tt.n {
				p := randomProblem(r, tt.wishes, tt.suppliers)
				var want score
				if tt.bruteForce {
					want = bruteForce(p)
				} else {
					want = reference(p)
				}
				opt := Options{Workers: 1}
				if tt.workers {
					opt.Workers = 2
				}
				s, err := Solve(context.Background(), p, opt)
				if err != nil {
					t.Fatalf("instance %d: %v", i, err)
				}
				check(t, p, s)
				if err := certify(p, s); err != nil {
					t.Fatalf("instance %d: %v", i, err)
				}
				if got := (score{s.Weight, s.Cost}); got != want {
					t.Fatalf("instance %d: got %+v, want %+v\n%+v", i, got, want, p)
				}
			}
		})
	}
}

// TestCertifyRejectsWhatIsNotOptimal makes sure the certificate the large
// tests rely on can fail: greedy leaves wishes out on a scarce city, and a
// solution whose prices are spoiled is not certified either.
func TestCertifyRejectsWhatIsNotOptimal(t *testing.T) {
	p := city{wishes: 2000, volunteers: 2000, capacity: 1, seed: 31, side: 20_000}.problem(t)
	g := Greedy(p)
	g.Price = make([]int64, p.Suppliers)
	if err := certify(p, g); err == nil {
		t.Fatal("greedy's solution is certified optimal")
	}
	s := mustSolve(t, p, Options{})
	load := make([]int32, p.Suppliers)
	for _, e := range s.Match {
		if e >= 0 {
			load[p.Supplier[e]]++
		}
	}
	for j := range s.Price {
		if load[j] < p.Capacity[j] {
			s.Price[j] = 1 // room left, so the price must be 0
			break
		}
	}
	if err := certify(p, s); err == nil {
		t.Fatal("a solution with a spoiled price is certified")
	}
}
