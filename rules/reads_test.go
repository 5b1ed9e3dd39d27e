package rules

import (
	"slices"
	"testing"
)

func TestReadsOf(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{give: `supplier.age >= 18`, want: []string{"supplier.age"}},
		{give: `"x" in supplier.certifications && supplier.age > 1`, want: []string{"supplier.age", "supplier.certifications"}},
		{give: `all(wish.needs.skills, # in supplier.skills)`, want: []string{"supplier.skills", "wish.needs"}},
		{give: `walk_minutes < 10 && now > wish.due_at`, want: []string{"now", "walk_minutes", "wish.due_at"}},
		{give: `let s = supplier; s.age > 1`, want: []string{"supplier"}},
		{give: `let c = supplier.kind; c == "x"`, want: []string{"supplier.kind"}},
		{give: `$env.supplier.age > 1`, want: []string{"$env"}},
		{give: `true`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			p, err := compileExpr(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if got := readsOf(p.Node()); !slices.Equal(got, tt.want) {
				t.Errorf("readsOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPlanReadsAndSame(t *testing.T) {
	set := mustLoad(t, defaultRules)
	child, elder := allowedEnv(), allowedEnv()
	child.Resident.Age, elder.Resident.Age = 9, 80
	elder.Wish.Category = "home_visit"
	a, b, c := set.Prepare(&child), set.Prepare(&child), set.Prepare(&elder)
	if !a.Same(b) || a.Same(c) || a.Same(nil) {
		t.Errorf("Same: a~b %v, a~c %v, a~nil %v; want true, false, false", a.Same(b), a.Same(c), a.Same(nil))
	}
	want := []string{"supplier.active_claims", "supplier.certifications", "supplier.kind",
		"supplier.max_active_claims", "supplier.skills", "supplier.vetted", "wish.needs"}
	if got := a.Reads(); !slices.Equal(got, want) {
		t.Errorf("Reads = %q, want %q", got, want)
	}
}
