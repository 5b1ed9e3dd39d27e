package matcher

import "context"

// History is a wish's events, oldest first.
type History struct {
	Items []*Event `json:"items"`
}

// WishEvents returns the whole history of a wish: its creation, then every
// stored event. Staff who may see the wish and every party that has ever
// claimed it may read it. Access is decided before any event is read, so
// others get ENOTFOUND having made the store do nothing on their behalf.
func (s *Service) WishEvents(ctx context.Context, wishID string) (*History, error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	w, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true })
	if err != nil {
		return nil, err
	}
	if !s.canSeeHistory(p, w) {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	h := &History{Items: []*Event{wishCreated(w)}}
	for seq := 1; ; seq++ {
		e, err := s.store.Events().Get(ctx, wishID, seq)
		if ErrorCode(err) == ENOTFOUND {
			break
		}
		if err != nil {
			return nil, err
		}
		s.wishes.apply(e)
		h.Items = append(h.Items, e)
	}
	return h, nil
}

// canSeeHistory tells whether p is staff who may see w, or a party the
// ledger knows as a claimant of w, now or before.
func (s *Service) canSeeHistory(p Principal, w *Wish) bool {
	if IsStaff(p.Role) {
		return s.canSeeWish(p, w)
	}
	return s.wishes.hasClaimed(w.ID, p.Party())
}
