package matcher

import (
	"context"
	"slices"
)

// Confirmation outcomes.
const (
	OutcomeConfirmed = "confirmed"
	OutcomeDisputed  = "disputed"
)

// ConfirmationInput is a social worker's verdict, for the resident, on a
// reported fulfilment.
type ConfirmationInput struct {
	Outcome string `json:"outcome"`
	Rating  int    `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
}

func (in *ConfirmationInput) validate() error {
	switch in.Outcome {
	case OutcomeConfirmed:
		if in.Rating < 1 || in.Rating > 5 {
			return Invalid("rating", "must be 1 to 5")
		}
	case OutcomeDisputed:
		if in.Rating != 0 && (in.Rating < 1 || in.Rating > 5) {
			return Invalid("rating", "must be 1 to 5")
		}
	case "":
		return Invalid("outcome", "is required")
	default:
		return Invalid("outcome", "must be confirmed or disputed")
	}
	return checkText("comment", in.Comment, maxText, in.Outcome == OutcomeDisputed)
}

// Confirm records the resident's verdict on a fulfilled wish: confirmed
// credits the hours and the rating; disputed gives the claim back to its
// claimant, with a new due time and the comment. Social workers in scope
// only.
func (s *Service) Confirm(ctx context.Context, wishID string, in ConfirmationInput) (*Claim, error) {
	p, _, err := s.allow(ctx, WishConfirm, wishID)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var e *Event
	_, err = s.commit(ctx, p, func() (*Change, error) {
		st := s.ledger.state(wishID)
		if st.status != StatusFulfilled {
			return nil, notAllowed("confirm", &st)
		}
		now := s.timestamp()
		if in.Outcome == OutcomeDisputed {
			e = st.follow(wishID, EventDisputed, p.Actor(), now)
			e.Note, e.Rating, e.DueAt = in.Comment, in.Rating, now.Add(s.claimTTL(st.category))
			return &Change{Events: []*Event{e}}, nil
		}
		fulfilled, ok := s.ledger.event(wishID, st.seq)
		if !ok {
			return nil, Errorf(EINTERNAL, "wish %s: the fulfilment event %d is missing", wishID, st.seq)
		}
		e = st.follow(wishID, EventConfirmed, p.Actor(), now)
		e.Note, e.Rating = in.Comment, in.Rating
		e.DoneAt, e.Hours = fulfilled.DoneAt, slices.Clone(fulfilled.Hours)
		return &Change{Events: []*Event{e}}, nil
	})
	if err != nil {
		return nil, err
	}
	return claimOf(e), nil
}

// CancelInput says why a wish is withdrawn from matching.
type CancelInput struct {
	Reason string `json:"reason,omitempty"`
}

// Cancel ends a wish that is open or claimed: nobody will fulfil it.
// Social workers in scope only.
func (s *Service) Cancel(ctx context.Context, wishID string, in CancelInput) (*Event, error) {
	p, _, err := s.allow(ctx, WishCancel, wishID)
	if err != nil {
		return nil, err
	}
	if err := checkText("reason", in.Reason, maxText, false); err != nil {
		return nil, err
	}
	var e *Event
	_, err = s.commit(ctx, p, func() (*Change, error) {
		st := s.ledger.state(wishID)
		if st.status != StatusOpen && st.status != StatusClaimed {
			return nil, notAllowed("cancel", &st)
		}
		events := s.closing(wishID, st, EventCancelled, p.Actor(), s.timestamp())
		e = events[len(events)-1]
		e.Note = in.Reason
		return &Change{Events: events}, nil
	})
	return e, err
}
