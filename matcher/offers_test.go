package matcher_test

import (
	"context"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// offered is a wish a round offered to a volunteer who may hold one
// claim, and the offer.
type offered struct {
	wish      *matcher.WishView
	volunteer context.Context
	offer     *matcher.Offer
}

// mustOffer records a wish due in due at hangzhou, registers a volunteer
// next to it who may hold one claim, and runs and approves a round.
func (rw *roundWorld) mustOffer(due time.Duration) *offered {
	rw.tb.Helper()
	w := rw.wishAt("1980-01-01", 0, 0, due)
	vol := rw.as(matcher.RoleVolunteer, rw.volunteerAt(0, 50, 1).ID)
	run := rw.round(matcher.MatchRunInput{})
	if len(run.Proposals) != 1 || run.Proposals[0].WishID != w.ID {
		rw.tb.Fatalf("proposals %+v; want one for %s", run.Proposals, w.ID)
	}
	if _, err := rw.svc.ApproveMatchRun(rw.coord, run.ID); err != nil {
		rw.tb.Fatal(err)
	}
	pg, err := rw.svc.Offers(vol, matcher.OfferQuery{Status: matcher.OfferPending})
	if err != nil || len(pg.Items) != 1 {
		rw.tb.Fatalf("the volunteer's pending offers: %+v, %v", pg, err)
	}
	return &offered{wish: w, volunteer: vol, offer: pg.Items[0]}
}

// TestClosingAWishLapsesItsOffer closes an offered wish each way a wish
// closes without being served: cancelled by its social worker, withdrawn
// with its resident's consent, expired past its due date. The offer
// lapses in the same change, an offer_lapsed event just before the
// closing one; the volunteer's answer is a 409 naming the lapse, and
// their room is free for the next round, before and after a restart.
func TestClosingAWishLapsesItsOffer(t *testing.T) {
	tests := []struct {
		name    string
		due     time.Duration
		close   func(rw *roundWorld, o *offered)
		closing string
	}{
		{"cancelled", 7 * 24 * time.Hour, func(rw *roundWorld, o *offered) {
			if _, err := rw.svc.Cancel(rw.social, o.wish.ID, matcher.CancelInput{Reason: "no longer needed"}); err != nil {
				t.Fatal(err)
			}
		}, matcher.EventCancelled},
		{"consent withdrawn", 7 * 24 * time.Hour, func(rw *roundWorld, o *offered) {
			if _, err := rw.svc.WithdrawConsent(rw.social, o.wish.ResidentID); err != nil {
				t.Fatal(err)
			}
		}, matcher.EventConsentWithdrawn},
		{"expired", 2 * time.Hour, func(rw *roundWorld, o *offered) {
			rw.advance(3 * time.Hour) // the offer has 21 hours to go
			rw.svc.ExpireDue(context.Background())
		}, matcher.EventWishExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rw := mustRoundWorld(t)
			o := rw.mustOffer(tt.due)
			before := rw.store.Tail()
			tt.close(rw, o)
			if tt.name != "expired" && rw.store.Tail()-before != 1 {
				t.Fatalf("closing the wish took %d log entries; want one", rw.store.Tail()-before)
			}
			check := func(t *testing.T) {
				got, err := rw.svc.GetOffer(o.volunteer, o.offer.ID)
				if err != nil || got.Status != matcher.OfferLapsed {
					t.Fatalf("the offer of a %s wish: %+v, %v; want it lapsed", tt.name, got, err)
				}
				if pg, err := rw.svc.Offers(o.volunteer, matcher.OfferQuery{Status: matcher.OfferPending}); err != nil || len(pg.Items) != 0 {
					t.Fatalf("the volunteer's pending offers: %+v, %v; want none", pg.Items, err)
				}
				h, err := rw.svc.WishEvents(rw.social, o.wish.ID)
				if err != nil {
					t.Fatal(err)
				}
				n := len(h.Items)
				if n < 2 || h.Items[n-1].Type != tt.closing || h.Items[n-2].Type != matcher.EventOfferLapsed || h.Items[n-2].Offer != o.offer.ID {
					t.Fatalf("the wish's history ends %+v, %+v; want the offer's lapse, then %s", h.Items[n-2], h.Items[n-1], tt.closing)
				}
			}
			t.Run("at once", check)
			_, err := rw.svc.AcceptOffer(o.volunteer, o.offer.ID)
			if e := (*matcher.Error)(nil); code(err) != matcher.ECONFLICT || !asError(err, &e) || e.Message != "the offer is lapsed" {
				t.Fatalf("accepting the offer of a %s wish: %v; want 409 the offer is lapsed", tt.name, err)
			}
			// The volunteer is free for another wish.
			next := rw.wishAt("1980-01-01", 0, 20, 7*24*time.Hour)
			run := rw.round(matcher.MatchRunInput{DryRun: true})
			if len(run.Proposals) != 1 || run.Proposals[0].WishID != next.ID {
				t.Fatalf("the next round: proposals %+v, unmatched %+v; want the volunteer for %s", run.Proposals, run.Unmatched, next.ID)
			}
			rw.restart()
			t.Run("after a restart", check)
		})
	}
}

// TestOfferShowsTheRoundsCircle reads an offer as its volunteer and as
// the coordinator who approved it: circle_minutes is the proposal's
// walking circle (15 minutes, the configured one), never 0, before and
// after a restart; the claim made through it is not marked as made from
// beyond the circle.
func TestOfferShowsTheRoundsCircle(t *testing.T) {
	rw := mustRoundWorld(t)
	o := rw.mustOffer(7 * 24 * time.Hour)
	run, err := rw.svc.MatchRun(rw.coord, o.offer.RunID)
	if err != nil || len(run.Proposals) != 1 || run.Proposals[0].CircleMinutes != 15 {
		t.Fatalf("the round: %+v, %v; want one proposal within 15 minutes", run, err)
	}
	check := func(t *testing.T) {
		for who, ctx := range map[string]context.Context{"volunteer": o.volunteer, "coordinator": rw.coord} {
			got, err := rw.svc.GetOffer(ctx, o.offer.ID)
			if err != nil || got.Minutes != run.Proposals[0].CircleMinutes {
				t.Errorf("the offer as its %s reads it: %+v, %v; want circle_minutes %g", who, got, err, run.Proposals[0].CircleMinutes)
			}
			pg, err := rw.svc.Offers(ctx, matcher.OfferQuery{})
			if err != nil || len(pg.Items) != 1 || pg.Items[0].Minutes != 15 {
				t.Errorf("the %s's offers: %+v, %v; want one with circle_minutes 15", who, pg, err)
			}
		}
	}
	t.Run("at once", check)
	rw.restart()
	t.Run("after a restart", check)
	if _, err := rw.svc.AcceptOffer(o.volunteer, o.offer.ID); err != nil {
		t.Fatal(err)
	}
	h, _ := rw.svc.WishEvents(rw.coord, o.wish.ID)
	if e := h.Items[len(h.Items)-1]; e.Type != matcher.EventClaimed || e.Minutes != 0 {
		t.Fatalf("the claim through the offer: %+v; want one made within the configured circle", e)
	}
}
