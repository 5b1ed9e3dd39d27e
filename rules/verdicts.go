package rules

import (
	"fmt"

	"github.com/expr-lang/expr/vm"
)

// Verdict is what one rule says of an Env.
type Verdict struct {
	Rule *Rule
	// Applies reports whether the rule's When holds (always, for a rule
	// without one); a rule that does not apply allows.
	Applies bool
	Allows  bool
	// Err is a run-time error of When or Require; the rule then denies,
	// as in Evaluate.
	Err error
}

// Verdicts returns every rule's verdict on env, in file order, for people
// trying rules on facts they type: unlike Evaluate it does not stop at the
// first rule that denies, and a run-time error is returned in its verdict
// rather than counted in EvalErrors, which report the matcher's own
// evaluations. The verdicts agree with Evaluate: it denies exactly when
// some verdict does, by the first such rule.
func (s *Set) Verdicts(env *Env) []Verdict {
	m := s.vms.Get().(*vm.VM)
	defer s.vms.Put(m)
	v := boxEnv(env)
	out := make([]Verdict, len(s.rules))
	for i := range s.rules {
		r := &s.rules[i]
		out[i] = Verdict{Rule: r, Applies: true}
		if r.when != nil {
			applies, err := runBool(m, r.when, v)
			if err != nil {
				out[i].Err = fmt.Errorf("when: %w", err)
				continue
			}
			if out[i].Applies = applies; !applies {
				out[i].Allows = true
				continue
			}
		}
		ok, err := runBool(m, r.require, v)
		if err != nil {
			out[i].Err = fmt.Errorf("require: %w", err)
			continue
		}
		out[i].Allows = ok
	}
	return out
}

// runBool runs a program that yields a bool.
func runBool(m *vm.VM, p *vm.Program, env any) (bool, error) {
	out, err := m.Run(p, env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("result is %T, not bool", out)
	}
	return b, nil
}
