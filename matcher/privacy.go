package matcher

import (
	"context"
	"sync"
	"time"

	"github.com/linli/linli/geo"
)

// AuditAddressViewed is the audit action recorded each time someone reads
// a resident's exact address through a wish.
const AuditAddressViewed = "address_viewed"

// AuditRecord is one access to personal data, kept for accountability.
// Records are only ever inserted.
type AuditRecord struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Actor      Party     `json:"actor"`
	Action     string    `json:"action"`
	WishID     string    `json:"wish_id,omitempty"`
	ResidentID string    `json:"resident_id,omitempty"`
	TenantID   string    `json:"tenant_id,omitempty"`
}

// Aggregate is what remains of a wish once the retention job erased its
// personal data: enough for reports to count it, nothing that names anyone.
type Aggregate struct {
	WishID   string   `json:"wish_id"`
	TenantID string   `json:"tenant_id,omitempty"`
	Category string   `json:"category"`
	Cell     geo.Cell `json:"cell"`    // the coarse cell
	Month    string   `json:"month"`   // month the wish was created, "2026-05"
	Outcome  string   `json:"outcome"` // confirmed, cancelled or expired
	Rating   int      `json:"rating,omitempty"`
}

// PrivacyStore is what the privacy features need of a Store beyond Store:
// an insert-only audit log, the aggregates of purged wishes, and finding a
// key by its prefix. The MongoDB store has all three; a Store without them
// gets no address access, no retention and no key revocation, rather than
// unaudited or unrecorded ones.
type PrivacyStore interface {
	// Audit inserts r.
	Audit(ctx context.Context, r *AuditRecord) error
	// PutAggregate inserts a, keyed by its wish: ECONFLICT when the wish
	// already has one, so a purge counts each wish once on every store.
	PutAggregate(ctx context.Context, a *Aggregate) error
	// EachAggregate calls fn for every aggregate.
	EachAggregate(ctx context.Context, fn func(*Aggregate) error) error
	// KeyByPrefix returns the key shown as prefix, or ENOTFOUND.
	KeyByPrefix(ctx context.Context, prefix string) (*APIKey, error)
}

func (s *Service) privacyStore() (PrivacyStore, error) {
	ps, ok := s.store.(PrivacyStore)
	if !ok {
		return nil, Errorf(EUNAVAILABLE, "this store keeps no audit log")
	}
	return ps, nil
}

// cellCounts counts wishes per coarse cell and per every ancestor of it, so
// the cell shown of a wish can climb until it hides the wish among k.
// Counts only grow, and each replica counts the wishes it loaded and made:
// a replica that has not seen another's wishes shows a coarser cell, never
// a finer one.
type cellCounts struct {
	res int // the finest resolution shown
	mu  sync.RWMutex
	n   map[geo.Cell]int
}

// newCellCountsOf counts at the grid's coarse resolution (7 when there is
// no grid).
func newCellCountsOf(grid *geo.Grid) *cellCounts {
	res := geo.DefaultConfig().CoarseResolution
	if grid != nil {
		res = grid.Config().CoarseResolution
	}
	return &cellCounts{res: res, n: make(map[geo.Cell]int)}
}

func (c *cellCounts) add(cell geo.Cell) {
	if cell.Resolution() < c.res {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for r := c.res; r >= 0; r-- {
		c.n[geo.Parent(cell, r)]++
	}
}

// shown returns the coarse cell of cell, or its nearest ancestor, holding
// at least k wishes; resolution 0 when none does.
func (c *cellCounts) shown(cell geo.Cell, k int) geo.Cell {
	res := min(c.res, cell.Resolution())
	if res < 0 {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for r := res; r > 0; r-- {
		if p := geo.Parent(cell, r); c.n[p] >= k {
			return p
		}
	}
	return geo.Parent(cell, 0)
}

// loadCellCounts counts the stored wishes; Open calls it.
func (s *Service) loadCellCounts(ctx context.Context) error {
	return s.store.Wishes().Each(ctx, func(w *Wish) error {
		s.cells.add(w.Cell)
		return nil
	})
}

// publicCell is the cell a party without a claim may see of w.
func (s *Service) publicCell(w *Wish) geo.Cell {
	return s.cells.shown(w.Cell, s.cfg.KAnonymity)
}

// Address is where and whom an on-site wish's claimant goes to.
type Address struct {
	WishID   string    `json:"wish_id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"`
	Address  string    `json:"address,omitempty"`
	Location *Location `json:"location"`
}

// WishAddress returns the resident's name, phone, address and exact point
// to the active claimant of an on-site wish (and to the social workers of
// its community). Every call is audited before anything is returned; when
// the audit record cannot be written, nothing is returned.
func (s *Service) WishAddress(ctx context.Context, id string) (*Address, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleVolunteer, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	if id == "" || len(id) > 64 {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	var w *Wish
	if p.Role == RoleSocialWorker {
		w, err = s.store.Wishes().GetFor(ctx, id, p.SubjectID)
	} else {
		w, err = s.store.Wishes().Get(ctx, id)
		if err == nil && !s.isActiveClaimant(p, w.ID) {
			err = Errorf(ENOTFOUND, "not found")
		}
	}
	if err != nil {
		return nil, err
	}
	if !w.OnSite {
		return nil, Errorf(EFORBIDDEN, "the wish is not on site; its address is not shared")
	}
	r, err := s.store.Residents().GetFor(ctx, w.ResidentID, w.TenantID)
	if err != nil {
		return nil, err
	}
	if !r.ConsentWithdrawnAt.IsZero() || !r.ErasedAt.IsZero() {
		return nil, Errorf(EFORBIDDEN, "the resident's data is no longer shared")
	}
	ps, err := s.privacyStore()
	if err != nil {
		return nil, err
	}
	rec := &AuditRecord{
		ID: NewID("aud"), At: s.now().UTC(), Actor: p.Party(), Action: AuditAddressViewed,
		WishID: w.ID, ResidentID: r.ID, TenantID: w.TenantID,
	}
	if err := ps.Audit(ctx, rec); err != nil {
		return nil, err
	}
	return &Address{WishID: w.ID, Name: r.Name, Phone: r.Phone, Address: r.Address, Location: r.Location}, nil
}

// isActiveClaimant reports whether p holds the active claim on the wish,
// according to its events.
func (s *Service) isActiveClaimant(p Principal, wishID string) bool {
	st := s.wishes.state(wishID)
	if st.claimant == nil || st.claimant.Kind != p.Role || st.claimant.ID != p.SubjectID {
		return false
	}
	return st.status == StatusClaimed || st.status == StatusFulfilled
}

// WithdrawConsent records that a resident withdrew consent. From then on no
// wish is taken for them and their personal data is hidden from every
// reader; the retention job erases it once none of their wishes is open.
// Social worker of the resident's community, or admin.
func (s *Service) WithdrawConsent(ctx context.Context, id string) (*Resident, error) {
	p, err := authorize(ctx, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	r, err := getFor(ctx, s.store.Residents(), id, tenantOf(p))
	if err != nil {
		return nil, err
	}
	if r.ConsentWithdrawnAt.IsZero() {
		now := s.now().UTC()
		r.ConsentWithdrawnAt, r.UpdatedAt = now, now
		if err := s.store.Residents().Replace(ctx, r); err != nil {
			return nil, err
		}
	}
	return redactResident(r), nil
}

// redactResident returns r as readers see it: whole while consent holds,
// without any personal data once it was withdrawn or erased.
func redactResident(r *Resident) *Resident {
	if r.ConsentWithdrawnAt.IsZero() && r.ErasedAt.IsZero() {
		return r
	}
	c := *r
	c.ResidentInput = ResidentInput{Disabilities: []string{}}
	if r.Consent != nil {
		c.Consent = &Consent{GivenBy: r.Consent.GivenBy, Purpose: r.Consent.Purpose, GivenAt: r.Consent.GivenAt}
	}
	return &c
}

// getFor reads one entity of tenant ("" for any tenant, for admins). The
// tenant is part of the store's query. It returns ENOTFOUND for an id that
// is not a plausible one.
func getFor[T any](ctx context.Context, repo Repo[T], id, tenant string) (*T, error) {
	if id == "" || len(id) > 64 {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	if tenant == "" {
		return repo.Get(ctx, id)
	}
	return repo.GetFor(ctx, id, tenant)
}

// resourceInScope reports whether staff p may read r: admins always, other
// staff when its owner is in their tenant, and owners always. The owner's
// tenant is part of the store's query.
func (s *Service) resourceInScope(ctx context.Context, p Principal, r *Resource) bool {
	if p.Role == RoleAdmin || (r.Owner.Kind == p.Role && r.Owner.ID == p.SubjectID) {
		return true
	}
	var err error
	switch r.Owner.Kind {
	case RoleEnterprise:
		_, err = s.store.Enterprises().GetFor(ctx, r.Owner.ID, p.SubjectID)
	case RoleOrganisation:
		if r.Owner.ID == p.SubjectID {
			return true
		}
		_, err = s.store.Organisations().GetFor(ctx, r.Owner.ID, p.SubjectID)
	default:
		return false
	}
	return err == nil
}
