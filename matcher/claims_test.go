package matcher_test

import (
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// TestClaimRefusalTellsNothingOfAnUnreadableWish is a volunteer claiming
// wishes it may not read (GET answers 404) in every state but open:
// claimed, fulfilled and confirmed by an enterprise, cancelled, expired,
// withdrawn with its resident's consent. Each refusal is the 409 a race
// loser expects, with one text for all. The enterprise holding a claim
// and a supplier claiming an open wish offered to another, which both
// may read the wish, keep the precise texts.
func TestClaimRefusalTellsNothingOfAnUnreadableWish(t *testing.T) {
	rw := mustRoundWorld(t)
	offered := rw.mustOffer(7 * 24 * time.Hour)
	ent := rw.as(matcher.RoleEnterprise, rw.mustEnterprise(rw.coord, near(0, 30), "companionship").ID)
	prober := rw.as(matcher.RoleVolunteer, rw.volunteerAt(0, -30, 3).ID)
	wish := func(due time.Duration) string { return rw.wishAt("1980-01-01", 0, 0, due).ID }
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	claimed, fulfilled, confirmed := wish(72*time.Hour), wish(72*time.Hour), wish(72*time.Hour)
	for _, id := range []string{claimed, fulfilled, confirmed} {
		must(rw.svc.ClaimWish(ent, id))
	}
	for _, id := range []string{fulfilled, confirmed} {
		must(rw.svc.Fulfil(ent, id, matcher.FulfilmentInput{Note: "done"}))
	}
	must(rw.svc.Confirm(rw.social, confirmed, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 5}))
	cancelled := wish(72 * time.Hour)
	must(rw.svc.Cancel(rw.social, cancelled, matcher.CancelInput{}))
	withdrawn := rw.wishAt("1980-01-01", 0, 0, 72*time.Hour)
	must(rw.svc.WithdrawConsent(rw.social, withdrawn.ResidentID))
	expired := wish(time.Hour)
	rw.advance(2 * time.Hour)
	rw.svc.ExpireDue(t.Context())

	texts := map[string]string{}
	for state, id := range map[string]string{matcher.StatusClaimed: claimed, matcher.StatusFulfilled: fulfilled,
		matcher.StatusConfirmed: confirmed, matcher.StatusCancelled: cancelled, matcher.StatusExpired: expired,
		matcher.StatusWithdrawn: withdrawn.ID} {
		if got := statusOf(t, rw, rw.social, id); got != state {
			t.Fatalf("the %s wish is %s", state, got)
		}
		if _, err := rw.svc.GetWish(prober, id); code(err) != matcher.ENOTFOUND {
			t.Fatalf("the prober reading the %s wish: %v; want not found", state, err)
		}
		_, err := rw.svc.ClaimWish(prober, id)
		if code(err) != matcher.ECONFLICT {
			t.Fatalf("the prober claiming the %s wish: %v; want conflict", state, err)
		}
		texts[matcher.ErrorMessage(err)] = state
	}
	if len(texts) != 1 || texts["the wish is not open"] == "" {
		t.Fatalf("the refusals of wishes the prober may not read: %v; want the one text \"the wish is not open\"", texts)
	}

	for who, c := range map[string]struct {
		err  error
		want string
	}{
		"the holder": {second(rw.svc.ClaimWish(ent, claimed)), "you already hold claim"},
		"a supplier of a wish offered to another": {second(rw.svc.ClaimWish(prober, offered.wish.ID)), "offered to another supplier until"},
	} {
		if code(c.err) != matcher.ECONFLICT || !strings.Contains(matcher.ErrorMessage(c.err), c.want) {
			t.Errorf("%s claiming: %v; want conflict saying %q", who, c.err, c.want)
		}
	}
}

// second returns the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }
