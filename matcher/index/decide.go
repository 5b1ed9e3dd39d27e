package index

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Verdict is the decision on one supplier for one wish.
type Verdict struct {
	WalkMinutes float64
	// Rule names what refused the supplier ("" when it may serve): a rule
	// of the rule set, RuleWalkingCircle or RuleCategory. Explain is the
	// rule's explanation.
	Rule    string
	Explain string
}

// OK reports whether the supplier may serve the wish.
func (v Verdict) OK() bool { return v.Rule == "" }

// Ask is what a decision needs besides the wish and the supplier.
type Ask struct {
	Rules  *rules.Set // nil: no rules, only the circle and the category
	Now    time.Time
	Active int // the supplier's active claims
	// From, when not nil, is the point the walk is measured from instead
	// of the supplier's nearest point: the point a supplier asked about.
	From *geo.Point
	// Minutes, when more than the grid's walking circle, widens the
	// circle for this decision (the expanding circle of matching rounds).
	Minutes float64
}

// Decide decides whether supplier may serve the indexed wish: within the
// walking circle of the wish's cloaked point, offering its category, and
// allowed by every rule. It returns ErrNotIndexed when the index holds
// neither the wish nor the supplier.
func (x *Index) Decide(wishID string, supplier Party, a Ask) (Verdict, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	wf, _, ok := x.wishFacts(wishID)
	if !ok {
		return Verdict{}, ErrNotIndexed
	}
	sf, ok := x.supplier(supplier)
	if !ok {
		return Verdict{}, ErrNotIndexed
	}
	return x.decide(wf, &sf, &a), nil
}

// decide is Decide on facts; x.mu is held.
func (x *Index) decide(wf *wishFacts, sf *supplierFacts, a *Ask) Verdict {
	var meters float64
	if a.From != nil {
		meters = geo.Distance(*a.From, wf.Point)
	} else {
		meters = sf.nearest(wf.Point)
	}
	v := Verdict{WalkMinutes: x.grid.WalkMinutes(meters)}
	radius := x.radius
	if a.Minutes > 0 {
		radius = max(radius, x.grid.RadiusOf(a.Minutes))
	}
	if !(meters <= radius) {
		v.Rule, v.Explain = RuleWalkingCircle, "The wish is outside the supplier's walking circle."
		return v
	}
	if !sf.serves(wf.Category) {
		v.Rule, v.Explain = RuleCategory, "The supplier does not offer "+wf.Category+"."
		return v
	}
	if a.Rules == nil {
		return v
	}
	now := a.Now.UTC()
	var env rules.Env
	wf.env(&env, now)
	env.WalkMinutes = v.WalkMinutes
	vetted := sf.vetted
	if sf.party.Kind == Resource {
		vetted = x.vetted[sf.owner]
	}
	sf.ruleFacts(&env.Supplier, civilOf(now), now.UnixNano(), a.Active, vetted)
	if ok, denied := a.Rules.Evaluate(&env); !ok {
		v.Rule, v.Explain = denied.Name, denied.Explain
	}
	return v
}

// Nearby is a wish whose walking circle holds a point, and the distance.
type Nearby struct {
	ID     string
	Meters float64
}

// Near calls visit with the wishes whose walking circle, around their
// cloaked point, holds p, nearest first (equal distances by id), until
// visit returns false. It walks the cells around p nearest first and stops
// as soon as visit has had enough, so that a listing of the first page
// costs the same in a dense district as in a sparse one.
func (x *Index) Near(p geo.Point, visit func(Nearby) bool) {
	disk := x.diskOf(p) // nearest cell centre first
	pv := toVec(p)
	x.mu.RLock()
	var found []Nearby // read under the lock, visited without it
	var h nearbyHeap
	for _, dc := range disk {
		// A wish kept in this cell is no nearer than its centre less the
		// cell's radius; those nearer than that bound are final.
		bound := dc.meters - x.wishRadius
		for len(h) > 0 && h[0].Meters < bound {
			found = append(found, heap.Pop(&h).(Nearby))
		}
		if bound > x.radius {
			break
		}
		b := x.wishCells[dc.key]
		if b == nil {
			continue
		}
		for i, v := range b.at {
			if chord2(pv, v) > x.chordR2 {
				continue
			}
			e := x.wishes[b.ids[i]]
			if m := geo.Distance(p, e.Point); m <= x.radius {
				heap.Push(&h, Nearby{ID: e.ID, Meters: m})
			}
		}
		if len(found) >= nearBatch {
			break
		}
	}
	complete := true
	if len(found) >= nearBatch {
		complete = false
	}
	x.mu.RUnlock()
	for _, n := range found {
		if !visit(n) {
			return
		}
	}
	if complete {
		for len(h) > 0 {
			if !visit(heap.Pop(&h).(Nearby)) {
				return
			}
		}
		return
	}
	// More were wanted than the first batch held: list them all.
	x.nearAll(p, pv, disk, found, visit)
}

// nearBatch is how many wishes Near reads under one lock before handing
// them to visit; a visit that wants more makes it read them all.
const nearBatch = 256

// nearAll visits the wishes of the circle around p after the first len(seen)
// of them, nearest first.
func (x *Index) nearAll(p geo.Point, pv vec3, disk []diskCell, seen []Nearby, visit func(Nearby) bool) {
	var all []Nearby
	x.mu.RLock()
	for _, dc := range disk {
		b := x.wishCells[dc.key]
		if b == nil {
			continue
		}
		for i, v := range b.at {
			if chord2(pv, v) > x.chordR2 {
				continue
			}
			e := x.wishes[b.ids[i]]
			if m := geo.Distance(p, e.Point); m <= x.radius {
				all = append(all, Nearby{ID: e.ID, Meters: m})
			}
		}
	}
	x.mu.RUnlock()
	slices.SortFunc(all, compareNearby)
	for _, n := range all[min(len(seen), len(all)):] {
		if !visit(n) {
			return
		}
	}
}

func compareNearby(a, b Nearby) int {
	return cmp.Or(cmp.Compare(a.Meters, b.Meters), strings.Compare(a.ID, b.ID))
}

// nearbyHeap is a min-heap of wishes by distance, then id.
type nearbyHeap []Nearby

func (h nearbyHeap) Len() int           { return len(h) }
func (h nearbyHeap) Less(i, j int) bool { return compareNearby(h[i], h[j]) < 0 }
func (h nearbyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nearbyHeap) Push(v any)        { *h = append(*h, v.(Nearby)) }
func (h *nearbyHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
