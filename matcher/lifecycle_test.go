package matcher_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/linli/linli/matcher"
)

// lifeWorld is a world with one community, its staff and one resident.
type lifeWorld struct {
	*world
	staff    context.Context
	social   context.Context
	resident string
}

func mustLifeWorld(tb testing.TB) *lifeWorld {
	tb.Helper()
	w := &lifeWorld{world: mustWorld(tb, true)}
	community := w.mustNode(matcher.KindCommunity, "")
	w.staff = w.world.as(matcher.RoleCoordinator, community.ID)
	w.social = w.world.as(matcher.RoleSocialWorker, community.ID)
	w.resident = w.mustResident(w.social, "1950-01-01", &hangzhou).ID
	return w
}

// mustSuppliers registers two enterprises and two volunteers with a limit
// of one active claim each.
func (w *lifeWorld) mustSuppliers(t *rapid.T) []matcher.Party {
	var out []matcher.Party
	for range 2 {
		e := w.mustEnterprise(w.staff, &hangzhou, "repair")
		v := w.mustVolunteer(w.staff, &hangzhou, 1)
		out = append(out, matcher.Party{Kind: "enterprise", ID: e.ID}, matcher.Party{Kind: "volunteer", ID: v.ID})
	}
	return out
}

func (w *lifeWorld) now() time.Time { return w.clock() }

func (w *lifeWorld) as(p matcher.Party) context.Context { return w.world.as(p.Kind, p.ID) }

// wishModel is what the test expects of one wish.
type wishModel struct {
	id       string
	status   string
	claimant matcher.Party
	claimID  string
	pending  []matcher.Hours // of the fulfilment awaiting confirmation
	events   int
}

// lifeMachine drives random transitions of a few wishes and compares the
// Service with a model.
type lifeMachine struct {
	w         *lifeWorld
	suppliers []matcher.Party
	wishes    []*wishModel
	hours     map[string]float64 // credited per volunteer, by the model
	expiries  int
}

func (m *lifeMachine) init(t *rapid.T) {
	m.hours, m.suppliers = map[string]float64{}, m.w.mustSuppliers(t)
	for range 2 {
		wish, err := m.w.svc.CreateWish(m.w.social, matcher.WishInput{ResidentID: m.w.resident, Category: "repair",
			Title: "Fix the door", DueAt: m.w.now().Add(300 * 24 * time.Hour), AllowDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		m.wishes = append(m.wishes, &wishModel{id: wish.ID, status: matcher.StatusOpen})
	}
}

func (m *lifeMachine) activeOf(p matcher.Party) int {
	n := 0
	for _, wm := range m.wishes {
		if wm.claimant == p && (wm.status == matcher.StatusClaimed || wm.status == matcher.StatusFulfilled) {
			n++
		}
	}
	return n
}

// expect checks that err is nil exactly when ok, and counts the event.
func (m *lifeMachine) expect(t *rapid.T, wm *wishModel, what string, ok bool, err error) bool {
	if ok != (err == nil) {
		t.Fatalf("%s on %s wish: want ok=%v, got %v", what, wm.status, ok, err)
	}
	if ok {
		wm.events++
	}
	return ok
}

func (m *lifeMachine) Claim(t *rapid.T) {
	wm := rapid.SampledFrom(m.wishes).Draw(t, "wish")
	p := rapid.SampledFrom(m.suppliers).Draw(t, "supplier")
	ok := wm.status == matcher.StatusOpen && (p.Kind != "volunteer" || m.activeOf(p) < 1)
	c, err := m.w.svc.ClaimWish(m.w.as(p), wm.id)
	if m.expect(t, wm, "claim by "+p.Kind, ok, err) {
		wm.status, wm.claimant, wm.claimID = matcher.StatusClaimed, p, c.ID
	}
}

func (m *lifeMachine) Withdraw(t *rapid.T) {
	wm := rapid.SampledFrom(m.wishes).Draw(t, "wish")
	p := rapid.SampledFrom(append(m.suppliers, wm.claimant)).Draw(t, "by")
	ok := wm.status == matcher.StatusClaimed && p == wm.claimant
	_, err := m.w.svc.Withdraw(m.w.as(p), wm.id, wm.claimID)
	if m.expect(t, wm, "withdraw", ok, err) {
		wm.status, wm.claimant = matcher.StatusOpen, matcher.Party{}
	}
}

func (m *lifeMachine) Expire(t *rapid.T) {
	if m.expiries++; m.expiries > 60 { // the wishes themselves are due in 300 days
		t.Skip("the clock has moved enough")
	}
	m.w.advance(73 * time.Hour)
	m.w.svc.ExpireDue(context.Background())
	for _, wm := range m.wishes {
		if wm.status == matcher.StatusClaimed {
			wm.status, wm.claimant = matcher.StatusOpen, matcher.Party{}
			wm.events++ // the expiry warning may or may not have come first
			if n := len(m.history(t, wm)); n == wm.events+2 {
				wm.events++
			}
		}
	}
}

func (m *lifeMachine) Fulfil(t *rapid.T) {
	wm := rapid.SampledFrom(m.wishes).Draw(t, "wish")
	p := rapid.SampledFrom(append(m.suppliers, wm.claimant)).Draw(t, "by")
	ok := wm.status == matcher.StatusClaimed && p == wm.claimant
	in := matcher.FulfilmentInput{Note: "done"}
	if p.Kind == "volunteer" { // enterprises give goods and services, not volunteers' hours
		in.Hours = []matcher.Hours{{VolunteerID: p.ID, Hours: 1.5}}
	}
	_, err := m.w.svc.Fulfil(m.w.as(p), wm.id, in)
	if m.expect(t, wm, "fulfil", ok, err) {
		wm.status, wm.pending = matcher.StatusFulfilled, in.Hours
	}
}

func (m *lifeMachine) Confirm(t *rapid.T) {
	wm := rapid.SampledFrom(m.wishes).Draw(t, "wish")
	dispute := rapid.Bool().Draw(t, "dispute")
	in := matcher.ConfirmationInput{Outcome: matcher.OutcomeConfirmed, Rating: rapid.IntRange(1, 5).Draw(t, "rating")}
	if dispute {
		in = matcher.ConfirmationInput{Outcome: matcher.OutcomeDisputed, Comment: "not done"}
	}
	_, err := m.w.svc.Confirm(m.w.social, wm.id, in)
	if !m.expect(t, wm, "confirm", wm.status == matcher.StatusFulfilled, err) {
		return
	}
	if dispute {
		wm.status = matcher.StatusClaimed
		return
	}
	wm.status = matcher.StatusConfirmed
	for _, h := range wm.pending {
		m.hours[h.VolunteerID] += h.Hours
	}
}

func (m *lifeMachine) Cancel(t *rapid.T) {
	wm := rapid.SampledFrom(m.wishes).Draw(t, "wish")
	ok := wm.status == matcher.StatusOpen || wm.status == matcher.StatusClaimed
	_, err := m.w.svc.Cancel(m.w.social, wm.id, matcher.CancelInput{})
	if m.expect(t, wm, "cancel", ok, err) {
		wm.status, wm.claimant = matcher.StatusCancelled, matcher.Party{}
	}
}

func (m *lifeMachine) history(t *rapid.T, wm *wishModel) []*matcher.Event {
	h, err := m.w.svc.WishEvents(m.w.staff, wm.id)
	if err != nil {
		t.Fatal(err)
	}
	return h.Items
}

// Check holds after every step: the service agrees with the model, no
// wish ever had two active claims, nothing followed a terminal event, and
// hours come only from confirmed fulfilments.
func (m *lifeMachine) Check(t *rapid.T) {
	for _, wm := range m.wishes {
		got, err := m.w.svc.GetWish(m.w.staff, wm.id)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Status; s != wm.status {
			t.Fatalf("wish status %s, model %s", s, wm.status)
		}
		events := m.history(t, wm)
		if len(events) != wm.events+1 {
			t.Fatalf("%d events, model %d", len(events)-1, wm.events)
		}
		active, terminal := false, false
		for _, e := range events {
			if terminal {
				t.Fatalf("%s after a terminal event", e.Type)
			}
			switch e.Type {
			case matcher.EventClaimed:
				if active {
					t.Fatalf("a second active claim: %+v", e)
				}
				active = true
			case matcher.EventReleased, matcher.EventExpired, matcher.EventWithdrawn:
				active = false
			case matcher.EventConfirmed, matcher.EventCancelled:
				active, terminal = false, true
			}
		}
	}
	for _, p := range m.suppliers {
		if p.Kind != "volunteer" {
			continue
		}
		h, err := m.w.svc.VolunteerHours(m.w.staff, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.Total != m.hours[p.ID] {
			t.Fatalf("volunteer %s credited %v hours, model %v", p.ID, h.Total, m.hours[p.ID])
		}
	}
}

func TestLifecycleStateMachine(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		_ = flag.Set("rapid.checks", "6") // each check writes to a real store; -rapid.checks=N for more
	}
	w := mustLifeWorld(t)
	rapid.Check(t, func(t *rapid.T) {
		m := &lifeMachine{w: w}
		m.init(t)
		t.Repeat(rapid.StateMachineActions(m))
	})
}
