package rules

import "time"

// Env is everything a rule can read. It is plain data computed before
// evaluation: no methods, no I/O, so a rule cannot reach the store or the
// network. Field names in rules files are the expr tags.
type Env struct {
	Wish        Wish      `expr:"wish"`
	Resident    Resident  `expr:"resident"`
	Supplier    Supplier  `expr:"supplier"`
	WalkMinutes float64   `expr:"walk_minutes"`
	Now         time.Time `expr:"now"`
}

// Wish holds the facts of the wish being served.
type Wish struct {
	Category string    `expr:"category"`
	Needs    Needs     `expr:"needs"`
	DueAt    time.Time `expr:"due_at"`
	OnSite   bool      `expr:"on_site"`
}

// Needs lists what a supplier must bring.
type Needs struct {
	Skills []string `expr:"skills"`
}

// Resident holds the facts about the person a wish serves that rules may use.
type Resident struct {
	Age          int      `expr:"age"`
	AgeBand      string   `expr:"age_band"` // "child" (<14), "minor" (14–17), "adult" (18–59), "elderly" (60+)
	Disabilities []string `expr:"disabilities"`
	LivesAlone   bool     `expr:"lives_alone"`
}

// Supplier holds the facts about whoever would serve the wish.
type Supplier struct {
	Kind            string   `expr:"kind"` // volunteer, organisation, enterprise, resource
	Age             int      `expr:"age"`  // 0 for organisations and enterprises
	Skills          []string `expr:"skills"`
	Certifications  []string `expr:"certifications"` // only those valid at Env.Now
	ActiveClaims    int      `expr:"active_claims"`
	MaxActiveClaims int      `expr:"max_active_claims"` // 0 means no limit
	Rating          float64  `expr:"rating"`
	Vetted          bool     `expr:"vetted"`
}
