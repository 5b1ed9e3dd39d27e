package matcher

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Candidate is a supplier that may serve a wish, and how far it walks.
type Candidate struct {
	Kind        string  `json:"kind"`
	ID          string  `json:"id"`
	WalkMinutes float64 `json:"walk_minutes"`
}

// Search says how to look for a wish's candidates.
type Search struct {
	Rules *rules.Set // nil: no rules, only the circle and the category
	Now   time.Time
	Limit int // the nearest Limit eligible suppliers are returned
	// Excluded, when not nil, asks for every supplier inside the circle to
	// be evaluated, and receives how many each rule refused (a supplier
	// refused by two rules counts for both). When nil, the search stops at
	// the Limit-th eligible supplier.
	Excluded map[string]int
	// Claims returns a supplier's active claims; nil means none.
	Claims func(Party) int
	// Timed asks for the time spent deciding eligibility to be measured,
	// at the cost of two clock reads per supplier.
	Timed bool
}

// SearchStats counts a search's work, for benchmarks.
type SearchStats struct {
	Scanned   int           // entries whose distance was computed
	Evaluated int           // suppliers whose eligibility was decided
	Deciding  time.Duration // time spent deciding, when Search.Timed
}

// candidate is an entry of a bucket inside the circle, in the search heap.
type candidate struct {
	c2 float64 // squared chord to the query point
	b  *supplierBucket
	i  int
}

// scratch is a search's reusable memory.
type scratch struct {
	heap []candidate
	seen []Party
	env  rules.Env
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Candidates appends to out the nearest s.Limit suppliers eligible for the
// indexed wish, nearest first (equal walks by id). It returns ENOTFOUND when the index does not
// hold the wish. It reads only memory: no store query, no H3 call.
func (x *Index) Candidates(wishID string, s Search, out []Candidate) ([]Candidate, SearchStats, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	w := x.wishes[wishID]
	if w == nil {
		return out, SearchStats{}, Errorf(ENOTFOUND, "wish %s is not indexed", wishID)
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	ev := x.newEvaluator(sc, &w.wishFacts, s)
	var st SearchStats
	st.Scanned = x.walkSuppliers(sc, w.point, w.disk, func(b *supplierBucket, i int, meters float64) bool {
		st.Evaluated++
		var ok bool
		if s.Timed {
			start := time.Now()
			ok = ev.check(b, i, meters)
			st.Deciding += time.Since(start)
		} else {
			ok = ev.check(b, i, meters)
		}
		if ok && len(out) < s.Limit {
			p := b.facts[i].party
			out = append(out, Candidate{Kind: p.Kind, ID: p.ID, WalkMinutes: x.grid.WalkMinutes(meters)})
		}
		return s.Excluded != nil || len(out) < s.Limit
	})
	return out, st, nil
}

// walkSuppliers calls visit for each supplier inside the walking circle
// around q, nearest first, until visit returns false; disk is the circle's
// cover, nearest centre first. A supplier with several points is visited
// once, at its nearest. It returns how many entries it measured. x.mu is
// held.
//
// A cell's suppliers are no nearer than its centre less maxRadius, so an
// entry is visited once the cells still unscanned cannot hold a nearer
// one, and a search that stops early scans only the nearest cells.
func (x *Index) walkSuppliers(sc *scratch, q geo.Point, disk []diskCell, visit func(*supplierBucket, int, float64) bool) int {
	qv := toVec(q)
	sc.heap, sc.seen = sc.heap[:0], sc.seen[:0]
	scanned := 0
	for _, dc := range disk {
		lb := dc.meters - x.maxRadius
		if lb > x.radius {
			break
		}
		lb2 := chord2Of(lb)
		for len(sc.heap) > 0 && sc.heap[0].c2 < lb2 {
			if !x.visitNearest(sc, q, visit) {
				return scanned
			}
		}
		b := x.suppliers[dc.key]
		if b == nil {
			continue
		}
		scanned += len(b.at)
		for i := range b.at {
			if c2 := chord2(qv, b.at[i].vec3); c2 <= x.chordR2 {
				sc.push(candidate{c2: c2, b: b, i: i})
			}
		}
	}
	for len(sc.heap) > 0 && x.visitNearest(sc, q, visit) {
	}
	return scanned
}

// visitNearest pops the nearest candidate and visits it, unless it is
// outside the circle by the exact distance or its supplier was visited.
func (x *Index) visitNearest(sc *scratch, q geo.Point, visit func(*supplierBucket, int, float64) bool) bool {
	c := sc.pop()
	meters := chordMeters(c.c2)
	if meters > x.radius-0.001 { // near the edge, decide as geo.Within does
		if meters = geo.Distance(q, c.b.pts[c.i]); !(meters <= x.radius) {
			return true
		}
	}
	if c.b.at[c.i].multi {
		p := c.b.facts[c.i].party
		if slices.Contains(sc.seen, p) {
			return true
		}
		sc.seen = append(sc.seen, p)
	}
	return visit(c.b, c.i, meters)
}

// chordMeters returns the great-circle distance of a squared chord.
func chordMeters(c2 float64) float64 {
	return 2 * geo.EarthRadiusMeters * math.Asin(min(math.Sqrt(c2)/2, 1))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// before orders candidates by distance, then by id, so that answers do
// not depend on the order suppliers were indexed in.
func (c candidate) before(d candidate) bool {
	if c.c2 != d.c2 {
		return c.c2 < d.c2
	}
	return c.b.facts[c.i].party.ID < d.b.facts[d.i].party.ID
}

// push adds c to the min-heap of candidates by c2.
func (sc *scratch) push(c candidate) {
	h := append(sc.heap, c)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	sc.heap = h
}

// pop removes and returns the nearest candidate.
func (sc *scratch) pop() candidate {
	h := sc.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(h) && h[l].before(h[m]) {
			m = l
		}
		if r := l + 1; r < len(h) && h[r].before(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	sc.heap = h
	return top
}

// evaluator decides eligibility of suppliers for one wish.
type evaluator struct {
	x        *Index
	plan     *rules.Plan
	env      *rules.Env
	category string
	today    civilDate
	now      int64
	s        *Search
}

// newEvaluator prepares the rules for the wish once; x.mu is held.
func (x *Index) newEvaluator(sc *scratch, w *wishFacts, s Search) *evaluator {
	now := s.Now.UTC()
	w.env(&sc.env, now)
	ev := &evaluator{x: x, env: &sc.env, category: w.category, today: civilOf(now), now: now.UnixNano(), s: &s}
	if s.Rules != nil {
		ev.plan = s.Rules.Prepare(&sc.env)
	}
	return ev
}

// check reports whether the supplier at entry i of b may serve the wish
// from meters away, and counts the rules that refuse it when the search
// counts exclusions. It reads the entry, and the supplier's other facts
// only for what few suppliers need.
func (ev *evaluator) check(b *supplierBucket, i int, meters float64) bool {
	e, lists := &b.at[i], ev.x.lists
	if e.cats != 0 && !slices.Contains(lists[e.cats], ev.category) {
		ev.exclude(RuleCategory)
		return false
	}
	if ev.plan == nil {
		return true
	}
	sup := &ev.env.Supplier
	*sup = rules.Supplier{
		Kind: kindNames[e.kind], Age: ageOn(civilDate(e.birth), ev.today), Skills: lists[e.skills],
		Certifications: lists[e.certs], MaxActiveClaims: int(e.maxActive), Vetted: e.vetted,
	}
	if ev.now >= e.certsUntil {
		sup.Certifications = b.facts[i].validCerts(ev.now)
	}
	if ev.s.Claims != nil {
		sup.ActiveClaims = ev.s.Claims(b.facts[i].party)
	}
	if kindNames[e.kind] == SupplierResource { // as vetted as its owner
		sup.Vetted = ev.x.vetted[b.facts[i].owner]
	}
	ev.env.WalkMinutes = ev.x.grid.WalkMinutes(meters)
	if ev.s.Excluded == nil {
		ok, _ := ev.plan.Evaluate(ev.env)
		return ok
	}
	ok := true
	ev.plan.EvaluateAll(ev.env, func(r *rules.Rule) {
		ok = false
		ev.exclude(r.Name)
	})
	return ok
}

func (ev *evaluator) exclude(rule string) {
	if ev.s.Excluded != nil {
		ev.s.Excluded[rule]++
	}
}

// CandidateList is the answer to "who could serve this wish?".
type CandidateList struct {
	Candidates []Candidate    `json:"candidates"`
	Excluded   map[string]int `json:"excluded"`
}

// defaultCandidates is how many candidates a list has unless asked.
const defaultCandidates = 20

// WishCandidates returns the nearest limit suppliers eligible for an open
// wish, nearest first, and how many suppliers inside its walking circle
// each rule refused. Coordinators, admins and the wish's social workers
// only. It returns ECONFLICT for a wish that is not open.
func (s *Service) WishCandidates(ctx context.Context, wishID string, limit int) (*CandidateList, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = defaultCandidates
	case limit < 0:
		return nil, Invalid("limit", "must be positive")
	case limit > s.cfg.MaxPageSize:
		limit = s.cfg.MaxPageSize
	}
	w, err := s.indexedWish(ctx, wishID)
	if err != nil {
		return nil, err
	}
	if p.Role == RoleSocialWorker && w.tenant != p.SubjectID {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	if st := s.wishes.state(wishID); st.status != StatusOpen {
		return nil, Errorf(ECONFLICT, "only an open wish has candidates; this one is %s", st.status)
	}
	list := &CandidateList{Candidates: []Candidate{}, Excluded: map[string]int{}}
	list.Candidates, _, err = s.index.Candidates(wishID, Search{
		Rules: s.ruleSet(), Now: s.now(), Limit: limit, Excluded: list.Excluded, Claims: s.wishes.activeClaims,
	}, list.Candidates)
	return list, err
}

// indexedWish returns what the index holds of a wish, indexing it first
// when it was written by another replica.
func (s *Service) indexedWish(ctx context.Context, id string) (wishEntry, error) {
	if e, ok := s.index.wish(id); ok {
		return e, nil
	}
	w, err := get(ctx, s.store.Wishes(), id, func(*Wish) bool { return true })
	if err != nil {
		return wishEntry{}, err
	}
	r, err := s.store.Residents().Get(ctx, w.ResidentID)
	if err != nil {
		return wishEntry{}, fmt.Errorf("resident of wish %s: %w", id, err)
	}
	s.index.PutWish(w, r)
	e, _ := s.index.wish(id)
	return e, nil
}

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
// wishes whose walking circle holds the point near ("LAT,LNG") and that
// the calling volunteer, organisation or enterprise is eligible for.
func (s *Service) NearWishes(ctx context.Context, near, status string, req PageRequest) (*Page[PublicWish], error) {
	p, err := authorize(ctx, RoleVolunteer, RoleOrganisation, RoleEnterprise)
	if err != nil {
		return nil, err
	}
	at, err := ParseNear(near)
	if err != nil {
		return nil, err
	}
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

// RuleImpact compares how many suppliers may serve one open wish under
// the rules in force and under proposed rules.
type RuleImpact struct {
	WishID   string
	Category string
	Before   int
	After    int
}

// RulesImpact returns, for every open wish in the index, how many
// suppliers inside its circle are eligible under the rules in force and
// under proposed: the dry run of `linli rules impact`. It reads memory only.
func (s *Service) RulesImpact(proposed *rules.Set) []RuleImpact {
	now, current := s.now(), s.ruleSet()
	count := func(id string, set *rules.Set) int {
		got, _, _ := s.index.Candidates(id, Search{Rules: set, Now: now, Limit: math.MaxInt,
			Excluded: map[string]int{}, Claims: s.wishes.activeClaims}, nil)
		return len(got)
	}
	var out []RuleImpact
	for _, id := range s.index.wishIDs() {
		if s.wishes.state(id).status != StatusOpen {
			continue
		}
		e, _ := s.index.wish(id)
		out = append(out, RuleImpact{WishID: id, Category: e.category, Before: count(id, current), After: count(id, proposed)})
	}
	return out
}
