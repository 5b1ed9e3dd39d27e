package index

import (
	"slices"

	"github.com/linli/linli/rules"
)

// memoAges is how many ages verdicts are kept for: a supplier aged
// memoAges or more is decided by the rules each time.
const memoAges = 128

// verdictMemo keeps the rules' verdicts by supplier profile and age, so
// that the many suppliers who share both are decided once: for the
// suppliers of one search, and of the searches after it as long as they
// run the Same plan on equal facts. It lives in a search's scratch.
//
// A verdict is reused only when it cannot differ: it is of the same
// index, whose profile ids mean one profile for good; the plan reads no
// distance and no clock, and of the supplier only what the profile and
// the age hold, or active claims when the search has none; the wish and
// resident facts it reads, the wish's category and the day are those the
// verdict was reached with; and the supplier's certifications are all
// valid (see evaluator.prejudge).
type verdictMemo struct {
	index    *Index // whose profiles the verdicts are by
	plan     *rules.Plan
	usable   bool      // the plan reads only facts the memo keys on or compares
	claims   bool      // the plan reads the supplier's active claims
	reads    factsRead // the wish and resident facts the plan reads
	category string
	today    civilDate
	wish     rules.Wish
	resident rules.Resident
	gen      uint8   // 1 to 63; a verdict of another generation is unknown
	verdicts []uint8 // by profile*memoAges + age: gen<<2 | verdict
}

// factsRead says which wish and resident facts a plan reads.
type factsRead uint8

const (
	readsCategory factsRead = 1 << iota
	readsNeeds
	readsDueAt
	readsOnSite
	readsAge
	readsAgeBand
	readsDisabilities
	readsLivesAlone
	readsWish     = readsCategory | readsNeeds | readsDueAt | readsOnSite
	readsResident = readsAge | readsAgeBand | readsDisabilities | readsLivesAlone
)

// wishFactRead returns the flag of a wish or resident fact, as rules
// spell it, and whether name is one.
func wishFactRead(name string) (factsRead, bool) {
	switch name {
	case "wish":
		return readsWish, true
	case "wish.category":
		return readsCategory, true
	case "wish.needs":
		return readsNeeds, true
	case "wish.due_at":
		return readsDueAt, true
	case "wish.on_site":
		return readsOnSite, true
	case "resident":
		return readsResident, true
	case "resident.age":
		return readsAge, true
	case "resident.age_band":
		return readsAgeBand, true
	case "resident.disabilities":
		return readsDisabilities, true
	case "resident.lives_alone":
		return readsLivesAlone, true
	}
	return 0, false
}

// use readies m for a search of x running plan on env (whose supplier is
// not read), for a wish of category on today, and reports whether the
// search may use it; x.mu is held.
func (m *verdictMemo) use(x *Index, plan *rules.Plan, env *rules.Env, category string, today civilDate, claims bool) bool {
	switch {
	case m.index != x || !m.plan.Same(plan):
		m.index, m.plan = x, plan
		m.analyse(plan.Reads())
		m.renew(env, category, today)
	case !m.sameFacts(env, category, today):
		m.renew(env, category, today)
	}
	if !m.usable || (m.claims && claims) {
		return false
	}
	if n := len(x.profiles) * memoAges; len(m.verdicts) < n {
		m.verdicts = append(m.verdicts, make([]uint8, n-len(m.verdicts))...)
	}
	return true
}

// analyse sets what m needs to know of the facts a plan reads.
func (m *verdictMemo) analyse(reads []string) {
	m.usable, m.claims, m.reads = true, false, 0
	for _, name := range reads {
		switch name {
		case "supplier.kind", "supplier.age", "supplier.skills", "supplier.certifications",
			"supplier.max_active_claims", "supplier.vetted", "supplier.rating":
		case "supplier", "supplier.active_claims":
			m.claims = true
		default:
			f, ok := wishFactRead(name)
			m.usable = m.usable && ok
			m.reads |= f
		}
	}
}

// renew forgets every verdict, for the facts given.
func (m *verdictMemo) renew(env *rules.Env, category string, today civilDate) {
	if m.gen++; m.gen >= 1<<6 {
		clear(m.verdicts)
		m.gen = 1
	}
	m.category, m.today, m.wish, m.resident = category, today, env.Wish, env.Resident
}

// sameFacts reports whether the facts the verdicts were reached with are
// those given, as far as the plan reads them.
func (m *verdictMemo) sameFacts(env *rules.Env, category string, today civilDate) bool {
	w, r := &env.Wish, &env.Resident
	same := func(f factsRead, equal bool) bool { return m.reads&f == 0 || equal }
	return category == m.category && today == m.today &&
		same(readsCategory, w.Category == m.wish.Category) &&
		same(readsNeeds, slices.Equal(w.Needs.Skills, m.wish.Needs.Skills)) &&
		same(readsDueAt, w.DueAt.Equal(m.wish.DueAt)) &&
		same(readsOnSite, w.OnSite == m.wish.OnSite) &&
		same(readsAge, r.Age == m.resident.Age) &&
		same(readsAgeBand, r.AgeBand == m.resident.AgeBand) &&
		same(readsDisabilities, slices.Equal(r.Disabilities, m.resident.Disabilities)) &&
		same(readsLivesAlone, r.LivesAlone == m.resident.LivesAlone)
}
