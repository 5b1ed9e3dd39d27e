package matcher

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Config holds the domain settings the Service needs.
type Config struct {
	Catalog                Catalog
	DefaultMaxActiveClaims int
	PageSize               int // default page size of lists
	MaxPageSize            int // the cap on ?limit=
	// Claims: how long a claim lasts (per category, else ClaimTTL, default
	// 72h), how long before its due time the claimant is warned (default
	// 12h) and how often due claims are looked for (default 5s).
	ClaimTTL           time.Duration
	ClaimTTLByCategory map[string]time.Duration
	WarnBefore         time.Duration
	ExpiryInterval     time.Duration
	// SyncInterval is how often events other replicas stored are read
	// (default 1s; negative = never), reaching SyncSkew back (default 10s).
	SyncInterval time.Duration
	SyncSkew     time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered (default
	// 24h); IdempotencyWait how long a repeat waits for the first (30s).
	IdempotencyTTL  time.Duration
	IdempotencyWait time.Duration
	// KAnonymity is how many wishes a coarse cell must hold to be shown;
	// otherwise its parent is shown. Default 5.
	KAnonymity int
	// Retention is how long personal data of a closed wish is kept before
	// the retention job erases it. Default 180 days.
	Retention time.Duration
}

// Service is Linli's domain logic: every method takes the caller from ctx,
// checks what that caller may do, validates input and talks to the Store.
type Service struct {
	store  Store
	grid   *geo.Grid
	rules  *rules.Engine
	cfg    Config
	now    func() time.Time
	logger *slog.Logger
	keys   *keyCache
	wishes *ledger
	index  *Index      // suppliers and wishes by cell, for candidate searches
	cells  *cellCounts // wishes per coarse cell, for k-anonymity

	// openedAt is when Open loaded the ledger; syncing starts from there.
	openedAt time.Time
	// claiming serialises this replica's claim attempts per wish.
	claiming keyedMutex
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read time from now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets where the Service logs.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// NewService returns a Service over store. Call Open before serving.
func NewService(store Store, grid *geo.Grid, engine *rules.Engine, cfg Config, opts ...Option) *Service {
	if cfg.PageSize <= 0 {
		cfg.PageSize = 50
	}
	if cfg.MaxPageSize < cfg.PageSize {
		cfg.MaxPageSize = cfg.PageSize
	}
	if cfg.DefaultMaxActiveClaims <= 0 {
		cfg.DefaultMaxActiveClaims = 3
	}
	if cfg.KAnonymity <= 0 {
		cfg.KAnonymity = 5
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 180 * 24 * time.Hour
	}
	cfg.claimDefaults()
	s := &Service{store: store, grid: grid, rules: engine, cfg: cfg, now: time.Now, logger: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	s.keys = newKeyCache(store.Keys(), s.now)
	s.wishes = newLedger()
	s.index = NewIndex(grid)
	s.cells = newCellCountsOf(grid)
	return s
}

// timestamp returns the time to record now: UTC, in the millisecond
// precision every store keeps, so what is returned on create reads back
// the same.
func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Open loads the in-memory state the Service keeps in step with the store.
func (s *Service) Open(ctx context.Context) error {
	start := s.now()
	s.openedAt = start
	err := s.store.Events().Since(ctx, time.Time{}, func(e *Event) error {
		s.wishes.apply(e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load wish events: %w", err)
	}
	if err := s.loadCellCounts(ctx); err != nil {
		return fmt.Errorf("count wishes per cell: %w", err)
	}
	if err := s.index.Load(ctx, s.store); err != nil {
		return err
	}
	s.logger.Info("wish ledger loaded", "wishes", s.wishes.len(), "took", s.now().Sub(start).Round(time.Millisecond))
	return nil
}

// Ready returns nil when the store answers and rules are loaded.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return Errorf(EUNAVAILABLE, "store: %v", err)
	}
	if s.rules != nil && s.rules.Current() == nil {
		return Errorf(EUNAVAILABLE, "rules: no rule set loaded")
	}
	return nil
}

// Rules returns the rules engine, for status reporting.
func (s *Service) Rules() *rules.Engine { return s.rules }

// Page is one page of a list and the cursor of the next ("" at the end).
type Page[T any] struct {
	Items []*T   `json:"items"`
	Next  string `json:"next"`
}

// PageRequest is a client's ask for a page.
type PageRequest struct {
	After string
	Limit int
}

func (s *Service) listOptions(req PageRequest, tenant string) (ListOptions, error) {
	limit := req.Limit
	switch {
	case limit == 0:
		limit = s.cfg.PageSize
	case limit < 0:
		return ListOptions{}, Invalid("limit", "must be positive")
	case limit > s.cfg.MaxPageSize:
		limit = s.cfg.MaxPageSize
	}
	if len(req.After) > 64 {
		return ListOptions{}, Invalid("after", "is not a cursor this service returned")
	}
	return ListOptions{After: req.After, Limit: limit, TenantID: tenant}, nil
}

// list fetches one page of repo and keeps the items visible to p. The
// tenant filter runs in the store; visible only narrows further by role.
func list[T any](ctx context.Context, s *Service, repo Repo[T], req PageRequest, tenant string, id func(*T) string, visible func(*T) bool) (*Page[T], error) {
	opts, err := s.listOptions(req, tenant)
	if err != nil {
		return nil, err
	}
	want := opts.Limit
	page := &Page[T]{Items: make([]*T, 0, want)}
	for round := 1; ; round++ {
		opts.Limit = want + 1 // one more tells whether there is a next page
		items, err := repo.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		more := len(items) > want
		if more {
			items = items[:want]
		}
		for i, v := range items {
			if visible == nil || visible(v) {
				page.Items = append(page.Items, v)
			}
			if len(page.Items) == want {
				if more || i < len(items)-1 {
					page.Next = id(v)
				}
				return page, nil
			}
		}
		if !more {
			return page, nil
		}
		// Items the caller may not see left the page short: read on, a few
		// store pages at most, then hand back where reading stopped.
		opts.After = id(items[len(items)-1])
		if round == maxListRounds {
			page.Next = opts.After
			return page, nil
		}
	}
}

// maxListRounds bounds the store pages one list request reads to fill a
// page whose items are filtered after reading.
const maxListRounds = 5

// tenantOf returns the tenant whose data a caller of role p may list: all
// ("") for admin, their own subject for everyone else.
func tenantOf(p Principal) string {
	if p.Role == RoleAdmin {
		return ""
	}
	return p.SubjectID
}
