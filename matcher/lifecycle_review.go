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
// claimant, with a new due time and the comment. Social workers of the
// wish's community only.
func (s *Service) Confirm(ctx context.Context, wishID string, in ConfirmationInput) (*Claim, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	w, err := s.staffWish(ctx, p, wishID)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	var fulfilled *Event
	e, err := s.transition(ctx, wishID, func(st *wishState) (*Event, error) {
		if st.status != StatusFulfilled {
			return nil, notAllowed("confirm", st)
		}
		if in.Outcome == OutcomeDisputed {
			e := st.follow(wishID, EventDisputed, p.Party(), now)
			e.Note, e.Rating, e.DueAt = in.Comment, in.Rating, now.Add(s.claimTTL(w.Category))
			return e, nil
		}
		if fulfilled == nil || fulfilled.Seq != st.seq {
			var err error
			if fulfilled, err = s.store.Events().Get(ctx, wishID, st.seq); err != nil {
				return nil, err
			}
		}
		e := st.follow(wishID, EventConfirmed, p.Party(), now)
		e.Note, e.Rating = in.Comment, in.Rating
		e.DoneAt, e.Hours = fulfilled.DoneAt, slices.Clone(fulfilled.Hours)
		return e, nil
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
// Social workers of its community only.
func (s *Service) Cancel(ctx context.Context, wishID string, in CancelInput) (*Event, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	if err := checkText("reason", in.Reason, maxText, false); err != nil {
		return nil, err
	}
	if _, err := s.staffWish(ctx, p, wishID); err != nil {
		return nil, err
	}
	now := s.timestamp()
	return s.transition(ctx, wishID, func(st *wishState) (*Event, error) {
		if st.status != StatusOpen && st.status != StatusClaimed {
			return nil, notAllowed("cancel", st)
		}
		e := st.follow(wishID, EventCancelled, p.Party(), now)
		e.Note = in.Reason
		return e, nil
	})
}
