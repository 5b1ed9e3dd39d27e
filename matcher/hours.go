package matcher

import (
	"context"
	"maps"
	"time"
)

// HoursTotal is a volunteer's credited service hours: only hours of
// fulfilments a social worker confirmed count.
type HoursTotal struct {
	VolunteerID string             `json:"volunteer_id"`
	Total       float64            `json:"total"`
	Fulfilments int                `json:"fulfilments"`
	ByMonth     map[string]float64 `json:"by_month"`    // "2026-11" → hours
	ByCategory  map[string]float64 `json:"by_category"` // wish category → hours
}

func (t *HoursTotal) add(month, category string, hours float64) {
	t.Total += hours
	t.Fulfilments++
	t.ByMonth[month] += hours
	t.ByCategory[category] += hours
}

// VolunteerHours returns a volunteer's credited hours, to the volunteer,
// their organisation, staff in scope and admins.
func (s *Service) VolunteerHours(ctx context.Context, volunteerID string) (*HoursTotal, error) {
	if _, _, err := s.allow(ctx, VolunteerHours, volunteerID); err != nil {
		return nil, err
	}
	t := s.ledger.hoursOf(volunteerID)
	t.VolunteerID = volunteerID
	return t, nil
}

// hoursOf returns a copy of the volunteer's credited hours.
func (l *ledger) hoursOf(volunteerID string) *HoursTotal {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := &HoursTotal{ByMonth: map[string]float64{}, ByCategory: map[string]float64{}}
	if t := l.hours[volunteerID]; t != nil {
		out.Total, out.Fulfilments = t.Total, t.Fulfilments
		maps.Copy(out.ByMonth, t.ByMonth)
		maps.Copy(out.ByCategory, t.ByCategory)
	}
	return out
}

// RatingSummary is the count and mean of satisfaction ratings.
type RatingSummary struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
}

// Ratings rolls up the ratings of a supplier's confirmed fulfilments: all
// of them and those of the last 90 days. It is how purchased services are
// evaluated.
type Ratings struct {
	Supplier   Party         `json:"supplier"`
	Count      int           `json:"count"`
	Mean       float64       `json:"mean"`
	Last90Days RatingSummary `json:"last_90_days"`
}

// EnterpriseRatings returns an enterprise's ratings to whoever may read
// them.
func (s *Service) EnterpriseRatings(ctx context.Context, id string) (*Ratings, error) {
	if _, _, err := s.allow(ctx, EnterpriseRatings, id); err != nil {
		return nil, err
	}
	return s.ledger.ratingsOf(Party{Kind: RoleEnterprise, ID: id}, s.now()), nil
}

// OrganisationRatings returns an organisation's ratings to whoever may
// read them.
func (s *Service) OrganisationRatings(ctx context.Context, id string) (*Ratings, error) {
	if _, _, err := s.allow(ctx, OrganisationRatings, id); err != nil {
		return nil, err
	}
	return s.ledger.ratingsOf(Party{Kind: RoleOrganisation, ID: id}, s.now()), nil
}

func (l *ledger) ratingsOf(p Party, now time.Time) *Ratings {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r := &Ratings{Supplier: p}
	var sum, recent float64
	since := now.Add(-90 * 24 * time.Hour)
	for _, x := range l.ratings[p] {
		r.Count++
		sum += float64(x.value)
		if !x.at.Before(since) {
			r.Last90Days.Count++
			recent += float64(x.value)
		}
	}
	if r.Count > 0 {
		r.Mean = sum / float64(r.Count)
	}
	if r.Last90Days.Count > 0 {
		r.Last90Days.Mean = recent / float64(r.Last90Days.Count)
	}
	return r
}
