package rules

import (
	"strings"
	"testing"
	"time"
)

const (
	defaultRules = "../configs/rules/default.yaml"
	defaultCases = "../configs/rules/cases/default.yaml"
)

func mustLoad(tb testing.TB, paths ...string) *Set {
	tb.Helper()
	set, err := Load(paths...)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// allowedEnv returns facts every default rule allows: an adult resident
// without disabilities, an errand needing one skill, and a volunteer who has
// it and is under their claims limit.
func allowedEnv() Env {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return Env{
		Wish:     Wish{Category: "errand", Needs: Needs{Skills: []string{"driving"}}, DueAt: now.Add(72 * time.Hour)},
		Resident: Resident{Age: 40, AgeBand: "adult"},
		Supplier: Supplier{
			Kind: "volunteer", Age: 30, Skills: []string{"cooking", "driving"},
			ActiveClaims: 1, MaxActiveClaims: 3, Rating: 4.6,
		},
		WalkMinutes: 8,
		Now:         now,
	}
}

func TestDefaultRules(t *testing.T) {
	minor := func(e *Env) { e.Resident.Age, e.Resident.AgeBand = 12, "child" }
	elderlyVisit := func(e *Env) {
		e.Resident.Age, e.Resident.AgeBand = 75, "elderly"
		e.Wish.Category, e.Wish.OnSite = "home_visit", true
	}
	disabled := func(category string) func(*Env) {
		return func(e *Env) { e.Resident.Disabilities, e.Wish.Category = []string{"mobility"}, category }
	}
	organisation := func(vetted bool) func(*Env) {
		return func(e *Env) {
			e.Supplier = Supplier{Kind: "organisation", Vetted: vetted, Skills: []string{"driving"}}
		}
	}
	certs := func(c ...string) func(*Env) { return func(e *Env) { e.Supplier.Certifications = c } }
	tests := []struct {
		name string
		give []func(*Env)
		want string // the denying rule, "" for allow
	}{
		{name: "adult errand by a skilled volunteer"},

		{name: "minor, volunteer with safeguarding check", give: []func(*Env){minor, certs("child_safeguarding")}},
		{name: "minor, volunteer without check", give: []func(*Env){minor, certs("background_check")}, want: "minors-need-safeguarding"},
		{name: "17-year-old, volunteer without check", give: []func(*Env){func(e *Env) { e.Resident.Age = 17 }}, want: "minors-need-safeguarding"},
		{name: "18-year-old, volunteer without check", give: []func(*Env){func(e *Env) { e.Resident.Age = 18 }}},
		{name: "minor, vetted organisation", give: []func(*Env){minor, organisation(true)}},
		{name: "minor, unvetted organisation", give: []func(*Env){minor, organisation(false)}, want: "minors-need-safeguarding"},
		{name: "minor, unvetted enterprise with a volunteer's check", give: []func(*Env){minor, organisation(false), certs("child_safeguarding"), func(e *Env) { e.Supplier.Kind = "enterprise" }}, want: "minors-need-safeguarding"},

		{name: "elderly home visit, adult volunteer with background check", give: []func(*Env){elderlyVisit, certs("background_check")}},
		{name: "elderly home visit, adult volunteer without check", give: []func(*Env){elderlyVisit}, want: "elderly-home-visits-need-background-check"},
		{name: "elderly home visit, 17-year-old volunteer with check", give: []func(*Env){elderlyVisit, certs("background_check"), func(e *Env) { e.Supplier.Age = 17 }}, want: "elderly-home-visits-need-background-check"},
		{name: "elderly home visit, vetted organisation", give: []func(*Env){elderlyVisit, organisation(true)}, want: "elderly-home-visits-need-background-check"},
		{name: "59-year-old home visit without check", give: []func(*Env){elderlyVisit, func(e *Env) { e.Resident.Age = 59 }}},
		{name: "elderly errand without check", give: []func(*Env){func(e *Env) { e.Resident.Age = 80 }}},

		{name: "disabled, home visit with training", give: []func(*Env){disabled("home_visit"), certs("disability_care")}},
		{name: "disabled, home visit without training", give: []func(*Env){disabled("home_visit")}, want: "disability-care-needs-training"},
		{name: "disabled, elderly care without training", give: []func(*Env){disabled("elderly_care")}, want: "disability-care-needs-training"},
		{name: "disabled, medical escort without training", give: []func(*Env){disabled("medical_escort")}, want: "disability-care-needs-training"},
		{name: "disabled, companionship without training", give: []func(*Env){disabled("companionship")}, want: "disability-care-needs-training"},
		{name: "disabled, companionship by trained organisation", give: []func(*Env){disabled("companionship"), organisation(false), certs("disability_care")}},
		{name: "disabled, errand without training", give: []func(*Env){disabled("errand")}},

		{name: "volunteer below claims limit", give: []func(*Env){func(e *Env) { e.Supplier.ActiveClaims = 2 }}},
		{name: "volunteer at claims limit", give: []func(*Env){func(e *Env) { e.Supplier.ActiveClaims = 3 }}, want: "volunteer-claims-limit"},
		{name: "volunteer over claims limit", give: []func(*Env){func(e *Env) { e.Supplier.ActiveClaims = 5 }}, want: "volunteer-claims-limit"},
		{name: "volunteer without claims limit", give: []func(*Env){func(e *Env) { e.Supplier.ActiveClaims, e.Supplier.MaxActiveClaims = 50, 0 }}},
		{name: "organisation is not limited as a volunteer", give: []func(*Env){organisation(false), func(e *Env) { e.Supplier.ActiveClaims, e.Supplier.MaxActiveClaims = 9, 3 }}},

		{name: "wish needing no skills", give: []func(*Env){func(e *Env) { e.Wish.Needs.Skills, e.Supplier.Skills = nil, nil }}},
		{name: "supplier with every needed skill", give: []func(*Env){func(e *Env) { e.Wish.Needs.Skills = []string{"driving", "cooking"} }}},
		{name: "supplier missing a needed skill", give: []func(*Env){func(e *Env) { e.Wish.Needs.Skills = []string{"driving", "plumbing"} }}, want: "has-needed-skills"},
		{name: "supplier without skills", give: []func(*Env){func(e *Env) { e.Supplier.Skills = nil }}, want: "has-needed-skills"},

		{name: "the first denying rule in file order is named", give: []func(*Env){minor, func(e *Env) { e.Supplier.Skills = nil }}, want: "minors-need-safeguarding"},
	}
	set := mustLoad(t, defaultRules)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := allowedEnv()
			for _, f := range tt.give {
				f(&env)
			}
			for via, evaluate := range map[string]func(*Env) (bool, *Rule){
				"Set":  set.Evaluate,
				"Plan": set.Prepare(&env).Evaluate,
			} {
				ok, denied := evaluate(&env)
				got := ""
				if denied != nil {
					got = denied.Name
				}
				if ok != (tt.want == "") || got != tt.want {
					t.Errorf("%s.Evaluate = %v, %q; want %v, %q", via, ok, got, tt.want == "", tt.want)
				}
			}
		})
	}
}

func TestEvaluateAll(t *testing.T) {
	set := mustLoad(t, defaultRules)
	env := allowedEnv()
	env.Resident.Age = 12
	env.Supplier.Skills = nil
	env.Supplier.ActiveClaims = 3
	want := "minors-need-safeguarding,volunteer-claims-limit,has-needed-skills"
	for via, evaluateAll := range map[string]func(*Env, func(*Rule)){
		"Set":  set.EvaluateAll,
		"Plan": set.Prepare(&env).EvaluateAll,
	} {
		var got []string
		evaluateAll(&env, func(r *Rule) { got = append(got, r.Name) })
		if strings.Join(got, ",") != want {
			t.Errorf("%s.EvaluateAll denied by %v, want %s", via, got, want)
		}
	}
}

func TestDefaultRulesExplain(t *testing.T) {
	for _, r := range mustLoad(t, defaultRules).Rules() {
		if strings.Contains(r.Explain, "\n") || !strings.HasSuffix(r.Explain, ".") {
			t.Errorf("rule %s: explain %q should be one sentence-ended line", r.Name, r.Explain)
		}
	}
}
