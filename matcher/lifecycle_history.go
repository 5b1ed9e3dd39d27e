package matcher

import "context"

// History is a wish's events, oldest first.
type History struct {
	Items []*Event `json:"items"`
}

// WishEvents returns the whole history of a wish: its creation, then every
// stored event. Staff who may see the wish and every party that has ever
// claimed it may read it.
func (s *Service) WishEvents(ctx context.Context, wishID string) (*History, error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	w, err := get(ctx, s.store.Wishes(), wishID, func(*Wish) bool { return true })
	if err != nil {
		return nil, err
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
	if !s.canSeeHistory(p, w, h) {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	return h, nil
}

// canSeeHistory tells whether p is staff who may see w, or a claimant
// named in its history.
func (s *Service) canSeeHistory(p Principal, w *Wish, h *History) bool {
	if IsStaff(p.Role) {
		return s.canSeeWish(p, w)
	}
	for _, e := range h.Items {
		if e.Claimant != nil && *e.Claimant == p.Party() {
			return true
		}
	}
	return false
}
