package index

import (
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
	// Skip, when not nil, leaves out the suppliers it returns true for
	// (they are neither candidates nor counted as excluded).
	Skip func(Party) bool
	// Timed asks for the time spent running rules to be measured, at the
	// cost of two clock reads per evaluation.
	Timed bool
	// Minutes, when more than the grid's walking circle, widens the circle
	// of this search (the expanding circle of matching rounds).
	Minutes float64
}

// circle is the walking circle a search looks inside.
type circle struct {
	radius  float64 // metres
	chordR2 float64 // squared chord of radius, with room for rounding
}

// circleOf returns the circle of a walk of minutes, the walking circle
// when minutes is no more than its own.
func (x *Index) circleOf(minutes float64) circle {
	r := x.radius
	if minutes > 0 {
		r = max(r, x.grid.RadiusOf(minutes))
	}
	return circle{radius: r, chordR2: chord2Of(r) * (1 + 1e-9)}
}

// SearchStats counts a search's work, for benchmarks.
type SearchStats struct {
	Scanned   int           // entries whose distance was computed
	Evaluated int           // suppliers whose eligibility the rules decided
	Reused    int           // suppliers decided by a verdict reused (see verdictMemo)
	Deciding  time.Duration // time spent running rules, when Search.Timed
}

// candidate is an entry of a bucket inside the circle, in the search heap.
type candidate struct {
	c2       float64 // squared chord to the query point
	b        *supplierBucket
	i        int32
	eligible bool // decided already, by a verdict that holds at any distance
}

// scratch is a search's reusable memory.
type scratch struct {
	heap []candidate
	seen []Party
	env  rules.Env
	memo verdictMemo
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Candidates appends to out the nearest s.Limit suppliers eligible for the
// indexed wish, nearest first (equal walks by id), measured from the
// wish's cloaked point. It returns ErrNotIndexed when the index does not
// hold the wish. It reads only memory: no store query, no H3 call.
func (x *Index) Candidates(wishID string, s Search, out []Candidate) ([]Candidate, SearchStats, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	return x.candidates(sc, wishID, &s, out, true)
}

// candidates is Candidates on sc, reusing verdicts when reuse allows.
func (x *Index) candidates(sc *scratch, wishID string, s *Search, out []Candidate, reuse bool) ([]Candidate, SearchStats, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	wf, e, ok := x.wishFacts(wishID)
	if !ok {
		return out, SearchStats{}, ErrNotIndexed
	}
	ev := x.newEvaluator(sc, wf, s, reuse)
	c, disk := x.circleOf(s.Minutes), e.disk
	if c.radius > x.radius {
		disk = x.wideDisk(e.Point, c.radius)
	}
	out = x.walk(sc, ev, e.Point, c, disk, out)
	return out, ev.stats, nil
}

// walk appends to out the suppliers inside the walking circle around q
// that ev finds eligible, nearest first, until it holds s.Limit of them or,
// when the search counts exclusions, every supplier has been decided; disk
// is the circle's cover, nearest centre first. A supplier with several
// points is decided once, at its nearest. x.mu is held.
//
// A cell's suppliers are no nearer than its centre less maxRadius, so an
// entry is decided once the cells still unscanned cannot hold a nearer
// one, and a search that stops early scans only the nearest cells. Entries
// whose verdict does not depend on distance are decided as they are
// scanned, so that only eligible ones enter the heap.
func (x *Index) walk(sc *scratch, ev *evaluator, q geo.Point, circle circle, disk []diskCell, out []Candidate) []Candidate {
	qv := toVec(q)
	sc.heap, sc.seen = sc.heap[:0], sc.seen[:0]
	prejudge := ev.s.Excluded == nil
	for _, dc := range disk {
		lb := dc.meters - x.maxRadius
		if lb > circle.radius {
			break
		}
		lb2 := chord2Of(lb)
		for len(sc.heap) > 0 && sc.heap[0].c2 < lb2 {
			if out = x.visitNearest(sc, ev, q, circle.radius, out); ev.done(out) {
				return out
			}
		}
		b := x.suppliers[dc.key]
		if b == nil {
			continue
		}
		ev.stats.Scanned += len(b.at)
		for i := range b.at {
			e := &b.at[i]
			c2 := chord2(qv, e.vec3)
			if c2 > circle.chordR2 {
				continue
			}
			if ev.s.Skip != nil && ev.s.Skip(Party{Kind: kindNames[e.kind], ID: b.ids[i]}) {
				continue
			}
			v := undecided
			if prejudge {
				if v = ev.prejudge(e); v == refused {
					continue
				}
			}
			sc.push(candidate{c2: c2, b: b, i: int32(i), eligible: v == allowed})
		}
	}
	for len(sc.heap) > 0 {
		if out = x.visitNearest(sc, ev, q, circle.radius, out); ev.done(out) {
			break
		}
	}
	return out
}

// visitNearest pops the nearest candidate and appends it to out if it is
// eligible, unless it is outside radius by the exact distance or its
// supplier was visited.
func (x *Index) visitNearest(sc *scratch, ev *evaluator, q geo.Point, radius float64, out []Candidate) []Candidate {
	c := sc.pop()
	meters := chordMeters(c.c2)
	if meters > radius-0.001 { // near the edge, decide as geo.Within does
		if meters = geo.Distance(q, c.b.pts[c.i]); !(meters <= radius) {
			return out
		}
	}
	if c.b.at[c.i].multi {
		p := Party{Kind: kindNames[c.b.at[c.i].kind], ID: c.b.ids[c.i]}
		for _, s := range sc.seen {
			if s == p {
				return out
			}
		}
		sc.seen = append(sc.seen, p)
	}
	if !c.eligible && !ev.check(c.b, int(c.i), meters) {
		return out
	}
	if len(out) < ev.s.Limit {
		kind := kindNames[c.b.at[c.i].kind]
		out = append(out, Candidate{Kind: kind, ID: c.b.ids[c.i], WalkMinutes: x.grid.WalkMinutes(meters)})
	}
	return out
}

// before orders candidates by distance, then by id, so that answers do
// not depend on the order suppliers were indexed in.
func (c candidate) before(d candidate) bool {
	if c.c2 != d.c2 {
		return c.c2 < d.c2
	}
	return c.b.ids[c.i] < d.b.ids[d.i]
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
