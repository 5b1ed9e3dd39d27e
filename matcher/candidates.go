package matcher

import (
	"context"
	"math"

	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// Candidate is a supplier that may serve a wish, and how far it walks.
type Candidate = index.Candidate

// CandidateList is the answer to "who could serve this wish?".
type CandidateList struct {
	Candidates []Candidate    `json:"candidates"`
	Excluded   map[string]int `json:"excluded"`
}

// defaultCandidates is how many candidates a list has unless asked.
const defaultCandidates = 20

// WishCandidates returns the nearest limit suppliers eligible for an open
// wish, nearest first, and how many suppliers inside its walking circle
// each rule refused. Staff in scope and admins only. It returns ECONFLICT
// for a wish that is not open.
func (s *Service) WishCandidates(ctx context.Context, wishID string, limit int) (*CandidateList, error) {
	if _, _, err := s.allow(ctx, WishCandidates, wishID); err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = defaultCandidates
	case limit < 0:
		return nil, Invalid("limit", "must be a positive whole number")
	case limit > s.cfg.MaxPageSize:
		limit = s.cfg.MaxPageSize
	}
	if st := s.ledger.state(wishID); st.status != StatusOpen {
		return nil, Errorf(ECONFLICT, "only an open wish has candidates; this one is %s", st.status)
	}
	set, err := s.ruleSet()
	if err != nil {
		return nil, err
	}
	list := &CandidateList{Candidates: []Candidate{}, Excluded: map[string]int{}}
	got, _, err := s.index.Candidates(wishID, index.Search{
		Rules: set, Now: s.now(), Limit: limit, Excluded: list.Excluded, Claims: s.claimsOf,
	}, list.Candidates)
	if err != nil {
		return nil, notFound()
	}
	list.Candidates = got
	return list, nil
}

// claimsOf returns a supplier's active claims, for the index.
func (s *Service) claimsOf(p index.Party) int { return s.ledger.activeClaims(Party(p)) }

// RuleImpact compares how many suppliers may serve one open wish under
// the rules in force and under proposed rules.
type RuleImpact struct {
	WishID   string `json:"wish_id"`
	Category string `json:"category"`
	Before   int    `json:"before"`
	After    int    `json:"after"`
}

// RulesImpact returns, for every open wish, how many suppliers inside its
// circle are eligible under the rules in force and under proposed: the dry
// run of `linli rules impact`. It reads memory only.
func (s *Service) RulesImpact(proposed *rules.Set) []RuleImpact { return s.rulesImpact(nil, proposed) }

// rulesImpact is RulesImpact over the open wishes of nodes (nil: all).
func (s *Service) rulesImpact(nodes []string, proposed *rules.Set) []RuleImpact {
	now := s.now()
	current, _ := s.ruleSet()
	count := func(id string, set *rules.Set) int {
		got, _, _ := s.index.Candidates(id, index.Search{Rules: set, Now: now, Limit: math.MaxInt,
			Excluded: map[string]int{}, Claims: s.claimsOf}, nil)
		return len(got)
	}
	var out []RuleImpact
	s.lists.open.Each(nodes, func(id string) bool {
		w, ok := s.wishes.Get(id)
		if ok {
			out = append(out, RuleImpact{WishID: id, Category: w.Category, Before: count(id, current), After: count(id, proposed)})
		}
		return true
	})
	return out
}
