package index

import (
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
