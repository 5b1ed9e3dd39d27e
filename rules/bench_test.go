package rules

import (
	"testing"
	"time"
)

// benchEnvs returns realistic facts for one supplier, by name. The matcher
// builds one Env per query and changes the supplier's facts per candidate.
func benchEnvs() map[string]Env {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	volunteer := Supplier{
		Kind: "volunteer", Age: 34,
		Skills:         []string{"cooking", "driving", "first_aid", "listening"},
		Certifications: []string{"background_check", "disability_care", "first_aid"},
		ActiveClaims:   1, MaxActiveClaims: 3, Rating: 4.7,
	}
	return map[string]Env{
		// Every rule applies and allows: the most work per candidate.
		"elderly-disabled-home-visit": {
			Wish:        Wish{Category: "home_visit", Needs: Needs{Skills: []string{"cooking", "first_aid"}}, DueAt: now.Add(48 * time.Hour), OnSite: true},
			Resident:    Resident{Age: 81, AgeBand: "elderly", Disabilities: []string{"mobility"}, LivesAlone: true},
			Supplier:    volunteer,
			WalkMinutes: 9, Now: now,
		},
		// The common case: most rules do not apply.
		"adult-errand": {
			Wish:        Wish{Category: "errand", Needs: Needs{Skills: []string{"driving"}}, DueAt: now.Add(24 * time.Hour)},
			Resident:    Resident{Age: 45, AgeBand: "adult"},
			Supplier:    volunteer,
			WalkMinutes: 6, Now: now,
		},
		"minor-unchecked-volunteer": {
			Wish:        Wish{Category: "tutoring", DueAt: now.Add(24 * time.Hour)},
			Resident:    Resident{Age: 11, AgeBand: "child"},
			Supplier:    volunteer,
			WalkMinutes: 3, Now: now,
		},
		"missing-skill": {
			Wish:        Wish{Category: "repair", Needs: Needs{Skills: []string{"plumbing"}}, DueAt: now.Add(24 * time.Hour)},
			Resident:    Resident{Age: 45, AgeBand: "adult"},
			Supplier:    volunteer,
			WalkMinutes: 12, Now: now,
		},
	}
}

// benchWant is the rule that denies each of benchEnvs, "" when allowed.
var benchWant = map[string]string{
	"elderly-disabled-home-visit": "",
	"adult-errand":                "",
	"minor-unchecked-volunteer":   "minors-need-safeguarding",
	"missing-skill":               "has-needed-skills",
}

func BenchmarkEvaluate(b *testing.B) {
	set := mustLoad(b, defaultRules)
	for name, env := range benchEnvs() {
		b.Run("Set/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				set.Evaluate(&env)
			}
		})
		b.Run("Plan/"+name, func(b *testing.B) {
			plan := set.Prepare(&env)
			b.ReportAllocs()
			for b.Loop() {
				plan.Evaluate(&env)
			}
		})
	}
}

func BenchmarkEvaluateAll(b *testing.B) {
	set := mustLoad(b, defaultRules)
	env := benchEnvs()["elderly-disabled-home-visit"]
	b.ReportAllocs()
	for b.Loop() {
		set.EvaluateAll(&env, func(*Rule) {})
	}
}

// BenchmarkQuery evaluates one wish against 1,700 candidates, as a
// candidate search does, preparing the plan once per query.
func BenchmarkQuery(b *testing.B) {
	set := mustLoad(b, defaultRules)
	for _, name := range []string{"elderly-disabled-home-visit", "adult-errand"} {
		env := benchEnvs()[name]
		suppliers := make([]Supplier, 1700)
		for i := range suppliers {
			s := env.Supplier
			s.ActiveClaims = i % 4 // a quarter are at their limit
			suppliers[i] = s
		}
		b.Run("Set/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range suppliers {
					env.Supplier = suppliers[i]
					set.Evaluate(&env)
				}
			}
		})
		b.Run("Plan/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				plan := set.Prepare(&env)
				for i := range suppliers {
					env.Supplier = suppliers[i]
					plan.Evaluate(&env)
				}
			}
		})
	}
}

func BenchmarkEvaluateParallel(b *testing.B) {
	set := mustLoad(b, defaultRules)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		env := benchEnvs()["elderly-disabled-home-visit"]
		for pb.Next() {
			set.Evaluate(&env)
		}
	})
}
