package rules

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Engine holds the rule set in force and replaces it when its files change.
// A new set is compiled off to the side and swapped in atomically; a set
// that does not compile is never swapped in, so the last good set keeps
// serving and the error is kept in Status. Current is cheap and safe to
// call from any goroutine.
type Engine struct {
	paths    []string
	logger   *slog.Logger
	required []string // rule names every set must have
	// safeguards is a cases file; every set must deny its cases, and
	// their variants over categories, wherever reference denies them by a
	// required rule (Safeguards).
	safeguards   []byte
	categories   []string
	reference    *Set
	referenceErr error
	set          atomic.Pointer[Set]

	mu       sync.Mutex // serialises reloads and guards the fields below
	lastSeen string     // fingerprint of the files at the last load attempt
	status   Status
}

// Status describes the rule set in force and the last reload attempt. It
// is meant for /readyz details and metrics.
type Status struct {
	Version       uint64    `json:"version"`   // rule sets put in force since start; 1 after NewEngine
	Rules         int       `json:"rules"`     // rules in the set in force
	Files         []string  `json:"files"`     // files of the set in force
	Hash          string    `json:"hash"`      // Set.Hash of the set in force
	LoadedAt      time.Time `json:"loaded_at"` // when the set in force was compiled
	LastError     string    `json:"last_error,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
	Failures      uint64    `json:"failures"`    // reloads that did not compile, since start
	EvalErrors    uint64    `json:"eval_errors"` // evaluations of the set in force that failed, and so denied
	LastEvalError string    `json:"last_eval_error,omitempty"`
}

// EngineOption changes how an Engine loads rules.
type EngineOption func(*Engine)

// Require makes the engine refuse, at load and at every reload, a rule set
// that lacks any of the rules names: the safeguarding rules a district
// must never lose to an empty or cut file. The last good set keeps
// serving.
func Require(names ...string) EngineOption {
	return func(e *Engine) { e.required = append([]string(nil), names...) }
}

// Safeguards makes the engine refuse, at load and at every reload, a rule
// set that allows what the reference rules (the defaults shipped with the
// binary) deny by one of the required rules, on the cases of the cases
// file cases (see RunCases) and on every variant of them with another of
// categories as the wish's category and on_site either way: a file that
// keeps a safeguarding rule's name but empties it (when: false, require:
// true) or exempts some categories from it is refused as one that drops
// it. What the reference allows is not held against a set, so a district
// may make its rules stricter. A reference file that cannot be parsed is
// a programming error reported at every load.
func Safeguards(reference, cases []byte, categories []string) EngineOption {
	return func(e *Engine) {
		e.safeguards = append([]byte(nil), cases...)
		e.categories = append([]string(nil), categories...)
		e.reference, e.referenceErr = buildWith([]source{{path: "built-in rules", data: reference}}, false)
	}
}

// NewEngine loads the rules files named by paths (globs allowed, as in
// Load). The first load must succeed. A nil logger discards logs.
func NewEngine(paths []string, logger *slog.Logger, opts ...EngineOption) (*Engine, error) {
	e := newEngine(paths, logger, opts)
	set, fp, err := e.load()
	if err != nil {
		return nil, err
	}
	e.lastSeen = fp
	e.swap(set)
	return e, nil
}

// StartEngine is NewEngine for a service: when the first load fails, it
// returns the engine anyway, with no set in force (Current is nil, and
// callers must refuse what needs rules), and the error; Watch and Reload
// put the first good set in force.
func StartEngine(paths []string, logger *slog.Logger, opts ...EngineOption) (*Engine, error) {
	e := newEngine(paths, logger, opts)
	set, fp, err := e.load()
	e.lastSeen = fp
	if err != nil {
		e.status.LastError, e.status.LastErrorAt, e.status.Failures = err.Error(), time.Now(), 1
		e.lastSeen = "" // retry at the first poll
		return e, err
	}
	e.swap(set)
	return e, nil
}

func newEngine(paths []string, logger *slog.Logger, opts []EngineOption) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{paths: append([]string(nil), paths...), logger: logger}
	for _, o := range opts {
		o(e)
	}
	return e
}

// load loads the files and checks them as Check does.
func (e *Engine) load() (*Set, string, error) {
	set, fp, err := load(e.paths)
	if err != nil {
		return nil, fp, err
	}
	if err := e.Check(set); err != nil {
		return nil, fp, err
	}
	return set, fp, nil
}

// Check returns why set may not be put in force: it lacks a required
// rule, or allows what a safeguarding case wants a required rule to deny.
func (e *Engine) Check(set *Set) error {
	var missing []string
	for _, name := range e.required {
		if !slices.ContainsFunc(set.rules, func(r Rule) bool { return r.Name == name }) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("rules: the rule set has %d rules but lacks the required %s; "+
			"restore them, or list the rules a set must have in rules_required", set.Len(), strings.Join(missing, ", "))
	}
	if len(e.safeguards) == 0 || len(e.required) == 0 {
		return nil
	}
	if e.referenceErr != nil {
		return fmt.Errorf("rules: the built-in reference rules: %w", e.referenceErr)
	}
	cases, err := parseCasesOf("safeguarding cases", e.safeguards, nil, time.Now())
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	for i := range cases {
		c := &cases[i]
		for _, env := range variants(c.env, e.categories) {
			guard := ""
			e.reference.EvaluateAll(&env, func(r *Rule) {
				if guard == "" && slices.Contains(e.required, r.Name) {
					guard = r.Name
				}
			})
			if guard == "" {
				continue
			}
			if ok, _ := set.Evaluate(&env); ok {
				return fmt.Errorf("rules: the rule set allows what %s must deny (case %q, for a wish of %s, on site %t); "+
					"a safeguarding rule may be made stricter, never looser", guard, c.name, env.Wish.Category, env.Wish.OnSite)
			}
		}
	}
	return nil
}

// variants returns env and its copies with each of categories as the
// wish's category, on site and not.
func variants(env Env, categories []string) []Env {
	out := []Env{env}
	for _, cat := range append([]string{env.Wish.Category}, categories...) {
		for _, onSite := range []bool{false, true} {
			v := env
			v.Wish.Category, v.Wish.OnSite = cat, onSite
			out = append(out, v)
		}
	}
	return out
}

// Required returns the names of the rules every set must have (Require).
func (e *Engine) Required() []string { return append([]string(nil), e.required...) }

// Current returns the rule set in force. Callers keep using the set they
// got for the whole of one query, so a reload never changes the rules
// halfway through it.
func (e *Engine) Current() *Set { return e.set.Load() }

// Reload compiles the rules files again and puts the new set in force. If
// they do not compile, the set in force stays, and the error is returned
// and recorded in Status. Files whose contents did not change since the set
// in force was loaded are not put in force again.
func (e *Engine) Reload() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	set, fp, err := e.load()
	e.lastSeen = fp
	if err != nil {
		e.status.LastError = err.Error()
		e.status.LastErrorAt = time.Now()
		e.status.Failures++
		return fmt.Errorf("reload: %w", err)
	}
	e.status.LastError, e.status.LastErrorAt = "", time.Time{}
	if cur := e.set.Load(); cur != nil && set.Hash() == cur.Hash() {
		return nil
	}
	e.swap(set)
	e.logger.Info("rules reloaded", "version", e.status.Version, "rules", set.Len(), "files", set.Files(), "hash", shortHash(set.Hash()))
	return nil
}

// swap puts set in force; e.mu is held or e is not shared yet.
func (e *Engine) swap(set *Set) {
	e.set.Store(set)
	e.status.Version++
	e.status.Rules = set.Len()
	e.status.Files = set.Files()
	e.status.Hash = set.Hash()
	e.status.LoadedAt = set.LoadedAt()
}

// Status returns the state of the rule set in force and of the last reload.
func (e *Engine) Status() Status {
	e.mu.Lock()
	st := e.status
	e.mu.Unlock()
	st.Files = append([]string(nil), st.Files...)
	if cur := e.Current(); cur != nil {
		st.EvalErrors, st.LastEvalError = cur.EvalErrors()
	}
	return st
}

// Watch polls the rules files every interval until ctx is done, and reloads
// them when their contents change; an interval of 0 or less returns at
// once. Globs are expanded again at each poll, so added and removed files
// count as changes. A change is acted on once the files have stayed the
// same for one more interval, so that a file being written in place is
// usually loaded only once complete; deployments should still replace
// files atomically. A reload that fails is logged, once per change, and the
// last good set keeps serving.
func (e *Engine) Watch(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var pending string // a fingerprint seen once, waiting to be seen again
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		srcs, problems := readSources(e.paths)
		fp := fingerprint(srcs, problems)
		e.mu.Lock()
		seen := e.lastSeen
		e.mu.Unlock()
		switch {
		case fp == seen:
			pending = ""
			continue
		case fp != pending:
			pending = fp
			continue
		}
		pending = ""
		if err := e.Reload(); err != nil {
			hash := ""
			if cur := e.Current(); cur != nil {
				hash = shortHash(cur.Hash())
			}
			e.logger.Error("rules reload rejected, keeping the last good rules",
				"err", err, "serving_version", e.Status().Version, "serving_hash", hash)
		}
	}
}

// shortHash abbreviates a hash for logs.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
