package rules

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"pgregory.net/rapid"
)

func TestEvaluateDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops pooled VMs at random under the race detector")
	}
	set := mustLoad(t, defaultRules)
	worst := benchEnvs()["elderly-disabled-home-visit"]
	denied := allowedEnv()
	denied.Supplier.Skills = nil
	for name, env := range map[string]*Env{"worst-case allowed": &worst, "denied": &denied} {
		plan := set.Prepare(env)
		for via, f := range map[string]func(){
			"Set.Evaluate":     func() { set.Evaluate(env) },
			"Set.EvaluateAll":  func() { set.EvaluateAll(env, func(*Rule) {}) },
			"Plan.Evaluate":    func() { plan.Evaluate(env) },
			"Plan.EvaluateAll": func() { plan.EvaluateAll(env, func(*Rule) {}) },
		} {
			if got := testing.AllocsPerRun(200, f); got != 0 {
				t.Errorf("%s, %s: %v allocations per run, want 0", name, via, got)
			}
		}
	}
}

func TestRuntimeErrorDenies(t *testing.T) {
	set := mustLoadText(t, "rules:\n"+
		"  - name: first-skill-is-driving\n"+
		"    require: wish.needs.skills[0] == \"driving\"\n"+
		"    explain: x\n"+
		"  - name: later\n"+
		"    when: resident.disabilities[0] == \"x\"\n"+
		"    require: 'true'\n"+
		"    explain: x\n")
	env := allowedEnv()
	// The second rule's when fails: the rule denies.
	if ok, r := set.Evaluate(&env); ok || name(r) != "later" {
		t.Fatalf("Evaluate = %v, %s; want denied by later", ok, name(r))
	}
	if n, _ := set.EvalErrors(); n != 1 {
		t.Errorf("%d runtime errors, want 1", n)
	}
	env.Wish.Needs.Skills = nil
	for via, evaluate := range map[string]func(*Env) (bool, *Rule){"Set": set.Evaluate, "Plan": set.Prepare(&env).Evaluate} {
		ok, r := evaluate(&env)
		if ok || r == nil || r.Name != "first-skill-is-driving" {
			t.Errorf("%s.Evaluate = %v, %v; want denied by first-skill-is-driving", via, ok, r)
		}
	}
	n, last := set.EvalErrors()
	if n < 3 || !strings.Contains(last, `rule "first-skill-is-driving"`) || !strings.Contains(last, "index out of range") {
		t.Errorf("EvalErrors = %d, %q", n, last)
	}
}

func TestReadsOnlyWish(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{give: `resident.age < 18`, want: true},
		{give: `wish.category == "x" && wish.due_at > now`, want: true},
		{give: `len(resident.disabilities) > 0 && wish.category in ["a", "b"]`, want: true},
		{give: `all(wish.needs.skills, # != "")`, want: true},
		{give: `let c = wish.category; c == "x"`, want: true},
		{give: `true`, want: true},
		{give: `supplier.kind == "volunteer"`, want: false},
		{give: `walk_minutes < 10`, want: false},
		{give: `$env.wish.category == "x"`, want: false},
		{give: `let c = supplier.kind; c == "x"`, want: false},
		{give: `all(wish.needs.skills, # in supplier.skills)`, want: false},
		{give: `(let s = wish; s.category == "x") && supplier.age > 1`, want: false},
		{give: `let s = wish; s.category == "x"`, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			p, err := compileExpr(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if got := readsOnlyWish(p.Node()); got != tt.want {
				t.Errorf("readsOnlyWish = %v, want %v", got, tt.want)
			}
		})
	}
}

// genEnv draws facts from small vocabularies, so that memberships, limits
// and age boundaries are hit often.
func genEnv(t *rapid.T) Env {
	words := rapid.SampledFrom([]string{"", "driving", "cooking", "first_aid", "child_safeguarding", "background_check", "disability_care"})
	list := rapid.SliceOfN(words, 0, 4)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return Env{
		Wish: Wish{
			Category: rapid.SampledFrom([]string{"errand", "home_visit", "elderly_care", "medical_escort", "companionship", "repair"}).Draw(t, "category"),
			Needs:    Needs{Skills: list.Draw(t, "needs")},
			DueAt:    now.Add(time.Duration(rapid.IntRange(-48, 48).Draw(t, "due")) * time.Hour),
			OnSite:   rapid.Bool().Draw(t, "on_site"),
		},
		Resident: Resident{
			Age:          rapid.IntRange(0, 100).Draw(t, "age"),
			Disabilities: rapid.SliceOfN(rapid.SampledFrom([]string{"mobility", "visual"}), 0, 2).Draw(t, "disabilities"),
			LivesAlone:   rapid.Bool().Draw(t, "lives_alone"),
		},
		Supplier: Supplier{
			Kind:            rapid.SampledFrom([]string{"volunteer", "organisation", "enterprise", "resource"}).Draw(t, "kind"),
			Age:             rapid.IntRange(0, 80).Draw(t, "supplier_age"),
			Skills:          list.Draw(t, "skills"),
			Certifications:  list.Draw(t, "certifications"),
			ActiveClaims:    rapid.IntRange(0, 5).Draw(t, "active_claims"),
			MaxActiveClaims: rapid.IntRange(0, 5).Draw(t, "max_active_claims"),
			Rating:          rapid.Float64Range(0, 5).Draw(t, "rating"),
			Vetted:          rapid.Bool().Draw(t, "vetted"),
		},
		WalkMinutes: rapid.Float64Range(0, 20).Draw(t, "walk_minutes"),
		Now:         now,
	}
}

// TestMembershipPatchKeepsMeaning checks that the rewritten membership
// tests give what expr's own operators give, on the same facts.
func TestMembershipPatchKeepsMeaning(t *testing.T) {
	exprs := []string{
		`"driving" in supplier.skills`,
		`wish.category in supplier.certifications`,
		`"x" not in supplier.skills`,
		`!("first_aid" in supplier.certifications) || supplier.vetted`,
		`all(wish.needs.skills, # in supplier.skills)`,
		`any(wish.needs.skills, # in supplier.certifications)`,
		`none(supplier.skills, # in supplier.certifications)`,
		`all(wish.needs.skills, # not in supplier.skills)`,
		`all(wish.needs.skills, # in supplier.skills) && any(supplier.skills, # == "cooking")`,
		`all(wish.needs.skills, all(supplier.skills, # in supplier.certifications))`,
		`filter(wish.needs.skills, # in supplier.skills) == wish.needs.skills`,
	}
	type pair struct{ patched, plain *vm.Program }
	var programs []pair
	for _, src := range exprs {
		patched, err := compileExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		plain, err := expr.Compile(src, expr.Env(Env{}), expr.AsBool())
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		programs = append(programs, pair{patched, plain})
	}
	if d := programs[4].patched.Disassemble(); strings.Contains(d, "OpBegin") || !strings.Contains(d, "OpCallTyped") {
		t.Errorf("all(…, # in …) was not rewritten:\n%s", d)
	}
	rapid.Check(t, func(t *rapid.T) {
		env := genEnv(t)
		for i, p := range programs {
			got, gotErr := vm.Run(p.patched, boxEnv(&env))
			want, wantErr := vm.Run(p.plain, &env)
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%s: patched %v, %v; expr %v, %v", exprs[i], got, gotErr, want, wantErr)
			}
		}
	})
}

// TestPlanMatchesSet checks that a Plan reaches the set's verdict, including
// rules whose parts read only the wish, rules that read only the supplier,
// and rules that fail at run time.
func TestPlanMatchesSet(t *testing.T) {
	extra := `
  - name: not-overdue
    require: wish.due_at > now
    explain: x
  - name: close-enough-for-visits
    when: wish.on_site
    require: walk_minutes <= 12
    explain: x
  - name: rated-for-lonely
    when: resident.lives_alone && supplier.kind != "resource"
    require: supplier.rating >= 2.5
    explain: x
  - name: first-need-errors-when-empty
    when: wish.category == "repair"
    require: wish.needs.skills[0] != "cooking"
    explain: x
`
	dir := writeFiles(t, map[string]string{"extra.yaml": "rules:" + extra})
	set := mustLoad(t, defaultRules, dir+"/extra.yaml")
	rapid.Check(t, func(t *rapid.T) {
		env := genEnv(t)
		plan := set.Prepare(&env)
		ok, r := set.Evaluate(&env)
		pok, pr := plan.Evaluate(&env)
		if ok != pok || r != pr {
			t.Fatalf("Set.Evaluate = %v, %v; Plan.Evaluate = %v, %v", ok, name(r), pok, name(pr))
		}
		var all, pall []string
		set.EvaluateAll(&env, func(r *Rule) { all = append(all, r.Name) })
		plan.EvaluateAll(&env, func(r *Rule) { pall = append(pall, r.Name) })
		if fmt.Sprint(all) != fmt.Sprint(pall) {
			t.Fatalf("Set.EvaluateAll = %v; Plan.EvaluateAll = %v", all, pall)
		}
	})
}

func name(r *Rule) string {
	if r == nil {
		return "<nil>"
	}
	return r.Name
}

func TestEvaluateConcurrently(t *testing.T) {
	set := mustLoad(t, defaultRules)
	envs := benchEnvs()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				for give, env := range envs {
					ok, r := set.Evaluate(&env)
					if want := benchWant[give]; ok != (want == "") || name(r) != cmp.Or(want, "<nil>") {
						t.Errorf("%s: Evaluate = %v, %s; want %q", give, ok, name(r), want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
