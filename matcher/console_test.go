package matcher_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

// consoleWorld is a district with two communities A and B, each with a
// social worker, a resident and wishes, and an enterprise that serves
// both.
type consoleWorld struct {
	*world
	district, a, b *matcher.Organisation
	swA, swB, dc   context.Context
	residentA      *matcher.Resident
	residentB      *matcher.Resident
	enterprise     *matcher.Enterprise
	entCtx         context.Context
}

func mustConsoleWorld(t *testing.T) *consoleWorld {
	w := &consoleWorld{world: mustWorld(t, true)}
	w.district = w.mustNode(matcher.KindDistrict, "")
	w.a = w.mustNode(matcher.KindCommunity, w.district.ID)
	w.b = w.mustNode(matcher.KindCommunity, w.district.ID)
	w.swA, w.swB = w.as(matcher.RoleSocialWorker, w.a.ID), w.as(matcher.RoleSocialWorker, w.b.ID)
	w.dc = w.as(matcher.RoleCoordinator, w.district.ID)
	w.residentA = w.mustResident(w.swA, "1950-01-01", near(0, 0))
	w.residentB = w.mustResident(w.swB, "1950-01-01", near(100, 0))
	w.enterprise = w.mustEnterprise(w.dc, near(0, 50), "repair")
	w.entCtx = w.as(matcher.RoleEnterprise, w.enterprise.ID)
	return w
}

// mustConfirmed takes a new wish of the resident through claim,
// fulfilment and confirmation with a rating.
func (w *consoleWorld) mustConfirmed(t *testing.T, sw context.Context, resident string, rating int) string {
	t.Helper()
	id := w.mustWish(sw, resident, "repair", false).ID
	if _, err := w.svc.ClaimWish(w.entCtx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Fulfil(w.entCtx, id, matcher.FulfilmentInput{Note: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Confirm(sw, id, matcher.ConfirmationInput{Outcome: "confirmed", Rating: rating}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWeeklyStatsCountTheWeeksOfTheScope(t *testing.T) {
	w := mustConsoleWorld(t) // the clock starts on Friday 2026-11-20, ISO week 47
	w.mustConfirmed(t, w.swA, w.residentA.ID, 5)
	w.mustWish(w.swB, w.residentB.ID, "repair", false)
	w.advance(7 * 24 * time.Hour)
	claimed := w.mustWish(w.swA, w.residentA.ID, "repair", false).ID
	if _, err := w.svc.ClaimWish(w.entCtx, claimed); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  context.Context
		want []matcher.WeekCounts // the last two weeks
	}{
		{"community A", w.swA, []matcher.WeekCounts{{Week: "2026-W47", Created: 1, Claimed: 1, Fulfilled: 1}, {Week: "2026-W48", Created: 1, Claimed: 1}}},
		{"community B", w.swB, []matcher.WeekCounts{{Week: "2026-W47", Created: 1}, {Week: "2026-W48"}}},
		{"the district", w.dc, []matcher.WeekCounts{{Week: "2026-W47", Created: 2, Claimed: 1, Fulfilled: 1}, {Week: "2026-W48", Created: 1, Claimed: 1}}},
	}
	for _, tt := range tests {
		got, err := w.svc.WeeklyStats(tt.ctx, 12)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Weeks) != 12 {
			t.Fatalf("%s: %d weeks, want 12", tt.name, len(got.Weeks))
		}
		last := got.Weeks[10:]
		for i := range last {
			if want := tt.want[i]; last[i].Week != want.Week || last[i].Created != want.Created ||
				last[i].Claimed != want.Claimed || last[i].Fulfilled != want.Fulfilled {
				t.Errorf("%s: week %+v, want %+v", tt.name, last[i], want)
			}
		}
		if s := last[1].Start; s.Weekday() != time.Monday || !s.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: the current week starts %v, want Monday 2026-11-23", tt.name, s)
		}
	}
	if _, err := w.svc.WeeklyStats(w.entCtx, 12); code(err) != matcher.EFORBIDDEN {
		t.Errorf("an enterprise's weekly stats: %v, want forbidden", err)
	}
	if _, err := w.svc.WeeklyStats(w.dc, 0); code(err) != matcher.EINVALID {
		t.Errorf("0 weeks: %v, want invalid", err)
	}
}

func TestRatingStatsPerProviderInScope(t *testing.T) {
	w := mustConsoleWorld(t)
	w.mustConfirmed(t, w.swA, w.residentA.ID, 5)
	w.mustConfirmed(t, w.swA, w.residentA.ID, 3)
	w.mustConfirmed(t, w.swB, w.residentB.ID, 1)
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		count int
		dist  map[string]int
	}{
		{"A", w.swA, 2, map[string]int{"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}},
		{"the district", w.dc, 3, map[string]int{"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}},
	} {
		got, err := w.svc.RatingStats(tt.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Providers) != 1 {
			t.Fatalf("%s: %+v, want the one enterprise", tt.name, got.Providers)
		}
		p := got.Providers[0]
		if p.Provider.ID != w.enterprise.ID || p.Name != "Repairs" || p.Count != tt.count || !equalCounts(p.Distribution, tt.dist) {
			t.Errorf("%s: %+v, want %d ratings %v", tt.name, p, tt.count, tt.dist)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestMeNamesTheKey(t *testing.T) {
	w := mustConsoleWorld(t)
	me, err := w.svc.Me(w.swA)
	if err != nil {
		t.Fatal(err)
	}
	if me.Role != matcher.RoleSocialWorker || me.Node == nil || me.Node.ID != w.a.ID || me.Node.Kind != matcher.KindCommunity ||
		me.SubjectName != w.a.Name || !slices.Contains(me.Actions, matcher.WishCreate) || slices.Contains(me.Actions, matcher.MatchStart) {
		t.Errorf("a social worker: %+v", me)
	}
	me, err = w.svc.Me(w.entCtx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Node != nil || me.SubjectName != "Repairs" || slices.Contains(me.Actions, matcher.ResidentRead) {
		t.Errorf("an enterprise: %+v", me)
	}
	if _, err := w.svc.Me(context.Background()); code(err) != matcher.EUNAUTHORIZED {
		t.Errorf("no key: %v", err)
	}
}

func TestRulesTestNamesTheDenyingRule(t *testing.T) {
	w := mustConsoleWorld(t)
	in := matcher.RulesTestInput{
		Wish:        matcher.RulesTestWish{Category: "tutoring"},
		Resident:    matcher.RulesTestResident{Age: 12},
		Supplier:    matcher.RulesTestSupplier{Kind: "volunteer", Age: 30},
		WalkMinutes: 5,
	}
	got, err := w.svc.TestRules(w.swA, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Allowed || got.Rule != "minors-need-safeguarding" || got.Explain == "" || got.Source != "in_force" || len(got.Verdicts) < 5 {
		t.Fatalf("a 12-year-old and an unchecked volunteer: %+v", got)
	}
	in.Supplier.Certifications = []string{"child_safeguarding"}
	if got, err := w.svc.TestRules(w.swA, in); err != nil || !got.Allowed || got.Rule != "" {
		t.Fatalf("with the check: %+v, %v; want allowed", got, err)
	}
	in.YAML = "rules:\n  - name: never\n    require: 'false'\n    explain: Nobody, for now.\n"
	if got, err := w.svc.TestRules(w.swA, in); err != nil || got.Allowed || got.Rule != "never" || got.Source != "proposed" {
		t.Fatalf("a proposed file: %+v, %v", got, err)
	}
	in.Supplier.Kind = "alien"
	if _, err := w.svc.TestRules(w.swA, in); code(err) != matcher.EINVALID {
		t.Fatalf("a supplier of no kind: %v, want invalid", err)
	}
	if _, err := w.svc.TestRules(w.entCtx, in); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("an enterprise: %v, want forbidden", err)
	}
}

func TestPreviewRulesInScope(t *testing.T) {
	w := mustConsoleWorld(t)
	w.mustWish(w.swA, w.residentA.ID, "repair", false)
	w.mustWish(w.swB, w.residentB.ID, "repair", false)
	nobody := "rules:\n  - name: nobody\n    require: 'false'\n    explain: x\n"
	got, err := w.svc.PreviewRules(w.swA, matcher.RulesImpactInput{YAML: nobody})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Totals.OpenWishes != 1 || got.Totals.Lose != 1 || got.Totals.NobodyAfter != 1 || got.Rules != 1 {
		t.Fatalf("A's preview: %+v", got)
	}
	if got, err := w.svc.PreviewRules(w.as(matcher.RoleSocialWorker, w.district.ID), matcher.RulesImpactInput{YAML: nobody}); err != nil || got.Totals.OpenWishes != 2 {
		t.Fatalf("the district's preview: %+v, %v", got, err)
	}
	_, err = w.svc.PreviewRules(w.swA, matcher.RulesImpactInput{YAML: "rules:\n  - name: typo\n    require: supplier.vettd\n    explain: x\n"})
	var e *matcher.Error
	if code(err) != matcher.EINVALID || !errors.As(err, &e) || e.Field != "yaml" || !strings.Contains(e.Message, "line 3") {
		t.Fatalf("a typo: %v; want invalid yaml naming line 3", err)
	}
}

// One staff key must not pin the CPU with the rules it submits: a costly
// expression (a range, a costly builtin) is refused naming its rule, in
// the dry run and in the tester; and a dry-run file that drops a rule the
// district requires is refused naming it, as a reload would be.
func TestSubmittedRulesAreCheapAndKeepTheRequired(t *testing.T) {
	w := mustConsoleWorld(t)
	required := []string{"minors-need-safeguarding", "disability-care-needs-training"}
	engine, err := rules.NewEngine([]string{"../configs/rules/default.yaml"}, nil, rules.Require(required...))
	if err != nil {
		t.Fatal(err)
	}
	w.engine = engine
	svc := w.open(w.store)
	w.mustWish(w.swA, w.residentA.ID, "repair", false)
	def, err := os.ReadFile("../configs/rules/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	costly := string(def) + "\n  - name: costly\n    require: 'all(1..1000000, # > 0)'\n    explain: x\n"
	var e *matcher.Error
	if got, err := svc.PreviewRules(w.swA, matcher.RulesImpactInput{YAML: costly}); code(err) != matcher.EINVALID ||
		!errors.As(err, &e) || e.Field != "yaml" || e.Rule != "costly" || !strings.Contains(e.Message, "ranges") {
		t.Fatalf("a dry run of a range of a million: %+v, %v; want invalid naming rule costly", got, err)
	}
	in := matcher.RulesTestInput{Wish: matcher.RulesTestWish{Category: "repair"}, Resident: matcher.RulesTestResident{Age: 70},
		Supplier: matcher.RulesTestSupplier{Kind: "volunteer", Age: 30}, YAML: costly}
	if got, err := svc.TestRules(w.swA, in); code(err) != matcher.EINVALID || !errors.As(err, &e) || e.Rule != "costly" {
		t.Fatalf("the tester, on a range of a million: %+v, %v; want invalid naming rule costly", got, err)
	}
	cut := strings.Replace(string(def), "name: disability-care-needs-training", "name: disability-care-maybe", 1)
	if got, err := svc.PreviewRules(w.swA, matcher.RulesImpactInput{YAML: cut}); code(err) != matcher.EINVALID ||
		!errors.As(err, &e) || e.Rule != "disability-care-needs-training" || !strings.Contains(e.Message, "disability-care-needs-training") {
		t.Fatalf("a dry run without a required rule: %+v, %v; want invalid naming it", got, err)
	}
	if got, err := svc.PreviewRules(w.swA, matcher.RulesImpactInput{YAML: string(def)}); err != nil || got.Totals.Unchanged != 1 {
		t.Fatalf("the rules in force, dry-run: %+v, %v", got, err)
	}
}
