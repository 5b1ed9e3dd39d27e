package matcher

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// Target group tags: a resident is in a programme's target group when
// any of its tags fits them (no tags: everyone) and its expression, if
// any, holds.
var targetTags = map[string]func(r *rules.Resident) bool{
	"elderly":     func(r *rules.Resident) bool { return r.Age >= 60 },
	"aged":        func(r *rules.Resident) bool { return r.Age >= 80 },
	"minor":       func(r *rules.Resident) bool { return r.Age < 18 },
	"child":       func(r *rules.Resident) bool { return r.Age < 14 },
	"disabled":    func(r *rules.Resident) bool { return len(r.Disabilities) > 0 },
	"lives_alone": func(r *rules.Resident) bool { return r.LivesAlone },
}

// tagsOf returns the target group tags a resident fits, sorted.
func tagsOf(r *rules.Resident) []string {
	var out []string
	for t, fits := range targetTags {
		if fits(r) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// TargetTags returns the target group tags, sorted.
func TargetTags() []string {
	out := make([]string, 0, len(targetTags))
	for t := range targetTags {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// TargetGroup is who a programme serves.
type TargetGroup struct {
	Tags []string `json:"tags"`
	// Expr is an expression over the resident facts the rules read
	// (resident.age, resident.disabilities, resident.lives_alone, ...).
	Expr string `json:"expr,omitempty"`
}

// Polygon is a GeoJSON Polygon: an outer ring of [lng, lat] positions,
// then holes.
type Polygon struct {
	Type        string        `json:"type"`
	Coordinates [][][]float64 `json:"coordinates"`
}

// Output is what a programme buys.
type Output struct {
	Unit     string `json:"unit"` // wishes, visits or hours
	Quantity int    `json:"quantity"`
}

// ProgrammeInput is what district staff set on a programme: a service one
// department buys from a provider for a target group in an area and a
// period.
type ProgrammeInput struct {
	Name        string      `json:"name"`
	Department  string      `json:"department"`
	ProviderID  string      `json:"provider_id"`
	Category    string      `json:"category"`
	TargetGroup TargetGroup `json:"target_group"`
	// Area is a GeoJSON polygon, or Cells lists H3 cells of any
	// resolution; exactly one is given.
	Area     *Polygon  `json:"area,omitempty"`
	Cells    []string  `json:"cells,omitempty"`
	Budget   float64   `json:"budget"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Output   *Output   `json:"output,omitempty"`
	NodeID   string    `json:"node_id,omitempty"`
}

// Programme is one purchased service in the catalogue. Cells are the
// area's cells at the stored resolution.
type Programme struct {
	Record
	ProgrammeInput
	Provider Party `json:"provider"`
}

func (p *Programme) node() string { return p.NodeID }

// programmeArea is a programme's cells and compiled target group, kept
// beside the record.
type programmeArea struct {
	cells map[geo.Cell]bool
	cond  *rules.Condition
}

// programmeAreas holds every programme's area, by id.
type programmeAreas struct {
	mu sync.RWMutex
	m  map[string]*programmeArea
}

func (a *programmeAreas) put(id string, pa *programmeArea) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.m[id] = pa
}

func (a *programmeAreas) get(id string) *programmeArea {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.m[id]
}

// maxRingPositions bounds a ring of an area's polygon: H3's work grows
// with positions times cells.
const maxRingPositions = 2000

// maxProgrammeCells bounds an area, at the stored resolution (about
// 5,000 km² at resolution 9).
const maxProgrammeCells = 50_000

func (in *ProgrammeInput) validate(c *Catalog) error {
	if err := checkLine("name", in.Name, maxName, true); err != nil {
		return err
	}
	if err := checkLine("department", in.Department, maxName, true); err != nil {
		return err
	}
	if err := checkID("provider_id", in.ProviderID, true); err != nil {
		return err
	}
	if !c.hasCategory(in.Category) {
		return Invalid("category", "%q is not a category; the categories are %v", in.Category, c.Categories)
	}
	for i, t := range in.TargetGroup.Tags {
		if targetTags[t] == nil {
			return Invalid(fieldIndex("target_group.tags", i), "%q is not a target group; the groups are %v", t, TargetTags())
		}
		if slices.Contains(in.TargetGroup.Tags[:i], t) {
			return Invalid(fieldIndex("target_group.tags", i), "%q is named twice", t)
		}
	}
	if in.TargetGroup.Expr != "" {
		if len(in.TargetGroup.Expr) > 2000 {
			return Invalid("target_group.expr", "must be at most 2000 characters")
		}
		if _, err := rules.CompileCondition(in.TargetGroup.Expr); err != nil {
			return Invalid("target_group.expr", "%v", err)
		}
	}
	switch {
	case in.Area == nil && len(in.Cells) == 0:
		return Invalid("area", "give the area as a GeoJSON Polygon, or cells")
	case in.Area != nil && len(in.Cells) > 0:
		return Invalid("cells", "give either area or cells, not both")
	}
	if !(in.Budget >= 0 && in.Budget <= 1e12) {
		return Invalid("budget", "must be between 0 and 1e12")
	}
	lo, hi := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := checkTime("starts_at", in.StartsAt, lo, hi, "a time in this century"); err != nil {
		return err
	}
	if err := checkTime("ends_at", in.EndsAt, lo, hi, "a time in this century"); err != nil {
		return err
	}
	if !in.EndsAt.After(in.StartsAt) {
		return Invalid("ends_at", "must be after starts_at")
	}
	if o := in.Output; o != nil {
		switch o.Unit {
		case "wishes", "visits", "hours":
		default:
			return Invalid("output.unit", "must be wishes, visits or hours")
		}
		if o.Quantity < 1 || o.Quantity > 10_000_000 {
			return Invalid("output.quantity", "must be between 1 and 10000000")
		}
	}
	return checkID("node_id", in.NodeID, false)
}

// areaCells returns the programme's cells at the grid's resolution: the
// polygon's (holes left out), or the cells given, finer ones by their
// parent, coarser ones by their children.
func (s *Service) areaCells(in *ProgrammeInput) ([]geo.Cell, error) {
	res := s.grid.Config().Resolution
	set := map[geo.Cell]bool{}
	if a := in.Area; a != nil {
		if a.Type != "Polygon" {
			return nil, Invalid("area.type", "must be Polygon")
		}
		if len(a.Coordinates) == 0 {
			return nil, Invalid("area.coordinates", "needs an outer ring")
		}
		if len(a.Coordinates) > 100 {
			return nil, Invalid("area.coordinates", "has %d rings; at most 100 (an outer ring and its holes)", len(a.Coordinates))
		}
		for r, ring := range a.Coordinates {
			if len(ring) > maxRingPositions {
				return nil, Invalid(fmt.Sprintf("area.coordinates[%d]", r), "has %d positions; at most %d (simplify the boundary)", len(ring), maxRingPositions)
			}
			pos := make([][2]float64, len(ring))
			for i, p := range ring {
				if len(p) != 2 {
					return nil, Invalid(fmt.Sprintf("area.coordinates[%d][%d]", r, i), "must be [lng, lat]")
				}
				pos[i] = [2]float64{p[0], p[1]}
			}
			cells, err := s.grid.PolygonCellsUpTo(pos, 4*maxProgrammeCells)
			if err != nil {
				return nil, Invalid(fmt.Sprintf("area.coordinates[%d]", r), "%s", strings.TrimPrefix(err.Error(), "geo: polygon: "))
			}
			for _, c := range cells {
				set[c] = r == 0 // holes take their cells out
			}
		}
	}
	for i, str := range in.Cells {
		c, err := geo.ParseCell(str)
		if err != nil {
			return nil, Invalid(fieldIndex("cells", i), "%v", err)
		}
		switch r := c.Resolution(); {
		case r >= res:
			set[geo.Parent(c, res)] = true
		case res-r > 6:
			return nil, Invalid(fieldIndex("cells", i), "is of resolution %d; give cells of resolution %d to 15", r, res-6)
		default:
			for _, ch := range geo.Children(c, res) {
				set[ch] = true
			}
		}
		if len(set) > maxProgrammeCells {
			return nil, Invalid("cells", "cover more than %d cells of resolution %d", maxProgrammeCells, res)
		}
	}
	var out []geo.Cell
	for c, in := range set {
		if in {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, Invalid("area", "holds no cell of resolution %d (about %.2f km² each)", res, geo.CellAreaKm2(res))
	}
	if len(out) > maxProgrammeCells {
		return nil, Invalid("area", "covers more than %d cells of resolution %d", maxProgrammeCells, res)
	}
	slices.Sort(out)
	return out, nil
}

// setProgramme checks in and sets it on pg: the provider must be a
// supplier p's scope reaches, the area is turned into cells.
func (s *Service) setProgramme(p Principal, pg *Programme, in ProgrammeInput) error {
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return err
	}
	provider, err := s.provider(p, in.ProviderID)
	if err != nil {
		return err
	}
	pg.Provider = provider
	cells, err := s.areaCells(&in)
	if err != nil {
		return err
	}
	node, err := s.placement(p, "node_id", in.NodeID, pg.NodeID)
	if err != nil {
		return err
	}
	in.NodeID = node
	// An expression can ask anything of a resident (an exact age, a
	// disability), and the figures of the programme answer it: only a
	// caller who may read the residents it selects may set one. One
	// already set (by such a caller) may be kept as it is.
	if e := in.TargetGroup.Expr; e != "" && e != pg.TargetGroup.Expr && !s.readsResidents(p, node) {
		return &Error{Code: EFORBIDDEN, Field: "target_group.expr", Message: "only a caller who may read the residents it " +
			"selects (an admin) may set a target-group expression, since the programme's figures would answer it about " +
			"them; use target_group.tags (" + strings.Join(TargetTags(), ", ") + ")"}
	}
	in.Cells = make([]string, len(cells))
	for i, c := range cells {
		in.Cells[i] = c.String()
	}
	if in.TargetGroup.Tags == nil {
		in.TargetGroup.Tags = []string{}
	}
	pg.ProgrammeInput = in
	return nil
}

// provider returns the party a programme named by p is bought from: a
// supplier — a social organisation, a volunteer team or an enterprise —
// that p's scope reaches (an admin's reaches every one). A node of the
// tree (district, street, community), a supplier out of p's scope and an
// id nobody has are refused alike, so that the answer tells nothing of
// what exists outside p's scope.
func (s *Service) provider(p Principal, id string) (Party, error) {
	reach := InScope
	if p.Role == RoleAdmin {
		reach = Everything
	}
	if s.reaches(p, reach, objProvider, id) {
		if o, ok := s.organisations.Get(id); ok {
			if o.Kind == KindSocialOrg || o.Kind == KindVolunteerTeam {
				return Party{Kind: RoleOrganisation, ID: id}, nil
			}
		} else if _, ok := s.enterprises.Get(id); ok {
			return Party{Kind: RoleEnterprise, ID: id}, nil
		}
	}
	return Party{}, Invalid("provider_id", "no social organisation, volunteer team or enterprise in your scope has id %q", id)
}

// areaOf compiles a programme's area and target group for the state.
func areaOf(pg *Programme) *programmeArea {
	pa := &programmeArea{cells: make(map[geo.Cell]bool, len(pg.Cells))}
	for _, str := range pg.Cells {
		if c, err := geo.ParseCell(str); err == nil {
			pa.cells[c] = true
		}
	}
	if pg.TargetGroup.Expr != "" {
		pa.cond, _ = rules.CompileCondition(pg.TargetGroup.Expr)
	}
	return pa
}

// inTargetByTags reports whether a resident who fitted tags is in the
// programme's target group: for a resident erased since, whose facts are
// gone. A group with an expression cannot be decided so, and is not.
func (pg *Programme) inTargetByTags(tags []string) bool {
	if pg.TargetGroup.Expr != "" {
		return false
	}
	return len(pg.TargetGroup.Tags) == 0 || slices.ContainsFunc(pg.TargetGroup.Tags, func(t string) bool { return slices.Contains(tags, t) })
}

// inTarget reports whether a resident with facts r is in the programme's
// target group at now.
func (pg *Programme) inTarget(pa *programmeArea, r *rules.Resident, now time.Time) bool {
	if len(pg.TargetGroup.Tags) > 0 && !slices.ContainsFunc(pg.TargetGroup.Tags, func(t string) bool { return targetTags[t](r) }) {
		return false
	}
	return pa.cond == nil || pa.cond.Holds(*r, now)
}

// activeIn reports whether the programme runs at some time in [from, to).
func (pg *Programme) activeIn(from, to time.Time) bool {
	return pg.StartsAt.Before(to) && from.Before(pg.EndsAt)
}

// CreateProgramme adds a programme to the catalogue (district staff:
// coordinators and admins).
func (s *Service) CreateProgramme(ctx context.Context, in ProgrammeInput) (*Programme, error) {
	return create(ctx, s, ProgrammeCreate, func(p Principal, now time.Time) (*Programme, error) {
		pg := &Programme{Record: newRecord("prg", p, now)}
		return pg, s.setProgramme(p, pg, in)
	})
}

// UpdateProgramme replaces what may be set on a programme.
func (s *Service) UpdateProgramme(ctx context.Context, id string, in ProgrammeInput) (*Programme, error) {
	return update(ctx, s, ProgrammeUpdate, s.programmes, id, func(p Principal, pg *Programme, _ time.Time) error {
		return s.setProgramme(p, pg, in)
	})
}

// GetProgramme returns a programme to staff in scope.
func (s *Service) GetProgramme(ctx context.Context, id string) (*Programme, error) {
	return read(ctx, s, ProgrammeRead, s.programmes, id)
}

// ProgrammeQuery filters the catalogue.
type ProgrammeQuery struct {
	PageRequest
	Department string
	Category   string
	Cell       string    // an H3 cell the area meets
	ActiveFrom time.Time // the period the programme runs in meets [ActiveFrom, ActiveTo)
	ActiveTo   time.Time
}

// ListProgrammes pages through the catalogue in the caller's scope,
// filtered by department, category, area and period.
func (s *Service) ListProgrammes(ctx context.Context, q ProgrammeQuery) (*Page[Programme], error) {
	p, _, err := s.allow(ctx, ProgrammeList, "")
	if err != nil {
		return nil, err
	}
	if q.Category != "" && !s.cfg.Catalog.hasCategory(q.Category) {
		return nil, Invalid("category", "%q is not a category", q.Category)
	}
	var cell geo.Cell
	if q.Cell != "" {
		if cell, err = geo.ParseCell(q.Cell); err != nil {
			return nil, Invalid("cell", "%v", err)
		}
	}
	from, to := q.ActiveFrom, q.ActiveTo
	if to.IsZero() {
		to = time.Unix(math.MaxInt32*4, 0)
	}
	keep := func(pg *Programme) bool {
		switch {
		case q.Department != "" && pg.Department != q.Department:
		case q.Category != "" && pg.Category != q.Category:
		case !pg.activeIn(from, to):
		case cell != 0 && !s.areaMeets(pg.ID, cell):
		default:
			return true
		}
		return false
	}
	return page(s, q.PageRequest, s.lists.programmes, s.programmes, s.scopeNodes(p), keep)
}

// areaMeets reports whether a programme's area meets cell, of any
// resolution.
func (s *Service) areaMeets(id string, cell geo.Cell) bool {
	pa := s.areas.get(id)
	if pa == nil {
		return false
	}
	res := s.grid.Config().Resolution
	if cell.Resolution() >= res {
		return pa.cells[geo.Parent(cell, res)]
	}
	for c := range pa.cells {
		if geo.Parent(c, cell.Resolution()) == cell {
			return true
		}
	}
	return false
}

// residentFactsAt returns what rules read of a resident at now.
func residentFactsAt(r *Resident, now time.Time) rules.Resident {
	age := index.AgeAt(r.BirthDate, now)
	return rules.Resident{Age: age, AgeBand: index.AgeBand(age), Disabilities: r.Disabilities, LivesAlone: r.LivesAlone}
}
