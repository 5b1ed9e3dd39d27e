package matcher

import "time"

// Config holds the domain settings the Service needs. Zero values take
// the defaults noted.
type Config struct {
	Catalog                Catalog
	DefaultMaxActiveClaims int // 3
	PageSize               int // default page size of lists: 50
	MaxPageSize            int // the cap on ?limit=: 200
	// Claims: how long a claim lasts (per category, else ClaimTTL, 72h),
	// how long before its due time the claimant is warned (12h) and how
	// often due claims are looked for (5s).
	ClaimTTL           time.Duration
	ClaimTTLByCategory map[string]time.Duration
	WarnBefore         time.Duration
	ExpiryInterval     time.Duration
	// AddressWithdrawals is how many claims a supplier may withdraw after
	// reading the resident's address within AddressWithdrawalsWindow
	// before its own claims are refused (3 in 720h; negative: no limit).
	AddressWithdrawals       int
	AddressWithdrawalsWindow time.Duration
	// SyncInterval is how often the log is read for changes other
	// processes committed (1s; negative: never).
	SyncInterval time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered (24h).
	IdempotencyTTL time.Duration
	// KAnonymity is how many residents a coarse cell must hold to be shown;
	// otherwise its parent is shown (5).
	KAnonymity int
	// CloakResolution is the resolution of the cell whose centre stands
	// for a wish's place in everything a supplier can see or trigger
	// before holding its claim (the stored resolution, 9: about 0.1 km²).
	CloakResolution int
	// Retention is how long personal data of a closed wish is kept before
	// the retention job erases it (180 days).
	Retention time.Duration
	// MaxDueIn bounds how far ahead a wish may be due (1 year).
	MaxDueIn time.Duration
	// Matching tunes matching rounds.
	Matching MatchingConfig
	// Coverage tunes the coverage report, Evaluation the evaluation of
	// programmes and providers.
	Coverage   CoverageConfig
	Evaluation EvaluationConfig
}

// Catalog holds the configurable vocabularies inputs are checked against.
type Catalog struct {
	Categories         []string
	CertificationTypes []string
	Disabilities       []string
}

// withDefaults returns c with every zero setting at its default.
func (c Config) withDefaults(storedResolution int) Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.PageSize <= 0 {
		c.PageSize = 50
	}
	if c.MaxPageSize < c.PageSize {
		c.MaxPageSize = max(c.PageSize, 200)
	}
	if c.DefaultMaxActiveClaims <= 0 {
		c.DefaultMaxActiveClaims = 3
	}
	if c.AddressWithdrawals == 0 {
		c.AddressWithdrawals = 3
	}
	def(&c.AddressWithdrawalsWindow, 30*24*time.Hour)
	if c.KAnonymity <= 0 {
		c.KAnonymity = 5
	}
	if c.CloakResolution <= 0 || c.CloakResolution > storedResolution {
		c.CloakResolution = storedResolution
	}
	def(&c.Retention, 180*24*time.Hour)
	def(&c.ClaimTTL, 72*time.Hour)
	def(&c.WarnBefore, 12*time.Hour)
	def(&c.ExpiryInterval, 5*time.Second)
	def(&c.SyncInterval, time.Second)
	def(&c.IdempotencyTTL, 24*time.Hour)
	def(&c.MaxDueIn, 366*24*time.Hour)
	c.Matching = c.Matching.withDefaults()
	c.Coverage = c.Coverage.withDefaults()
	c.Evaluation = c.Evaluation.withDefaults()
	return c
}
