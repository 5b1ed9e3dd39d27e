package matcher

import (
	"context"
	"fmt"
	"time"
)

// RuleMaxActiveClaims names the refusal of a claim by a volunteer who
// holds as many active claims as they may.
const RuleMaxActiveClaims = "max-active-claims"

// slotGrace is how long a slot whose claim is not (yet) active stays held:
// longer than any claim request takes between taking it and appending.
const slotGrace = 2 * time.Minute

// Slot is one of a volunteer's active-claim places, held by one claim.
type Slot struct {
	ID      string
	ClaimID string
	WishID  string
	TakenAt time.Time
}

func slotID(volunteerID string, k int) string { return fmt.Sprintf("%s/slot/%d", volunteerID, k) }

// maxActive returns the volunteer's limit of active claims.
func (s *Service) maxActive(ctx context.Context, volunteerID string) (int, error) {
	v, err := s.store.Volunteers().Get(ctx, volunteerID)
	if err != nil {
		return 0, err
	}
	if v.MaxActiveClaims > 0 {
		return v.MaxActiveClaims, nil
	}
	return s.cfg.DefaultMaxActiveClaims, nil
}

// takeSlot gives the claim one of a volunteer's free slots, by inserting
// its unique key, or returns EINELIGIBLE when all are held. Other
// claimants have no limit. A slot held by a claim that is over (its
// process stopped before giving it back) is taken back.
func (s *Service) takeSlot(ctx context.Context, claimant Party, claimID, wishID string) error {
	if claimant.Kind != RoleVolunteer {
		return nil
	}
	max, err := s.maxActive(ctx, claimant.ID)
	if err != nil {
		return err
	}
	slots := s.store.Slots()
	for k, retried := 1, false; k <= max; k++ {
		slot := &Slot{ID: slotID(claimant.ID, k), ClaimID: claimID, WishID: wishID, TakenAt: s.timestamp()}
		err := slots.Take(ctx, slot)
		if err == nil {
			return nil
		}
		if ErrorCode(err) != ECONFLICT {
			return err
		}
		stale, err := s.staleSlot(ctx, slot.ID)
		if err != nil {
			return err
		}
		if stale && !retried {
			k, retried = k-1, true // try the same slot once more
			continue
		}
		retried = false
	}
	return &Error{Code: EINELIGIBLE, Rule: RuleMaxActiveClaims,
		Message: fmt.Sprintf("The volunteer already holds %d active claims, their limit.", max)}
}

// staleSlot frees the slot id when the claim holding it is not active and
// the slot is older than slotGrace (a younger one may be about to get its
// claimed event), and reports whether it did.
func (s *Service) staleSlot(ctx context.Context, id string) (bool, error) {
	held, err := s.store.Slots().Get(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return true, nil // freed meanwhile
	}
	if err != nil {
		return false, err
	}
	st, err := s.catchUp(ctx, held.WishID)
	if err != nil {
		return false, err
	}
	if st.active() && st.claimID == held.ClaimID || s.now().Sub(held.TakenAt) < slotGrace {
		return false, nil
	}
	return true, s.store.Slots().Free(ctx, id, held.ClaimID)
}

// freeSlot gives back the slot the claim holds, if any. Slots above the
// limit (it was lowered) are looked at until the first free one.
func (s *Service) freeSlot(ctx context.Context, volunteerID, claimID string) error {
	max, err := s.maxActive(ctx, volunteerID)
	if err != nil {
		return err
	}
	for k := 1; ; k++ {
		held, err := s.store.Slots().Get(ctx, slotID(volunteerID, k))
		if ErrorCode(err) == ENOTFOUND {
			if k > max {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		if held.ClaimID == claimID {
			return s.store.Slots().Free(ctx, held.ID, claimID)
		}
	}
}
