package matcher

import (
	"context"
	"time"
)

// maxAttempts bounds how often a transition re-decides after losing a race
// for the next event of a wish.
const maxAttempts = 8

// decision returns the event a transition appends from the wish's state,
// or why the transition is not allowed from it.
type decision func(st *wishState) (*Event, error)

// transition appends the event decide makes from the wish's state at seq
// n+1. Losing that key to another request or replica means the wish moved
// first: the state is caught up from the store and decided again. A refusal
// with ECONFLICT or EFORBIDDEN is also decided again once on the store's
// latest state, so a lagging ledger cannot refuse what the store allows. Nothing is written
// when the transition is refused.
func (s *Service) transition(ctx context.Context, wishID string, decide decision) (*Event, error) {
	st := s.wishes.state(wishID)
	caughtUp := false
	for range maxAttempts {
		e, err := decide(&st)
		if err == nil {
			err = s.store.Events().Append(ctx, e)
			if err == nil {
				s.wishes.apply(e)
				s.claimEnded(ctx, &st, e)
				return e, nil
			}
		}
		if code := ErrorCode(err); e == nil && (caughtUp || (code != ECONFLICT && code != EFORBIDDEN)) ||
			e != nil && code != ECONFLICT {
			return nil, err
		}
		if st, err = s.catchUp(ctx, wishID); err != nil {
			return nil, err
		}
		caughtUp = true
	}
	return nil, Errorf(ECONFLICT, "the wish keeps changing; try again")
}

// precheck tells whether check allows a transition from the wish's state,
// catching up from the store before saying no.
func (s *Service) precheck(ctx context.Context, wishID string, check func(st *wishState) error) error {
	st := s.wishes.state(wishID)
	err := check(&st)
	if code := ErrorCode(err); code != ECONFLICT && code != EFORBIDDEN {
		return err
	}
	if st, err = s.catchUp(ctx, wishID); err != nil {
		return err
	}
	return check(&st)
}

// claimEnded frees the volunteer's claim slot when e ended the claim that
// prev had. A failure is only logged: a slot whose claim is over is taken
// back by the next claim that finds it.
func (s *Service) claimEnded(ctx context.Context, prev *wishState, e *Event) {
	if !prev.active() || prev.claimant.Kind != RoleVolunteer {
		return
	}
	if st := nextState(prev, e); st.active() && st.claimID == prev.claimID {
		return
	}
	if err := s.freeSlot(context.WithoutCancel(ctx), prev.claimant.ID, prev.claimID); err != nil {
		s.logger.Warn("free claim slot", "volunteer", prev.claimant.ID, "claim", prev.claimID, "err", err)
	}
}

// notAllowed is the ECONFLICT of a transition the wish's state forbids.
func notAllowed(action string, st *wishState) error {
	return Errorf(ECONFLICT, "cannot %s a wish that is %s", action, st.status)
}

// staffWish reads the wish and checks that p may act on it as staff: admins,
// coordinators and the social workers of its community.
func (s *Service) staffWish(ctx context.Context, p Principal, id string) (*Wish, error) {
	return get(ctx, s.store.Wishes(), id, func(w *Wish) bool {
		return p.Role == RoleAdmin || p.Role == RoleCoordinator || w.TenantID == p.SubjectID
	})
}

// FulfilmentInput is a claimant's report of what was done.
type FulfilmentInput struct {
	Note   string    `json:"note"`
	DoneAt time.Time `json:"done_at,omitzero"`
	Hours  []Hours   `json:"hours,omitempty"`
}

func (in *FulfilmentInput) validate(now time.Time, claimant Party) error {
	if err := checkText("note", in.Note, maxText, true); err != nil {
		return err
	}
	if in.DoneAt.After(now.Add(5 * time.Minute)) {
		return Invalid("done_at", "must not be in the future")
	}
	if len(in.Hours) > maxList {
		return Invalid("hours", "must have at most %d entries", maxList)
	}
	seen := map[string]bool{}
	for i, h := range in.Hours {
		f := fieldIndex("hours", i)
		switch {
		case h.VolunteerID == "" || len(h.VolunteerID) > 64:
			return Invalid(f+".volunteer_id", "is required")
		case seen[h.VolunteerID]:
			return Invalid(f+".volunteer_id", "appears twice")
		case !(h.Hours > 0 && h.Hours <= 100):
			return Invalid(f+".hours", "must be more than 0 and at most 100")
		case claimant.Kind == RoleVolunteer && h.VolunteerID != claimant.ID:
			return Invalid(f+".volunteer_id", "a volunteer logs only their own hours")
		}
		seen[h.VolunteerID] = true
	}
	return nil
}

// Fulfil records that the active claimant met the wish: what was done,
// when, and the hours each volunteer gave. The hours are credited when a
// social worker confirms.
func (s *Service) Fulfil(ctx context.Context, wishID string, in FulfilmentInput) (*Claim, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleVolunteer)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(now, p.Party()); err != nil {
		return nil, err
	}
	if in.DoneAt.IsZero() {
		in.DoneAt = now
	}
	for i, h := range in.Hours {
		v, err := s.store.Volunteers().Get(ctx, h.VolunteerID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !mayCredit(p, v)) {
			return nil, Invalid(fieldIndex("hours", i)+".volunteer_id",
				"is not a volunteer whose hours you may log: a volunteer logs their own, an organisation its members'")
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true }); err != nil {
		return nil, err
	}
	e, err := s.transition(ctx, wishID, func(st *wishState) (*Event, error) {
		if err := mustHold(st, p); err != nil {
			return nil, err
		}
		if st.status != StatusClaimed {
			return nil, notAllowed("report the fulfilment of", st)
		}
		e := st.follow(wishID, EventFulfilled, p.Party(), now)
		e.Note, e.DoneAt, e.Hours = in.Note, in.DoneAt.UTC(), in.Hours
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// mayCredit reports whether claimant p may log hours for volunteer v: a
// volunteer their own, an organisation its members'. Enterprises give
// goods and services, not volunteers' hours. One answer for "no such
// volunteer" and "not yours", so ids of others cannot be probed.
func mayCredit(p Principal, v *Volunteer) bool {
	switch p.Role {
	case RoleVolunteer:
		return v.ID == p.SubjectID
	case RoleOrganisation:
		return v.OrganisationID == p.SubjectID
	default:
		return false
	}
}

// mustHold returns ECONFLICT when the wish has no active claim and
// EFORBIDDEN when p does not hold it.
func mustHold(st *wishState, p Principal) error {
	if !st.active() {
		return Errorf(ECONFLICT, "the wish has no active claim; it is %s", st.status)
	}
	if *st.claimant != p.Party() {
		return Errorf(EFORBIDDEN, "only the wish's claimant may do this")
	}
	return nil
}
