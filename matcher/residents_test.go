package matcher_test

import (
	"context"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// TestMovedResidentTakesTheirWishes is a street social worker moving a
// resident from community C1a to C1b, with wishes in every kind of state:
// one claimed through a round's offer, one offered by a round, one open,
// one cancelled. In the one log entry of the move, every wish follows
// them: C1a's staff lose the resident, the wishes, their histories and
// the offers, and can no longer cancel; C1b's gain them all, with a moved
// event in each history and the wish's exact point; lists and rounds go
// by the new node. After a restart the log says the same.
func TestMovedResidentTakesTheirWishes(t *testing.T) {
	rw := mustRoundWorld(t)
	street := rw.mustNode("street", rw.district.ID)
	c1a, c1b := rw.mustNode("community", street.ID), rw.mustNode("community", street.ID)
	socialA, socialB := rw.as(matcher.RoleSocialWorker, c1a.ID), rw.as(matcher.RoleSocialWorker, c1b.ID)
	coordA, coordB := rw.as(matcher.RoleCoordinator, c1a.ID), rw.as(matcher.RoleCoordinator, c1b.ID)
	streetSocial := rw.as(matcher.RoleSocialWorker, street.ID)

	r := rw.mustResident(socialA, "1980-01-01", near(20, 0))
	wish := func() string {
		v, err := rw.svc.CreateWish(socialA, matcher.WishInput{ResidentID: r.ID, Category: "companionship", Title: "A chat",
			Description: "Mrs Wang, third floor", DueAt: rw.clock().Add(7 * 24 * time.Hour), AllowDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	// claimed is claimed by accepting an offer, offered waits on one.
	offer := func(coord context.Context) *matcher.Offer {
		run, err := rw.svc.MatchRound(coord, matcher.MatchRunInput{}, nil)
		if err != nil || len(run.Proposals) != 1 {
			t.Fatalf("C1a's round: %+v, %v; want one proposal", run, err)
		}
		if _, err := rw.svc.ApproveMatchRun(coord, run.ID); err != nil {
			t.Fatal(err)
		}
		pg, err := rw.svc.Offers(coord, matcher.OfferQuery{Status: matcher.OfferPending})
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("C1a's pending offers: %+v, %v", pg, err)
		}
		return pg.Items[0]
	}
	claimed := wish()
	vol := rw.mustVolunteer(coordA, near(0, 0), 1)
	accepted := offer(coordA)
	if _, err := rw.svc.AcceptOffer(rw.as(matcher.RoleVolunteer, vol.ID), accepted.ID); err != nil {
		t.Fatal(err)
	}
	offered := wish()
	rw.mustVolunteer(coordA, near(0, 0), 1)
	pending := offer(coordA)
	open, cancelled := wish(), wish()
	if _, err := rw.svc.Cancel(socialA, cancelled, matcher.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	wishes := []string{offered, open, claimed, cancelled}

	cur, err := rw.svc.GetResident(streetSocial, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := cur.ResidentInput
	in.NodeID = c1b.ID
	before := rw.store.Tail()
	if _, err := rw.svc.UpdateResident(streetSocial, r.ID, in); err != nil {
		t.Fatal(err)
	}
	if n := rw.store.Tail() - before; n != 1 {
		t.Fatalf("the move took %d log entries; want one", n)
	}

	check := func(t *testing.T) {
		t.Helper()
		if _, err := rw.svc.GetResident(socialA, r.ID); code(err) != matcher.ENOTFOUND {
			t.Fatalf("C1a's social worker reading the resident who left: %v; want not found", err)
		}
		if _, err := rw.svc.GetResident(socialB, r.ID); err != nil {
			t.Fatalf("C1b's social worker reading the resident who came: %v", err)
		}
		for _, id := range wishes {
			if _, err := rw.svc.GetWish(socialA, id); code(err) != matcher.ENOTFOUND {
				t.Errorf("C1a's social worker reading wish %s of the resident who left: %v; want not found", id, err)
			}
			if _, err := rw.svc.WishEvents(socialA, id); code(err) != matcher.ENOTFOUND {
				t.Errorf("C1a's social worker reading the history of %s: %v; want not found", id, err)
			}
			v, err := rw.svc.GetWish(socialB, id)
			if err != nil || v.NodeID != c1b.ID || v.Location == nil || *v.Location != *near(20, 0) {
				t.Errorf("C1b's social worker reading wish %s: %+v, %v; want it whole, under C1b", id, v, err)
			}
			h, err := rw.svc.WishEvents(socialB, id)
			if err != nil || h.Items[len(h.Items)-1].Type != matcher.EventMoved {
				t.Errorf("the history of %s as C1b reads it: %v; want it to end with the move", id, err)
			}
		}
		if got := statusOf(t, rw, socialB, claimed); got != matcher.StatusClaimed {
			t.Errorf("the claimed wish is %s after the move", got)
		}
		for ctx, want := range map[context.Context]int{socialA: 0, socialB: 4} {
			list, err := rw.svc.ListWishes(ctx, matcher.WishFilter{}, matcher.PageRequest{})
			if err != nil || len(list.Items) != want {
				t.Errorf("a community's wishes after the move: %d, %v; want %d", len(list.Items), err, want)
			}
		}
		for o, want := range map[string]string{accepted.ID: matcher.OfferAccepted, pending.ID: matcher.OfferPending} {
			if _, err := rw.svc.GetOffer(coordA, o); code(err) != matcher.ENOTFOUND {
				t.Errorf("C1a's coordinator reading offer %s of a wish that left: %v; want not found", o, err)
			}
			if got, err := rw.svc.GetOffer(coordB, o); err != nil || got.Status != want {
				t.Errorf("C1b's coordinator reading offer %s: %+v, %v; want it %s", o, got, err, want)
			}
		}
		for ctx, want := range map[context.Context]int{coordA: 0, coordB: 2} {
			if pg, err := rw.svc.Offers(ctx, matcher.OfferQuery{}); err != nil || len(pg.Items) != want {
				t.Errorf("a community's offers after the move: %+v, %v; want %d", pg, err, want)
			}
		}
		for ctx, want := range map[context.Context]int{coordA: 0, coordB: 1} {
			run, err := rw.svc.MatchRound(ctx, matcher.MatchRunInput{DryRun: true}, nil)
			if err != nil || run.Stats.Wishes != want {
				t.Errorf("a community's dry run after the move covers %d wishes (%v); want %d, the open one not offered", run.Stats.Wishes, err, want)
			}
		}
	}
	t.Run("at once", check)
	rw.restart()
	t.Run("after a restart", check)

	if _, err := rw.svc.Cancel(socialA, open, matcher.CancelInput{}); code(err) != matcher.ENOTFOUND {
		t.Fatalf("C1a's social worker cancelling a wish that left: %v; want not found", err)
	}
	if _, err := rw.svc.Cancel(socialB, open, matcher.CancelInput{}); err != nil {
		t.Fatalf("C1b's social worker cancelling the wish that came: %v", err)
	}
}

func statusOf(t *testing.T, rw *roundWorld, ctx context.Context, id string) string {
	t.Helper()
	v, err := rw.svc.GetWish(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Status
}
