package assign

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := func() *Problem {
		return &Problem{
			Wishes: 2, Suppliers: 2, Capacity: []int32{1, 2}, Weight: []int32{1, 3},
			Start: []int32{0, 2, 3}, Supplier: []int32{0, 1, 1}, Cost: []int64{5, 0, 7},
		}
	}
	tests := []struct {
		name string
		give func(p *Problem)
		want string // in the error; "" means valid
	}{
		{name: "valid", give: func(*Problem) {}},
		{name: "nil weight", give: func(p *Problem) { p.Weight = nil }},
		{name: "negative size", give: func(p *Problem) { p.Wishes = -1 }, want: "must not be negative"},
		{name: "capacity length", give: func(p *Problem) { p.Capacity = p.Capacity[:1] }, want: "Capacity has 1 entries"},
		{name: "weight length", give: func(p *Problem) { p.Weight = p.Weight[:1] }, want: "Weight has 1 entries"},
		{name: "start length", give: func(p *Problem) { p.Start = p.Start[:2] }, want: "Start has 2 entries"},
		{name: "start not at 0", give: func(p *Problem) { p.Start[0] = 1 }, want: "Start[0] is 1"},
		{name: "edges length", give: func(p *Problem) { p.Cost = p.Cost[:2] }, want: "Cost 2 entries"},
		{name: "start decreasing", give: func(p *Problem) { p.Start[1] = 4 }, want: "Start[2] = 3 is less than Start[1] = 4"},
		{name: "negative capacity", give: func(p *Problem) { p.Capacity[1] = -1 }, want: "Capacity[1] is -1"},
		{name: "zero weight", give: func(p *Problem) { p.Weight[0] = 0 }, want: "Weight[0] is 0"},
		{name: "supplier out of range", give: func(p *Problem) { p.Supplier[2] = 2 }, want: "Supplier[2] is 2, outside 0..1"},
		{name: "negative cost", give: func(p *Problem) { p.Cost[1] = -3 }, want: "Cost[1] is -3"},
		{name: "cost too large", give: func(p *Problem) { p.Cost[1] = MaxCost + 1 }, want: "Cost[1] is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good()
			tt.give(p)
			err := p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			case tt.want != "" && !errors.Is(err, ErrInvalid):
				t.Fatalf("Validate() = %v, does not wrap ErrInvalid", err)
			}
		})
	}
}
