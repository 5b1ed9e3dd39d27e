package rules

import (
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestVerdictsAgreeWithEvaluate(t *testing.T) {
	set := mustLoad(t, defaultRules)
	rapid.Check(t, func(rt *rapid.T) {
		env := allowedEnv()
		env.Resident.Age = rapid.IntRange(0, 100).Draw(rt, "age")
		env.Wish.Category = rapid.SampledFrom([]string{"home_visit", "tutoring", "repair", "companionship"}).Draw(rt, "category")
		env.Supplier.Kind = rapid.SampledFrom([]string{"volunteer", "organisation", "enterprise"}).Draw(rt, "kind")
		env.Supplier.Age = rapid.IntRange(0, 80).Draw(rt, "supplier age")
		env.Supplier.Certifications = rapid.SliceOfDistinct(rapid.SampledFrom([]string{
			"background_check", "child_safeguarding", "disability_care"}), func(s string) string { return s }).Draw(rt, "certs")
		env.Supplier.Vetted = rapid.Bool().Draw(rt, "vetted")
		if rapid.Bool().Draw(rt, "disabled") {
			env.Resident.Disabilities = []string{"wheelchair_user"}
		}
		ok, denied := set.Evaluate(&env)
		vs := set.Verdicts(&env)
		if len(vs) != set.Len() {
			rt.Fatalf("%d verdicts for %d rules", len(vs), set.Len())
		}
		var first *Rule
		for _, v := range vs {
			if !v.Allows && first == nil {
				first = v.Rule
			}
			if !v.Applies && !v.Allows {
				rt.Fatalf("%s does not apply and denies", v.Rule.Name)
			}
		}
		if ok != (first == nil) || name(first) != name(denied) {
			rt.Fatalf("Evaluate = %v, %s; the verdicts say first denial %s", ok, name(denied), name(first))
		}
	})
}

func TestVerdictsReportErrorsWithoutCountingThem(t *testing.T) {
	set := mustLoadText(t, "rules:\n"+
		"  - name: first-skill-is-driving\n"+
		"    require: wish.needs.skills[0] == \"driving\"\n"+
		"    explain: x\n"+
		"  - name: adults-only\n"+
		"    when: resident.age < 18\n"+
		"    require: 'false'\n"+
		"    explain: y\n")
	env := allowedEnv()
	env.Wish.Needs.Skills = nil
	vs := set.Verdicts(&env)
	if vs[0].Err == nil || vs[0].Allows || !strings.HasPrefix(vs[0].Err.Error(), "require:") {
		t.Errorf("an index out of range: %+v; want a denial with the require's error", vs[0])
	}
	if !vs[1].Allows || vs[1].Applies {
		t.Errorf("a rule whose when does not hold: %+v; want it not to apply, and allow", vs[1])
	}
	if n, _ := set.EvalErrors(); n != 0 {
		t.Errorf("Verdicts counted %d evaluation errors; they are the tester's, not the matcher's", n)
	}
}

func TestParseLocatesProblems(t *testing.T) {
	set, err := Parse("proposed.yaml", []byte("rules:\n  - name: a\n    require: supplier.vetted\n    explain: x\n"))
	if err != nil || set.Len() != 1 || set.Rules()[0].File != "proposed.yaml" {
		t.Fatalf("Parse = %v, %v", set, err)
	}
	_, err = Parse("proposed.yaml", []byte("rules:\n  - name: a\n    require: supplier.vettd\n    explain: x\n"))
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Line != 3 || le.Problems[0].Rule != "a" {
		t.Fatalf("a typo: %v; want one problem on line 3 of rule a", err)
	}
	if _, err := Parse("big.yaml", make([]byte, MaxFileBytes+1)); err == nil {
		t.Fatal("a file over the limit parsed")
	}
}
