package matcher

import (
	"context"
	"time"
)

// CreateResident records a resident and their consent. Social worker only;
// the resident belongs to the social worker's community or organisation.
func (s *Service) CreateResident(ctx context.Context, in ResidentInput) (*Resident, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	r := &Resident{ID: NewID("rsd"), ResidentInput: in, TenantID: p.SubjectID, CreatedAt: now, UpdatedAt: now}
	r.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Residents().Create(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// GetResident returns a resident to a social worker of their community or
// an admin.
func (s *Service) GetResident(ctx context.Context, id string) (*Resident, error) {
	p, err := authorize(ctx, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	r, err := getFor(ctx, s.store.Residents(), id, tenantOf(p))
	if err != nil {
		return nil, err
	}
	return redactResident(r), nil
}

// ListResidents pages through the caller's community's residents.
func (s *Service) ListResidents(ctx context.Context, req PageRequest) (*Page[Resident], error) {
	p, err := authorize(ctx, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	page, err := list(ctx, s, s.store.Residents(), req, tenantOf(p), func(r *Resident) string { return r.ID }, nil)
	if err != nil {
		return nil, err
	}
	for i, r := range page.Items {
		page.Items[i] = redactResident(r)
	}
	return page, nil
}

// UpdateResident replaces what a social worker may set on a resident.
func (s *Service) UpdateResident(ctx context.Context, id string, in ResidentInput) (*Resident, error) {
	p, err := authorize(ctx, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	r, err := getFor(ctx, s.store.Residents(), id, p.SubjectID)
	if err != nil {
		return nil, err
	}
	if !r.ConsentWithdrawnAt.IsZero() || !r.ErasedAt.IsZero() {
		return nil, Errorf(ECONFLICT, "the resident withdrew consent or their data was erased; record consent anew as a new resident")
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	r.ResidentInput, r.UpdatedAt = in, now
	r.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Residents().Replace(ctx, r); err != nil {
		return nil, err
	}
	s.index.PutResident(r)
	return r, nil
}

// PublicWish is all of a wish that a party without a claim on it may see:
// no resident, no exact point, no free text that may name someone.
type PublicWish struct {
	ID       string    `json:"id"`
	Category string    `json:"category"`
	Title    string    `json:"title"`
	Needs    Needs     `json:"needs"`
	DueAt    time.Time `json:"due_at"`
	OnSite   bool      `json:"on_site"`
	Status   string    `json:"status"`
	Cell     string    `json:"cell"`
	WalkBand string    `json:"walk_band,omitempty"`
}

func (s *Service) publicWish(w *Wish) *PublicWish {
	return &PublicWish{
		ID:       w.ID,
		Category: w.Category,
		Title:    w.Title,
		Needs:    w.Needs,
		DueAt:    w.DueAt,
		OnSite:   w.OnSite,
		Status:   w.Status,
		Cell:     s.publicCell(w).String(),
	}
}
