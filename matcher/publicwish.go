package matcher

import "time"

// A wish as each reader sees it: the public form every supplier may see
// while it is open, and the detail only staff in scope and the active
// claimant see. What is in the public form is decided here and nowhere
// else.

// PublicWish is all of a wish that a party without a claim on it may see:
// no resident, no exact point, no free text that may name someone. Its
// cell is coarse and holds at least k residents' wishes.
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

// WishDetail is what staff in scope and the wish's active claimant see
// besides the public form. Location is for staff only; a claimant reads
// the resident's point through the audited address.
type WishDetail struct {
	ResidentID  string    `json:"resident_id"`
	Description string    `json:"description,omitempty"`
	NodeID      string    `json:"node_id"`
	Location    *Location `json:"location,omitempty"`
	Version     int       `json:"version"`
	CreatedBy   Actor     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ErasedAt    time.Time `json:"erased_at,omitzero"`
}

// WishView is a wish as its reader may see it: the public form for every
// reader, and the detail only for staff and the active claimant.
type WishView struct {
	PublicWish
	*WishDetail
}

// wishView returns w as p sees it: with the detail when full, the
// location only to staff; band, when not nil, is the walking band.
func (s *Service) wishView(p Principal, w *Wish, full bool, band *string) *WishView {
	v := &WishView{PublicWish: PublicWish{
		ID: w.ID, Category: w.Category, Title: w.Title, Needs: w.Needs, DueAt: w.DueAt, OnSite: w.OnSite,
		Status: s.ledger.status(w.ID), Cell: s.cells.Shown(w.Cell, s.cfg.KAnonymity).String(),
	}}
	v.Needs.Skills = orEmpty(v.Needs.Skills)
	if band != nil {
		v.WalkBand = *band
	}
	if full {
		v.WishDetail = &WishDetail{ResidentID: w.ResidentID, Description: w.Description, NodeID: w.NodeID,
			Version: w.Version, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, ErasedAt: w.ErasedAt}
		if IsStaff(p.Role) {
			v.Location = w.Location
		}
		if r, ok := s.residents.Get(w.ResidentID); ok && r.hidden() {
			v.Description, v.Location = "", nil
		}
	}
	return v
}
