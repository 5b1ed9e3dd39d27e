package matcher

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Supplier kinds: who can serve a wish.
const (
	SupplierVolunteer    = "volunteer"
	SupplierOrganisation = "organisation"
	SupplierEnterprise   = "enterprise"
	SupplierResource     = "resource"
)

// Names of the refusals that are not rules from a rules file. They appear
// where rule names do: in EINELIGIBLE errors and in exclusion counts.
const (
	RuleWalkingCircle = "walking-circle"
	RuleCategory      = "serves-category"
)

// civilDate is a calendar date as the number yyyymmdd, so that ages are
// whole-number arithmetic: (today − birth) / 10000.
type civilDate int

func civilOf(t time.Time) civilDate {
	return civilDate(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// parseCivil reads "YYYY-MM-DD"; a missing or malformed date is 0.
func parseCivil(s string) civilDate {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0
	}
	return civilOf(d)
}

// ageOn returns the age in whole years on today of someone born on birth,
// as AgeAt does: 0 when birth is unknown or later than today.
func ageOn(birth, today civilDate) int {
	if birth == 0 || today < birth {
		return 0
	}
	return int(today-birth) / 10000
}

// supplierFacts is what eligibility needs of one supplier, computed once
// when the supplier is written, so that deciding needs no store read, no
// date parsing and no allocation. The fields read for every candidate come
// first, to share cache lines.
type supplierFacts struct {
	birth      civilDate // 0 for all but volunteers
	certsUntil int64     // the earliest expiry of certs (Unix ns): before it, all are valid
	skills     []string
	certs      []string // sorted by expiry, latest first
	categories []string // what it offers; empty means anything
	maxActive  int
	vetted     bool
	multi      bool // serves from several points
	party      Party
	certUntil  []int64 // certs[i] is valid before certUntil[i] (Unix ns)
	tenant     string
	owner      Party       // of a resource, whose vetted flag is the resource's
	points     []geo.Point // where it serves from: home, site or location
}

// validCerts returns the certifications valid at now: a prefix of certs,
// since they are sorted by expiry, latest first.
func (f *supplierFacts) validCerts(now int64) []string {
	if now < f.certsUntil {
		return f.certs
	}
	n := 0
	for n < len(f.certUntil) && now < f.certUntil[n] {
		n++
	}
	return f.certs[:n]
}

// serves reports whether the supplier offers the wish's category.
func (f *supplierFacts) serves(category string) bool {
	return len(f.categories) == 0 || slices.Contains(f.categories, category)
}

// nearest returns the walk in metres from p to the supplier's nearest point.
func (f *supplierFacts) nearest(p geo.Point) float64 {
	best := math.Inf(1)
	for _, q := range f.points {
		best = min(best, geo.Distance(p, q))
	}
	return best
}

// ruleFacts fills the rules' view of the supplier at now.
func (f *supplierFacts) ruleFacts(out *rules.Supplier, today civilDate, now int64, active int) {
	*out = rules.Supplier{
		Kind:            f.party.Kind,
		Age:             ageOn(f.birth, today),
		Skills:          f.skills,
		Certifications:  f.validCerts(now),
		ActiveClaims:    active,
		MaxActiveClaims: f.maxActive,
		Vetted:          f.vetted,
	}
}

func volunteerFacts(v *Volunteer) supplierFacts {
	f := supplierFacts{
		party:      Party{Kind: SupplierVolunteer, ID: v.ID},
		tenant:     v.TenantID,
		points:     []geo.Point{v.Location.Point()},
		birth:      parseCivil(v.BirthDate),
		skills:     slices.Clip(slices.Clone(v.Skills)),
		maxActive:  v.MaxActiveClaims,
		certsUntil: math.MaxInt64,
	}
	certs := slices.Clone(v.Certifications)
	slices.SortStableFunc(certs, func(a, b Certification) int { return b.ExpiresAt.Compare(a.ExpiresAt) })
	for _, c := range certs {
		f.certs = append(f.certs, c.Type)
		f.certUntil = append(f.certUntil, c.ExpiresAt.UnixNano())
		f.certsUntil = min(f.certsUntil, c.ExpiresAt.UnixNano())
	}
	return f
}

func organisationFacts(o *Organisation) supplierFacts {
	return supplierFacts{
		party:      Party{Kind: SupplierOrganisation, ID: o.ID},
		tenant:     o.TenantID,
		points:     []geo.Point{o.Location.Point()},
		categories: slices.Clone(o.Categories),
		vetted:     o.Vetted,
	}
}

func enterpriseFacts(e *Enterprise) supplierFacts {
	pts := []geo.Point{e.Location.Point()}
	for _, s := range e.Sites {
		pts = append(pts, s.Point())
	}
	return supplierFacts{
		party:      Party{Kind: SupplierEnterprise, ID: e.ID},
		tenant:     e.TenantID,
		points:     pts,
		multi:      len(pts) > 1,
		categories: slices.Clone(e.Categories),
		vetted:     e.Vetted,
	}
}

// resourceFacts describes a resource; it is as vetted as its owner.
func resourceFacts(r *Resource, ownerVetted bool) supplierFacts {
	return supplierFacts{
		party:      Party{Kind: SupplierResource, ID: r.ID},
		tenant:     r.Owner.ID,
		owner:      r.Owner,
		points:     []geo.Point{r.Location.Point()},
		categories: []string{r.Category},
		vetted:     ownerVetted,
	}
}

// wishFacts is what eligibility needs of one wish and its resident, cached
// when the wish is written and refreshed when its resident changes.
type wishFacts struct {
	id           string
	tenant       string
	residentID   string
	point        geo.Point
	cell         geo.Cell
	category     string
	skills       []string
	dueAt        time.Time
	onSite       bool
	birth        civilDate // the resident's
	disabilities []string
	livesAlone   bool
}

func newWishFacts(w *Wish, r *Resident) wishFacts {
	f := wishFacts{
		id: w.ID, tenant: w.TenantID, residentID: w.ResidentID, cell: w.Cell,
		category: w.Category, skills: slices.Clone(w.Needs.Skills), dueAt: w.DueAt, onSite: w.OnSite,
	}
	if w.Location != nil {
		f.point = w.Location.Point()
	}
	if r != nil {
		f.birth = parseCivil(r.BirthDate)
		f.disabilities = slices.Clone(r.Disabilities)
		f.livesAlone = r.LivesAlone
	}
	return f
}

// env fills the rules' view of the wish and its resident at now; the
// supplier and walk_minutes are left for the caller.
func (w *wishFacts) env(out *rules.Env, now time.Time) {
	age := ageOn(w.birth, civilOf(now))
	*out = rules.Env{
		Wish: rules.Wish{Category: w.category, Needs: rules.Needs{Skills: w.skills}, DueAt: w.dueAt, OnSite: w.onSite},
		Resident: rules.Resident{
			Age: age, AgeBand: AgeBand(age), Disabilities: w.disabilities, LivesAlone: w.livesAlone,
		},
		Now: now,
	}
}

// Eligible decides whether supplier may serve the wish: inside the walking
// circle, offering the wish's category, and allowed by every rule in force.
// It returns the walk in minutes. A refusal is an EINELIGIBLE *Error whose
// Rule names the rule that said no (RuleWalkingCircle outside the circle,
// RuleCategory when the supplier does not offer the category) and whose
// Message is its explanation. It returns ENOTFOUND when the supplier does
// not exist and EINVALID for an unknown supplier kind.
func (s *Service) Eligible(ctx context.Context, w *Wish, supplier Party) (walkMinutes float64, err error) {
	if w.Location == nil {
		return 0, fmt.Errorf("eligible: wish %s has no location", w.ID)
	}
	sf, wf, err := s.eligibilityFacts(ctx, w, supplier)
	if err != nil {
		return 0, err
	}
	meters := sf.nearest(wf.point)
	walk := s.grid.WalkMinutes(meters)
	if !(meters <= s.grid.RadiusMeters()) {
		return walk, &Error{Code: EINELIGIBLE, Rule: RuleWalkingCircle,
			Message: fmt.Sprintf("The supplier is %.0f minutes' walk away, outside the %g-minute walking circle.", walk, s.grid.Config().WalkMinutes)}
	}
	if !sf.serves(wf.category) {
		return walk, &Error{Code: EINELIGIBLE, Rule: RuleCategory,
			Message: fmt.Sprintf("The supplier does not offer %s.", wf.category)}
	}
	set := s.ruleSet()
	if set == nil {
		return walk, nil
	}
	now := s.now().UTC()
	var env rules.Env
	wf.env(&env, now)
	env.WalkMinutes = walk
	sf.ruleFacts(&env.Supplier, civilOf(now), now.UnixNano(), s.wishes.activeClaims(sf.party))
	if ok, denied := set.Evaluate(&env); !ok {
		return walk, &Error{Code: EINELIGIBLE, Rule: denied.Name, Message: denied.Explain}
	}
	return walk, nil
}

// eligibilityFacts returns the supplier's and the wish's facts from the
// in-memory index, which every write of this process keeps current, and
// reads from the store only what the index does not hold (a supplier or
// wish another replica wrote). On the embedded store a read by id scans its
// collection in SQLite, so this keeps a claim from costing three scans.
func (s *Service) eligibilityFacts(ctx context.Context, w *Wish, supplier Party) (supplierFacts, wishFacts, error) {
	sf, ok := s.index.supplier(supplier)
	if !ok {
		var err error
		if sf, err = s.readSupplierFacts(ctx, supplier); err != nil {
			return sf, wishFacts{}, err
		}
	}
	if e, ok := s.index.wish(w.ID); ok {
		return sf, e.wishFacts, nil
	}
	res, err := s.store.Residents().Get(ctx, w.ResidentID)
	if err != nil {
		return sf, wishFacts{}, fmt.Errorf("eligible: resident of wish %s: %w", w.ID, err)
	}
	return sf, newWishFacts(w, res), nil
}

// ruleSet returns the rule set in force, or nil when the Service has no
// rules engine.
func (s *Service) ruleSet() *rules.Set {
	if s.rules == nil {
		return nil
	}
	return s.rules.Current()
}

// readSupplierFacts reads a supplier from the store.
func (s *Service) readSupplierFacts(ctx context.Context, p Party) (supplierFacts, error) {
	switch p.Kind {
	case SupplierVolunteer:
		v, err := s.store.Volunteers().Get(ctx, p.ID)
		if err != nil {
			return supplierFacts{}, err
		}
		return volunteerFacts(v), nil
	case SupplierOrganisation:
		o, err := s.store.Organisations().Get(ctx, p.ID)
		if err != nil {
			return supplierFacts{}, err
		}
		return organisationFacts(o), nil
	case SupplierEnterprise:
		e, err := s.store.Enterprises().Get(ctx, p.ID)
		if err != nil {
			return supplierFacts{}, err
		}
		return enterpriseFacts(e), nil
	case SupplierResource:
		r, err := s.store.Resources().Get(ctx, p.ID)
		if err != nil {
			return supplierFacts{}, err
		}
		return resourceFacts(r, s.ownerVetted(ctx, r.Owner)), nil
	default:
		return supplierFacts{}, Errorf(EINVALID, "%q is not a kind of supplier", p.Kind)
	}
}

// ownerVetted reports whether the enterprise or organisation that owns a
// resource is vetted; an owner that cannot be read is not.
func (s *Service) ownerVetted(ctx context.Context, owner Party) bool {
	switch owner.Kind {
	case RoleEnterprise:
		e, err := s.store.Enterprises().Get(ctx, owner.ID)
		return err == nil && e.Vetted
	case RoleOrganisation:
		o, err := s.store.Organisations().Get(ctx, owner.ID)
		return err == nil && o.Vetted
	}
	return false
}
