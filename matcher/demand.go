package matcher

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// DemandItem counts the wishes of one cell, category and group: open now,
// and made in the period.
type DemandItem struct {
	Cell     string `json:"cell"`
	Category string `json:"category"`
	// Group is the resident's age band: child (<14), minor (14–17),
	// adult or elderly (60+).
	Group  string `json:"group"`
	Open   int    `json:"open"`
	Recent int    `json:"recent"`
}

// DemandTotals sums the open wishes by category, and by group, where
// disabled and lives_alone count too.
type DemandTotals struct {
	Open       int            `json:"open"`
	Recent     int            `json:"recent"`
	ByCategory map[string]int `json:"by_category"`
	ByGroup    map[string]int `json:"by_group"`
}

// Demand is "one list of needs": the district's open and recent wishes by
// place, category and group.
type Demand struct {
	Resolution int          `json:"resolution"`
	Category   string       `json:"category"`
	From       time.Time    `json:"from"`
	To         time.Time    `json:"to"`
	Items      []DemandItem `json:"items"`
	Totals     DemandTotals `json:"totals"`
}

// Demand counts the open wishes in the caller's scope, and those made in
// the period, by cell, category and the resident's age band, from memory.
func (s *Service) Demand(ctx context.Context, q ReportQuery) (*Demand, error) {
	p, _, err := s.allow(ctx, DemandRead, "")
	if err != nil {
		return nil, err
	}
	if err := s.checkReport(&q); err != nil {
		return nil, err
	}
	now := s.now()
	type key struct {
		cell            geo.Cell
		category, group string
	}
	counts := map[key]*DemandItem{}
	d := &Demand{Resolution: q.Resolution, Category: q.Category, From: q.From, To: q.To, Items: []DemandItem{},
		Totals: DemandTotals{ByCategory: map[string]int{}, ByGroup: map[string]int{}}}
	s.lists.wishes.Each(s.scopeNodes(p), func(id string) bool {
		w, ok := s.wishes.Get(id)
		if !ok || q.Category != "" && w.Category != q.Category {
			return true
		}
		open := s.ledger.status(id) == StatusOpen
		recent := !w.CreatedAt.Before(q.From) && w.CreatedAt.Before(q.To)
		if !open && !recent {
			return true
		}
		group := "unknown"
		var r *Resident
		if r, ok = s.residents.Get(w.ResidentID); ok {
			group = index.AgeBand(index.AgeAt(r.BirthDate, now))
		}
		k := key{geo.Parent(w.Cell, q.Resolution), w.Category, group}
		it := counts[k]
		if it == nil {
			it = &DemandItem{Cell: k.cell.String(), Category: k.category, Group: group}
			counts[k] = it
		}
		if recent {
			it.Recent++
			d.Totals.Recent++
		}
		if open {
			it.Open++
			d.Totals.Open++
			d.Totals.ByCategory[w.Category]++
			d.Totals.ByGroup[group]++
			if r != nil && len(r.Disabilities) > 0 {
				d.Totals.ByGroup["disabled"]++
			}
			if r != nil && r.LivesAlone {
				d.Totals.ByGroup["lives_alone"]++
			}
		}
		return true
	})
	for _, it := range counts {
		d.Items = append(d.Items, *it)
	}
	slices.SortFunc(d.Items, func(a, b DemandItem) int {
		return cmp.Or(cmp.Compare(a.Cell, b.Cell), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Group, b.Group))
	})
	return d, nil
}
