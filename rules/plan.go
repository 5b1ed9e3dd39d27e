package rules

import "github.com/expr-lang/expr/vm"

// Plan is a Set prepared for one wish: the conditions that read only the
// wish, the resident and now have been evaluated once, so that evaluating
// each supplier runs only what depends on the supplier. For a wish whose
// resident is neither a minor, elderly nor disabled, most rules drop out.
// A Plan is immutable and safe for concurrent use.
type Plan struct {
	set   *Set
	steps []step
}

// step is a rule still to be evaluated per supplier.
type step struct {
	rule    *Rule
	when    *vm.Program // nil: the rule applies to this wish
	require *vm.Program // nil: the rule denies whenever it applies
}

// Prepare evaluates the parts of the rules that read only env's wish,
// resident and now, and returns a Plan for evaluating suppliers for that
// wish. It allocates once; the Plan's methods do not allocate.
func (s *Set) Prepare(env *Env) *Plan {
	m := s.vms.Get().(*vm.VM)
	defer s.vms.Put(m)
	v := boxEnv(env)
	p := &Plan{set: s, steps: make([]step, 0, len(s.rules))}
	for i := range s.rules {
		r := &s.rules[i]
		st := step{rule: r, when: r.when, require: r.require}
		if r.when != nil && r.whenPerWish {
			applies, err := s.run(m, r, r.when, v)
			switch {
			case err != nil:
				st.require = nil // an error denies, as in Evaluate
			case !applies:
				continue
			}
			st.when = nil
		}
		if st.require != nil && r.requirePerWish {
			ok, err := s.run(m, r, r.require, v)
			if err == nil && ok {
				continue
			}
			st.require = nil
		}
		p.steps = append(p.steps, st)
	}
	return p
}

// Set returns the set the plan was prepared from.
func (p *Plan) Set() *Set { return p.set }

// Evaluate is Set.Evaluate for a supplier of the prepared wish: env's wish,
// resident and now must be those given to Prepare, and the result is the
// same as the set's.
func (p *Plan) Evaluate(env *Env) (ok bool, denied *Rule) {
	m := p.set.vms.Get().(*vm.VM)
	defer p.set.vms.Put(m)
	v := boxEnv(env)
	for i := range p.steps {
		st := &p.steps[i]
		if !p.set.allows(m, st.rule, st.when, st.require, v) {
			return false, st.rule
		}
	}
	return true, nil
}

// EvaluateAll is Set.EvaluateAll for a supplier of the prepared wish, with
// the same condition on env as Evaluate.
func (p *Plan) EvaluateAll(env *Env, fn func(r *Rule)) {
	m := p.set.vms.Get().(*vm.VM)
	defer p.set.vms.Put(m)
	v := boxEnv(env)
	for i := range p.steps {
		st := &p.steps[i]
		if !p.set.allows(m, st.rule, st.when, st.require, v) {
			fn(st.rule)
		}
	}
}
