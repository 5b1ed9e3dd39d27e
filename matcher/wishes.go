package matcher

import "context"

// CreateWish records a resident's wish. Social worker of the resident's
// community only, and only for a resident with recorded consent.
func (s *Service) CreateWish(ctx context.Context, in WishInput) (*Wish, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	r, err := getFor(ctx, s.store.Residents(), in.ResidentID, p.SubjectID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Invalid("resident_id", "no resident of your community has id %q", in.ResidentID)
	}
	if err != nil {
		return nil, err
	}
	if r.Consent == nil || r.Consent.GivenAt.IsZero() {
		return nil, Invalid("resident_id", "the resident has no recorded consent")
	}
	if !r.ConsentWithdrawnAt.IsZero() || !r.ErasedAt.IsZero() {
		return nil, Invalid("resident_id", "the resident withdrew consent")
	}
	loc := *r.Location
	w := &Wish{
		ID:        NewID("wsh"),
		WishInput: in,
		Status:    StatusOpen,
		Location:  &loc,
		TenantID:  p.SubjectID,
		CreatedBy: p.Party(),
		Cell:      r.Cell,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := s.store.Wishes().Create(ctx, w); err != nil {
		return nil, err
	}
	s.cells.add(w.Cell)
	s.index.PutWish(w, r)
	return w, nil
}

// canSeeWish tells whether p sees the whole of w: admins, coordinators,
// social workers of its community, and its active claimant.
func (s *Service) canSeeWish(p Principal, w *Wish) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleCoordinator, RoleSocialWorker:
		return w.TenantID == p.SubjectID
	}
	st := s.wishes.state(w.ID)
	return st.claimant != nil && st.claimant.Kind == p.Role && st.claimant.ID == p.SubjectID
}

// GetWish returns the whole *Wish to staff and the active claimant, and a
// *PublicWish of an open wish to other suppliers.
func (s *Service) GetWish(ctx context.Context, id string) (any, error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	tenant := "" // others' open wishes are shown in public form
	if p.Role == RoleSocialWorker {
		tenant = p.SubjectID
	}
	w, err := getFor(ctx, s.store.Wishes(), id, tenant)
	if err != nil {
		return nil, err
	}
	w.Status = s.wishes.state(w.ID).status
	switch {
	case s.canSeeWish(p, w):
		if !IsStaff(p.Role) {
			w.Location = nil // the exact point is fetched separately, and audited
		}
		return w, nil
	case p.Role == RoleSocialWorker || w.Status != StatusOpen:
		return nil, Errorf(ENOTFOUND, "not found")
	default:
		return s.publicWish(w), nil
	}
}

// WishFilter narrows a list of wishes.
type WishFilter struct {
	Status string
}

// ListWishes pages through wishes: all of their community's for social
// workers, every wish for coordinators and admins, and open wishes in their
// public form for suppliers.
func (s *Service) ListWishes(ctx context.Context, f WishFilter, req PageRequest) (any, error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case "", StatusOpen, StatusClaimed, StatusFulfilled, StatusConfirmed, StatusCancelled, StatusExpired:
	default:
		return nil, Invalid("status", "must be open, claimed, fulfilled, confirmed, cancelled or expired")
	}
	staff := IsStaff(p.Role)
	if !staff {
		f.Status = StatusOpen
	}
	tenant := ""
	if p.Role == RoleSocialWorker || p.Role == RoleCoordinator {
		tenant = p.SubjectID
	}
	page, err := list(ctx, s, s.store.Wishes(), req, tenant, func(w *Wish) string { return w.ID }, func(w *Wish) bool {
		w.Status = s.wishes.state(w.ID).status
		return f.Status == "" || w.Status == f.Status
	})
	if err != nil || staff {
		return page, err
	}
	public := &Page[PublicWish]{Items: make([]*PublicWish, 0, len(page.Items)), Next: page.Next}
	for _, w := range page.Items {
		public.Items = append(public.Items, s.publicWish(w))
	}
	return public, nil
}

// UpdateWish replaces what a social worker may change on an open wish.
func (s *Service) UpdateWish(ctx context.Context, id string, in WishInput) (*Wish, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	w, err := getFor(ctx, s.store.Wishes(), id, p.SubjectID)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	if in.ResidentID != w.ResidentID {
		return nil, Invalid("resident_id", "cannot change; cancel the wish and record a new one")
	}
	if st := s.wishes.state(w.ID); st.status != StatusOpen {
		return nil, Errorf(ECONFLICT, "only an open wish can be changed; this one is %s", st.status)
	}
	w.WishInput, w.UpdatedAt = in, now
	if err := s.store.Wishes().Replace(ctx, w); err != nil {
		return nil, err
	}
	s.index.PutWish(w, nil)
	w.Status = StatusOpen
	return w, nil
}

// wishCreated is the first event of every wish, made from the wish itself.
func wishCreated(w *Wish) *Event {
	return &Event{ID: EventID(w.ID, 0), WishID: w.ID, Type: EventCreated, Actor: w.CreatedBy, At: w.CreatedAt}
}
