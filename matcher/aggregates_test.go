package matcher_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// Attacks on the district's aggregate figures by callers who may not read
// residents (coordinators: resident.read is 403 for them).

// A coordinator buys a programme over one resident's resolution-9 cell
// with target_group.expr "resident.age >= N" and reads its evaluation:
// claimed 0 or 1 bisects the resident's age in six probes (disabilities
// and lives_alone likewise). Setting an expression is for those who may
// read the residents it selects; tags stay open to coordinators.
func TestCoordinatorMayNotProbeResidentsWithAnExpression(t *testing.T) {
	pw := mustProgrammeWorld(t, 0)
	r := pw.mustResident(pw.social, "1980-03-01", near(0, 0))
	if _, err := pw.svc.GetResident(pw.coord, r.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator reading a resident: %v; want forbidden", err)
	}
	cell := pw.grid.CellAt(near(0, 0).Point(), 9).String()
	from, to := pw.clock().AddDate(0, -1, 0), pw.clock().AddDate(1, 0, 0)
	probe := pw.programme("民政局", "companionship", nil, []string{cell}, from, to)
	probe.TargetGroup.Expr = "resident.age >= 46"
	refused := func(what string, err error) {
		t.Helper()
		var e *matcher.Error
		if code(err) != matcher.EFORBIDDEN || !asError(err, &e) || e.Field != "target_group.expr" {
			t.Errorf("%s: %v; want forbidden naming target_group.expr", what, err)
		}
	}
	_, err := pw.svc.CreateProgramme(pw.coord, probe)
	refused("a coordinator creating a programme with an expression", err)

	tags := pw.programme("民政局", "companionship", []string{"disabled", "lives_alone"}, []string{cell}, from, to)
	pg, err := pw.svc.CreateProgramme(pw.coord, tags)
	if err != nil {
		t.Fatalf("a coordinator creating a programme by tags: %v", err)
	}
	_, err = pw.svc.UpdateProgramme(pw.coord, pg.ID, probe)
	refused("a coordinator putting an expression on a programme", err)

	probe.NodeID = pw.district.ID // so that the district's coordinator reaches it
	byAdmin, err := pw.svc.CreateProgramme(pw.admin, probe)
	if err != nil {
		t.Fatalf("an admin, who may read every resident, setting an expression: %v", err)
	}
	// The admin's expression stays when a coordinator edits the rest;
	// changing it is refused.
	keep := probe
	keep.Budget = 1
	if _, err := pw.svc.UpdateProgramme(pw.coord, byAdmin.ID, keep); err != nil {
		t.Errorf("a coordinator editing the budget of a programme whose expression an admin set: %v", err)
	}
	keep.TargetGroup.Expr = "resident.age >= 47"
	_, err = pw.svc.UpdateProgramme(pw.coord, byAdmin.ID, keep)
	refused("a coordinator changing an admin's expression", err)
}

// With tags alone a coordinator still asks about one resident: an "aged"
// programme over the resident's resolution-9 cell, and its evaluation's
// claimed 1 or 0 says whether they are 80 or older (disabled, lives_alone
// alike). For a
// caller who may not read residents every count under k is null and every
// figure drawn from fewer than k is withheld, named in suppressed; the
// provider's own evaluation likewise. Those who read residents see it
// whole.
func TestEvaluationTellsCoordinatorsNoResident(t *testing.T) {
	pw := mustProgrammeWorld(t, 0)
	w := pw.wishAt("1940-01-01", 0, 0, 7*24*time.Hour)
	if _, err := pw.svc.ClaimWish(pw.org, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.svc.Fulfil(pw.org, w.ID, matcher.FulfilmentInput{Note: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.svc.Confirm(pw.social, w.ID, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 2}); err != nil {
		t.Fatal(err)
	}
	cell := pw.grid.CellAt(near(0, 0).Point(), 9).String()
	pg, err := pw.svc.CreateProgramme(pw.coord, pw.programme("民政局", "companionship", []string{"aged"}, []string{cell},
		pw.clock().AddDate(0, -1, 0), pw.clock().AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	leaks := func(who string, ev *matcher.Evaluation) {
		t.Helper()
		c, s := ev.Wishes, ev.Satisfaction
		for name, n := range map[string]matcher.Count{"claimed": c.Claimed, "fulfilled": c.Fulfilled, "confirmed": c.Confirmed,
			"satisfaction.count": s.Count, "rating 2": s.Distribution["2"], "time_to_claim_hours.count": ev.TimeToClaim.Count} {
			if n != nil {
				t.Errorf("%s reads %s = %d of the one resident served", who, name, *n)
			}
		}
		if s.Mean != nil || ev.Score != nil || ev.TimeToClaim.Median != nil || ev.TimeToFulfil.P90 != nil || ev.Hours != nil || ev.CostPerConfirmed != nil {
			t.Errorf("%s reads a figure drawn from one resident: mean %v score %v", who, s.Mean, ev.Score)
		}
		if !slices.Contains(ev.Suppressed, "wishes.claimed") || !slices.Contains(ev.Suppressed, "score") {
			t.Errorf("%s: suppressed %v does not name what it withholds", who, ev.Suppressed)
		}
	}
	ev, err := pw.svc.ProgrammeEvaluation(pw.coord, pg.ID)
	if err != nil {
		t.Fatal(err)
	}
	leaks("the coordinator (programme)", ev)
	if ev, err = pw.svc.ProviderEvaluation(pw.coord, pw.orgID); err != nil {
		t.Fatal(err)
	}
	leaks("the coordinator (provider)", ev)
	if ev, err = pw.svc.ProviderEvaluation(pw.org, pw.orgID); err != nil {
		t.Fatal(err)
	}
	leaks("the provider itself", ev)

	for who, ctx := range map[string]context.Context{"an admin": pw.admin,
		"the district's social worker": pw.as(matcher.RoleSocialWorker, pw.district.ID)} {
		ev, err := pw.svc.ProgrammeEvaluation(ctx, pg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Wishes.Claimed == nil || *ev.Wishes.Claimed != 1 || ev.Satisfaction.Mean == nil || len(ev.Suppressed) != 0 {
			t.Errorf("%s, who may read the residents, sees claimed %v mean %v suppressed %v; want them whole",
				who, ev.Wishes.Claimed, ev.Satisfaction.Mean, ev.Suppressed)
		}
	}
}

// Demand at resolution 9 is a count of 1 per resident's cell, category
// and age band, and its totals count the disabled and those living alone:
// a coordinator reads one resident's age band and disability. For a
// caller who may not read residents every count under k is null, items
// and totals alike, as in coverage.
func TestDemandTellsCoordinatorsNoResident(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.wishAt("1940-01-01", 0, 0, 7*24*time.Hour, "wheelchair_user")
	q := matcher.ReportQuery{Resolution: 9, Category: "companionship"}
	d, err := rw.svc.Demand(rw.coord, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 {
		t.Fatalf("demand items %+v", d.Items)
	}
	it := d.Items[0]
	if it.Open != nil || it.Recent != nil {
		t.Errorf("the coordinator reads the one resident's cell %s, %s: open %v, recent %v", it.Cell, it.Group, it.Open, it.Recent)
	}
	tt := d.Totals
	for name, n := range map[string]matcher.Count{"open": tt.Open, "recent": tt.Recent, "by_category": tt.ByCategory["companionship"],
		"by_group.elderly": tt.ByGroup["elderly"], "by_group.disabled": tt.ByGroup["disabled"]} {
		if n != nil {
			t.Errorf("the coordinator reads totals.%s = %d of one resident", name, *n)
		}
	}
	d, err = rw.svc.Demand(rw.as(matcher.RoleSocialWorker, rw.district.ID), q)
	if err != nil {
		t.Fatal(err)
	}
	if it := d.Items[0]; it.Open == nil || *it.Open != 1 || d.Totals.ByGroup["disabled"] == nil || *d.Totals.ByGroup["disabled"] != 1 {
		t.Errorf("the district's social worker, who may read residents, sees %+v, totals %+v", it, d.Totals)
	}
}

// Two public programmes identical but for a small group — one for the
// elderly (60+), one for the aged (80+), over the same cell — published
// claimed 17 and 15: the two wishes of residents aged 60 to 79, below k,
// are out by differencing. Every published count is a multiple of k, so
// the difference bounds the small group rather than telling it.
func TestPublicFiguresDoNotDifferenceASmallGroup(t *testing.T) {
	pw := mustProgrammeWorld(t, 0) // pw.prog: elderly, over hangzhou's resolution-8 cell
	cell := pw.grid.CellAt(hangzhou.Point(), 8).String()
	aged, err := pw.svc.CreateProgramme(pw.coord, pw.programme("卫健委", "companionship", []string{"aged"}, []string{cell},
		pw.clock().AddDate(0, -1, 0), pw.clock().AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 17 {
		birth := "1940-01-01" // 86: aged and elderly
		if i < 2 {
			birth = "1960-01-01" // 66: elderly only
		}
		w := pw.wishAt(birth, 0, 0, 7*24*time.Hour)
		if _, err := pw.svc.ClaimWish(pw.org, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.svc.Fulfil(pw.org, w.ID, matcher.FulfilmentInput{Note: "done"}); err != nil {
			t.Fatal(err)
		}
	}
	claimed := map[string]int{}
	for _, id := range []string{pw.prog.ID, aged.ID} {
		pub, err := pw.svc.PublicProgramme(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		f := pub.Figures
		for name, n := range map[string]matcher.PublicCount{"claimed": f.Claimed, "fulfilled": f.Fulfilled} {
			if n == nil || *n%5 != 0 {
				t.Errorf("%s: published %s %v; want a multiple of k", pub.TargetTags, name, n)
			}
		}
		if f.Claimed != nil {
			claimed[id] = *f.Claimed
		}
	}
	t.Logf("published claimed: elderly %d, aged %d (truly 17 and 15)", claimed[pw.prog.ID], claimed[aged.ID])
	if claimed[pw.prog.ID]-claimed[aged.ID] == 2 {
		t.Errorf("the difference of the two programmes' published claimed counts gives the 2 wishes of residents aged 60 to 79")
	}
	// The coordinator who made the pair reads the same rounding, and a cost
	// per wish that does not give the count back from the budget.
	seen := map[string]int{}
	for _, id := range []string{pw.prog.ID, aged.ID} {
		ev, err := pw.svc.ProgrammeEvaluation(pw.coord, id)
		if err != nil {
			t.Fatal(err)
		}
		for name, n := range map[string]matcher.Count{"claimed": ev.Wishes.Claimed, "fulfilled": ev.Wishes.Fulfilled} {
			if n == nil || *n%5 != 0 {
				t.Errorf("the coordinator reads %s %v; want a multiple of k", name, n)
			}
		}
		if ev.Wishes.Claimed != nil {
			seen[id] = *ev.Wishes.Claimed
		}
	}
	if seen[pw.prog.ID]-seen[aged.ID] == 2 {
		t.Errorf("the coordinator's two evaluations differ by the 2 wishes of residents aged 60 to 79")
	}
}

// TestBreakdownsByWhatResidentsAreAreForThoseWhoReadThem: coverage's
// groups (even their keys, with null counts), demand's age bands and a
// round's priorities (made of age, disability and household) would tell a
// coordinator, who may not read residents, what a cell's or a wish's lone
// resident is. They get none of them; an admin gets all.
func TestBreakdownsByWhatResidentsAreAreForThoseWhoReadThem(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.provider = rw.mustNode("social_org", rw.district.ID, "companionship").ID
	w := rw.wishAt("1940-01-01", 0, 0, 7*24*time.Hour, "wheelchair_user") // aged, disabled
	rw.volunteerAt(0, 0, 1, "disability_care")
	for _, res := range []int{9, 8} {
		cov, err := rw.svc.Coverage(rw.coord, matcher.ReportQuery{Resolution: res, Category: "companionship"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range cov.Items {
			if len(it.Demand.Groups) > 0 {
				t.Errorf("resolution %d: the coordinator reads the groups %v of cell %s", res, slices.Collect(maps.Keys(it.Demand.Groups)), it.Cell)
			}
		}
	}
	d, err := rw.svc.Demand(rw.coord, matcher.ReportQuery{Resolution: 9})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range d.Items {
		if it.Group != matcher.AllResidents {
			t.Errorf("the coordinator reads a demand row of the %q group", it.Group)
		}
	}
	if len(d.Totals.ByGroup) > 0 {
		t.Errorf("the coordinator reads demand totals by group: %v", slices.Collect(maps.Keys(d.Totals.ByGroup)))
	}
	run, err := rw.svc.StartMatchRun(rw.coord, matcher.MatchRunInput{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var seen *matcher.MatchRun
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if seen, err = rw.svc.MatchRun(rw.coord, run.ID); err != nil || seen.Status != matcher.RunRunning || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || seen.Status != matcher.RunDone || len(seen.Proposals) != 1 || seen.Proposals[0].WishID != w.ID {
		t.Fatalf("the round: %v %+v", err, seen)
	}
	if seen.Proposals[0].Priority != 0 || seen.Stats.PriorityWishes != 0 {
		t.Errorf("the coordinator reads the wish's priority %d (%d priority wishes)", seen.Proposals[0].Priority, seen.Stats.PriorityWishes)
	}
	whole, err := rw.svc.MatchRun(rw.admin, run.ID)
	if err != nil || whole.Proposals[0].Priority < 2 {
		t.Errorf("the admin reads priority %d, want the aged, disabled resident's: %v", whole.Proposals[0].Priority, err)
	}
	dAdmin, _ := rw.svc.Demand(rw.admin, matcher.ReportQuery{Resolution: 9})
	if len(dAdmin.Items) == 0 || dAdmin.Items[0].Group == matcher.AllResidents {
		t.Errorf("the admin reads no age band: %+v", dAdmin.Items)
	}
}
