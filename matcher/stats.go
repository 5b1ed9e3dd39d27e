package matcher

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// WeeklyStats counts, per ISO week, the wishes in the caller's scope that
// were opened, claimed and fulfilled, from the events in memory.
type WeeklyStats struct {
	Weeks []WeekCounts `json:"weeks"`
}

// WeekCounts is one ISO week: Start is its Monday, 00:00 UTC. A wish
// claimed twice in a week (after a release) counts twice in Claimed.
type WeekCounts struct {
	Week      string    `json:"week"` // "2026-W49"
	Start     time.Time `json:"start"`
	Created   int       `json:"created"`
	Claimed   int       `json:"claimed"`
	Fulfilled int       `json:"fulfilled"`
}

// MaxStatsWeeks is the most weeks WeeklyStats counts.
const MaxStatsWeeks = 104

// WeeklyStats returns the last weeks ISO weeks (the current one last) of
// wishes created, claimed and fulfilled in the caller's scope. Staff only.
func (s *Service) WeeklyStats(ctx context.Context, weeks int) (*WeeklyStats, error) {
	p, _, err := s.allow(ctx, StatsWeekly, "")
	if err != nil {
		return nil, err
	}
	if weeks < 1 || weeks > MaxStatsWeeks {
		return nil, Invalid("weeks", "must be a whole number from 1 to %d", MaxStatsWeeks)
	}
	first := mondayOf(s.now()).AddDate(0, 0, -7*(weeks-1))
	out := &WeeklyStats{Weeks: make([]WeekCounts, weeks)}
	for i := range out.Weeks {
		start := first.AddDate(0, 0, 7*i)
		y, w := start.ISOWeek()
		out.Weeks[i] = WeekCounts{Week: fmt.Sprintf("%d-W%02d", y, w), Start: start}
	}
	week := func(t time.Time) *WeekCounts {
		if t.Before(first) {
			return nil
		}
		i := int(mondayOf(t).Sub(first).Hours()/24) / 7
		if i >= weeks {
			return nil
		}
		return &out.Weeks[i]
	}
	for _, id := range s.wishesInScope(p) {
		if w, ok := s.wishes.Get(id); ok {
			if c := week(w.CreatedAt); c != nil {
				c.Created++
			}
		}
		for _, e := range s.ledger.events(id) {
			c := week(e.At)
			switch {
			case c == nil:
			case e.Type == EventClaimed:
				c.Claimed++
			case e.Type == EventFulfilled:
				c.Fulfilled++
			}
		}
	}
	return out, nil
}

// mondayOf returns the Monday, 00:00 UTC, of t's ISO week.
func mondayOf(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// wishesInScope returns the ids of every wish in p's scope.
func (s *Service) wishesInScope(p Principal) []string {
	var ids []string
	s.lists.wishes.Each(s.scopeNodes(p), func(id string) bool {
		ids = append(ids, id)
		return true
	})
	return ids
}

// RatingStats is how the residents rated each provider's confirmed
// fulfilments of wishes in the caller's scope.
type RatingStats struct {
	Providers []ProviderRatings `json:"providers"`
}

// ProviderRatings is one provider's ratings: how many of each, 1 to 5.
// Name is an organisation's or enterprise's; volunteers are named by id.
type ProviderRatings struct {
	Provider     Party          `json:"provider"`
	Name         string         `json:"name,omitempty"`
	Count        int            `json:"count"`
	Mean         float64        `json:"mean"`
	Distribution map[string]int `json:"distribution"`
}

// RatingStats returns the distribution of satisfaction ratings per
// provider over the confirmed wishes in the caller's scope, most rated
// first. Staff only.
func (s *Service) RatingStats(ctx context.Context) (*RatingStats, error) {
	p, _, err := s.allow(ctx, StatsRatings, "")
	if err != nil {
		return nil, err
	}
	by := map[Party]*ProviderRatings{}
	for _, id := range s.wishesInScope(p) {
		for _, e := range s.ledger.events(id) {
			if e.Type != EventConfirmed || e.Rating < 1 || e.Rating > 5 || e.Claimant == nil {
				continue
			}
			r := by[*e.Claimant]
			if r == nil {
				r = &ProviderRatings{Provider: *e.Claimant, Name: s.providerName(*e.Claimant),
					Distribution: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
				by[*e.Claimant] = r
			}
			r.Count++
			r.Mean += float64(e.Rating)
			r.Distribution[strconv.Itoa(e.Rating)]++
		}
	}
	out := &RatingStats{Providers: []ProviderRatings{}}
	for _, r := range by {
		r.Mean /= float64(r.Count)
		out.Providers = append(out.Providers, *r)
	}
	slices.SortFunc(out.Providers, func(a, b ProviderRatings) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Provider.Kind, b.Provider.Kind), cmp.Compare(a.Provider.ID, b.Provider.ID))
	})
	return out, nil
}

// providerName names an organisation or enterprise; "" for others.
func (s *Service) providerName(p Party) string {
	switch p.Kind {
	case RoleOrganisation:
		if o, ok := s.organisations.Get(p.ID); ok {
			return o.Name
		}
	case RoleEnterprise:
		if e, ok := s.enterprises.Get(p.ID); ok {
			return e.Name
		}
	}
	return ""
}
