package matcher

import (
	"context"
	"time"
)

// WithdrawConsent records that a resident withdrew consent, in one change:
// their personal data is hidden from every reader from then on, no wish is
// taken for them, and every wish of theirs not yet closed is closed with a
// consent_withdrawn event (its claimant loses the address). Their data is
// then erased at once, older log entries included, in the background (see
// runErasures), so the request does not wait for it. Social worker in
// scope, or admin.
func (s *Service) WithdrawConsent(ctx context.Context, id string) (*Resident, error) {
	p, _, err := s.allow(ctx, ResidentWithdraw, id)
	if err != nil {
		return nil, err
	}
	var out *Resident
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := s.residents.Get(id)
		if !ok {
			return nil, notFound()
		}
		if !cur.ConsentWithdrawnAt.IsZero() {
			out = cur
			return nil, nil
		}
		now := s.timestamp()
		r := *cur
		r.Record = r.Record.next(now)
		r.ConsentWithdrawnAt = now
		out = &r
		c := &Change{Records: []any{&r}}
		c.Events = s.closeWishesOf(id, p.Actor(), now)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	if out.ErasedAt.IsZero() {
		s.erasures.add(id)
	}
	return redactResident(out), nil
}

// closeWishesOf returns a consent_withdrawn event for every wish of the
// resident that is not closed yet, each after the lapse of the offer
// pending on it.
func (s *Service) closeWishesOf(resident string, actor Actor, now time.Time) []*Event {
	var out []*Event
	for _, id := range s.byResident.of(resident) {
		if st := s.ledger.state(id); !st.terminal() {
			out = append(out, s.closing(id, st, EventConsentWithdrawn, actor, now)...)
		}
	}
	return out
}
