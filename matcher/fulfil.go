package matcher

import (
	"context"
	"time"
)

// FulfilmentInput is a claimant's report of what was done.
type FulfilmentInput struct {
	Note   string    `json:"note"`
	DoneAt time.Time `json:"done_at,omitzero"`
	Hours  []Hours   `json:"hours,omitempty"`
}

func (in *FulfilmentInput) validate(claimant Party) error {
	if err := checkText("note", in.Note, maxText, true); err != nil {
		return err
	}
	if len(in.Hours) > maxList {
		return Invalid("hours", "must have at most %d entries", maxList)
	}
	for i, h := range in.Hours {
		f := fieldIndex("hours", i)
		switch {
		case checkID(f+".volunteer_id", h.VolunteerID, true) != nil:
			return checkID(f+".volunteer_id", h.VolunteerID, true)
		case !(h.Hours > 0 && h.Hours <= 100):
			return Invalid(f+".hours", "must be more than 0 and at most 100")
		case claimant.Kind == RoleVolunteer && h.VolunteerID != claimant.ID:
			return Invalid(f+".volunteer_id", "a volunteer logs only their own hours")
		}
		for j := range i {
			if in.Hours[j].VolunteerID == h.VolunteerID {
				return Invalid(f+".volunteer_id", "appears twice")
			}
		}
	}
	return nil
}

// Fulfil records that the active claimant met the wish: what was done,
// when (between the claim and now), and the hours each volunteer gave. The
// hours are credited when a social worker confirms.
func (s *Service) Fulfil(ctx context.Context, wishID string, in FulfilmentInput) (*Claim, error) {
	p, _, err := s.allow(ctx, WishFulfil, wishID)
	if err != nil {
		return nil, err
	}
	if err := in.validate(p.Party()); err != nil {
		return nil, err
	}
	for i, h := range in.Hours {
		if v, ok := s.volunteers.Get(h.VolunteerID); !ok || !mayCredit(p, v) {
			return nil, Invalid(fieldIndex("hours", i)+".volunteer_id",
				"is not a volunteer whose hours you may log: a volunteer logs their own, an organisation its members'")
		}
	}
	var e *Event
	_, err = s.commit(ctx, p, func() (*Change, error) {
		st := s.ledger.state(wishID)
		if err := mustHold(&st, p); err != nil {
			return nil, err
		}
		if st.status != StatusClaimed {
			return nil, notAllowed("report the fulfilment of", &st)
		}
		now := s.timestamp()
		done := in.DoneAt
		if done.IsZero() {
			done = now
		}
		if claimed, ok := s.claimStart(wishID, st.claimID); ok {
			if err := checkTime("done_at", done, claimed.Add(-time.Minute), now.Add(5*time.Minute), "between the claim and now"); err != nil {
				return nil, err
			}
		}
		e = st.follow(wishID, EventFulfilled, p.Actor(), now)
		e.Note, e.DoneAt, e.Hours = in.Note, done.UTC(), in.Hours
		return &Change{Events: []*Event{e}}, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// claimStart returns when the claim was made.
func (s *Service) claimStart(wishID, claimID string) (time.Time, bool) {
	for _, e := range s.ledger.events(wishID) {
		if e.Type == EventClaimed && e.ClaimID == claimID {
			return e.At, true
		}
	}
	return time.Time{}, false
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
