package matcher_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// roundWorld is a district with one community, its social worker and a
// coordinator of the district.
type roundWorld struct {
	*world
	district, community *matcher.Organisation
	social, coord       context.Context
	provider            string // of programmes
}

func mustRoundWorld(t *testing.T) *roundWorld {
	w := mustWorld(t, true)
	rw := &roundWorld{world: w}
	rw.district = w.mustNode("district", "")
	rw.community = w.mustNode("community", rw.district.ID)
	rw.social = w.as(matcher.RoleSocialWorker, rw.community.ID)
	rw.coord = w.as(matcher.RoleCoordinator, rw.district.ID)
	return rw
}

// wishAt records a wish for a new resident born on birth at dy, dx metres,
// due in due.
func (rw *roundWorld) wishAt(birth string, dy, dx float64, due time.Duration, disabilities ...string) *matcher.WishView {
	rw.tb.Helper()
	consent := &matcher.Consent{GivenBy: "self", Purpose: "matching", GivenAt: rw.clock().Add(-time.Hour)}
	if matcher.AgeAt(birth, rw.clock()) < 14 {
		consent.GivenBy, consent.GuardianName = "guardian", "Wang Li"
	}
	r, err := rw.svc.CreateResident(rw.social, matcher.ResidentInput{Name: "Wang Fang", BirthDate: birth,
		Location: near(dy, dx), Disabilities: append([]string{}, disabilities...), Consent: consent})
	if err != nil {
		rw.tb.Fatal(err)
	}
	v, err := rw.svc.CreateWish(rw.social, matcher.WishInput{ResidentID: r.ID, Category: "companionship", Title: "A chat",
		DueAt: rw.clock().Add(due)})
	if err != nil {
		rw.tb.Fatal(err)
	}
	return v
}

// volunteerAt registers a volunteer at dy, dx metres taking at most max
// claims.
func (rw *roundWorld) volunteerAt(dy, dx float64, max int, certs ...string) *matcher.Volunteer {
	rw.tb.Helper()
	return rw.mustVolunteer(rw.coord, near(dy, dx), max, certs...)
}

func (rw *roundWorld) round(in matcher.MatchRunInput) *matcher.MatchRun {
	rw.tb.Helper()
	run, err := rw.svc.MatchRound(rw.coord, in, nil)
	if err != nil {
		rw.tb.Fatal(err)
	}
	if run.Status != matcher.RunDone {
		rw.tb.Fatalf("round %s: %s", run.Status, run.Error)
	}
	return run
}

// TestRoundIsOptimal checks a round over 70 wishes and 90 single-capacity
// volunteers with overlapping circles against an exact min-cost flow
// solved here on the same eligible pairs (read from the candidates API,
// the claim path's eligibility): the same priority weight matched, as many
// wishes, and no more walking. Then every proposal is approved and
// accepted through the claim path, so each is one the rules allow.
func TestRoundIsOptimal(t *testing.T) {
	for _, volunteers := range []int{90, 40} {
		t.Run(fmt.Sprintf("70 wishes, %d volunteers", volunteers), func(t *testing.T) { testRoundIsOptimal(t, volunteers) })
	}
}

func testRoundIsOptimal(t *testing.T, volunteers int) {
	rw := mustRoundWorld(t)
	r := rand.New(rand.NewPCG(7, 11))
	at := func() (float64, float64) { return (r.Float64() - 0.5) * 2600, (r.Float64() - 0.5) * 2600 }
	births := []string{"1940-03-01", "1950-06-01", "1985-01-01", "2014-05-01", "1999-09-09"}
	var wishes []*matcher.WishView
	for i := range 70 {
		dy, dx := at()
		var dis []string
		if i%9 == 0 {
			dis = []string{"visual"}
		}
		due := time.Duration(24+r.IntN(24*10)) * time.Hour
		wishes = append(wishes, rw.wishAt(births[r.IntN(len(births))], dy, dx, due, dis...))
	}
	certs := []string{"background_check", "child_safeguarding", "disability_care"}
	for range volunteers {
		dy, dx := at()
		var cs []string
		for _, c := range certs {
			if r.Float64() < 0.4 {
				cs = append(cs, c)
			}
		}
		rw.volunteerAt(dy, dx, 1, cs...)
	}

	run := rw.round(matcher.MatchRunInput{})

	// The exact optimum of the same pairs: weights from the resident facts
	// as configured by default (1 + urgent + aged 80 + disability).
	ref := &flow{}
	weight := map[string]int{}
	for _, wv := range wishes {
		list, err := rw.svc.WishCandidates(rw.coord, wv.ID, 200)
		if err != nil {
			t.Fatal(err)
		}
		wt := 1
		if wv.DueAt.Sub(rw.clock()) <= 48*time.Hour {
			wt++
		}
		res, _ := rw.svc.GetResident(rw.social, wv.WishDetail.ResidentID)
		if matcher.AgeAt(res.BirthDate, rw.clock()) >= 80 {
			wt++
		}
		if len(res.Disabilities) > 0 {
			wt++
		}
		weight[wv.ID] = wt
		for _, c := range list.Candidates {
			ref.add(wv.ID, c.ID, wt, int64(math.Round(c.WalkMinutes*1e4)))
		}
	}
	refMatched, refWeight, refCost := ref.solve()
	if len(ref.edges) < 200 {
		t.Fatalf("only %d eligible pairs: the circles do not overlap enough to test anything", len(ref.edges))
	}

	gotWeight, gotCost := 0, int64(0)
	used := map[string]bool{}
	for _, p := range run.Proposals {
		gotWeight += weight[p.WishID]
		gotCost += int64(math.Round(p.WalkMinutes * 1e4))
		if used[p.Supplier.ID] {
			t.Fatalf("volunteer %s is proposed twice; their capacity is 1", p.Supplier.ID)
		}
		used[p.Supplier.ID] = true
		if p.WalkMinutes > 15+1e-9 || p.BeyondCircle {
			t.Fatalf("proposal %+v is outside the 15-minute circle", p)
		}
	}
	t.Logf("%d eligible pairs; round matched %d (weight %d, %.4f min), exact %d (weight %d, %.4f min); greedy %d, %.4f min",
		len(ref.edges), len(run.Proposals), gotWeight, float64(gotCost)/1e4, refMatched, refWeight, float64(refCost)/1e4,
		run.Stats.GreedyMatched, run.Stats.GreedyTotalWalkMinutes)
	if gotWeight != refWeight || len(run.Proposals) != refMatched {
		t.Fatalf("round matched %d wishes of weight %d; the exact optimum matches %d of weight %d", len(run.Proposals), gotWeight, refMatched, refWeight)
	}
	if gotCost > refCost {
		t.Fatalf("round walks %.4f min in total; the exact optimum walks %.4f", float64(gotCost)/1e4, float64(refCost)/1e4)
	}
	if run.Stats.Matched+run.Stats.Unmatched != 70 || len(run.Unmatched) != run.Stats.Unmatched {
		t.Fatalf("stats %+v do not add up to the 70 wishes", run.Stats)
	}
	for _, u := range run.Unmatched {
		if u.Reason == "" || u.Message == "" {
			t.Fatalf("unmatched wish %s has no reason", u.WishID)
		}
	}

	approved, err := rw.svc.ApproveMatchRun(rw.coord, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if approved.Approval.Offered != len(run.Proposals) {
		t.Fatalf("approval offered %d of %d proposals: %+v", approved.Approval.Offered, len(run.Proposals), approved.Approval.Skipped)
	}
	for _, p := range run.Proposals {
		vol := rw.as(matcher.RoleVolunteer, p.Supplier.ID)
		offers, err := rw.svc.Offers(vol, matcher.OfferQuery{Status: matcher.OfferPending})
		if err != nil || len(offers.Items) != 1 || offers.Items[0].WishID != p.WishID {
			t.Fatalf("volunteer %s's pending offers: %+v, %v; want the one for %s", p.Supplier.ID, offers, err, p.WishID)
		}
		if _, err := rw.svc.AcceptOffer(vol, offers.Items[0].ID); err != nil {
			t.Fatalf("accepting the offer of %s through the claim path: %v", p.WishID, err)
		}
	}
}

// flow is an exact min-cost flow for the lexicographic goal of a round
// (most priority weight matched, then least walking), written apart from
// the solver under test: successive shortest paths with Bellman–Ford, on
// costs -bigM·weight + walk, augmenting while a path has negative cost.
type flow struct {
	edges []flowEdge
}

type flowEdge struct {
	w, v   string
	weight int
	cost   int64
}

func (f *flow) add(w, v string, weight int, cost int64) {
	f.edges = append(f.edges, flowEdge{w, v, weight, cost})
}

func (f *flow) solve() (matched, weight int, cost int64) {
	const bigM = int64(1) << 40
	nodes := map[string]int{"s": 0, "t": 1}
	id := func(k string) int {
		if n, ok := nodes[k]; ok {
			return n
		}
		nodes[k] = len(nodes)
		return nodes[k]
	}
	type arc struct {
		to, rev int
		cap     int
		cost    int64
	}
	var g [][]arc
	grow := func(n int) {
		for len(g) <= n {
			g = append(g, nil)
		}
	}
	link := func(a, b int, cost int64) {
		grow(max(a, b))
		g[a] = append(g[a], arc{to: b, rev: len(g[b]), cap: 1, cost: cost})
		g[b] = append(g[b], arc{to: a, rev: len(g[a]) - 1, cap: 0, cost: -cost})
	}
	weights := map[string]int{}
	for _, e := range f.edges {
		weights[e.w] = e.weight
	}
	for _, w := range slices.Sorted(mapsKeys(weights)) {
		link(0, id("w:"+w), -bigM*int64(weights[w]))
	}
	vols := map[string]bool{}
	for _, e := range f.edges {
		link(id("w:"+e.w), id("v:"+e.v), e.cost)
		vols[e.v] = true
	}
	for _, v := range slices.Sorted(mapsKeys(vols)) {
		link(id("v:"+v), 1, 0)
	}
	n := len(g)
	total := int64(0)
	for {
		dist := make([]int64, n)
		prev := make([][2]int, n)
		for i := range dist {
			dist[i] = math.MaxInt64
		}
		dist[0] = 0
		for range n {
			changed := false
			for u := range n {
				if dist[u] == math.MaxInt64 {
					continue
				}
				for i, a := range g[u] {
					if a.cap > 0 && dist[u]+a.cost < dist[a.to] {
						dist[a.to], prev[a.to] = dist[u]+a.cost, [2]int{u, i}
						changed = true
					}
				}
			}
			if !changed {
				break
			}
		}
		if dist[1] >= 0 {
			break
		}
		for v := 1; v != 0; {
			u, i := prev[v][0], prev[v][1]
			g[u][i].cap--
			g[v][g[u][i].rev].cap++
			v = u
		}
		total += dist[1]
		matched++
	}
	weight = int((-total + bigM - 1) / bigM)
	cost = total + int64(weight)*bigM
	return matched, weight, cost
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestRoundPriorityAndReasons: two wishes compete for one volunteer; the
// resident aged 80+ gets them though farther, and the other is unmatched
// as outcompeted, naming how many were eligible. A wish with nobody near
// is unmatched as nobody_in_circle, one whose only neighbour the rules
// refuse as all_excluded with the rule's count.
func TestRoundPriorityAndReasons(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.volunteerAt(0, 0, 1)
	young := rw.wishAt("1990-01-01", 100, 0, 7*24*time.Hour)
	old := rw.wishAt("1941-01-01", 600, 0, 7*24*time.Hour)
	far := rw.wishAt("1990-01-01", 20_000, 0, 7*24*time.Hour)
	rw.volunteerAt(-20_000, 0, 1) // near nobody but the child below, and without a safeguarding check
	child := rw.wishAt("2016-01-01", -20_100, 0, 7*24*time.Hour)

	run := rw.round(matcher.MatchRunInput{DryRun: true})
	if len(run.Proposals) != 1 || run.Proposals[0].WishID != old.ID {
		t.Fatalf("proposals %+v: want the aged resident's wish %s alone", run.Proposals, old.ID)
	}
	reasons := map[string]matcher.Unmatched{}
	for _, u := range run.Unmatched {
		reasons[u.WishID] = u
	}
	if u := reasons[young.ID]; u.Reason != matcher.UnmatchedOutcompeted || u.Eligible != 1 {
		t.Fatalf("the younger resident's wish: %+v; want outcompeted with 1 eligible", u)
	}
	if u := reasons[far.ID]; u.Reason != matcher.UnmatchedNobody {
		t.Fatalf("the far wish: %+v; want nobody_in_circle", u)
	}
	if u := reasons[child.ID]; u.Reason != matcher.UnmatchedExcluded || u.Excluded["minors-need-safeguarding"] != 1 {
		t.Fatalf("the child's wish: %+v; want all_excluded by minors-need-safeguarding once", u)
	}
	if run.Stats.ByReason[matcher.UnmatchedNobody] != 1 || run.Stats.PriorityMatched != 1 {
		t.Fatalf("stats %+v", run.Stats)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, run.ID); code(err) != matcher.ECONFLICT {
		t.Fatalf("approving a dry run: %v; want conflict", err)
	}
}

// TestRoundScope: a street's coordinator pairs only that street's
// communities' wishes; naming a node outside their scope is refused like
// a node that does not exist; a social worker may not start a round; a
// round of one street is not found by another street's coordinator.
func TestRoundScope(t *testing.T) {
	w := mustWorld(t, true)
	d := w.mustNode("district", "")
	s1, s2 := w.mustNode("street", d.ID), w.mustNode("street", d.ID)
	c1, c2 := w.mustNode("community", s1.ID), w.mustNode("community", s2.ID)
	sw1, sw2 := w.as(matcher.RoleSocialWorker, c1.ID), w.as(matcher.RoleSocialWorker, c2.ID)
	coord1, coord2 := w.as(matcher.RoleCoordinator, s1.ID), w.as(matcher.RoleCoordinator, s2.ID)
	w.mustVolunteer(w.as(matcher.RoleCoordinator, d.ID), near(0, 0), 3)
	r1 := w.mustResident(sw1, "1980-01-01", near(100, 0))
	r2 := w.mustResident(sw2, "1980-01-01", near(-100, 0))
	w1 := w.mustWish(sw1, r1.ID, "repair", false)
	w.mustWish(sw2, r2.ID, "repair", false)

	run, err := w.svc.MatchRound(coord1, matcher.MatchRunInput{DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Stats.Wishes != 1 || len(run.Proposals) != 1 || run.Proposals[0].WishID != w1.ID {
		t.Fatalf("street 1's round covered %d wishes, proposals %+v; want only %s", run.Stats.Wishes, run.Proposals, w1.ID)
	}
	if _, err := w.svc.MatchRound(coord1, matcher.MatchRunInput{NodeID: c2.ID}, nil); code(err) != matcher.EINVALID {
		t.Fatalf("street 1's coordinator naming street 2's community: %v; want invalid node_id", err)
	}
	if _, err := w.svc.MatchRound(coord1, matcher.MatchRunInput{NodeID: "org_doesnotexist"}, nil); code(err) != matcher.EINVALID {
		t.Fatalf("naming a node that does not exist: %v; want the same invalid node_id", err)
	}
	if _, err := w.svc.MatchRound(sw1, matcher.MatchRunInput{}, nil); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a social worker starting a round: %v; want forbidden", err)
	}
	if _, err := w.svc.MatchRun(coord2, run.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("street 2's coordinator reading street 1's round: %v; want not found", err)
	}
	list, err := w.svc.MatchRuns(coord2, matcher.PageRequest{})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("street 2's list of rounds: %+v, %v; want none", list, err)
	}
	all, _ := w.svc.MatchRuns(w.as(matcher.RoleCoordinator, d.ID), matcher.PageRequest{})
	if len(all.Items) != 1 {
		t.Fatalf("the district's coordinator lists %d rounds; want street 1's", len(all.Items))
	}
}

// TestOffersLifecycle: an approved round's offers are accepted through
// the claim path, declined, or lapse; each is an event in the wish's
// history; a declined or lapsed wish is in the next round again; an offer
// keeps others from claiming the wish while it waits.
func TestOffersLifecycle(t *testing.T) {
	rw := mustRoundWorld(t)
	vols := []*matcher.Volunteer{rw.volunteerAt(0, 0, 1), rw.volunteerAt(0, 2000, 1), rw.volunteerAt(0, 4000, 1)}
	wishes := []*matcher.WishView{rw.wishAt("1980-01-01", 100, 0, 7*24*time.Hour),
		rw.wishAt("1980-01-01", 100, 2000, 7*24*time.Hour), rw.wishAt("1980-01-01", 100, 4000, 7*24*time.Hour)}
	run := rw.round(matcher.MatchRunInput{})
	if len(run.Proposals) != 3 {
		t.Fatalf("proposals %+v; want 3", run.Proposals)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.social, run.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a social worker approving: %v; want forbidden", err)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, run.ID); code(err) != matcher.ECONFLICT {
		t.Fatalf("approving twice: %v; want conflict", err)
	}
	offerOf := func(v *matcher.Volunteer) (context.Context, *matcher.Offer) {
		ctx := rw.as(matcher.RoleVolunteer, v.ID)
		pg, err := rw.svc.Offers(ctx, matcher.OfferQuery{})
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("offers of %s: %+v, %v", v.ID, pg, err)
		}
		return ctx, pg.Items[0]
	}
	ctx0, o0 := offerOf(vols[0])
	ctx1, o1 := offerOf(vols[1])
	_, o2 := offerOf(vols[2])
	if _, err := rw.svc.AcceptOffer(ctx0, o1.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("accepting another's offer: %v; want not found", err)
	}
	if _, err := rw.svc.ClaimWish(ctx0, o1.WishID); code(err) != matcher.ECONFLICT {
		t.Fatalf("claiming a wish offered to another: %v; want conflict", err)
	}
	claim, err := rw.svc.AcceptOffer(ctx0, o0.ID)
	if err != nil || claim.Claimant.ID != vols[0].ID {
		t.Fatalf("accept: %+v, %v", claim, err)
	}
	if _, err := rw.svc.DeclineOffer(ctx1, o1.ID, matcher.DeclineInput{Reason: "away this week"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.svc.AcceptOffer(ctx1, o1.ID); code(err) != matcher.ECONFLICT {
		t.Fatalf("accepting a declined offer: %v; want conflict", err)
	}
	rw.advance(25 * time.Hour)
	rw.svc.ExpireDue(context.Background())
	if got, _ := rw.svc.GetOffer(rw.coord, o2.ID); got.Status != matcher.OfferLapsed {
		t.Fatalf("the unanswered offer is %s after its time; want lapsed", got.Status)
	}
	types := func(id string) []string {
		h, _ := rw.svc.WishEvents(rw.coord, id)
		var out []string
		for _, e := range h.Items {
			out = append(out, e.Type)
		}
		return out
	}
	for i, want := range [][]string{{"created", "offered", "claimed"}, {"created", "offered", "offer_declined"}, {"created", "offered", "offer_lapsed"}} {
		if got := types(wishes[i].ID); !slices.Equal(got, want) {
			t.Fatalf("wish %d history %v; want %v", i, got, want)
		}
	}
	next := rw.round(matcher.MatchRunInput{DryRun: true})
	if next.Stats.Wishes != 2 {
		t.Fatalf("the next round covers %d wishes; want the declined and the lapsed one", next.Stats.Wishes)
	}
}

// TestExpandingCircle: a wish nobody within 15 minutes can serve is not
// widened before widen_after; a round after that widens it to 20 minutes
// (an event); the next round proposes the supplier 19 minutes away,
// marked beyond the circle, and the claim through the offer succeeds.
func TestExpandingCircle(t *testing.T) {
	rw := mustRoundWorld(t)
	v := rw.volunteerAt(0, 0, 1)
	// The walk is measured between the centres of the wish's and the
	// volunteer's cells: put the resident where those are 1,000 to 1,200 m
	// apart (16 to 19.2 minutes).
	vc := geo.CellCenter(rw.grid.Cell(near(0, 0).Point()))
	dy, dx := 0.0, 0.0
	for i := 0; ; i++ {
		if i == 400 {
			t.Fatal("no cell centre 1,000 to 1,200 m from the volunteer")
		}
		dy, dx = 1000+float64(i%20)*10, float64(i/20)*15
		c := geo.CellCenter(rw.grid.Cell(near(dy, dx).Point()))
		if d := geo.Distance(c, vc); d > 1000 && d < 1200 {
			break
		}
	}
	wv := rw.wishAt("1980-01-01", dy, dx, 10*24*time.Hour)
	first := rw.round(matcher.MatchRunInput{})
	if len(first.Unmatched) != 1 || first.Unmatched[0].Reason != matcher.UnmatchedNobody || first.Unmatched[0].WidenedTo != 0 {
		t.Fatalf("first round: %+v; want nobody_in_circle, not widened yet", first.Unmatched)
	}
	rw.advance(49 * time.Hour)
	second := rw.round(matcher.MatchRunInput{})
	if len(second.Unmatched) != 1 || second.Unmatched[0].WidenedTo != 20 || second.Stats.Widened != 1 {
		t.Fatalf("second round: %+v; want the circle widened to 20", second.Unmatched)
	}
	third := rw.round(matcher.MatchRunInput{})
	if len(third.Proposals) != 1 || !third.Proposals[0].BeyondCircle || third.Proposals[0].CircleMinutes != 20 {
		t.Fatalf("third round: %+v; want the volunteer 19 minutes away, beyond the circle", third.Proposals)
	}
	if third.Stats.BeyondCircle != 1 {
		t.Fatalf("stats %+v: want one proposal beyond the circle", third.Stats)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, third.ID); err != nil {
		t.Fatal(err)
	}
	vol := rw.as(matcher.RoleVolunteer, v.ID)
	pg, _ := rw.svc.Offers(vol, matcher.OfferQuery{Status: matcher.OfferPending})
	if len(pg.Items) != 1 {
		t.Fatalf("offers: %+v", pg)
	}
	if _, err := rw.svc.AcceptOffer(vol, pg.Items[0].ID); err != nil {
		t.Fatalf("accepting the widened offer: %v", err)
	}
	h, _ := rw.svc.WishEvents(rw.coord, wv.ID)
	var widened, claimed *matcher.Event
	for _, e := range h.Items {
		switch e.Type {
		case matcher.EventCircleWidened:
			widened = e
		case matcher.EventClaimed:
			claimed = e
		}
	}
	if widened == nil || widened.Minutes != 20 || claimed == nil || claimed.Minutes != 20 {
		t.Fatalf("history %s: want circle_widened to 20 and a claim made within 20 minutes", fmt.Sprint(h.Items))
	}
}
