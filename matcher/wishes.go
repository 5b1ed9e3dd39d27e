package matcher

import (
	"context"
	"slices"
	"time"

	"github.com/linli/linli/geo"
)

// Needs lists what a supplier must bring to a wish.
type Needs struct {
	Skills []string `json:"skills"`
	Items  []string `json:"items,omitempty"`
}

// WishInput is what a social worker may set on a wish.
type WishInput struct {
	ResidentID  string    `json:"resident_id"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Needs       Needs     `json:"needs"`
	DueAt       time.Time `json:"due_at"`
	OnSite      bool      `json:"on_site,omitempty"`
	// AllowDuplicate records a wish although the resident has an open one
	// of the same category: the social worker means both.
	AllowDuplicate bool `json:"allow_duplicate,omitempty"`
}

// Wish is a small, concrete request for one resident. Location is the
// resident's exact point when the wish was made: only staff see it.
type Wish struct {
	Record
	WishInput
	NodeID   string    `json:"node_id"` // the resident's
	Location *Location `json:"location,omitempty"`
	Cell     geo.Cell  `json:"-"`
	// ErasedAt is when the retention job erased the wish's free text and
	// exact point; its category, cell and history remain.
	ErasedAt time.Time `json:"erased_at,omitzero"`
}

func (w *Wish) node() string { return w.NodeID }

func (in *WishInput) validate(c *Catalog, now time.Time, maxDue time.Duration) error {
	if err := checkID("resident_id", in.ResidentID, true); err != nil {
		return err
	}
	if err := checkCategory("category", in.Category, c); err != nil {
		return err
	}
	if err := checkLine("title", in.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("description", in.Description, maxText, false); err != nil {
		return err
	}
	if err := checkTokens("needs.skills", in.Needs.Skills, nil); err != nil {
		return err
	}
	if len(in.Needs.Items) > maxList {
		return Invalid("needs.items", "must have at most %d entries", maxList)
	}
	for i, item := range in.Needs.Items {
		if err := checkLine(fieldIndex("needs.items", i), item, maxTitle, true); err != nil {
			return err
		}
	}
	if in.DueAt.IsZero() {
		return Invalid("due_at", "is required, a time like 2026-12-24T18:00:00+08:00")
	}
	return checkTime("due_at", in.DueAt, now, now.Add(maxDue), "in the future, within a year")
}

// DuplicateWindow is how recent an open wish of the same resident and
// category must be for a new one to be refused as its duplicate.
const DuplicateWindow = 30 * 24 * time.Hour

// CreateWish records a resident's wish. Social worker in scope of the
// resident only, and only while the resident's consent holds. A wish for
// the same resident and category as one open and made within
// DuplicateWindow is refused with ECONFLICT naming it, unless
// allow_duplicate is set.
func (s *Service) CreateWish(ctx context.Context, in WishInput) (*WishView, error) {
	p, now, err := s.wishInput(ctx, WishCreate, "", &in)
	if err != nil {
		return nil, err
	}
	var w *Wish
	_, err = s.commit(ctx, p, func() (*Change, error) {
		made, err := s.wishFor(p, in, now)
		if err != nil {
			return nil, err
		}
		if dup := s.openDuplicate(in.ResidentID, in.Category, now); dup != "" && !in.AllowDuplicate {
			return nil, &Error{Code: ECONFLICT, Field: "allow_duplicate",
				Message: "the resident has an open wish of this category already: " + dup + "; set allow_duplicate to record both"}
		}
		w = made
		return &Change{Records: []any{w}}, nil
	})
	if err != nil {
		return nil, err
	}
	return s.wishView(p, w, true, nil), nil
}

// wishFor builds a new wish of in at now for its resident, who must be
// in p's scope and whose consent must hold: the wish is the resident's
// node and point.
func (s *Service) wishFor(p Principal, in WishInput, now time.Time) (*Wish, error) {
	r, ok := s.residents.Get(in.ResidentID)
	if !ok || !s.reachableNode(p, r.NodeID) {
		return nil, Invalid("resident_id", "no resident in your scope has id %q", in.ResidentID)
	}
	if r.hidden() {
		return nil, Invalid("resident_id", "the resident withdrew consent")
	}
	loc := *r.Location
	return &Wish{Record: newRecord("wsh", p, now), WishInput: in, NodeID: r.NodeID, Location: &loc, Cell: r.Cell}, nil
}

// openDuplicate returns an open wish of the resident in the category made
// within DuplicateWindow of now, or "".
func (s *Service) openDuplicate(resident, category string, now time.Time) string {
	for _, id := range s.byResident.of(resident) {
		w, ok := s.wishes.Get(id)
		if ok && w.Category == category && s.ledger.status(id) == StatusOpen && now.Sub(w.CreatedAt) < DuplicateWindow {
			return id
		}
	}
	return ""
}

// GetWish returns a wish whole to staff in scope and to its active
// claimant, and in its public form to other suppliers while it is open.
func (s *Service) GetWish(ctx context.Context, id string) (*WishView, error) {
	p, reach, err := s.allow(ctx, WishRead, id)
	if err != nil {
		return nil, err
	}
	w, ok := s.wishes.Get(id)
	if !ok {
		return nil, notFound()
	}
	return s.wishView(p, w, reach != OpenWish, nil), nil
}

// WishFilter narrows a list of wishes.
type WishFilter struct {
	Status   string
	Category string
	// Cell is an H3 cell: wishes in it or below it. For suppliers it is
	// matched against the cell a wish shows them (coarse, see
	// WishView.Cell), never its stored one, so that filtering by finer
	// cells tells them no more of where the resident is than the listing
	// shows.
	Cell      string
	Node      string // a node of the caller's subtree (staff)
	DueBefore time.Time
	DueAfter  time.Time
	Near      string // "LAT,LNG": suppliers only, see nearWishes
}

// ListWishes pages through wishes: those in the caller's scope, whole, for
// staff; for suppliers the open ones, in public form, near a point with
// Near. Every filter applies to both.
func (s *Service) ListWishes(ctx context.Context, f WishFilter, req PageRequest) (*Page[WishView], error) {
	p, _, err := s.allow(ctx, WishList, "")
	if err != nil {
		return nil, err
	}
	keep, err := s.wishFilter(p, f)
	if err != nil {
		return nil, err
	}
	if f.Near != "" {
		return s.nearWishes(p, f.Near, keep, req)
	}
	staff := IsStaff(p.Role)
	nodes := s.scopeNodes(p)
	switch {
	case !staff:
		nodes = nil
	case f.Node != "":
		nodes = s.tree.subtree(f.Node)
	}
	pg, err := page(s, req, s.lists.wishes, s.wishes, nodes, keep)
	if err != nil {
		return nil, err
	}
	out := &Page[WishView]{Items: make([]*WishView, len(pg.Items)), Next: pg.Next}
	for i, w := range pg.Items {
		out.Items[i] = s.wishView(p, w, staff, nil)
	}
	return out, nil
}

// wishFilter checks f for p and returns whether a wish passes it. A
// supplier's list holds open wishes only, whatever it asks.
func (s *Service) wishFilter(p Principal, f WishFilter) (func(*Wish) bool, error) {
	staff := IsStaff(p.Role)
	switch {
	case f.Near != "" && !isSupplier(p.Role):
		return nil, Invalid("near", "is for suppliers: staff list the wishes of their scope")
	case f.Status != "" && !slices.Contains(statuses, f.Status):
		return nil, Invalid("status", "must be one of open, claimed, fulfilled, confirmed, cancelled, expired or withdrawn")
	case !staff && f.Status != "" && f.Status != StatusOpen:
		return nil, Invalid("status", "suppliers list open wishes only")
	case f.Category != "" && !s.cfg.Catalog.hasCategory(f.Category):
		return nil, Invalid("category", "%q is not a category", f.Category)
	case f.Node != "" && !staff:
		return nil, Invalid("node", "is a filter for staff: suppliers list the open wishes they may serve, by cell or near a point")
	case f.Node != "" && !s.reachableNode(p, f.Node):
		return nil, Invalid("node", "no node in your scope has id %q", f.Node)
	}
	var cell geo.Cell
	if f.Cell != "" {
		c, err := geo.ParseCell(f.Cell)
		if err != nil {
			return nil, Invalid("cell", "is not an H3 cell")
		}
		cell = c
	}
	if !staff {
		f.Status = StatusOpen
	}
	inCell := func(w *Wish) bool {
		at := w.Cell
		if !staff {
			at = s.cells.Shown(w.Cell, s.cfg.KAnonymity)
		}
		return at.Resolution() >= cell.Resolution() && geo.Parent(at, cell.Resolution()) == cell
	}
	return func(w *Wish) bool {
		switch {
		case f.Status != "" && s.ledger.status(w.ID) != f.Status,
			f.Category != "" && w.Category != f.Category,
			!f.DueBefore.IsZero() && !w.DueAt.Before(f.DueBefore),
			!f.DueAfter.IsZero() && w.DueAt.Before(f.DueAfter),
			cell != 0 && !inCell(w):
			return false
		}
		return true
	}, nil
}

// UpdateWish replaces what a social worker may change on an open wish. The
// change is an updated event, so it cannot slip in under a claim made at
// the same time: one of them is decided first.
func (s *Service) UpdateWish(ctx context.Context, id string, in WishInput) (*WishView, error) {
	p, now, err := s.wishInput(ctx, WishUpdate, id, &in)
	if err != nil {
		return nil, err
	}
	var w *Wish
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := s.wishes.Get(id)
		if !ok {
			return nil, notFound()
		}
		if in.ResidentID != cur.ResidentID {
			return nil, Invalid("resident_id", "cannot change; cancel the wish and record a new one")
		}
		st := s.ledger.state(id)
		if st.status != StatusOpen {
			return nil, Errorf(ECONFLICT, "only an open wish can be changed; this one is %s", st.status)
		}
		c := *cur
		w = &c
		w.WishInput, w.Record = in, w.Record.next(now)
		return &Change{Records: []any{w}, Events: []*Event{st.follow(id, EventUpdated, p.Actor(), now)}}, nil
	})
	if err != nil {
		return nil, err
	}
	return s.wishView(p, w, true, nil), nil
}

// wishInput decides that the caller may do a on the wish id ("" for
// none) and validates in for now.
func (s *Service) wishInput(ctx context.Context, a Action, id string, in *WishInput) (Principal, time.Time, error) {
	p, _, err := s.allow(ctx, a, id)
	if err != nil {
		return p, time.Time{}, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now, s.cfg.MaxDueIn); err != nil {
		return p, now, err
	}
	in.Needs.Skills = orEmpty(in.Needs.Skills)
	return p, now, nil
}

// orEmpty returns list, or an empty list for nil, so that JSON shows [].
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
