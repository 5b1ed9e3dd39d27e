package index

import (
	"math"
	"slices"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Party names a supplier: its kind and id.
type Party struct {
	Kind string
	ID   string
}

// Supplier kinds.
const (
	Volunteer    = "volunteer"
	Organisation = "organisation"
	Enterprise   = "enterprise"
	Resource     = "resource"
)

// Names of the refusals that are not rules from a rules file. They appear
// where rule names do: in refusals and in exclusion counts.
const (
	RuleWalkingCircle = "walking-circle"
	RuleCategory      = "serves-category"
)

// Cert is a certification valid until Until.
type Cert struct {
	Type  string
	Until time.Time
}

// Supplier is what eligibility needs of one supplier: volunteer,
// organisation, enterprise or resource.
type Supplier struct {
	Party  Party
	Node   string      // the node of the district tree it is registered under
	Points []geo.Point // where it serves from: home, location, sites
	Cells  []geo.Cell  // the cell of each point
	// BirthDate is a volunteer's, "YYYY-MM-DD"; empty for the others.
	BirthDate string
	Skills    []string
	Certs     []Cert
	// Categories are what an organisation, enterprise or resource offers;
	// it serves no other. AnyCategory (volunteers) serves every category
	// the rules allow.
	Categories  []string
	AnyCategory bool
	MaxActive   int
	Vetted      bool
	Owner       Party // of a resource: it is as vetted as its owner
	Version     int64 // a write of an older version is ignored
}

// Wish is what eligibility needs of one wish.
type Wish struct {
	ID       string
	Node     string
	Resident string
	// Point is the wish's cloaked point: the centre of its cloaking cell.
	// The resident's exact point never enters the index, so nothing a
	// search answers can depend on it.
	Point    geo.Point
	Cell     geo.Cell
	Category string
	Skills   []string
	DueAt    time.Time
	OnSite   bool
	Version  int64
}

// Resident is what rules may read of the person a wish serves.
type Resident struct {
	BirthDate    string
	Disabilities []string
	LivesAlone   bool
}

// civilDate is a calendar date as the number yyyymmdd, so that ages are
// whole-number arithmetic: (today − birth) / 10000.
type civilDate int

func civilOf(t time.Time) civilDate {
	return civilDate(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// parseCivil reads "YYYY-MM-DD"; a missing or malformed date is 0.
func parseCivil(s string) civilDate {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' { // the common case, without time.Parse
		n, ok := 0, true
		for i, ch := range []byte(s) {
			if i == 4 || i == 7 {
				continue
			}
			ok = ok && ch >= '0' && ch <= '9'
			n = n*10 + int(ch-'0')
		}
		if m, d := n/100%100, n%100; ok && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(m, n/10000) {
			return civilDate(n)
		}
		return 0
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0
	}
	return civilOf(d)
}

// daysIn returns the days of month m of year y.
func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ageOn returns the age in whole years on today of someone born on birth:
// 0 when birth is unknown or later than today.
func ageOn(birth, today civilDate) int {
	if birth == 0 || today < birth {
		return 0
	}
	return int(today-birth) / 10000
}

// AgeAt returns the age in whole years at t of someone born on birthDate
// ("YYYY-MM-DD"), or 0 when the date is missing or malformed.
func AgeAt(birthDate string, t time.Time) int {
	return ageOn(parseCivil(birthDate), civilOf(t))
}

// AgeBand returns the band rules use: child (<14), minor (14–17), adult
// (18–59) or elderly (60+).
func AgeBand(age int) string {
	switch {
	case age < 14:
		return "child"
	case age < 18:
		return "minor"
	case age < 60:
		return "adult"
	default:
		return "elderly"
	}
}

// supplierFacts is what eligibility needs of one supplier, computed once
// when the supplier is written, so that deciding needs no date parsing and
// no allocation. The fields read for every candidate come first, to share
// cache lines.
type supplierFacts struct {
	birth      civilDate // 0 for all but volunteers
	certsUntil int64     // the earliest expiry of certs (Unix ns): before it, all are valid
	skills     []string
	certs      []string // sorted by expiry, latest first
	categories []string
	anyCat     bool
	maxActive  int
	vetted     bool
	multi      bool // serves from several points
	party      Party
	certUntil  []int64 // certs[i] is valid before certUntil[i] (Unix ns)
	node       string
	owner      Party
	points     []geo.Point
}

func factsOf(s *Supplier) supplierFacts {
	f := supplierFacts{
		party:      s.Party,
		node:       s.Node,
		points:     slices.Clone(s.Points),
		multi:      len(s.Points) > 1,
		birth:      parseCivil(s.BirthDate),
		skills:     slices.Clip(slices.Clone(s.Skills)),
		categories: slices.Clone(s.Categories),
		anyCat:     s.AnyCategory,
		maxActive:  s.MaxActive,
		vetted:     s.Vetted,
		owner:      s.Owner,
		certsUntil: math.MaxInt64,
	}
	certs := slices.Clone(s.Certs)
	slices.SortStableFunc(certs, func(a, b Cert) int { return b.Until.Compare(a.Until) })
	for _, c := range certs {
		f.certs = append(f.certs, c.Type)
		f.certUntil = append(f.certUntil, c.Until.UnixNano())
		f.certsUntil = min(f.certsUntil, c.Until.UnixNano())
	}
	return f
}

// validCerts returns the certifications valid at now: a prefix of certs,
// since they are sorted by expiry, latest first.
func (f *supplierFacts) validCerts(now int64) []string {
	if now < f.certsUntil {
		return f.certs
	}
	return validCerts(f.certs, f.certUntil, now)
}

// validCerts returns the prefix of certs valid at now, until being their
// expiries, latest first.
func validCerts(certs []string, until []int64, now int64) []string {
	n := 0
	for n < len(until) && now < until[n] {
		n++
	}
	return certs[:n]
}

// serves reports whether the supplier offers the category.
func (f *supplierFacts) serves(category string) bool {
	return f.anyCat || slices.Contains(f.categories, category)
}

// nearest returns the distance in metres from p to the supplier's nearest
// point.
func (f *supplierFacts) nearest(p geo.Point) float64 {
	best := math.Inf(1)
	for _, q := range f.points {
		best = min(best, geo.Distance(p, q))
	}
	return best
}

// ruleFacts fills the rules' view of the supplier at now.
func (f *supplierFacts) ruleFacts(out *rules.Supplier, today civilDate, now int64, active int, vetted bool) {
	*out = rules.Supplier{
		Kind:            f.party.Kind,
		Age:             ageOn(f.birth, today),
		Skills:          f.skills,
		Certifications:  f.validCerts(now),
		ActiveClaims:    active,
		MaxActiveClaims: f.maxActive,
		Vetted:          vetted,
	}
}

// wishFacts is what eligibility needs of one wish and its resident.
type wishFacts struct {
	Wish
	residentFacts
}

type residentFacts struct {
	birth        civilDate
	disabilities []string
	livesAlone   bool
}

func residentFactsOf(r *Resident) residentFacts {
	return residentFacts{birth: parseCivil(r.BirthDate), disabilities: slices.Clone(r.Disabilities), livesAlone: r.LivesAlone}
}

// env fills the rules' view of the wish and its resident at now; the
// supplier and walk_minutes are left for the caller.
func (w *wishFacts) env(out *rules.Env, now time.Time) {
	age := ageOn(w.birth, civilOf(now))
	*out = rules.Env{
		Wish: rules.Wish{Category: w.Category, Needs: rules.Needs{Skills: w.Skills}, DueAt: w.DueAt, OnSite: w.OnSite},
		Resident: rules.Resident{
			Age: age, AgeBand: AgeBand(age), Disabilities: w.disabilities, LivesAlone: w.livesAlone,
		},
		Now: now,
	}
}
