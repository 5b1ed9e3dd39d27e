package matcher

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// nearWish is a wish whose walking circle holds a point.
type nearWish struct {
	wishEntry
	meters float64
}

// wishesNear returns the wishes within the walking circle of p, nearest
// first (ties by id).
func (x *Index) wishesNear(p geo.Point) []nearWish {
	disk := x.grid.Disk(p)
	pv := toVec(p)
	var out []nearWish
	x.mu.RLock()
	for _, c := range disk {
		b := x.wishCells[keyOf(c)]
		if b == nil {
			continue
		}
		for i, v := range b.at {
			if chord2(pv, v) > x.chordR2 {
				continue
			}
			e := x.wishes[b.ids[i]]
			if m := geo.Distance(p, e.point); m <= x.radius {
				out = append(out, nearWish{wishEntry: *e, meters: m})
			}
		}
	}
	x.mu.RUnlock()
	slices.SortFunc(out, func(a, b nearWish) int {
		if c := cmpFloat(a.meters, b.meters); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}

// ParseNear reads a point written "LAT,LNG".
func ParseNear(s string) (geo.Point, error) {
	lat, lng, ok := strings.Cut(s, ",")
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
	l := &Location{Lat: la, Lng: ln}
	if !ok || err1 != nil || err2 != nil || checkLocation("near", l) != nil {
		return geo.Point{}, Invalid("near", "must be a point written LAT,LNG, such as 30.27,120.15")
	}
	return l.Point(), nil
}

// NearWishes lists, in their public form and nearest first, the open
// wishes whose walking circle holds the point near ("LAT,LNG", taken as the
// centre of its cell) and that the calling volunteer, organisation or
// enterprise is eligible for.
func (s *Service) NearWishes(ctx context.Context, near, status string, req PageRequest) (*Page[PublicWish], error) {
	p, err := authorize(ctx, RoleVolunteer, RoleOrganisation, RoleEnterprise)
	if err != nil {
		return nil, err
	}
	at, err := ParseNear(near)
	if err != nil {
		return nil, err
	}
	// The point is moved to the centre of its cell one resolution finer
	// than the stored cells: were it used as given, a caller could move it a
	// millimetre at a time and find where a wish leaves the list or changes
	// band, which is a known walk from the resident's home. Snapped, such
	// an edge is only known to within that cell (about 70 m across at
	// resolution 10), and the walk shown moves by at most about a minute.
	at = geo.CellCenter(s.grid.CellAt(at, min(s.grid.Config().Resolution+1, 15)))
	if status != "" && status != StatusOpen {
		return nil, Invalid("status", "must be open when listing wishes near a point")
	}
	opts, err := s.listOptions(req, "")
	if err != nil {
		return nil, err
	}
	me, err := s.callerFacts(ctx, p)
	if err != nil {
		return nil, err
	}
	set, now := s.ruleSet(), s.now().UTC()
	page := &Page[PublicWish]{Items: []*PublicWish{}}
	skipping := opts.After != ""
	for _, nw := range s.index.wishesNear(at) {
		if skipping {
			skipping = nw.id != opts.After
			continue
		}
		if s.wishes.state(nw.id).status != StatusOpen || !s.eligibleFor(&nw, &me, set, now) {
			continue
		}
		if len(page.Items) == opts.Limit {
			page.Next = page.Items[len(page.Items)-1].ID
			break
		}
		pw := s.publicWish(nw.asWish())
		pw.WalkBand = geo.Band(s.grid.WalkMinutes(nw.meters))
		page.Items = append(page.Items, pw)
	}
	return page, nil
}

// callerFacts returns the calling supplier's facts, from the index or else
// the store.
func (s *Service) callerFacts(ctx context.Context, p Principal) (supplierFacts, error) {
	party := Party{Kind: p.Role, ID: p.SubjectID}
	if f, ok := s.index.supplier(party); ok {
		return f, nil
	}
	f, err := s.readSupplierFacts(ctx, party)
	if ErrorCode(err) == ENOTFOUND {
		return f, Errorf(EFORBIDDEN, "this key's subject is not a registered %s", p.Role)
	}
	return f, err
}

// eligibleFor reports whether the supplier f may serve the wish, whose
// walk was measured from the point the supplier asked about.
func (s *Service) eligibleFor(w *nearWish, f *supplierFacts, set *rules.Set, now time.Time) bool {
	if !f.serves(w.category) {
		return false
	}
	if set == nil {
		return true
	}
	var env rules.Env
	w.env(&env, now)
	env.WalkMinutes = s.grid.WalkMinutes(w.meters)
	f.ruleFacts(&env.Supplier, civilOf(now), now.UnixNano(), s.wishes.activeClaims(f.party))
	if f.party.Kind == SupplierResource {
		env.Supplier.Vetted = s.index.isVetted(f.owner)
	}
	ok, _ := set.Evaluate(&env)
	return ok
}
