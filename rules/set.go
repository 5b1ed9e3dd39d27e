package rules

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr/vm"
)

// Rule is one named rule from a rules file: when When holds (or When is
// empty), Require must hold, else the rule denies and Explain says why.
type Rule struct {
	Name    string
	When    string
	Require string
	Explain string
	File    string
	Line    int // line of the rule's entry in File

	when, require  *vm.Program // when is nil when When is empty
	whenPerWish    bool        // when reads only the wish, the resident and now
	requirePerWish bool        // require reads only the wish, the resident and now
	whenReads      []string    // the facts when reads: see readsOf
	requireReads   []string    // the facts require reads
}

// Set is a compiled set of rules in file order. It is immutable once built
// and safe for concurrent use by many goroutines.
type Set struct {
	rules    []Rule
	files    []string
	hash     string
	loadedAt time.Time

	vms sync.Pool // of *vm.VM: a VM is not safe for concurrent use, programs are

	every Plan // every rule, whole: what Evaluate runs for a wish not prepared

	evalErrors    atomic.Uint64
	lastEvalError atomic.Pointer[string]
}

func newSet(rules []Rule, files []string, hash string, loadedAt time.Time) *Set {
	s := &Set{rules: rules, files: files, hash: hash, loadedAt: loadedAt}
	s.vms.New = func() any { return new(vm.VM) }
	s.every = Plan{set: s, steps: make([]step, len(rules))}
	for i := range s.rules {
		r := &s.rules[i]
		s.every.steps[i] = step{rule: r, when: r.when, require: r.require}
	}
	return s
}

// Rules returns a copy of the set's rules in evaluation order.
func (s *Set) Rules() []Rule {
	return append([]Rule(nil), s.rules...)
}

// Len returns the number of rules in the set.
func (s *Set) Len() int { return len(s.rules) }

// Files returns the files the set was loaded from, in load order.
func (s *Set) Files() []string { return append([]string(nil), s.files...) }

// Hash identifies the files and contents the set was compiled from, so
// that replicas can tell whether they serve the same rules.
func (s *Set) Hash() string { return s.hash }

// LoadedAt returns when the set was compiled.
func (s *Set) LoadedAt() time.Time { return s.loadedAt }

// EvalErrors returns how many rule evaluations failed with an error (such
// as an index out of range) and the last such error. A rule that fails
// this way denies: the rules guard residents, so they fail closed.
func (s *Set) EvalErrors() (count uint64, last string) {
	if p := s.lastEvalError.Load(); p != nil {
		last = *p
	}
	return s.evalErrors.Load(), last
}

// Evaluate reports whether every rule allows env, and if not, the first
// rule in file order that denies it. It does not allocate and is safe for
// concurrent use. env must not be nil and must not change while Evaluate
// runs; Evaluate does not use it after returning. The returned rule belongs
// to the set and must not be modified.
//
// To evaluate many suppliers for one wish, Prepare does the wish's share
// of the work once.
func (s *Set) Evaluate(env *Env) (ok bool, denied *Rule) { return s.every.Evaluate(env) }

// EvaluateAll calls fn, in file order, for every rule that denies env; it
// is for counting why candidates were excluded. Its other guarantees are
// those of Evaluate.
func (s *Set) EvaluateAll(env *Env, fn func(r *Rule)) { s.every.EvaluateAll(env, fn) }

// allows runs a rule's when and require programs. A nil when applies the
// rule; a nil require denies whenever the rule applies. An error in either
// program denies.
func (s *Set) allows(m *vm.VM, r *Rule, when, require *vm.Program, env any) bool {
	if when != nil {
		applies, err := s.run(m, r, when, env)
		if err != nil {
			return false
		}
		if !applies {
			return true
		}
	}
	if require == nil {
		return false
	}
	ok, err := s.run(m, r, require, env)
	return err == nil && ok
}

// run runs one program and records a runtime error.
func (s *Set) run(m *vm.VM, r *Rule, p *vm.Program, env any) (bool, error) {
	out, err := m.Run(p, env)
	if err == nil {
		b, ok := out.(bool)
		if ok {
			return b, nil
		}
		err = fmt.Errorf("result is %T, not bool", out)
	}
	msg := fmt.Sprintf("rule %q (%s:%d): %v", r.Name, r.File, r.Line, err)
	s.lastEvalError.Store(&msg)
	s.evalErrors.Add(1)
	return false, err
}
