package matcher

import (
	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// The facts the index and the rules read of each entity, converted once
// when the entity is applied.

func certsOf(list []Certification) []index.Cert {
	out := make([]index.Cert, len(list))
	for i, c := range list {
		out[i] = index.Cert{Type: c.Type, Until: c.ExpiresAt}
	}
	return out
}

// volunteerSupplier returns the volunteer as a supplier, with the
// active-claims limit that holds for them: their own, else the default.
// A volunteer is a person whose location is their home, so they stand
// at the centre of their cloaking cell in every walk, circle and
// distance, exactly as residents' wishes do: nobody who sees candidates,
// rounds or coverage (staff of other nodes included) can trilaterate a
// volunteer from the walking minutes shown. Organisations and
// enterprises stand at their addresses.
func (s *Service) volunteerSupplier(v *Volunteer) *index.Supplier {
	return &index.Supplier{
		Party: index.Party{Kind: index.Volunteer, ID: v.ID}, Node: v.NodeID,
		Points: []geo.Point{s.cloak(v.Cell)}, Cells: []geo.Cell{v.Cell},
		BirthDate: v.BirthDate, Skills: v.Skills, Certs: certsOf(v.Certifications),
		AnyCategory: true, MaxActive: s.allowance(v), Version: int64(v.Version),
	}
}

// allowance returns how many active claims the volunteer may hold: their
// own limit, else the configured default.
func (s *Service) allowance(v *Volunteer) int {
	if v.MaxActiveClaims > 0 {
		return v.MaxActiveClaims
	}
	return s.cfg.DefaultMaxActiveClaims
}

// organisationSupplier returns the organisation as a supplier, or nil
// when it offers no category: a community or a district serves nothing
// itself.
func organisationSupplier(o *Organisation) *index.Supplier {
	if len(o.Categories) == 0 {
		return nil
	}
	return &index.Supplier{
		Party: index.Party{Kind: index.Organisation, ID: o.ID}, Node: o.ID,
		Points: []geo.Point{o.Location.Point()}, Cells: []geo.Cell{o.Cell},
		Categories: o.Categories, Vetted: o.Vetted, Version: int64(o.Version),
	}
}

// enterpriseSupplier returns the enterprise as a supplier from its
// location and every site, or nil when it offers no category.
func enterpriseSupplier(e *Enterprise, grid *geo.Grid) *index.Supplier {
	if len(e.Categories) == 0 {
		return nil
	}
	pts, cells := []geo.Point{e.Location.Point()}, []geo.Cell{e.Cell}
	for _, site := range e.Sites {
		pts, cells = append(pts, site.Point()), append(cells, grid.Cell(site.Point()))
	}
	return &index.Supplier{
		Party: index.Party{Kind: index.Enterprise, ID: e.ID}, Node: e.NodeID, Points: pts, Cells: cells,
		Categories: e.Categories, Vetted: e.Vetted, Version: int64(e.Version),
	}
}

func resourceSupplier(r *Resource) *index.Supplier {
	return &index.Supplier{
		Party: index.Party{Kind: index.Resource, ID: r.ID}, Node: r.NodeID,
		Points: []geo.Point{r.Location.Point()}, Cells: []geo.Cell{r.Cell},
		Categories: []string{r.Category}, Owner: index.Party(r.Owner), Version: int64(r.Version),
	}
}

func residentFacts(r *Resident) *index.Resident {
	return &index.Resident{BirthDate: r.BirthDate, Disabilities: r.Disabilities, LivesAlone: r.LivesAlone}
}

// cloak returns the point that stands for a person's place in what
// others can see or trigger: for a wish, everything before its claim is
// held; for a volunteer, always. It is the centre of their cell at the
// cloaking resolution, never the exact point.
func (s *Service) cloak(cell geo.Cell) geo.Point {
	c := geo.Parent(cell, s.cfg.CloakResolution)
	s.cloaksMu.Lock()
	defer s.cloaksMu.Unlock()
	p, ok := s.cloaks[c]
	if !ok {
		p = geo.CellCenter(c)
		s.cloaks[c] = p
	}
	return p
}

func (s *Service) wishFacts(w *Wish) *index.Wish {
	return &index.Wish{
		ID: w.ID, Node: w.NodeID, Resident: w.ResidentID, Point: s.cloak(w.Cell), Cell: w.Cell,
		Category: w.Category, Skills: w.Needs.Skills, DueAt: w.DueAt, OnSite: w.OnSite, Version: int64(w.Version),
	}
}

// Eligible decides whether supplier may serve the wish now: inside the
// walking circle of the wish's cloaked point, offering its category, and
// allowed by every rule in force, counting the supplier's active claims.
// A refusal is an EINELIGIBLE *Error naming the rule (RuleWalkingCircle
// outside the circle, RuleCategory when the supplier does not offer the
// category) with its explanation; it states no distance. It returns
// ENOTFOUND for a supplier or wish that is not known.
func (s *Service) Eligible(wishID string, supplier Party) (walkMinutes float64, err error) {
	return s.eligible(wishID, supplier, 0)
}

// eligible is Eligible with the circle widened to minutes (0: the
// configured one).
func (s *Service) eligible(wishID string, supplier Party, minutes float64) (float64, error) {
	set, err := s.ruleSet()
	if err != nil {
		return 0, err
	}
	v, err := s.index.Decide(wishID, index.Party(supplier), index.Ask{
		Rules: set, Now: s.now(), Active: s.ledger.activeClaims(supplier), Minutes: minutes,
	})
	if err != nil {
		return 0, notFound()
	}
	if !v.OK() {
		return v.WalkMinutes, &Error{Code: EINELIGIBLE, Rule: v.Rule, Message: v.Explain}
	}
	return v.WalkMinutes, nil
}

// Rule names of the refusals that are not rules from a rules file.
const (
	RuleWalkingCircle = index.RuleWalkingCircle
	RuleCategory      = index.RuleCategory
	RuleConsent       = "resident-consent"
)
