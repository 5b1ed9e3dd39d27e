package index

import (
	"slices"
	"time"

	"github.com/linli/linli/rules"
)

// evaluator decides eligibility of suppliers for one wish.
type evaluator struct {
	x        *Index
	plan     *rules.Plan
	env      *rules.Env
	memo     *verdictMemo // nil: every supplier is decided by the rules
	category string
	today    civilDate
	now      int64
	s        *Search
	stats    SearchStats
}

// newEvaluator prepares the rules for the wish once, and the verdicts it
// may reuse when reuse is set; x.mu is held.
func (x *Index) newEvaluator(sc *scratch, w *wishFacts, s *Search, reuse bool) *evaluator {
	now := s.Now.UTC()
	w.env(&sc.env, now)
	ev := &evaluator{x: x, env: &sc.env, category: w.Category, today: civilOf(now), now: now.UnixNano(), s: s}
	if s.Rules != nil {
		ev.plan = s.Rules.Prepare(&sc.env)
		if reuse && s.Excluded == nil && sc.memo.use(x, ev.plan, &sc.env, ev.category, ev.today, s.Claims != nil) {
			ev.memo = &sc.memo
		}
	}
	return ev
}

// done reports whether the search has found all it looks for.
func (ev *evaluator) done(out []Candidate) bool {
	return ev.s.Excluded == nil && len(out) >= ev.s.Limit
}

// verdict is what prejudge knows of a supplier.
type verdict uint8

const (
	undecided verdict = iota // it depends on the distance or on facts that change: check decides
	allowed
	refused
)

// prejudge decides the supplier of entry e, at any distance, when its
// verdict depends only on its profile and its age: without rules, or with
// rules whose verdicts ev.memo may reuse, for a supplier all of whose
// certifications are valid and that is not a resource (whose vetted flag is
// its owner's).
func (ev *evaluator) prejudge(e *entry) verdict {
	pr := &ev.x.profiles[e.profile]
	if ev.plan == nil {
		return ev.byCategory(pr)
	}
	if ev.memo == nil || e.kind == resourceKind || ev.now >= e.certsUntil {
		return undecided
	}
	age := ageOn(civilDate(e.birth), ev.today)
	if age >= memoAges {
		return undecided
	}
	slot := &ev.memo.verdicts[int(e.profile)*memoAges+age]
	if v := *slot; v>>2 == ev.memo.gen {
		ev.stats.Reused++
		return verdict(v & 3)
	}
	v := ev.byCategory(pr)
	if v == allowed {
		ev.supplier(pr, age, ev.x.lists[pr.certs], pr.vetted, 0)
		ev.env.WalkMinutes = 0 // the rules do not read it
		if !ev.evaluate() {
			v = refused
		}
	}
	*slot = ev.memo.gen<<2 | uint8(v)
	return v
}

// byCategory returns refused when the supplier does not offer the wish's
// category, else allowed.
func (ev *evaluator) byCategory(pr *profile) verdict {
	if !pr.anyCat && !slices.Contains(ev.x.lists[pr.cats], ev.category) {
		return refused
	}
	return allowed
}

// check reports whether the supplier at entry i of b may serve the wish
// from meters away, and counts the rules that refuse it when the search
// counts exclusions.
func (ev *evaluator) check(b *supplierBucket, i int, meters float64) bool {
	e := &b.at[i]
	pr := &ev.x.profiles[e.profile]
	if ev.byCategory(pr) == refused {
		ev.exclude(RuleCategory)
		return false
	}
	if ev.plan == nil {
		return true
	}
	certs, vetted, active := ev.x.lists[pr.certs], pr.vetted, 0
	if ev.now >= e.certsUntil {
		certs = validCerts(certs, b.until[i], ev.now)
	}
	if ev.s.Claims != nil {
		active = ev.s.Claims(Party{Kind: kindNames[e.kind], ID: b.ids[i]})
	}
	if e.kind == resourceKind { // as vetted as its owner
		vetted = ev.x.vetted[ev.x.owners[b.ids[i]]]
	}
	ev.supplier(pr, ageOn(civilDate(e.birth), ev.today), certs, vetted, active)
	ev.env.WalkMinutes = ev.x.grid.WalkMinutes(meters)
	if ev.s.Excluded == nil {
		return ev.evaluate()
	}
	ev.stats.Evaluated++
	ok := true
	ev.plan.EvaluateAll(ev.env, func(r *rules.Rule) {
		ok = false
		ev.exclude(r.Name)
	})
	return ok
}

// supplier sets the supplier's facts in the rules' environment.
func (ev *evaluator) supplier(pr *profile, age int, certs []string, vetted bool, active int) {
	ev.env.Supplier = rules.Supplier{
		Kind: kindNames[pr.kind], Age: age, Skills: ev.x.lists[pr.skills], Certifications: certs,
		ActiveClaims: active, MaxActiveClaims: int(pr.maxActive), Vetted: vetted,
	}
}

// evaluate runs the plan on the environment, timed when the search asks.
func (ev *evaluator) evaluate() bool {
	ev.stats.Evaluated++
	if !ev.s.Timed {
		ok, _ := ev.plan.Evaluate(ev.env)
		return ok
	}
	start := time.Now()
	ok, _ := ev.plan.Evaluate(ev.env)
	ev.stats.Deciding += time.Since(start)
	return ok
}

func (ev *evaluator) exclude(rule string) {
	if ev.s.Excluded != nil {
		ev.s.Excluded[rule]++
	}
}
