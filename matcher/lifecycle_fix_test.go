package matcher_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

func (w *lifeWorld) mustFixWish(tb testing.TB, due time.Duration) string {
	tb.Helper()
	wish, err := w.svc.CreateWish(w.social, matcher.WishInput{ResidentID: w.resident, Category: "repair",
		Title: "Fix the door", DueAt: w.now().Add(due)})
	if err != nil {
		tb.Fatal(err)
	}
	return wish.ID
}

func (w *lifeWorld) mustEnterpriseParty(tb testing.TB) matcher.Party {
	tb.Helper()
	e, err := w.svc.CreateEnterprise(w.staff, matcher.EnterpriseInput{Name: "E", Location: &w.at})
	if err != nil {
		tb.Fatal(err)
	}
	return matcher.Party{Kind: matcher.RoleEnterprise, ID: e.ID}
}

func (w *lifeWorld) mustVolunteerParty(tb testing.TB, maxActive int) matcher.Party {
	tb.Helper()
	v, err := w.svc.CreateVolunteer(w.staff, matcher.VolunteerInput{Name: "V", BirthDate: "1990-01-01",
		Location: &w.at, MaxActiveClaims: maxActive})
	if err != nil {
		tb.Fatal(err)
	}
	return matcher.Party{Kind: matcher.RoleVolunteer, ID: v.ID}
}

func (w *lifeWorld) eventTypes(tb testing.TB, wishID string) []string {
	tb.Helper()
	h, err := w.svc.WishEvents(w.staff, wishID)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range h.Items {
		out = append(out, e.Type)
	}
	return out
}

func (w *lifeWorld) status(tb testing.TB, wishID string) string {
	tb.Helper()
	got, err := w.svc.GetWish(w.staff, wishID)
	if err != nil {
		tb.Fatal(err)
	}
	return got.(*matcher.Wish).Status
}

// TestReassignRefusedWritesNothing: reassigning to a volunteer at their
// limit of active claims is refused before the released event, so the
// old claimant keeps the wish; a reassignment that succeeds uses the new
// claimant's slot.
func TestReassignRefusedWritesNothing(t *testing.T) {
	w := mustLifeWorld(t)
	ent := w.mustEnterpriseParty(t)
	busy := w.mustVolunteerParty(t, 1)
	other, target := w.mustFixWish(t, 24*time.Hour), w.mustFixWish(t, 24*time.Hour)
	// The coordinator's replica has not yet heard of busy's claim, so the
	// eligibility rules pass and only the claim slot can refuse.
	b := mustReplica(t, w, w.store)
	if _, err := w.svc.ClaimWish(w.as(busy), other); err != nil {
		t.Fatal(err)
	}
	held, err := w.svc.ClaimWish(w.as(ent), target)
	if err != nil {
		t.Fatal(err)
	}
	before := w.eventTypes(t, target)

	_, err = b.Reassign(w.staff, target, matcher.ReassignInput{Claimant: busy})
	var me *matcher.Error
	if matcher.ErrorCode(err) != matcher.EINELIGIBLE || !asError(err, &me) || me.Rule != matcher.RuleMaxActiveClaims {
		t.Fatalf("reassign to a volunteer at their limit: got %v, want EINELIGIBLE %s", err, matcher.RuleMaxActiveClaims)
	}
	if after := w.eventTypes(t, target); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("a refused reassignment wrote events: %v, then %v", before, after)
	}
	if st := w.status(t, target); st != matcher.StatusClaimed {
		t.Fatalf("wish is %s after a refused reassignment, want claimed", st)
	}
	if _, err := w.svc.Fulfil(w.as(ent), target, matcher.FulfilmentInput{Note: "done"}); err != nil {
		t.Fatalf("the old claimant lost the wish: %v (claim %s)", err, held.ID)
	}

	// A reassignment that succeeds holds the new volunteer's one slot.
	wish := w.mustFixWish(t, 24*time.Hour)
	if _, err := w.svc.ClaimWish(w.as(ent), wish); err != nil {
		t.Fatal(err)
	}
	free := w.mustVolunteerParty(t, 1)
	c, err := w.svc.Reassign(w.staff, wish, matcher.ReassignInput{Claimant: free, Note: "closer"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Claimant != free || c.Status != matcher.ClaimActive {
		t.Fatalf("reassigned claim %+v, want active for %v", c, free)
	}
	if got := w.eventTypes(t, wish); strings.Join(got, ",") != "created,claimed,released,claimed" {
		t.Fatalf("events %v", got)
	}
	if _, err := w.svc.ClaimWish(w.as(free), w.mustFixWish(t, 24*time.Hour)); matcher.ErrorCode(err) != matcher.EINELIGIBLE {
		t.Fatalf("second claim by a volunteer with limit 1 after reassignment: got %v, want EINELIGIBLE", err)
	}
	// A refused reassignment (the wish is not claimed) leaves no slot held.
	open := w.mustFixWish(t, 24*time.Hour)
	v2 := w.mustVolunteerParty(t, 1)
	if _, err := w.svc.Reassign(w.staff, open, matcher.ReassignInput{Claimant: v2}); matcher.ErrorCode(err) != matcher.ECONFLICT {
		t.Fatalf("reassign an open wish: got %v, want ECONFLICT", err)
	}
	if _, err := w.svc.ClaimWish(w.as(v2), open); err != nil {
		t.Fatalf("volunteer's slot leaked by a refused reassignment: %v", err)
	}
}

func asError(err error, target **matcher.Error) bool {
	e, ok := err.(*matcher.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestWishExpiresPastItsDueDate: an open wish past its due_at cannot be
// claimed, and the expiry job ends it with a terminal wish_expired event;
// a claimed one is expired once its claim has expired.
func TestWishExpiresPastItsDueDate(t *testing.T) {
	w := mustLifeWorld(t)
	ent := w.mustEnterpriseParty(t)
	open := w.mustFixWish(t, time.Hour)
	claimed := w.mustFixWish(t, time.Hour)
	later := w.mustFixWish(t, 1000*time.Hour)
	if _, err := w.svc.ClaimWish(w.as(ent), claimed); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(int64(2 * time.Hour))

	_, err := w.svc.ClaimWish(w.as(ent), open)
	if matcher.ErrorCode(err) != matcher.ECONFLICT || !strings.Contains(err.Error(), "past its due date") {
		t.Fatalf("claim past the due date: got %v, want ECONFLICT past its due date", err)
	}
	if got := w.eventTypes(t, open); strings.Join(got, ",") != "created" {
		t.Fatalf("refused claim wrote events: %v", got)
	}

	w.svc.ExpireDue(context.Background())
	if got := w.eventTypes(t, open); strings.Join(got, ",") != "created,"+matcher.EventWishExpired {
		t.Fatalf("events of an open wish past due after the expiry job: %v", got)
	}
	if st := w.status(t, open); st != matcher.StatusExpired {
		t.Fatalf("open wish past due is %s, want expired", st)
	}
	if st := w.status(t, claimed); st != matcher.StatusClaimed {
		t.Fatalf("claimed wish past due is %s, want claimed until its claim ends", st)
	}
	if st := w.status(t, later); st != matcher.StatusOpen {
		t.Fatalf("wish not yet due is %s, want open", st)
	}
	_, err = w.svc.ClaimWish(w.as(ent), open)
	if matcher.ErrorCode(err) != matcher.ECONFLICT {
		t.Fatalf("claim an expired wish: got %v, want ECONFLICT", err)
	}
	if _, err := w.svc.Cancel(w.social, open, matcher.CancelInput{Reason: "x"}); matcher.ErrorCode(err) != matcher.ECONFLICT {
		t.Fatalf("cancel an expired wish: got %v, want ECONFLICT", err)
	}

	// The claim expires as before; then the wish, in the same run.
	w.clock.Add(int64(73 * time.Hour))
	w.svc.ExpireDue(context.Background())
	want := "created,claimed," + matcher.EventExpired + "," + matcher.EventWishExpired
	if got := w.eventTypes(t, claimed); strings.Join(got, ",") != want {
		t.Fatalf("events of a claimed wish past due: %v, want %s", got, want)
	}
	w.svc.ExpireDue(context.Background())
	if got := w.eventTypes(t, open); len(got) != 2 {
		t.Fatalf("expired wish got more events: %v", got)
	}
	if _, err := w.svc.ClaimWish(w.as(ent), later); err != nil {
		t.Fatalf("claim a wish not yet due: %v", err)
	}
}

// mustReplica opens a second Service on store, with w's clock and no
// background jobs: its ledger knows only the events stored before.
func mustReplica(tb testing.TB, w *lifeWorld, store matcher.Store) *matcher.Service {
	tb.Helper()
	grid, _ := geo.New(geo.DefaultConfig())
	engine, err := rules.NewEngine([]string{"../configs/rules/default.yaml"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	b := matcher.NewService(store, grid, engine, matcher.Config{
		Catalog: matcher.Catalog{Categories: []string{"repair"}, CertificationTypes: []string{"background_check"}},
	}, matcher.WithClock(w.now))
	if err := b.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return b
}

// countingEvents counts the reads of single events.
type countingEvents struct {
	matcher.EventStore
	gets *atomic.Int64
}

func (c countingEvents) Get(ctx context.Context, wishID string, seq int) (*matcher.Event, error) {
	c.gets.Add(1)
	return c.EventStore.Get(ctx, wishID, seq)
}

type countingStore struct {
	matcher.Store
	gets *atomic.Int64
}

func (c countingStore) Events() matcher.EventStore {
	return countingEvents{EventStore: c.Store.Events(), gets: c.gets}
}

// TestWishEventsAccessBeforeReads: a caller who may not read a wish's
// history gets ENOTFOUND without a single event read; a past claimant and
// staff of the wish's community still read it.
func TestWishEventsAccessBeforeReads(t *testing.T) {
	w := mustLifeWorld(t)
	past, stranger := w.mustEnterpriseParty(t), w.mustEnterpriseParty(t)
	wish := w.mustFixWish(t, 24*time.Hour)
	c, err := w.svc.ClaimWish(w.as(past), wish)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Withdraw(w.as(past), wish, c.ID); err != nil {
		t.Fatal(err)
	}

	// A second replica on the same store, whose event reads are counted.
	gets := &atomic.Int64{}
	b := mustReplica(t, w, countingStore{Store: w.store, gets: gets})
	otherTenant := matcher.WithPrincipal(context.Background(), matcher.Principal{Role: matcher.RoleSocialWorker, SubjectID: "org_other"})
	for name, ctx := range map[string]context.Context{"stranger": w.as(stranger), "other community": otherTenant} {
		gets.Store(0)
		if _, err := b.WishEvents(ctx, wish); matcher.ErrorCode(err) != matcher.ENOTFOUND {
			t.Fatalf("%s: got %v, want ENOTFOUND", name, err)
		}
		if n := gets.Load(); n != 0 {
			t.Fatalf("%s: %d event reads before being refused", name, n)
		}
	}
	for name, ctx := range map[string]context.Context{"past claimant": w.as(past), "staff": w.staff} {
		h, err := b.WishEvents(ctx, wish)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(h.Items) != 3 {
			t.Fatalf("%s: %d events, want created, claimed, withdrawn", name, len(h.Items))
		}
	}
}
