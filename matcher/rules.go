package matcher

import (
	"context"
	"time"
)

// RuleView is one rule in force, as staff read it.
type RuleView struct {
	Name    string `json:"name"`
	When    string `json:"when,omitempty"`
	Require string `json:"require"`
	Explain string `json:"explain"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

// RulesView is the rule set in force and the engine's state, for staff:
// unlike /readyz, it may name rules, files and the last errors.
type RulesView struct {
	Rules         []RuleView `json:"rules"`
	Version       uint64     `json:"version"`
	Hash          string     `json:"hash"`
	LoadedAt      time.Time  `json:"loaded_at"`
	LastError     string     `json:"last_error,omitempty"`
	Failures      uint64     `json:"reload_failures"`
	EvalErrors    uint64     `json:"eval_errors"`
	LastEvalError string     `json:"last_eval_error,omitempty"`
}

// RulesInForce returns the rules in force with their explanations and the
// engine's state, to staff.
func (s *Service) RulesInForce(ctx context.Context) (*RulesView, error) {
	if _, _, err := s.allow(ctx, RulesStatus, ""); err != nil {
		return nil, err
	}
	v := &RulesView{Rules: []RuleView{}}
	if s.rules == nil {
		return v, nil
	}
	st := s.rules.Status()
	v.Version, v.Hash, v.LoadedAt, v.LastError, v.Failures = st.Version, st.Hash, st.LoadedAt, st.LastError, st.Failures
	v.EvalErrors, v.LastEvalError = st.EvalErrors, st.LastEvalError
	if set := s.rules.Current(); set != nil {
		for _, r := range set.Rules() {
			v.Rules = append(v.Rules, RuleView{Name: r.Name, When: r.When, Require: r.Require, Explain: r.Explain, File: r.File, Line: r.Line})
		}
	}
	return v, nil
}
