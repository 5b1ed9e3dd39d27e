package matcher

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// Service is Linli's domain logic. Every method takes the caller from ctx,
// decides whether they may do what they ask (allow, from the table in
// policy.go), validates input, and answers from the in-memory state that
// the store's log adds up to; a change is decided and made durable by
// Store.Commit.
type Service struct {
	store  Store
	grid   *geo.Grid
	rules  *rules.Engine
	cfg    Config
	now    func() time.Time
	logger *slog.Logger

	state
	opened atomic.Bool
	// changed is closed and replaced whenever a change is applied, for
	// callers waiting on one.
	changedMu sync.Mutex
	changed   chan struct{}
	// cloaks holds the centre of each cloaking cell met, an H3 call saved
	// for every wish of the cell.
	cloaksMu sync.Mutex
	cloaks   map[geo.Cell]geo.Point
	// rounds runs matching rounds in the background.
	rounds *rounds
	// public holds the public figures last worked out.
	public publicCache
	// erasures queues the residents who withdrew consent, for erasing at
	// once.
	erasures *erasures
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read time from now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets where the Service logs.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// NewService returns a Service over store. Call Open before serving.
func NewService(store Store, grid *geo.Grid, engine *rules.Engine, cfg Config, opts ...Option) *Service {
	s := &Service{store: store, grid: grid, rules: engine, cfg: cfg.withDefaults(grid.Config().Resolution),
		now: time.Now, logger: slog.Default(), changed: make(chan struct{}), cloaks: map[geo.Cell]geo.Point{},
		rounds: newRounds(), erasures: newErasures()}
	for _, o := range opts {
		o(s)
	}
	s.state = newState(grid)
	return s
}

// timestamp returns the time to record now: UTC, in the millisecond
// precision every store keeps, so what is returned on create reads back
// the same.
func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Open loads the whole log into memory. Until it returns, Ready reports
// that the service is not ready.
func (s *Service) Open(ctx context.Context) error {
	start := time.Now()
	for _, l := range s.lists.all() {
		l.Defer()
	}
	err := s.store.Load(ctx, s.apply)
	for _, l := range s.lists.all() {
		l.Flush()
	}
	if err != nil {
		return fmt.Errorf("load the store: %w", err)
	}
	s.opened.Store(true)
	sup, wishes := s.index.Len()
	s.logger.Info("state loaded", "suppliers", sup, "wishes", wishes, "residents", s.residents.Len(),
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Ready returns nil when the state is loaded, the store answers and a rule
// set is in force.
func (s *Service) Ready(ctx context.Context) error {
	if !s.opened.Load() {
		return Errorf(EUNAVAILABLE, "loading the store")
	}
	if err := s.store.Ping(ctx); err != nil {
		return Errorf(EUNAVAILABLE, "the store does not answer")
	}
	if s.rules != nil && s.rules.Current() == nil {
		return Errorf(EUNAVAILABLE, "no rule set is loaded")
	}
	return nil
}

// Rules returns the rules engine, for status reporting.
func (s *Service) Rules() *rules.Engine { return s.rules }

// Grid returns the grid the service measures with.
func (s *Service) Grid() *geo.Grid { return s.grid }

// ruleSet returns the rule set in force: nil when the Service has no rules
// engine (tests of the circle alone), and EUNAVAILABLE when it has one
// with no set in force yet, so that nothing a rule guards is allowed
// without the rules.
func (s *Service) ruleSet() (*rules.Set, error) {
	if s.rules == nil {
		return nil, nil
	}
	if set := s.rules.Current(); set != nil {
		return set, nil
	}
	return nil, Errorf(EUNAVAILABLE, "no rule set is in force; eligibility cannot be decided")
}

// Run runs the Service's background jobs until ctx is done: following the
// log, releasing claims past their due time, lapsing offers, erasing
// personal data past retention every retentionEvery (0: never), and
// erasing the data of a resident who withdrew consent as soon as the
// withdrawal is made. Matching rounds started in the background are
// stopped with them. It returns when every job has stopped.
func (s *Service) Run(ctx context.Context, retentionEvery time.Duration) {
	var wg sync.WaitGroup
	wg.Go(func() { s.failInterrupted(ctx); s.every(ctx, staleRound/4, s.failInterrupted) })
	wg.Go(func() {
		<-ctx.Done()
		s.rounds.cancel()
		s.rounds.wg.Wait()
	})
	if s.cfg.SyncInterval > 0 {
		wg.Go(func() { s.follow(ctx, s.cfg.SyncInterval) })
	}
	wg.Go(func() { s.every(ctx, s.cfg.ExpiryInterval, s.ExpireDue) })
	wg.Go(func() {
		s.every(ctx, time.Hour, func(context.Context) { s.idem.forget(s.now().Add(-s.cfg.IdempotencyTTL)) })
	})
	if retentionEvery > 0 {
		wg.Go(func() { s.runRetention(ctx, retentionEvery) })
	}
	wg.Go(func() { s.runErasures(ctx) })
	wg.Wait()
}

// every calls job every interval until ctx is done.
func (s *Service) every(ctx context.Context, interval time.Duration, job func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			job(ctx)
		}
	}
}

// Counts returns how many records of people, organisations and wishes the
// state holds, and how many entities in all.
func (s *Service) Counts() (records int, wishes int) {
	records = s.volunteers.Len() + s.organisations.Len() + s.enterprises.Len() + s.resources.Len() +
		s.residents.Len() + s.wishes.Len() + s.programmes.Len()
	return records, s.wishes.Len()
}

// Opened reports whether Open has loaded the log: until then every
// request but health checks is answered 503.
func (s *Service) Opened() bool { return s.opened.Load() }

// Sync applies what other processes committed to the store since this
// one last looked, at once rather than at the next follow.
func (s *Service) Sync(ctx context.Context) (int, error) { return s.store.Sync(ctx) }
