package matcher

import (
	"context"
	"fmt"
	"math"

	"github.com/linli/linli/rules"
)

// CandidateList is the answer to "who could serve this wish?".
type CandidateList struct {
	Candidates []Candidate    `json:"candidates"`
	Excluded   map[string]int `json:"excluded"`
}

// defaultCandidates is how many candidates a list has unless asked.
const defaultCandidates = 20

// WishCandidates returns the nearest limit suppliers eligible for an open
// wish, nearest first, and how many suppliers inside its walking circle
// each rule refused. Coordinators, admins and the wish's social workers
// only. It returns ECONFLICT for a wish that is not open.
func (s *Service) WishCandidates(ctx context.Context, wishID string, limit int) (*CandidateList, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = defaultCandidates
	case limit < 0:
		return nil, Invalid("limit", "must be positive")
	case limit > s.cfg.MaxPageSize:
		limit = s.cfg.MaxPageSize
	}
	w, err := s.indexedWish(ctx, wishID)
	if err != nil {
		return nil, err
	}
	if p.Role != RoleAdmin && w.tenant != p.SubjectID {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	if st := s.wishes.state(wishID); st.status != StatusOpen {
		return nil, Errorf(ECONFLICT, "only an open wish has candidates; this one is %s", st.status)
	}
	list := &CandidateList{Candidates: []Candidate{}, Excluded: map[string]int{}}
	list.Candidates, _, err = s.index.Candidates(wishID, Search{
		Rules: s.ruleSet(), Now: s.now(), Limit: limit, Excluded: list.Excluded, Claims: s.wishes.activeClaims,
	}, list.Candidates)
	return list, err
}

// indexedWish returns what the index holds of a wish, indexing it first
// when it was written by another replica.
func (s *Service) indexedWish(ctx context.Context, id string) (wishEntry, error) {
	if e, ok := s.index.wish(id); ok {
		return e, nil
	}
	w, err := get(ctx, s.store.Wishes(), id, func(*Wish) bool { return true })
	if err != nil {
		return wishEntry{}, err
	}
	r, err := s.store.Residents().Get(ctx, w.ResidentID)
	if err != nil {
		return wishEntry{}, fmt.Errorf("resident of wish %s: %w", id, err)
	}
	s.index.PutWish(w, r)
	e, _ := s.index.wish(id)
	return e, nil
}

// RuleImpact compares how many suppliers may serve one open wish under
// the rules in force and under proposed rules.
type RuleImpact struct {
	WishID   string
	Category string
	Before   int
	After    int
}

// RulesImpact returns, for every open wish in the index, how many
// suppliers inside its circle are eligible under the rules in force and
// under proposed: the dry run of `linli rules impact`. It reads memory only.
func (s *Service) RulesImpact(proposed *rules.Set) []RuleImpact {
	now, current := s.now(), s.ruleSet()
	count := func(id string, set *rules.Set) int {
		got, _, _ := s.index.Candidates(id, Search{Rules: set, Now: now, Limit: math.MaxInt,
			Excluded: map[string]int{}, Claims: s.wishes.activeClaims}, nil)
		return len(got)
	}
	var out []RuleImpact
	for _, id := range s.index.wishIDs() {
		if s.wishes.state(id).status != StatusOpen {
			continue
		}
		e, _ := s.index.wish(id)
		out = append(out, RuleImpact{WishID: id, Category: e.category, Before: count(id, current), After: count(id, proposed)})
	}
	return out
}
