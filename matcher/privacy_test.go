package matcher_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// community is one community of a world with its staff and suppliers.
type community struct {
	id             string
	social, coord  context.Context
	ent            context.Context
	entID          string
	volunteer      context.Context
	volunteerID    string
	organisation   context.Context
	organisationID string
}

func (w *world) mustCommunity(parent string) *community {
	w.tb.Helper()
	o := w.mustNode(matcher.KindCommunity, parent)
	c := &community{id: o.ID, social: w.as(matcher.RoleSocialWorker, o.ID), coord: w.as(matcher.RoleCoordinator, o.ID)}
	e := w.mustEnterprise(c.coord, &hangzhou, "repair", "home_visit")
	c.entID, c.ent = e.ID, w.as(matcher.RoleEnterprise, e.ID)
	v := w.mustVolunteer(c.coord, &hangzhou, 3, "background_check")
	c.volunteerID, c.volunteer = v.ID, w.as(matcher.RoleVolunteer, v.ID)
	org, err := w.svc.CreateOrganisation(c.coord, matcher.OrganisationInput{Name: "Social work", Kind: matcher.KindSocialOrg,
		Location: &hangzhou, Categories: []string{"repair"}})
	if err != nil {
		w.tb.Fatal(err)
	}
	c.organisationID, c.organisation = org.ID, w.as(matcher.RoleOrganisation, org.ID)
	return c
}

func TestCoarseCellHidesAResidentAmongK(t *testing.T) {
	w := mustWorld(t, false)
	a := w.mustCommunity("")
	coarse := w.grid.Config().CoarseResolution
	publicRes := func(id string) int {
		t.Helper()
		v, err := w.svc.GetWish(a.ent, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.WishDetail != nil {
			t.Fatalf("an enterprise without a claim got the wish's detail: %+v", v.WishDetail)
		}
		c, err := geo.ParseCell(v.Cell)
		if err != nil {
			t.Fatal(err)
		}
		return c.Resolution()
	}
	// One resident with many wishes is still one resident: k counts people.
	lonely := w.mustResident(a.social, "1948-03-02", &hangzhou)
	var first string
	for range 6 {
		id := w.mustWish(a.social, lonely.ID, "repair", false).ID
		if first == "" {
			first = id
		}
	}
	if res := publicRes(first); res >= coarse {
		t.Fatalf("six wishes of one resident showed resolution %d; one person must not lower the cell", res)
	}
	for i := 2; i <= 5; i++ {
		r := w.mustResident(a.social, "1948-03-02", near(float64(i*10), 0))
		w.mustWish(a.social, r.ID, "repair", false)
		res := publicRes(first)
		switch {
		case i < 5 && res >= coarse:
			t.Fatalf("with %d residents in the coarse cell, an enterprise sees resolution %d, want coarser than %d", i, res, coarse)
		case i == 5 && res != coarse:
			t.Fatalf("with 5 residents in the coarse cell, an enterprise sees resolution %d, want %d", res, coarse)
		}
	}
	w.restart()
	if res := publicRes(first); res != coarse {
		t.Fatalf("after a restart, resolution %d, want %d", res, coarse)
	}
}

func TestAddressIsForTheActiveClaimantAndAudited(t *testing.T) {
	w := mustWorld(t, false)
	a, b := w.mustCommunity(""), w.mustCommunity("")
	r := w.mustResident(a.social, "1948-03-02", &hangzhou)
	onSite := w.mustWish(a.social, r.ID, "repair", true)
	remote := w.mustWish(a.social, r.ID, "repair", false)
	if _, err := w.svc.WishAddress(a.ent, onSite.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("address of an unclaimed wish: %v, want not_found", err)
	}
	for _, id := range []string{onSite.ID, remote.ID} {
		if _, err := w.svc.ClaimWish(a.ent, id); err != nil {
			t.Fatal(err)
		}
	}
	w.restart()
	addr, err := w.svc.WishAddress(a.ent, onSite.ID)
	if err != nil {
		t.Fatal(err)
	}
	if addr.Name != "Wang Fang" || addr.Phone != "13900001111" || addr.Address != "12 Xixi Road" || addr.Location == nil || *addr.Location != hangzhou {
		t.Fatalf("address: %+v", addr)
	}
	if _, err := w.svc.WishAddress(a.ent, remote.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("address of a wish that is not on site: %v, want forbidden", err)
	}
	for _, ctx := range []context.Context{b.ent, b.social, b.coord, a.coord, a.volunteer} {
		if _, err := w.svc.WishAddress(ctx, onSite.ID); code(err) != matcher.ENOTFOUND && code(err) != matcher.EFORBIDDEN {
			t.Fatalf("address for another party: %v, want not_found or forbidden", err)
		}
	}
	recs := w.svc.AuditTrail(matcher.Party{Kind: "wish", ID: onSite.ID})
	if len(recs) != 1 || recs[0].Action != matcher.AuditAddressViewed || recs[0].Actor.Party() != (matcher.Party{Kind: "enterprise", ID: a.entID}) ||
		recs[0].Details["resident_id"] != r.ID || recs[0].Actor.Key == "" {
		t.Fatalf("audit records: %+v, want one address_viewed by the enterprise, with its key", recs)
	}
}

func TestConsentWithdrawalClosesTheResidentsWishes(t *testing.T) {
	w := mustWorld(t, false)
	a, b := w.mustCommunity(""), w.mustCommunity("")
	r := w.mustResident(a.social, "1948-03-02", &hangzhou)
	open := w.mustWish(a.social, r.ID, "repair", true)
	claimed := w.mustWish(a.social, r.ID, "repair", true)
	if _, err := w.svc.ClaimWish(a.ent, claimed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.WithdrawConsent(b.social, r.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("withdrawal by another community: %v, want not_found", err)
	}
	got, err := w.svc.WithdrawConsent(a.social, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConsentWithdrawnAt.IsZero() || got.Name != "" || got.Phone != "" || got.Location != nil {
		t.Fatalf("withdrawal answered %+v, want the resident without personal data", got)
	}
	for _, id := range []string{open.ID, claimed.ID} {
		v, err := w.svc.GetWish(a.social, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != matcher.StatusWithdrawn || v.Location != nil || v.Description != "" {
			t.Fatalf("wish after withdrawal: status %s, location %v, description %q", v.Status, v.Location, v.Description)
		}
		if _, err := w.svc.ClaimWish(a.volunteer, id); err == nil {
			t.Fatal("a wish of a withdrawn resident was claimed")
		}
	}
	if _, err := w.svc.WishAddress(a.ent, claimed.ID); err == nil {
		t.Fatal("the former claimant read the address after the withdrawal")
	}
	near, err := w.svc.ListWishes(a.ent, matcher.WishFilter{Near: "30.2705,120.1502"}, matcher.PageRequest{})
	if err != nil || len(near.Items) != 0 {
		t.Fatalf("near listing after withdrawal: %v, %v; want none", near, err)
	}
	_, err = w.svc.CreateWish(a.social, matcher.WishInput{ResidentID: r.ID, Category: "repair", Title: "x", DueAt: w.clock().Add(time.Hour)})
	if code(err) != matcher.EINVALID {
		t.Fatalf("a wish for a resident who withdrew consent: %v, want invalid", err)
	}
	rep, err := w.svc.PurgeExpired(context.Background())
	if err != nil || rep.Residents != 1 {
		t.Fatalf("retention after withdrawal: %+v, %v; want the resident erased", rep, err)
	}
	assertNotInLog(t, w, "Wang Fang", "13900001111", "Xixi Road")
}

// TestConsentWithdrawalErasesAtOnce withdraws two residents' consent with
// the retention job off: one while no process runs the jobs (a process
// stopped before erasing), one while they run. Each resident and wish is
// erased within seconds, their older log entries included, and the
// withdrawal itself does not wait for it.
func TestConsentWithdrawalErasesAtOnce(t *testing.T) {
	w := mustWorld(t, false)
	a := w.mustCommunity("")
	withdraw := func() (*matcher.Resident, *matcher.WishView) {
		t.Helper()
		r := w.mustResident(a.social, "1948-03-02", &hangzhou)
		wish := w.mustWish(a.social, r.ID, "repair", true)
		got, err := w.svc.WithdrawConsent(a.social, r.ID)
		if err != nil || got.ConsentWithdrawnAt.IsZero() {
			t.Fatalf("withdrawal: %+v, %v", got, err)
		}
		return r, wish
	}
	left, leftWish := withdraw()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.svc.Run(ctx, 0); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	erased := func(r *matcher.Resident, wish *matcher.WishView) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, err := w.svc.GetResident(a.social, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			v, err := w.svc.GetWish(a.social, wish.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.ErasedAt.IsZero() && !v.ErasedAt.IsZero() && !logHolds(t, w, "Wang Fang", "13900001111", "Xixi Road", "third floor") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("5 s after the withdrawal: resident erased at %v, wish at %v, the log still holding their data: %v",
					got.ErasedAt, v.ErasedAt, logHolds(t, w, "Wang Fang", "13900001111", "Xixi Road", "third floor"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	erased(left, leftWish)
	erased(withdraw())
}

// logHolds reports whether any entry of the store's log holds one of the
// strings.
func logHolds(t *testing.T, w *world, secrets ...string) bool {
	t.Helper()
	cur, err := w.store.Database().Collection("log").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	for cur.Next(context.Background()) {
		for _, s := range secrets {
			if bytes.Contains(cur.Current, []byte(s)) {
				return true
			}
		}
	}
	return false
}

// assertNotInLog fails if any entry of the store's log holds one of the
// strings, in clear (the test store has no data key) or anywhere.
func assertNotInLog(t *testing.T, w *world, secrets ...string) {
	t.Helper()
	cur, err := w.store.Database().Collection("log").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	for cur.Next(context.Background()) {
		for _, s := range secrets {
			if bytes.Contains(cur.Current, []byte(s)) {
				t.Fatalf("a log entry still holds %q", s)
			}
		}
	}
}

func TestRetentionErasesClosedWishesAndKeepsAggregates(t *testing.T) {
	ctx := context.Background()
	w := mustWorld(t, false)
	a := w.mustCommunity("")
	done := w.mustResident(a.social, "1948-03-02", &hangzhou)   // one wish, confirmed
	busy := w.mustResident(a.social, "1948-03-02", &hangzhou)   // one wish cancelled, one still open
	recent := w.mustResident(a.social, "1948-03-02", &hangzhou) // one wish cancelled later
	confirmed := w.mustWish(a.social, done.ID, "repair", true)
	cancelled := w.mustWish(a.social, busy.ID, "repair", false)
	open := w.mustWish(a.social, busy.ID, "repair", false)
	late := w.mustWish(a.social, recent.ID, "repair", false)
	if _, err := w.svc.ClaimWish(a.ent, confirmed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Fulfil(a.ent, confirmed.ID, matcher.FulfilmentInput{Note: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Confirm(a.social, confirmed.ID, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Cancel(a.social, cancelled.ID, matcher.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	w.advance(30 * 24 * time.Hour)
	if _, err := w.svc.Cancel(a.social, late.ID, matcher.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	w.restart()
	w.advance(160 * 24 * time.Hour) // 190 days after the first closings, 160 after the late one
	rep, err := w.svc.PurgeExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Wishes != 2 || rep.Aggregates != 2 || rep.Residents != 1 || rep.Rewritten < 2 {
		t.Fatalf("retention: %+v, want 2 wishes, 2 aggregates, 1 resident and their older entries rewritten", rep)
	}
	w.restart() // what remains is what the log holds
	for _, tt := range []struct {
		id     string
		erased bool
	}{{confirmed.ID, true}, {cancelled.ID, true}, {open.ID, false}, {late.ID, false}} {
		got, err := w.svc.GetWish(a.social, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if erased := got.Description == "" && got.Title == "" && got.Location == nil && !got.ErasedAt.IsZero(); erased != tt.erased {
			t.Errorf("wish %s erased=%v, want %v: %+v", tt.id, erased, tt.erased, got)
		}
		if got.Category == "" {
			t.Errorf("wish %s lost its category", tt.id)
		}
	}
	for _, tt := range []struct {
		id     string
		erased bool
	}{{done.ID, true}, {busy.ID, false}, {recent.ID, false}} {
		got, err := w.svc.GetResident(a.social, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if erased := got.Name == "" && !got.ErasedAt.IsZero(); erased != tt.erased {
			t.Errorf("resident %s erased=%v, want %v", tt.id, erased, tt.erased)
		}
	}
	agg, ok := w.svc.Aggregate(confirmed.ID)
	if !ok || agg.Outcome != matcher.StatusConfirmed || agg.Rating != 5 || agg.Category != "repair" ||
		agg.Month != "2026-11" || agg.Cell.Resolution() != w.grid.Config().CoarseResolution {
		t.Fatalf("aggregate of the confirmed wish: %+v", agg)
	}
	if rep, err := w.svc.PurgeExpired(ctx); err != nil || rep != (matcher.RetentionReport{}) {
		t.Fatalf("second run: %+v, %v; want nothing to do", rep, err)
	}
	w.advance(30 * 24 * time.Hour)
	if rep, err := w.svc.PurgeExpired(ctx); err != nil || rep.Wishes != 1 || rep.Residents != 1 {
		t.Fatalf("once the late wish is past retention: %+v, %v; want it and its resident erased", rep, err)
	}
}
