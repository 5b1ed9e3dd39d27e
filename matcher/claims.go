package matcher

import (
	"context"
	"sync"
	"time"
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
	case EventCancelled:
		c.Status = ClaimCancelled
	default:
		c.Status = ClaimActive
	}
	return c
}

// keyedMutex serialises work per key, holding a lock only while used.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	refs int
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyedLock)
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
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
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleVolunteer)
	if err != nil {
		return nil, err
	}
	// Racers on this replica take turns; after the first wins, the others
	// learn it from the ledger without a store read.
	unlock := s.claiming.lock(wishID)
	defer unlock()
	if st := s.wishes.state(wishID); st.active() || st.terminal() {
		return nil, canClaim(&st, p.Party(), s.timestamp())
	}
	w, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true })
	if err != nil {
		return nil, err
	}
	if !s.timestamp().Before(w.DueAt) {
		return nil, Errorf(ECONFLICT, "the wish is past its due date")
	}
	e, err := s.claim(ctx, w, p.Party(), p.Party())
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// canClaim returns ECONFLICT unless claimant may claim a wish in state st
// at now: it is open and not reserved for someone else.
func canClaim(st *wishState, claimant Party, now time.Time) error {
	switch {
	case st.status == StatusClaimed && st.claimant != nil && *st.claimant == claimant:
		return Errorf(ECONFLICT, "you already hold claim %s on this wish", st.claimID)
	case st.status != StatusOpen:
		return Errorf(ECONFLICT, "the wish is %s, not open", st.status)
	case st.next != nil && *st.next != claimant && now.Before(st.nextUntil):
		return Errorf(ECONFLICT, "the wish is being reassigned")
	}
	return nil
}

// claim appends a claimed event for claimant: the one event at the wish's
// next seq decides the race, on every store and across replicas. A
// volunteer first takes one of their claim slots, given back when the
// append loses.
func (s *Service) claim(ctx context.Context, w *Wish, claimant, actor Party) (*Event, error) {
	now := s.timestamp()
	check := func(st *wishState) error { return canClaim(st, claimant, now) }
	if err := s.precheck(ctx, w.ID, check); err != nil {
		return nil, err
	}
	if _, err := s.Eligible(ctx, w, claimant); err != nil {
		return nil, err
	}
	claimID := NewID("clm")
	if err := s.takeSlot(ctx, claimant, claimID, w.ID); err != nil {
		return nil, err
	}
	return s.appendClaim(ctx, w, claimant, actor, claimID, now)
}

// appendClaim appends the claimed event of claimID, whose slot claimant
// already holds, and gives the slot back when the append loses or is
// refused.
func (s *Service) appendClaim(ctx context.Context, w *Wish, claimant, actor Party, claimID string, now time.Time) (*Event, error) {
	check := func(st *wishState) error { return canClaim(st, claimant, now) }
	due := now.Add(s.claimTTL(w.Category))
	e, err := s.transition(ctx, w.ID, func(st *wishState) (*Event, error) {
		if err := check(st); err != nil {
			return nil, err
		}
		return &Event{WishID: w.ID, Seq: st.seq + 1, Type: EventClaimed, Actor: actor, At: now,
			ClaimID: claimID, Claimant: &claimant, DueAt: due, Category: w.Category}, nil
	})
	if err != nil {
		s.giveBackSlot(ctx, claimant, claimID)
	}
	return e, err
}

// giveBackSlot frees the slot a volunteer took for claimID, logging a
// failure: a slot whose claim never became active is taken back later.
func (s *Service) giveBackSlot(ctx context.Context, claimant Party, claimID string) {
	if claimant.Kind != RoleVolunteer {
		return
	}
	if err := s.freeSlot(context.WithoutCancel(ctx), claimant.ID, claimID); err != nil {
		s.logger.Warn("free claim slot", "volunteer", claimant.ID, "claim", claimID, "err", err)
	}
}

// Withdraw ends the caller's own active claim; the wish is open again.
func (s *Service) Withdraw(ctx context.Context, wishID, claimID string) (*Claim, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleVolunteer)
	if err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true }); err != nil {
		return nil, err
	}
	now := s.timestamp()
	e, err := s.transition(ctx, wishID, func(st *wishState) (*Event, error) {
		if err := mustHold(st, p); err != nil {
			return nil, err
		}
		if st.claimID != claimID {
			return nil, Errorf(ECONFLICT, "claim %s is no longer active", claimID)
		}
		if st.status != StatusClaimed {
			return nil, notAllowed("withdraw from", st)
		}
		return st.follow(wishID, EventWithdrawn, p.Party(), now), nil
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
// event that reserves the wish for the new claimant, then its claimed
// event. The new claimant's eligibility and claim slot are settled before
// the released event, so a refusal writes nothing. Coordinators and
// admins only.
func (s *Service) Reassign(ctx context.Context, wishID string, in ReassignInput) (*Claim, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	switch in.Claimant.Kind {
	case RoleEnterprise, RoleOrganisation, RoleVolunteer:
	default:
		return nil, Invalid("claimant.kind", "must be enterprise, organisation or volunteer")
	}
	if err := checkText("note", in.Note, maxText, false); err != nil {
		return nil, err
	}
	w, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true })
	if err != nil {
		return nil, err
	}
	if _, err := s.Eligible(ctx, w, in.Claimant); ErrorCode(err) == ENOTFOUND {
		return nil, Invalid("claimant.id", "no %s has id %q", in.Claimant.Kind, in.Claimant.ID)
	} else if err != nil {
		return nil, err
	}
	now := s.timestamp()
	next := in.Claimant
	check := func(st *wishState) error {
		if st.status != StatusClaimed {
			return notAllowed("reassign", st)
		}
		if *st.claimant == next {
			return Errorf(ECONFLICT, "the wish is already claimed by that party")
		}
		return nil
	}
	// Everything that can refuse the new claimant runs before anything is
	// written: the state, their eligibility (above) and their claim slot.
	if err := s.precheck(ctx, wishID, check); err != nil {
		return nil, err
	}
	claimID := NewID("clm")
	if err := s.takeSlot(ctx, next, claimID, wishID); err != nil {
		return nil, err
	}
	_, err = s.transition(ctx, wishID, func(st *wishState) (*Event, error) {
		if err := check(st); err != nil {
			return nil, err
		}
		e := st.follow(wishID, EventReleased, p.Party(), now)
		e.Note, e.Next = in.Note, &next
		return e, nil
	})
	if err != nil {
		s.giveBackSlot(ctx, next, claimID)
		return nil, err
	}
	// Should this append lose, the wish is open, reserved for next a while.
	e, err := s.appendClaim(ctx, w, next, p.Party(), claimID, now)
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}
