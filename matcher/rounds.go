package matcher

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/linli/linli/geo"
)

// Match run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// Reasons a round left a wish unmatched.
const (
	// UnmatchedNobody: no supplier offering the category is inside the
	// wish's walking circle.
	UnmatchedNobody = "nobody_in_circle"
	// UnmatchedExcluded: suppliers are inside, and the rules refuse every
	// one of them.
	UnmatchedExcluded = "all_excluded"
	// UnmatchedBusy: every eligible supplier inside has no capacity left
	// (claims and offers up to their allowance).
	UnmatchedBusy = "no_capacity"
	// UnmatchedOutcompeted: eligible suppliers with room exist, and every
	// one of them serves other wishes in the best overall pairing.
	UnmatchedOutcompeted = "outcompeted"
)

// MatchRunInput is what a coordinator asks of a matching round. Every
// field is optional.
type MatchRunInput struct {
	// NodeID is the node of the district tree whose subtree's open wishes
	// the round pairs: the caller's own node unless another in their
	// scope is named (an admin's round covers the whole district).
	NodeID string `json:"node_id,omitempty"`
	// Categories, when given, limits the round to wishes of these.
	Categories []string `json:"categories,omitempty"`
	// Cells, when given, limits the round to wishes whose cell lies in
	// one of these H3 cells (of any resolution up to the stored one).
	Cells []string `json:"cells,omitempty"`
	// DryRun computes the round without widening any circle; its
	// proposals cannot be approved.
	DryRun bool `json:"dry_run,omitempty"`
}

// MatchRun is one matching round: what it was asked, its progress while
// it runs, and then its proposals, statistics and unmatched wishes.
type MatchRun struct {
	Record
	MatchRunInput
	Status     string       `json:"status"`
	Progress   *RunProgress `json:"progress,omitempty"`
	Proposals  []Proposal   `json:"proposals"`
	Unmatched  []Unmatched  `json:"unmatched"`
	Stats      *RunStats    `json:"stats,omitempty"`
	Error      string       `json:"error,omitempty"`
	FinishedAt time.Time    `json:"finished_at,omitzero"`
	Approval   *Approval    `json:"approval,omitempty"`
}

func (r *MatchRun) node() string { return r.NodeID }

// RunProgress is where a running round is: its phase ("queued",
// "collecting", "searching", "solving", "saving") and how much of it is
// done.
type RunProgress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Proposal pairs one wish with one supplier.
type Proposal struct {
	WishID      string  `json:"wish_id"`
	Category    string  `json:"category"`
	Supplier    Party   `json:"supplier"`
	WalkMinutes float64 `json:"walk_minutes"`
	// CircleMinutes is the walking circle the pair was found in: the
	// configured one, or a wider one after the wish's circle was widened;
	// BeyondCircle marks a walk longer than the configured circle.
	CircleMinutes float64 `json:"circle_minutes"`
	BeyondCircle  bool    `json:"beyond_circle,omitempty"`
	// Priority is the wish's weight; only callers who may read the
	// residents see it (it is made of their age, disability and
	// household).
	Priority int `json:"priority,omitempty"`
}

// Unmatched is a wish a round could not pair, and why.
type Unmatched struct {
	WishID   string `json:"wish_id"`
	Category string `json:"category"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
	// Eligible counts the suppliers that may serve it and had room, Busy
	// the eligible ones without room, and Excluded, per rule, the
	// suppliers inside the circle the rules refused.
	Eligible      int            `json:"eligible"`
	Busy          int            `json:"busy,omitempty"`
	Excluded      map[string]int `json:"excluded,omitempty"`
	CircleMinutes float64        `json:"circle_minutes"`
	// WidenedTo is the circle later rounds use, when this round widened it.
	WidenedTo float64 `json:"widened_to,omitempty"`
	Priority  int     `json:"priority,omitempty"` // as a Proposal's
}

// RunStats sums a round up.
type RunStats struct {
	Wishes           int                       `json:"wishes"`
	Matched          int                       `json:"matched"`
	Unmatched        int                       `json:"unmatched"`
	TotalWalkMinutes float64                   `json:"total_walk_minutes"`
	MeanWalkMinutes  float64                   `json:"mean_walk_minutes"`
	BeyondCircle     int                       `json:"beyond_circle"`
	Widened          int                       `json:"widened"`
	ByCategory       map[string]*CategoryStats `json:"by_category"`
	ByReason         map[string]int            `json:"by_reason"`
	// PriorityMatched counts the matched wishes that had priority; both
	// are shown only to callers who may read the residents.
	PriorityWishes  int `json:"priority_wishes,omitempty"`
	PriorityMatched int `json:"priority_matched,omitempty"`
	// Suppliers counts the suppliers (per category, for organisations and
	// enterprises) with room that some wish could use, Edges the eligible
	// pairs.
	Suppliers int `json:"suppliers"`
	Edges     int `json:"edges"`
	// Greedy is what pairing each wish, most urgent first, with the
	// nearest supplier still free would have done on the same pairs.
	GreedyMatched          int     `json:"greedy_matched"`
	GreedyTotalWalkMinutes float64 `json:"greedy_total_walk_minutes"`
	SearchSeconds          float64 `json:"search_seconds"`
	SolveSeconds           float64 `json:"solve_seconds"`
}

// CategoryStats sums a round up for one category.
type CategoryStats struct {
	Wishes           int     `json:"wishes"`
	Matched          int     `json:"matched"`
	TotalWalkMinutes float64 `json:"total_walk_minutes"`
}

// Approval is a coordinator's approval of a round: the offers it made,
// and the proposals that could no longer be offered.
type Approval struct {
	At        time.Time      `json:"at"`
	By        Actor          `json:"by"`
	Offered   int            `json:"offered"`
	ExpiresAt time.Time      `json:"expires_at"`
	Skipped   []SkippedOffer `json:"skipped"`
}

// SkippedOffer is a proposal an approval did not offer, and why.
type SkippedOffer struct {
	WishID string `json:"wish_id"`
	Reason string `json:"reason"`
}

// MatchingConfig tunes matching rounds. Zero values take the defaults
// noted.
type MatchingConfig struct {
	// OfferTTL is how long an approved offer waits for an answer (24h).
	OfferTTL time.Duration
	// WidenAfter is how long a wish nobody inside its circle can serve
	// stays unclaimed, since it was made or last widened, before a round
	// widens its circle one step (48h).
	WidenAfter time.Duration
	// CircleSteps are the walking circles, in minutes, a wish's circle
	// widens to, one step per round that widens it ([20, 30]).
	CircleSteps []float64
	// Priority weighs wishes: matched first, whatever the walk.
	Priority PriorityConfig
}

// PriorityConfig gives each wish a weight of 1 plus the points of each
// thing true of it; a round matches as much weight as it can before it
// minimises walking. Negative points are refused; 0 turns one off (all
// four 0 is taken as unset: each 1).
type PriorityConfig struct {
	UrgentWithin time.Duration // a wish due this soon is urgent (48h)
	Urgent       int           // points for an urgent wish (1)
	AgedFrom     int           // the age from which a resident is aged (80)
	Aged         int           // points (1)
	Disability   int           // points for a resident with a disability (1)
	LivesAlone   int           // points for a resident living alone (1)
}

func (c MatchingConfig) withDefaults() MatchingConfig {
	if c.OfferTTL <= 0 {
		c.OfferTTL = 24 * time.Hour
	}
	if c.WidenAfter <= 0 {
		c.WidenAfter = 48 * time.Hour
	}
	if c.CircleSteps == nil {
		c.CircleSteps = []float64{20, 30}
	}
	p := &c.Priority
	if p.UrgentWithin <= 0 {
		p.UrgentWithin = 48 * time.Hour
	}
	if p.AgedFrom <= 0 {
		p.AgedFrom = 80
	}
	if p.Urgent == 0 && p.Aged == 0 && p.Disability == 0 && p.LivesAlone == 0 {
		p.Urgent, p.Aged, p.Disability, p.LivesAlone = 1, 1, 1, 1
	}
	return c
}

// Validate reports the first setting that is wrong, naming its key.
func (c MatchingConfig) Validate(walkMinutes float64) error {
	prev := walkMinutes
	for i, m := range c.CircleSteps {
		if !(m > prev) || m > 120 {
			return fmt.Errorf("matching.circle_steps[%d]: %g must be more than %g and at most 120 minutes", i, m, prev)
		}
		prev = m
	}
	p := c.Priority
	for name, v := range map[string]int{"urgent": p.Urgent, "aged": p.Aged, "disability": p.Disability, "lives_alone": p.LivesAlone} {
		if v < 0 || v > 1000 {
			return fmt.Errorf("matching.priority.%s: %d must be 0 to 1000", name, v)
		}
	}
	return nil
}

// rounds runs matching rounds one at a time, in the background of the
// service, and keeps the progress of the one running and the prices of
// the last, which start the next.
type rounds struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	turn   sync.Mutex // held by the round running

	mu       sync.Mutex
	progress map[string]*RunProgress
	prices   map[Slot]int64  // the last round's, where above 0
	hints    map[string]Slot // the slot each wish had in the last round
}

func newRounds() *rounds {
	ctx, cancel := context.WithCancel(context.Background())
	return &rounds{ctx: ctx, cancel: cancel, progress: map[string]*RunProgress{}}
}

// set records the progress of a running round.
func (r *rounds) set(id, phase string, done, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress[id] = &RunProgress{Phase: phase, Done: done, Total: total}
}

// of returns the progress of a round running here, or nil.
func (r *rounds) of(id string) *RunProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.progress[id]; p != nil {
		c := *p
		return &c
	}
	return nil
}

// StartMatchRun starts a matching round over the open wishes in the
// caller's scope and returns it running; it goes on in the background.
// Coordinators and admins only.
func (s *Service) StartMatchRun(ctx context.Context, in MatchRunInput) (*MatchRun, error) {
	run, p, err := s.newMatchRun(ctx, in)
	if err != nil {
		return nil, err
	}
	s.rounds.set(run.ID, "queued", 0, 0)
	s.rounds.wg.Go(func() { s.executeRun(s.rounds.ctx, run, p, nil) })
	out := *run
	out.Progress = s.rounds.of(run.ID)
	return &out, nil
}

// MatchRound runs a matching round to its end, telling progress how far
// it is, and returns it done or failed: `linli match`.
func (s *Service) MatchRound(ctx context.Context, in MatchRunInput, progress func(phase string, done, total int)) (*MatchRun, error) {
	run, p, err := s.newMatchRun(ctx, in)
	if err != nil {
		return nil, err
	}
	s.executeRun(ctx, run, p, progress)
	return s.matchRun(run.ID)
}

// newMatchRun checks the input and records the round as running.
func (s *Service) newMatchRun(ctx context.Context, in MatchRunInput) (*MatchRun, Principal, error) {
	p, _, err := s.allow(ctx, MatchStart, "")
	if err != nil {
		return nil, p, err
	}
	if err := s.checkRunInput(p, &in); err != nil {
		return nil, p, err
	}
	if _, err := s.ruleSet(); err != nil {
		return nil, p, err
	}
	run := &MatchRun{Record: newRecord("run", p, s.timestamp()), MatchRunInput: in, Status: RunRunning,
		Proposals: []Proposal{}, Unmatched: []Unmatched{}}
	if _, err := s.commit(ctx, p, func() (*Change, error) {
		if other := s.runningRound(in.NodeID); other != nil {
			return nil, Errorf(ECONFLICT, "round %s of this node is still running; wait for it to finish", other.ID)
		}
		return &Change{Records: []any{run}}, nil
	}); err != nil {
		return nil, p, err
	}
	return run, p, nil
}

// runningRound returns a round of node the log holds as running and not
// stale, or nil: one round of a node runs at a time, on any replica.
func (s *Service) runningRound(node string) *MatchRun {
	var out *MatchRun
	now := s.now()
	s.runs.Each(func(r *MatchRun) bool {
		if r.NodeID == node && r.Status == RunRunning && now.Sub(r.UpdatedAt) <= staleRound {
			out = r
			return false
		}
		return true
	})
	return out
}

// checkRunInput validates in and settles its node: the caller's own
// unless they name one in their scope.
func (s *Service) checkRunInput(p Principal, in *MatchRunInput) error {
	switch {
	case in.NodeID == "" && p.Role != RoleAdmin:
		in.NodeID = p.SubjectID
	case in.NodeID == "":
		// An admin's round covers everything; where the tree has one
		// root, it is that root's, so the district's coordinators see it.
		if roots := s.tree.roots(); len(roots) == 1 {
			in.NodeID = roots[0]
		}
	case in.NodeID != "":
		_, exists := s.organisations.Get(in.NodeID)
		if !exists || p.Role != RoleAdmin && !s.tree.within(p.SubjectID, in.NodeID) {
			return Invalid("node_id", "is not an organisation in your scope")
		}
	}
	seen := map[string]bool{}
	for i, c := range in.Categories {
		field := fmt.Sprintf("categories[%d]", i)
		if !slices.Contains(s.cfg.Catalog.Categories, c) {
			return Invalid(field, "%q is not a category; the categories are %v", c, s.cfg.Catalog.Categories)
		}
		if seen[c] {
			return Invalid(field, "%q is named twice", c)
		}
		seen[c] = true
	}
	for i, c := range in.Cells {
		cell, err := geo.ParseCell(c)
		field := fmt.Sprintf("cells[%d]", i)
		if err != nil {
			return Invalid(field, "%v", err)
		}
		if cell.Resolution() > s.grid.Config().Resolution {
			return Invalid(field, "is of resolution %d, finer than the stored %d", cell.Resolution(), s.grid.Config().Resolution)
		}
		if seen["cell:"+cell.String()] {
			return Invalid(field, "%q is named twice", c)
		}
		seen["cell:"+cell.String()] = true
	}
	if len(in.Cells) > 10_000 {
		return Invalid("cells", "at most 10000 cells")
	}
	return nil
}

// executeRun runs the round and records how it ended. Rounds run one at a
// time; one waiting is "queued".
func (s *Service) executeRun(ctx context.Context, run *MatchRun, p Principal, progress func(string, int, int)) {
	s.rounds.turn.Lock()
	defer s.rounds.turn.Unlock()
	report := func(phase string, done, total int) {
		s.rounds.set(run.ID, phase, done, total)
		if progress != nil {
			progress(phase, done, total)
		}
	}
	defer func() {
		s.rounds.mu.Lock()
		delete(s.rounds.progress, run.ID)
		s.rounds.mu.Unlock()
	}()
	out, err := s.solveRound(ctx, run, p, report)
	if err != nil {
		out = &MatchRun{Record: run.Record, MatchRunInput: run.MatchRunInput, Status: RunFailed,
			Proposals: []Proposal{}, Unmatched: []Unmatched{}, Error: err.Error()}
		s.logger.Warn("matching round failed", "run", run.ID, "err", err)
	}
	report("saving", 0, 1)
	now := s.timestamp()
	out.Record = run.Record.next(now)
	out.FinishedAt = now
	save := context.WithoutCancel(ctx)
	if _, err := s.store.Commit(save, func() (*Change, error) {
		return &Change{Records: []any{out}, Actor: p.Actor()}, nil
	}); err != nil {
		s.logger.Error("save the matching round", "run", run.ID, "err", err)
	}
}

// staleRound is how long a round may show running before it is taken for
// cut short by a stop or a crash: far longer than a district's round takes
// (seconds), so that a round another replica runs is never failed.
const staleRound = time.Hour

// failInterrupted marks failed the rounds the log holds as running, that
// no process here runs, and that started more than staleRound ago.
func (s *Service) failInterrupted(ctx context.Context) {
	var stale []*MatchRun
	now := s.now()
	s.runs.Each(func(r *MatchRun) bool {
		if r.Status == RunRunning && s.rounds.of(r.ID) == nil && now.Sub(r.UpdatedAt) > staleRound {
			stale = append(stale, r)
		}
		return true
	})
	for _, r := range stale {
		if _, err := s.store.Commit(ctx, func() (*Change, error) {
			cur, ok := s.runs.Get(r.ID)
			if !ok || cur.Status != RunRunning || s.rounds.of(r.ID) != nil {
				return nil, nil
			}
			c := *cur
			now := s.timestamp()
			c.Record = c.Record.next(now)
			c.Status, c.Error, c.FinishedAt = RunFailed, "interrupted: the service stopped while the round ran; start another", now
			return &Change{Records: []any{&c}, Actor: System}, nil
		}); err != nil {
			s.logger.Warn("mark an interrupted round failed", "run", r.ID, "err", err)
		}
	}
}

// MatchRun returns a round, with its progress while it runs here.
func (s *Service) MatchRun(ctx context.Context, id string) (*MatchRun, error) {
	p, _, err := s.allow(ctx, MatchRead, id)
	if err != nil {
		return nil, err
	}
	r, err := s.matchRun(id)
	if err != nil {
		return nil, err
	}
	return s.runFor(p, r), nil
}

// runFor returns r as p may see it: a wish's priority is made of its
// resident's age, disability and household, so a caller who may not read
// the residents (a coordinator) sees no priority, nor how many wishes had
// one.
func (s *Service) runFor(p Principal, r *MatchRun) *MatchRun {
	if s.readsResidents(p, r.NodeID) {
		return r
	}
	c := *r
	c.Proposals = slices.Clone(r.Proposals)
	for i := range c.Proposals {
		c.Proposals[i].Priority = 0
	}
	c.Unmatched = slices.Clone(r.Unmatched)
	for i := range c.Unmatched {
		c.Unmatched[i].Priority = 0
	}
	c.Stats = statsFor(r.Stats)
	return &c
}

// statsFor is st without the counts of wishes with priority.
func statsFor(st *RunStats) *RunStats {
	if st == nil {
		return nil
	}
	c := *st
	c.PriorityWishes, c.PriorityMatched = 0, 0
	return &c
}

func (s *Service) matchRun(id string) (*MatchRun, error) {
	r, ok := s.runs.Get(id)
	if !ok {
		return nil, notFound()
	}
	c := *r
	if c.Status == RunRunning {
		c.Progress = s.rounds.of(id)
	}
	return &c, nil
}

// MatchRunSummary is a round in a list: everything but its proposals and
// unmatched wishes.
type MatchRunSummary struct {
	Record
	MatchRunInput
	Status     string       `json:"status"`
	Progress   *RunProgress `json:"progress,omitempty"`
	Stats      *RunStats    `json:"stats,omitempty"`
	Error      string       `json:"error,omitempty"`
	FinishedAt time.Time    `json:"finished_at,omitzero"`
	Approval   *Approval    `json:"approval,omitempty"`
}

// MatchRuns lists the rounds in the caller's scope, newest first by id
// order of the list (ids sort by time).
func (s *Service) MatchRuns(ctx context.Context, req PageRequest) (*Page[MatchRunSummary], error) {
	pg, err := listInScope(ctx, s, MatchList, s.lists.runs, s.runs, req)
	if err != nil {
		return nil, err
	}
	out := &Page[MatchRunSummary]{Items: make([]*MatchRunSummary, len(pg.Items)), Next: pg.Next}
	for i, r := range pg.Items {
		sum := &MatchRunSummary{Record: r.Record, MatchRunInput: r.MatchRunInput, Status: r.Status, Stats: r.Stats,
			Error: r.Error, FinishedAt: r.FinishedAt, Approval: r.Approval}
		if p, _ := PrincipalFrom(ctx); !s.readsResidents(p, r.NodeID) {
			sum.Stats = statsFor(r.Stats)
		}
		if r.Status == RunRunning {
			sum.Progress = s.rounds.of(r.ID)
		}
		out.Items[i] = sum
	}
	return out, nil
}
