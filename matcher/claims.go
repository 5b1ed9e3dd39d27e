package matcher

import (
	"context"
	"fmt"
	"time"

	"github.com/linli/linli/matcher/index"
)

// Claim statuses, from the last event of the claim.
const (
	ClaimActive    = "active"
	ClaimFulfilled = "fulfilled"
	ClaimConfirmed = "confirmed"
	ClaimReleased  = "released"
	ClaimExpired   = "expired"
	ClaimWithdrawn = "withdrawn"
	ClaimCancelled = "cancelled"
)

// RuleMaxActiveClaims names the refusal of a claim by a volunteer who
// holds as many active claims as they may.
const RuleMaxActiveClaims = "max-active-claims"

// Claim is a supplier's exclusive commitment to fulfil one wish by DueAt.
type Claim struct {
	ID       string    `json:"id"`
	WishID   string    `json:"wish_id"`
	Claimant Party     `json:"claimant"`
	Status   string    `json:"status"`
	DueAt    time.Time `json:"due_at"`
}

// claimOf returns the claim an event of it leaves behind.
func claimOf(e *Event) *Claim {
	c := &Claim{ID: e.ClaimID, WishID: e.WishID, DueAt: e.DueAt}
	if e.Claimant != nil {
		c.Claimant = *e.Claimant
	}
	switch e.Type {
	case EventFulfilled:
		c.Status = ClaimFulfilled
	case EventConfirmed:
		c.Status = ClaimConfirmed
	case EventReleased:
		c.Status = ClaimReleased
	case EventExpired:
		c.Status = ClaimExpired
	case EventWithdrawn:
		c.Status = ClaimWithdrawn
	case EventCancelled, EventConsentWithdrawn:
		c.Status = ClaimCancelled
	default:
		c.Status = ClaimActive
	}
	return c
}

// claimTTL returns how long a claim on a wish of the category lasts.
func (s *Service) claimTTL(category string) time.Duration {
	if d, ok := s.cfg.ClaimTTLByCategory[category]; ok && d > 0 {
		return d
	}
	return s.cfg.ClaimTTL
}

// ClaimWish makes the caller, an enterprise, organisation or volunteer,
// the wish's one claimant. It returns ECONFLICT when the wish is not open,
// EINELIGIBLE naming the rule when the caller may not serve it.
func (s *Service) ClaimWish(ctx context.Context, wishID string) (*Claim, error) {
	p, _, err := s.allow(ctx, WishClaim, wishID)
	if err != nil {
		return nil, err
	}
	if err := s.mayClaimAgain(p.Party()); err != nil {
		return nil, err
	}
	return s.claim(ctx, p, func() (string, Party, error) { return wishID, p.Party(), nil })
}

// RuleAddressWithdrawals names the refusal of a claim by a supplier that
// withdrew too many claims after reading the residents' addresses.
const RuleAddressWithdrawals = "address-withdrawals"

// mayClaimAgain refuses a claim of its own by a supplier that, within the
// window, withdrew (or let expire) as many claims as
// Config.AddressWithdrawals after reading the resident's address: claiming to read an address and letting
// go would otherwise harvest every nearby resident's name, phone and
// home. Offers approved by staff and reassignments are not stopped.
func (s *Service) mayClaimAgain(p Party) error {
	limit := s.cfg.AddressWithdrawals
	if limit <= 0 {
		return nil
	}
	if n := s.ledger.withdrawalsAfterAddress(p, s.now().Add(-s.cfg.AddressWithdrawalsWindow)); n >= limit {
		return &Error{Code: EINELIGIBLE, Rule: RuleAddressWithdrawals, Message: fmt.Sprintf(
			"You let go %d claims after reading the residents' addresses in the last %s; "+
				"until then, wishes come to you as offers or by a coordinator's reassignment.",
			n, s.cfg.AddressWithdrawalsWindow)}
	}
	return nil
}

// notOpen is the one refusal of a claim on a wish the caller may not
// read: whether it was taken, closed or given back, and how, is not the
// caller's to learn.
func notOpen() error { return Errorf(ECONFLICT, "the wish is not open") }

// claim commits the claimed event that makes p the claimant of the wish
// what names, on the whole log, serving it as the party what names too.
// A conflict on a wish p may not read (not open, and not p's) is told as
// notOpen alone.
func (s *Service) claim(ctx context.Context, p Principal, what func() (wishID string, server Party, err error)) (*Claim, error) {
	var e *Event
	_, err := s.commit(ctx, p, func() (*Change, error) {
		wishID, server, err := what()
		if err != nil {
			return nil, err
		}
		if e, err = s.claimEvent(wishID, p.Party(), server, p.Actor(), s.timestamp()); err != nil {
			if ErrorCode(err) == ECONFLICT && !s.may(p, WishRead, wishID) {
				return nil, notOpen()
			}
			return nil, err
		}
		return &Change{Events: []*Event{e}}, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// claimEvent returns the claimed event that makes claimant the wish's
// claimant at now, serving it as server (the claimant itself, or a
// resource of theirs), or why it may not be: the wish is not open, past
// due or offered to another (ECONFLICT), or server may not serve it
// (EINELIGIBLE). It runs under the store's lock, on the whole log.
func (s *Service) claimEvent(wishID string, claimant, server Party, actor Actor, now time.Time) (*Event, error) {
	w, ok := s.wishes.Get(wishID)
	if !ok {
		return nil, notFound()
	}
	st := s.ledger.state(wishID)
	switch {
	case st.heldBy(claimant):
		return nil, Errorf(ECONFLICT, "you already hold claim %s on this wish", st.claimID)
	case st.status != StatusOpen:
		return nil, Errorf(ECONFLICT, "the wish is %s, not open", st.status)
	case !now.Before(w.DueAt):
		return nil, Errorf(ECONFLICT, "the wish is past its due date")
	}
	offer := s.offers.pendingFor(wishID, now)
	if offer != nil && offer.Supplier != server {
		return nil, Errorf(ECONFLICT, "the wish is offered to another supplier until %s", offer.ExpiresAt.Format(time.RFC3339))
	}
	if err := s.mayServe(wishID, server, s.widened(wishID)); err != nil {
		return nil, err
	}
	e := &Event{WishID: wishID, Seq: st.seq + 1, Type: EventClaimed, Actor: actor, At: now,
		ClaimID: NewID("clm"), Claimant: &claimant, DueAt: now.Add(s.claimTTL(w.Category)), Category: w.Category}
	if server != claimant {
		e.Resource = server.ID
	}
	if r, ok := s.residents.Get(w.ResidentID); ok && !r.hidden() {
		facts := residentFactsAt(r, now)
		e.Groups = tagsOf(&facts)
	}
	e.ID = EventID(wishID, e.Seq)
	if offer != nil {
		e.Offer, e.Minutes = offer.ID, s.beyondCircle(offer.Minutes)
	}
	return e, nil
}

// RuleResourceQuantity names the refusal of a resource all of whose
// quantity is in use by active claims.
const RuleResourceQuantity = "resource-quantity"

// mayServe returns nil when claimant may take one more claim on the wish:
// eligible by the circle (widened to minutes when more than 0), the
// category and the rules, and, for a volunteer, below their limit of
// active claims, for a resource, with some of its quantity free.
func (s *Service) mayServe(wishID string, claimant Party, minutes float64) error {
	if _, err := s.eligible(wishID, claimant, minutes); err != nil {
		if ErrorCode(err) == ENOTFOUND && s.wishIndexed(wishID) {
			return Errorf(EFORBIDDEN, "the %s %s is not registered as a supplier of wishes", claimant.Kind, claimant.ID)
		}
		return err
	}
	if claimant.Kind == RoleVolunteer {
		v, _ := s.volunteers.Get(claimant.ID)
		if limit := s.allowance(v); s.ledger.activeClaims(claimant) >= limit {
			return &Error{Code: EINELIGIBLE, Rule: RuleMaxActiveClaims,
				Message: fmt.Sprintf("The volunteer already holds %d active claims, their limit.", limit)}
		}
	}
	if claimant.Kind == index.Resource {
		r, _ := s.resources.Get(claimant.ID)
		if s.ledger.activeClaims(claimant) >= r.Quantity {
			return &Error{Code: EINELIGIBLE, Rule: RuleResourceQuantity,
				Message: fmt.Sprintf("All %d of the resource are in use by active claims.", r.Quantity)}
		}
	}
	return nil
}

// Withdraw ends the caller's own active claim; the wish is open again.
func (s *Service) Withdraw(ctx context.Context, wishID, claimID string) (*Claim, error) {
	p, _, err := s.allow(ctx, WishWithdraw, wishID)
	if err != nil {
		return nil, err
	}
	var e *Event
	_, err = s.commit(ctx, p, func() (*Change, error) {
		st := s.ledger.state(wishID)
		if err := mustHold(&st, p); err != nil {
			return nil, err
		}
		if st.claimID != claimID {
			return nil, Errorf(ECONFLICT, "claim %s is not the wish's active claim", claimID)
		}
		if st.status != StatusClaimed {
			return nil, notAllowed("withdraw from", &st)
		}
		e = st.follow(wishID, EventWithdrawn, p.Actor(), s.timestamp())
		return &Change{Events: []*Event{e}}, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// ReassignInput names the party a coordinator gives a claimed wish to.
type ReassignInput struct {
	Claimant Party  `json:"claimant"`
	Note     string `json:"note,omitempty"`
}

// Reassign moves a claimed wish to another eligible claimant: a released
// event naming the new claimant, then its claimed event, in one change, so
// that a refusal writes nothing and a crash leaves both or neither.
// Coordinators in scope and admins only.
func (s *Service) Reassign(ctx context.Context, wishID string, in ReassignInput) (*Claim, error) {
	p, _, err := s.allow(ctx, WishReassign, wishID)
	if err != nil {
		return nil, err
	}
	switch in.Claimant.Kind {
	case RoleEnterprise, RoleOrganisation, RoleVolunteer:
	default:
		return nil, Invalid("claimant.kind", "must be enterprise, organisation or volunteer")
	}
	if err := checkID("claimant.id", in.Claimant.ID, true); err != nil {
		return nil, err
	}
	if err := checkText("note", in.Note, maxText, false); err != nil {
		return nil, err
	}
	var claimed *Event
	_, err = s.commit(ctx, p, func() (*Change, error) {
		st := s.ledger.state(wishID)
		if st.status != StatusClaimed {
			return nil, notAllowed("reassign", &st)
		}
		if *st.claimant == in.Claimant {
			return nil, Errorf(ECONFLICT, "the wish is already claimed by that party")
		}
		now := s.timestamp()
		released := st.follow(wishID, EventReleased, p.Actor(), now)
		next := in.Claimant
		released.Note, released.Next = in.Note, &next
		open := nextState(&st, released)
		if err := s.mayServe(wishID, next, s.widened(wishID)); err != nil {
			if ErrorCode(err) == EFORBIDDEN {
				return nil, Invalid("claimant.id", "no %s that serves wishes has id %q", next.Kind, next.ID)
			}
			return nil, err
		}
		w, _ := s.wishes.Get(wishID)
		claimed = &Event{WishID: wishID, Seq: open.seq + 1, Type: EventClaimed, Actor: p.Actor(), At: now,
			ClaimID: NewID("clm"), Claimant: &next, DueAt: now.Add(s.claimTTL(w.Category)), Category: w.Category}
		claimed.ID = EventID(wishID, claimed.Seq)
		return &Change{Events: []*Event{released, claimed}}, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(claimed), nil
}

// mustHold returns ECONFLICT when the wish has no active claim and
// EFORBIDDEN when p does not hold it.
func mustHold(st *wishState, p Principal) error {
	if !st.active() {
		return Errorf(ECONFLICT, "the wish has no active claim; it is %s", st.status)
	}
	if !st.heldBy(p.Party()) {
		return Errorf(EFORBIDDEN, "only the wish's claimant may do this")
	}
	return nil
}

// notAllowed is the ECONFLICT of a transition the wish's state forbids.
func notAllowed(action string, st *wishState) error {
	return Errorf(ECONFLICT, "cannot %s a wish that is %s", action, st.status)
}

// ClaimOf returns the claim an event id names as it is now, for
// replaying the answer to a claim: what the claim's last event made of
// it, so that a claim ended since (withdrawn, expired, its wish cancelled
// or its resident's consent withdrawn) does not read as active. It is
// ENOTFOUND when the id names no event.
func (s *Service) ClaimOf(eventID string) (*Claim, error) {
	e, ok := s.eventByID(eventID)
	if !ok {
		return nil, notFound()
	}
	if e.ClaimID == "" {
		return claimOf(e), nil
	}
	h := s.ledger.historyOf(e.WishID)
	for i := len(h) - 1; i >= e.Seq-1; i-- {
		if h[i].ClaimID == e.ClaimID && claimEvents[h[i].Type] {
			return claimOf(h[i]), nil
		}
	}
	return claimOf(e), nil
}

// claimEvents are the events that change a claim's status; the others
// (offers, circles, updates, moves) carry the claim without changing it.
var claimEvents = map[string]bool{
	EventClaimed: true, EventExpiryWarning: true, EventFulfilled: true, EventConfirmed: true, EventDisputed: true,
	EventReleased: true, EventExpired: true, EventWithdrawn: true, EventCancelled: true, EventConsentWithdrawn: true,
}

// wishIndexed reports whether the index holds the wish.
func (s *Service) wishIndexed(id string) bool {
	_, ok := s.index.Wish(id)
	return ok
}
