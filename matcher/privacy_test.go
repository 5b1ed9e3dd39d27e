package matcher_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

// privWorld is a service over a fresh store with a clock the test moves,
// and the contexts of the callers the privacy tests need.
type privWorld struct {
	store  *mongo.Store
	grid   *geo.Grid
	mu     sync.Mutex
	now    time.Time
	svc    *matcher.Service
	social context.Context // social worker of community org_a
	other  context.Context // social worker of community org_b
	ent    context.Context // enterprise ent_1
}

func (w *privWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *privWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func mustPrivWorld(tb testing.TB) *privWorld {
	tb.Helper()
	grid, err := geo.New(geo.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	w := &privWorld{store: mongotest.New(tb), grid: grid, now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	w.social = matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleSocialWorker, SubjectID: "org_a"})
	w.other = matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleSocialWorker, SubjectID: "org_b"})
	w.ent = matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleEnterprise, SubjectID: "ent_1"})
	w.restart(tb)
	return w
}

// restart makes a new Service over the same store, as a replica starting
// does: it loads the ledger and the cell counts from what is stored.
func (w *privWorld) restart(tb testing.TB) {
	tb.Helper()
	w.svc = matcher.NewService(w.store, w.grid, nil, matcher.Config{
		Catalog: matcher.Catalog{Categories: []string{"repair", "home_visit"}, Disabilities: []string{"wheelchair_user"}},
	}, matcher.WithClock(w.clock))
	if err := w.svc.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func (w *privWorld) mustResident(tb testing.TB, ctx context.Context, at matcher.Location) *matcher.Resident {
	tb.Helper()
	r, err := w.svc.CreateResident(ctx, matcher.ResidentInput{
		Name: "Wang Fang", Phone: "13900001111", BirthDate: "1948-03-02", Address: "12 Xixi Road", Location: &at,
		Disabilities: []string{"wheelchair_user"},
		Consent:      &matcher.Consent{GivenBy: "self", Purpose: "matching", GivenAt: w.clock().Add(-time.Hour)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func (w *privWorld) mustWish(tb testing.TB, ctx context.Context, residentID string, onSite bool) *matcher.Wish {
	tb.Helper()
	wish, err := w.svc.CreateWish(ctx, matcher.WishInput{
		ResidentID: residentID, Category: "repair", Title: "Repair a wheelchair", Description: "Mrs Wang, third floor",
		Needs: matcher.Needs{Skills: []string{"repair"}}, DueAt: w.clock().Add(48 * time.Hour), OnSite: onSite,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return wish
}

// mustEvent appends an event of the wish directly to the store; restart
// makes the service read it.
func (w *privWorld) mustEvent(tb testing.TB, wishID string, seq int, typ string, claimant *matcher.Party, rating int) {
	tb.Helper()
	e := &matcher.Event{WishID: wishID, Seq: seq, Type: typ, Actor: matcher.Party{Kind: "social_worker", ID: "org_a"},
		At: w.clock(), Claimant: claimant, ClaimID: "clm_" + wishID, Rating: rating}
	if err := w.store.Events().Append(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
}

var hangzhou = matcher.Location{Lat: 30.2705, Lng: 120.1502}

func TestCoarseCellIsShownOnlyAmongKWishes(t *testing.T) {
	w := mustPrivWorld(t)
	r := w.mustResident(t, w.social, hangzhou)
	coarse := w.grid.Config().CoarseResolution
	publicRes := func(id string) int {
		t.Helper()
		v, err := w.svc.GetWish(w.ent, id)
		if err != nil {
			t.Fatal(err)
		}
		pw, ok := v.(*matcher.PublicWish)
		if !ok {
			t.Fatalf("an enterprise got %T, want *PublicWish", v)
		}
		c, err := geo.ParseCell(pw.Cell)
		if err != nil {
			t.Fatal(err)
		}
		return c.Resolution()
	}
	var ids []string
	for i := 1; i <= 5; i++ {
		ids = append(ids, w.mustWish(t, w.social, r.ID, false).ID)
		res := publicRes(ids[0])
		switch {
		case i < 5 && res >= coarse:
			t.Fatalf("with %d wishes in the coarse cell, an enterprise sees resolution %d, want coarser than %d", i, res, coarse)
		case i == 5 && res != coarse:
			t.Fatalf("with 5 wishes in the coarse cell, an enterprise sees resolution %d, want %d", res, coarse)
		}
	}
	w.restart(t) // counts are loaded at start
	if res := publicRes(ids[0]); res != coarse {
		t.Fatalf("after a restart, resolution %d, want %d", res, coarse)
	}
}

func TestAddressIsForTheActiveClaimantAndAudited(t *testing.T) {
	w := mustPrivWorld(t)
	r := w.mustResident(t, w.social, hangzhou)
	onSite := w.mustWish(t, w.social, r.ID, true)
	remote := w.mustWish(t, w.social, r.ID, false)

	if _, err := w.svc.WishAddress(w.ent, onSite.ID); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("address of an unclaimed wish: %v, want not_found", err)
	}
	ent := &matcher.Party{Kind: matcher.RoleEnterprise, ID: "ent_1"}
	w.mustEvent(t, onSite.ID, 1, matcher.EventClaimed, ent, 0)
	w.mustEvent(t, remote.ID, 1, matcher.EventClaimed, ent, 0)
	w.restart(t)

	a, err := w.svc.WishAddress(w.ent, onSite.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Wang Fang" || a.Phone != "13900001111" || a.Address != "12 Xixi Road" || a.Location == nil || *a.Location != hangzhou {
		t.Fatalf("address: %+v", a)
	}
	if _, err := w.svc.WishAddress(w.ent, remote.ID); matcher.ErrorCode(err) != matcher.EFORBIDDEN {
		t.Fatalf("address of a wish that is not on site: %v, want forbidden", err)
	}
	other := matcher.WithPrincipal(context.Background(), matcher.Principal{Role: matcher.RoleEnterprise, SubjectID: "ent_2"})
	if _, err := w.svc.WishAddress(other, onSite.ID); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("address for another enterprise: %v, want not_found", err)
	}
	if _, err := w.svc.WishAddress(w.other, onSite.ID); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("address for another community's social worker: %v, want not_found", err)
	}
	recs, err := w.store.AuditRecords(context.Background(), onSite.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != matcher.AuditAddressViewed || recs[0].Actor != *ent || recs[0].ResidentID != r.ID {
		t.Fatalf("audit records: %+v, want one address_viewed by %v", recs, ent)
	}
}

func TestConsentWithdrawal(t *testing.T) {
	w := mustPrivWorld(t)
	r := w.mustResident(t, w.social, hangzhou)
	if _, err := w.svc.WithdrawConsent(w.other, r.ID); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("withdrawal by another community: %v, want not_found", err)
	}
	got, err := w.svc.WithdrawConsent(w.social, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConsentWithdrawnAt.IsZero() || got.Name != "" || got.Phone != "" || got.Location != nil {
		t.Fatalf("withdrawal answered %+v, want the resident without personal data", got)
	}
	read, err := w.svc.GetResident(w.social, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.Name != "" || read.BirthDate != "" || read.Address != "" || read.Location != nil {
		t.Fatalf("a withdrawn resident reads as %+v", read.ResidentInput)
	}
	_, err = w.svc.CreateWish(w.social, matcher.WishInput{ResidentID: r.ID, Category: "repair", Title: "x",
		Needs: matcher.Needs{Skills: []string{"repair"}}, DueAt: w.clock().Add(time.Hour)})
	if matcher.ErrorCode(err) != matcher.EINVALID {
		t.Fatalf("a wish for a resident who withdrew consent: %v, want invalid", err)
	}
	rep, err := w.svc.PurgeExpired(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Residents != 1 {
		t.Fatalf("retention after withdrawal with no open wish: %+v, want the resident erased", rep)
	}
	stored, err := w.store.Residents().Get(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "" || stored.Phone != "" || stored.Location != nil || stored.ErasedAt.IsZero() {
		t.Fatalf("stored after erasure: %+v", stored)
	}
}

func TestRetentionErasesClosedWishesAndKeepsAggregates(t *testing.T) {
	ctx := context.Background()
	w := mustPrivWorld(t)
	done := w.mustResident(t, w.social, hangzhou)   // one wish, confirmed
	busy := w.mustResident(t, w.social, hangzhou)   // one wish cancelled, one still open
	recent := w.mustResident(t, w.social, hangzhou) // one wish cancelled later
	confirmed := w.mustWish(t, w.social, done.ID, true)
	cancelled := w.mustWish(t, w.social, busy.ID, false)
	open := w.mustWish(t, w.social, busy.ID, false)
	late := w.mustWish(t, w.social, recent.ID, false)

	ent := &matcher.Party{Kind: matcher.RoleEnterprise, ID: "ent_1"}
	w.mustEvent(t, confirmed.ID, 1, matcher.EventClaimed, ent, 0)
	w.mustEvent(t, confirmed.ID, 2, matcher.EventFulfilled, ent, 0)
	w.mustEvent(t, confirmed.ID, 3, matcher.EventConfirmed, ent, 5)
	w.mustEvent(t, cancelled.ID, 1, matcher.EventCancelled, nil, 0)
	w.advance(30 * 24 * time.Hour)
	w.mustEvent(t, late.ID, 1, matcher.EventCancelled, nil, 0)
	w.restart(t)

	w.advance(160 * 24 * time.Hour) // 190 days after the first closings, 160 after the late one
	rep, err := w.svc.PurgeExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Wishes != 2 || rep.Aggregates != 2 || rep.Residents != 1 {
		t.Fatalf("retention: %+v, want 2 wishes, 2 aggregates and 1 resident", rep)
	}
	for _, tt := range []struct {
		id     string
		erased bool
	}{{confirmed.ID, true}, {cancelled.ID, true}, {open.ID, false}, {late.ID, false}} {
		got, err := w.store.Wishes().Get(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if erased := got.Description == "" && got.Title == "" && got.Location == nil && !got.ErasedAt.IsZero(); erased != tt.erased {
			t.Errorf("wish %s erased=%v, want %v: %+v", tt.id, erased, tt.erased, got)
		}
		if got.Category == "" || got.Cell == 0 {
			t.Errorf("wish %s lost what is not personal: %+v", tt.id, got)
		}
	}
	for _, tt := range []struct {
		id     string
		erased bool
	}{{done.ID, true}, {busy.ID, false}, {recent.ID, false}} {
		got, err := w.store.Residents().Get(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if erased := got.Name == "" && got.Phone == "" && got.BirthDate == "" && got.Location == nil; erased != tt.erased {
			t.Errorf("resident %s erased=%v, want %v: %+v", tt.id, erased, tt.erased, got.ResidentInput)
		}
	}
	aggs := map[string]*matcher.Aggregate{}
	err = w.store.EachAggregate(ctx, func(a *matcher.Aggregate) error {
		aggs[a.WishID] = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := aggs[confirmed.ID]; a == nil || a.Outcome != matcher.StatusConfirmed || a.Rating != 5 || a.Category != "repair" ||
		a.Month != "2026-11" || a.Cell.Resolution() != w.grid.Config().CoarseResolution {
		t.Fatalf("aggregate of the confirmed wish: %+v", a)
	}
	if a := aggs[cancelled.ID]; a == nil || a.Outcome != matcher.StatusCancelled {
		t.Fatalf("aggregate of the cancelled wish: %+v", a)
	}

	if rep, err := w.svc.PurgeExpired(ctx); err != nil || rep != (matcher.RetentionReport{}) {
		t.Fatalf("second run: %+v, %v; want nothing to do", rep, err)
	}
	w.advance(30 * 24 * time.Hour)
	if rep, err := w.svc.PurgeExpired(ctx); err != nil || rep.Wishes != 1 || rep.Residents != 1 {
		t.Fatalf("once the late wish is past retention: %+v, %v; want it and its resident erased", rep, err)
	}
}
