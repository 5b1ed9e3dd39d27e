package matcher_test

// Attacks and definitions a hostile review found wanting: each test states
// what the README promises, and failed before the fix it guards.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// A volunteer at their limit of active claims has no room; README: an
// unmatched wish whose every eligible supplier has no room is
// "no_capacity", and only a wish nobody inside the circle can serve is
// widened.
func TestRoundBusyVolunteerIsNoCapacityNotExcluded(t *testing.T) {
	rw := mustRoundWorld(t)
	v := rw.volunteerAt(0, 0, 1)
	held := rw.wishAt("1980-01-01", 100, 0, 7*24*time.Hour)
	if _, err := rw.svc.ClaimWish(rw.as(matcher.RoleVolunteer, v.ID), held.ID); err != nil {
		t.Fatal(err)
	}
	rw.wishAt("1980-01-01", 100, 60, 7*24*time.Hour)
	run := rw.round(matcher.MatchRunInput{})
	if len(run.Unmatched) != 1 {
		t.Fatalf("unmatched %+v", run.Unmatched)
	}
	u := run.Unmatched[0]
	t.Logf("first round: reason=%s excluded=%v busy=%d eligible=%d", u.Reason, u.Excluded, u.Busy, u.Eligible)
	rw.advance(49 * time.Hour)
	second := rw.round(matcher.MatchRunInput{})
	u2 := second.Unmatched[0]
	t.Logf("second round: reason=%s widened_to=%v stats.widened=%d", u2.Reason, u2.WidenedTo, second.Stats.Widened)
	if u.Reason != matcher.UnmatchedBusy {
		t.Errorf("reason %q (excluded %v); want %q: the only supplier is eligible but at its limit", u.Reason, u.Excluded, matcher.UnmatchedBusy)
	}
	if u2.WidenedTo != 0 {
		t.Errorf("the wish's circle was widened to %v although a supplier inside it can serve it once free", u2.WidenedTo)
	}
}

// A replica that starts while another runs a round must not mark that
// round failed.
func TestStartingReplicaLeavesAnotherReplicasRound(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.volunteerAt(0, 0, 3)
	rw.wishAt("1980-01-01", 100, 0, 7*24*time.Hour)
	blocked, release := make(chan string, 1), make(chan struct{})
	var once sync.Once
	var done *matcher.MatchRun
	var wg sync.WaitGroup
	wg.Go(func() {
		var err error
		done, err = rw.svc.MatchRound(rw.coord, matcher.MatchRunInput{}, func(phase string, _, _ int) {
			once.Do(func() { blocked <- phase; <-release })
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-blocked // replica A's round is running
	b := rw.replica()
	ctx, cancel := context.WithCancel(context.Background())
	var bw sync.WaitGroup
	bw.Go(func() { b.Run(ctx, 0) })
	time.Sleep(300 * time.Millisecond)
	cancel()
	bw.Wait()
	runs, err := b.MatchRuns(rw.coord, matcher.PageRequest{Limit: 10})
	if err != nil || len(runs.Items) != 1 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	seenByB := runs.Items[0]
	close(release)
	wg.Wait()
	t.Logf("while replica A ran it, replica B recorded: status=%s error=%q; A then saved status=%s", seenByB.Status, seenByB.Error, done.Status)
	if seenByB.Status == matcher.RunFailed {
		t.Errorf("replica B marked replica A's running round failed: %q", seenByB.Error)
	}
}

// programmeWorld: a provider organisation at hangzhou, an elderly
// companionship programme over its cell, and n elderly residents' wishes
// that the provider claims and fulfils.
type programmeWorld struct {
	*roundWorld
	org    context.Context
	orgID  string
	prog   *matcher.Programme
	wishes []*matcher.WishView
}

func mustProgrammeWorld(t *testing.T, n int) *programmeWorld {
	rw := mustRoundWorld(t)
	o := rw.mustNode("social_org", rw.district.ID, "companionship")
	pw := &programmeWorld{roundWorld: rw, orgID: o.ID, org: rw.as(matcher.RoleOrganisation, o.ID)}
	rw.provider = o.ID
	cell := rw.grid.CellAt(hangzhou.Point(), 8).String()
	pg, err := rw.svc.CreateProgramme(rw.coord, rw.programme("民政局", "companionship", []string{"elderly"}, []string{cell},
		rw.clock().AddDate(0, -1, 0), rw.clock().AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	pw.prog = pg
	for range n {
		w := rw.wishAt("1950-01-01", 0, 0, 7*24*time.Hour)
		if _, err := rw.svc.ClaimWish(pw.org, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := rw.svc.Fulfil(pw.org, w.ID, matcher.FulfilmentInput{Note: "done"}); err != nil {
			t.Fatal(err)
		}
		pw.wishes = append(pw.wishes, w)
	}
	return pw
}

// The public figures of a programme with k claimed wishes of which one is
// confirmed: "ratings" and "confirmed" are suppressed (under k), yet the
// score, drawn from that one rating, is shown and moves 12.5 points per
// star: the one resident's rating is readable.
func TestPublicScoreHidesASuppressedRating(t *testing.T) {
	scores := map[int]float64{}
	for _, rating := range []int{1, 5} {
		pw := mustProgrammeWorld(t, 5)
		if _, err := pw.svc.Confirm(pw.social, pw.wishes[0].ID, matcher.ConfirmationInput{Outcome: "confirmed", Rating: rating}); err != nil {
			t.Fatal(err)
		}
		pub, err := pw.svc.PublicProgramme(context.Background(), pw.prog.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := pub.Figures
		if f.Ratings != nil || f.Confirmed != nil || f.Claimed == nil {
			t.Fatalf("figures %+v: want ratings and confirmed suppressed, claimed shown", f)
		}
		if f.Score != nil {
			scores[rating] = *f.Score
		}
	}
	if scores[1] != scores[5] {
		t.Errorf("the public score is %v with the one (suppressed) rating 1 and %v with rating 5: it reveals that rating", scores[1], scores[5])
	}
}

// README: retention erases personal data of closed wishes "after an
// anonymous aggregate is kept for reports"; a programme's evaluation must
// not lose the service it bought when that happens.
func TestEvaluationKeepsErasedResidentsService(t *testing.T) {
	pw := mustProgrammeWorld(t, 1)
	if _, err := pw.svc.Confirm(pw.social, pw.wishes[0].ID, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 5}); err != nil {
		t.Fatal(err)
	}
	before, err := pw.svc.ProgrammeEvaluation(pw.admin, pw.prog.ID) // who reads residents: one wish is under k
	if err != nil {
		t.Fatal(err)
	}
	pw.advance(181 * 24 * time.Hour) // still inside the programme's year
	if _, err := pw.svc.PurgeExpired(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, err := pw.svc.ProgrammeEvaluation(pw.admin, pw.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before retention: confirmed %d satisfaction=%d; after: confirmed %d satisfaction=%d",
		*before.Wishes.Confirmed, *before.Satisfaction.Count, *after.Wishes.Confirmed, *after.Satisfaction.Count)
	if *after.Wishes.Confirmed != *before.Wishes.Confirmed || *after.Satisfaction.Count != *before.Satisfaction.Count {
		t.Errorf("retention changed the programme's evaluation: confirmed %d → %d, ratings %d → %d",
			*before.Wishes.Confirmed, *after.Wishes.Confirmed, *before.Satisfaction.Count, *after.Satisfaction.Count)
	}
}

// README: the score weighs "the share of fulfilments reported before
// their claim was due (0.2)". A claim that goes stale is never fulfilled,
// so it is not in the share: a provider whose claims all lapse but one
// scores full timeliness.
func TestTimelinessCountsStaleClaims(t *testing.T) {
	pw := mustProgrammeWorld(t, 1)
	for range 5 {
		w := pw.wishAt("1950-01-01", 0, 0, 30*24*time.Hour)
		if _, err := pw.svc.ClaimWish(pw.org, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	pw.advance(80 * time.Hour) // past claims.ttl (72h): the five claims go stale
	pw.svc.ExpireDue(context.Background())
	ev, err := pw.svc.ProgrammeEvaluation(pw.admin, pw.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	// claimed 6, confirmed 0, no ratings: score = 100 * 0.2 * timeliness.
	t.Logf("released stale %d score %v", *ev.Wishes.ReleasedStale, *ev.Score)
	if *ev.Wishes.ReleasedStale != 5 || *ev.Score > 100*0.2*(1.0/6)+0.01 {
		t.Errorf("5 of 6 claims went stale, yet the timeliness part of the score is %.0f%% (score %v)", *ev.Score/0.2, *ev.Score)
	}
}

// README: "gap: open wishes, no supplier, no programme". A programme the
// district bought over a community's cell covers it for everyone, yet the
// community's social worker, who cannot see district programmes, is told
// the cell is a gap.
func TestGapIsTheSameForWhoeverAsks(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.provider = rw.mustNode("social_org", rw.district.ID, "companionship").ID
	rw.wishAt("1950-01-01", 20_000, 0, 7*24*time.Hour) // 20 km from every supplier
	cell := rw.grid.CellAt(near(20_000, 0).Point(), 8).String()
	if _, err := rw.svc.CreateProgramme(rw.coord, rw.programme("民政局", "companionship", nil, []string{cell},
		rw.clock().AddDate(0, -1, 0), rw.clock().AddDate(1, 0, 0))); err != nil {
		t.Fatal(err)
	}
	flags := func(ctx context.Context) []string {
		cov, err := rw.svc.Coverage(ctx, matcher.ReportQuery{Resolution: 8, Category: "companionship"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range cov.Items {
			if it.Cell == cell {
				return it.Flags
			}
		}
		return nil
	}
	byCoord, bySocial := flags(rw.coord), flags(rw.social)
	t.Logf("the same cell and category: district coordinator sees flags %v, the community's social worker %v", byCoord, bySocial)
	if len(byCoord) != len(bySocial) {
		t.Errorf("flags depend on the caller's scope: %v vs %v", byCoord, bySocial)
	}
}

// Two rounds that each propose the same one-claim volunteer (for wishes of
// two categories), approved at once on two replicas: at most one offer,
// and the volunteer ends with at most one active claim.
func TestApprovalsOnTwoReplicasDoNotOverbook(t *testing.T) {
	rw := mustRoundWorld(t)
	v := rw.volunteerAt(0, 0, 1)
	rw.wishAt("1980-01-01", 100, 0, 7*24*time.Hour) // companionship
	res := rw.wishAt("1980-01-01", 100, 50, 7*24*time.Hour)
	w2, err := rw.svc.CreateWish(rw.social, matcher.WishInput{ResidentID: res.ResidentID, Category: "repair", Title: "tap",
		Needs: matcher.Needs{Skills: []string{"repair"}}, DueAt: rw.clock().Add(7 * 24 * time.Hour), AllowDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = w2
	a := rw.round(matcher.MatchRunInput{Categories: []string{"companionship"}})
	b := rw.round(matcher.MatchRunInput{Categories: []string{"repair"}})
	if len(a.Proposals) != 1 || len(b.Proposals) != 1 {
		t.Fatalf("proposals %d, %d", len(a.Proposals), len(b.Proposals))
	}
	other := rw.replica()
	var wg sync.WaitGroup
	var ea, eb error
	wg.Go(func() { _, ea = rw.svc.ApproveMatchRun(rw.coord, a.ID) })
	wg.Go(func() { _, eb = other.ApproveMatchRun(rw.coord, b.ID) })
	wg.Wait()
	if ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	_, _ = rw.svc.Sync(context.Background())
	vol := rw.as(matcher.RoleVolunteer, v.ID)
	pg, _ := rw.svc.Offers(vol, matcher.OfferQuery{Status: matcher.OfferPending})
	t.Logf("pending offers to the one-claim volunteer: %d", len(pg.Items))
	accepted := 0
	for _, o := range pg.Items {
		if _, err := rw.svc.AcceptOffer(vol, o.ID); err == nil {
			accepted++
		} else {
			t.Logf("accept %s: %v", o.ID, err)
		}
	}
	if len(pg.Items) > 1 || accepted > 1 {
		t.Errorf("offers %d, accepted %d; want at most 1", len(pg.Items), accepted)
	}
}

// An organisation's capacity in a category bounds what a round offers it;
// accepting the offer after claiming directly takes it over that capacity.
func TestOfferAcceptHonoursOrganisationCapacity(t *testing.T) {
	rw := mustRoundWorld(t)
	org := rw.mustNode("social_org", rw.district.ID, "companionship") // capacity 1 by default
	ctx := rw.as(matcher.RoleOrganisation, org.ID)
	w1 := rw.wishAt("1980-01-01", 100, 0, 7*24*time.Hour)
	run := rw.round(matcher.MatchRunInput{})
	if len(run.Proposals) != 1 || run.Proposals[0].Supplier.ID != org.ID {
		t.Fatalf("proposals %+v", run.Proposals)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, run.ID); err != nil {
		t.Fatal(err)
	}
	w2 := rw.wishAt("1980-01-01", 100, 40, 7*24*time.Hour)
	if _, err := rw.svc.ClaimWish(ctx, w2.ID); err != nil {
		t.Fatal(err)
	}
	pg, _ := rw.svc.Offers(ctx, matcher.OfferQuery{Status: matcher.OfferPending})
	_, err := rw.svc.AcceptOffer(ctx, pg.Items[0].ID)
	t.Logf("organisation with companionship capacity 1 holds a claim on %s, then accepts the offer for %s: err=%v", w2.ID, w1.ID, err)
	if err == nil {
		t.Errorf("accept succeeded: the organisation now holds 2 active companionship claims with capacity 1")
	}
}

// k-anonymity counts wishes, not people: five wishes of one resident, all
// rated, are published as "5 ratings of 1" — one person's answers.
func TestPublicFiguresCountResidentsNotWishes(t *testing.T) {
	pw := mustProgrammeWorld(t, 0)
	r := pw.wishAt("1950-01-01", 0, 0, 7*24*time.Hour)
	ids := []string{r.ID}
	for range 4 {
		w, err := pw.svc.CreateWish(pw.social, matcher.WishInput{ResidentID: r.ResidentID, Category: "companionship", Title: "A chat",
			DueAt: pw.clock().Add(7 * 24 * time.Hour), AllowDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, w.ID)
	}
	for _, id := range ids {
		if _, err := pw.svc.ClaimWish(pw.org, id); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.svc.Fulfil(pw.org, id, matcher.FulfilmentInput{Note: "done"}); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.svc.Confirm(pw.social, id, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 1}); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := pw.svc.PublicProgramme(context.Background(), pw.prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := pub.Figures
	if f.Distribution["1"] != nil {
		t.Errorf("one resident's five ratings are published: distribution[1]=%d, mean=%v, ratings=%v", *f.Distribution["1"], *f.SatisfactionMean, *f.Ratings)
	}
}

// A coordinator may not read residents (policy: resident.read is the
// social workers'), yet coverage at resolution 9 describes the one
// resident of a cell, and two programmes with a target-group expression
// turn the duplicate pair's resident count into an oracle for any fact
// (the expression set by an admin: coordinators may set none).
func TestCoverageTellsCoordinatorsNoResident(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.provider = rw.mustNode("social_org", rw.district.ID, "companionship").ID
	r := rw.mustResident(rw.social, "1940-09-22", near(0, 0))
	if _, err := rw.svc.GetResident(rw.coord, r.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator reading a resident: %v; want forbidden", err)
	}
	cell := rw.grid.CellAt(near(0, 0).Point(), 9).String()
	from, to := rw.clock().AddDate(0, -1, 0), rw.clock().AddDate(1, 0, 0)
	a, err := rw.svc.CreateProgramme(rw.coord, rw.programme("A", "companionship", nil, []string{cell}, from, to))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.svc.CreateProgramme(rw.coord, rw.programme("B", "companionship", nil, []string{cell}, from, to)); err != nil {
		t.Fatal(err)
	}
	holds := func(expr string) bool {
		in := rw.programme("A", "companionship", nil, []string{cell}, from, to)
		in.TargetGroup.Expr = expr
		if _, err := rw.svc.UpdateProgramme(rw.admin, a.ID, in); err != nil { // only those who read residents set one
			t.Fatal(err)
		}
		cov, err := rw.svc.Coverage(rw.coord, matcher.ReportQuery{Resolution: 9, Category: "companionship"})
		if err != nil {
			t.Fatal(err)
		}
		d := cov.Summary.Duplicates
		return len(d) > 0 && d[0].Residents != nil && *d[0].Residents > 0
	}
	if holds("resident.age >= 0") != holds("resident.age >= 200") {
		t.Fatal("whether the pair shows residents depends on the resident's age: an oracle")
	}
	cov, _ := rw.svc.Coverage(rw.coord, matcher.ReportQuery{Resolution: 9, Category: "companionship"})
	for _, it := range cov.Items {
		if it.Demand.Residents != nil || len(it.Demand.Groups) > 0 && it.Demand.Groups["aged"] != nil {
			t.Fatalf("the coordinator learns a cell's lone resident from coverage: %+v", it.Demand)
		}
	}
	social, _ := rw.svc.Coverage(rw.as(matcher.RoleSocialWorker, rw.district.ID), matcher.ReportQuery{Resolution: 9, Category: "companionship"})
	if len(social.Items) == 0 || social.Items[0].Demand.Residents == nil || *social.Items[0].Demand.Residents != 1 {
		t.Fatalf("the social worker, who may read residents, sees %+v", social.Items)
	}
}

// A coordinator may not read residents; a rules file whose rule holds
// for residents aged 50 and over, dry-run on the open wishes, would tell
// them wish by wish which residents are, and bisection their exact ages.
// The impact dry run is for those who may read the wishes' residents.
func TestRulesImpactTellsCoordinatorsNoResident(t *testing.T) {
	w := mustConsoleWorld(t)
	w.mustWish(w.swA, w.residentA.ID, "repair", false)
	if _, err := w.svc.GetResident(w.dc, w.residentA.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator reading a resident: %v; want forbidden", err)
	}
	probe := matcher.RulesImpactInput{YAML: "rules:\n  - name: probe\n    when: resident.age >= 50\n    require: 'false'\n    explain: x\n"}
	if got, err := w.svc.PreviewRules(w.dc, probe); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator's impact dry run: %+v, %v; want forbidden", got, err)
	}
	if err := matcher.RoleMay(matcher.RoleCoordinator, matcher.RulesPreview); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("the policy lets a coordinator call the impact route: %v", err)
	}
	if got, err := w.svc.PreviewRules(w.swA, probe); err != nil || got.Totals.Lose != 1 {
		t.Fatalf("the social worker of the resident's community: %+v, %v", got, err)
	}
	if got, err := w.svc.PreviewRules(w.admin, probe); err != nil || got.Totals.OpenWishes < 1 {
		t.Fatalf("an admin: %+v, %v", got, err)
	}
}

// TestCoverageCountsDoNotDifferenceAcrossResolutions: a resolution-8 cell's
// residents less those its shown resolution-9 children hold gave a hidden
// child's count (26 − (5+9+9) = 3). A coordinator's counts are rounded to
// k, so that sum says nothing exact of the hidden child.
func TestCoverageCountsDoNotDifferenceAcrossResolutions(t *testing.T) {
	rw := mustRoundWorld(t)
	// Seven residents in one resolution-9 cell, two in a neighbour of the
	// same resolution-8 parent.
	home := rw.grid.CellAt(near(0, 0).Point(), 9)
	parent := geo.Parent(home, 8)
	var other geo.Cell
	var dy, dx float64
search:
	for dy = -600; dy <= 600; dy += 60 {
		for dx = -600; dx <= 600; dx += 60 {
			c := rw.grid.CellAt(near(dy, dx).Point(), 9)
			if c != home && geo.Parent(c, 8) == parent {
				other = c
				break search
			}
		}
	}
	if other == 0 {
		t.Fatal("no neighbouring cell of the same parent")
	}
	for range 7 {
		rw.wishAt("1950-01-01", 0, 0, 7*24*time.Hour)
	}
	for range 2 {
		rw.wishAt("1950-01-01", dy, dx, 7*24*time.Hour)
	}
	residents := func(res int) map[string]*int {
		cov, err := rw.svc.Coverage(rw.coord, matcher.ReportQuery{Resolution: res, Category: "companionship"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*int{}
		for _, it := range cov.Items {
			out[it.Cell] = it.Demand.Residents
		}
		return out
	}
	fine, coarse := residents(9), residents(8)
	whole, shown := coarse[parent.String()], fine[home.String()]
	if whole == nil || shown == nil {
		t.Fatalf("the coordinator sees %v of the parent and %v of the cell of seven", whole, shown)
	}
	if fine[other.String()] != nil {
		t.Fatalf("the cell of two is shown: %d", *fine[other.String()])
	}
	if *whole%5 != 0 || *shown%5 != 0 || *whole-*shown == 2 {
		t.Fatalf("the parent's %d less the shown child's %d gives the hidden child's 2 residents", *whole, *shown)
	}
}
