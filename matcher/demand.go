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
// and made in the period. For a caller who may not read residents, a
// count under k is null.
type DemandItem struct {
	Cell     string `json:"cell"`
	Category string `json:"category"`
	// Group is the resident's age band: child (<14), minor (14–17),
	// adult or elderly (60+).
	Group  string `json:"group"`
	Open   Count  `json:"open"`
	Recent Count  `json:"recent"`
}

// DemandTotals sums the open wishes by category, and by group, where
// disabled and lives_alone count too; null under k as the items.
type DemandTotals struct {
	Open       Count            `json:"open"`
	Recent     Count            `json:"recent"`
	ByCategory map[string]Count `json:"by_category"`
	ByGroup    map[string]Count `json:"by_group"`
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

// AllResidents is the group of a demand row that is not broken down by
// the residents' age band (for callers who may not read residents).
const AllResidents = "all"

// Demand counts the open wishes in the caller's scope, and those made in
// the period, by cell, category and the resident's age band, from memory.
// A count is of wishes of residents, so a caller who may not read them
// sees none under k (countFor, as coverage).
func (s *Service) Demand(ctx context.Context, q ReportQuery) (*Demand, error) {
	p, _, err := s.allow(ctx, DemandRead, "")
	if err != nil {
		return nil, err
	}
	if err := s.checkReport(&q); err != nil {
		return nil, err
	}
	now := s.now()
	// A caller who may not read residents gets no breakdown by what they
	// are (age band, disability, household): whether a row of a group
	// exists in a cell, or which wish a period's edge lets in, would tell
	// it of one resident. Its rows are by cell and category alone.
	reads := s.readsResidents(p, p.SubjectID)
	type key struct {
		cell            geo.Cell
		category, group string
	}
	type wishCount struct{ open, recent int }
	counts := map[key]*wishCount{}
	var open, recent int
	byCategory, byGroup := map[string]int{}, map[string]int{}
	s.lists.wishes.Each(s.scopeNodes(p), func(id string) bool {
		w, ok := s.wishes.Get(id)
		if !ok || q.Category != "" && w.Category != q.Category {
			return true
		}
		isOpen := s.ledger.status(id) == StatusOpen
		isRecent := !w.CreatedAt.Before(q.From) && w.CreatedAt.Before(q.To)
		if !isOpen && !isRecent {
			return true
		}
		group := "unknown"
		var r *Resident
		if r, ok = s.residents.Get(w.ResidentID); ok {
			group = index.AgeBand(index.AgeAt(r.BirthDate, now))
		}
		if !reads {
			group = AllResidents
		}
		k := key{geo.Parent(w.Cell, q.Resolution), w.Category, group}
		it := counts[k]
		if it == nil {
			it = &wishCount{}
			counts[k] = it
		}
		if isRecent {
			it.recent++
			recent++
		}
		if isOpen {
			it.open++
			open++
			byCategory[w.Category]++
			if reads {
				byGroup[group]++
				if r != nil && len(r.Disabilities) > 0 {
					byGroup["disabled"]++
				}
				if r != nil && r.LivesAlone {
					byGroup["lives_alone"]++
				}
			}
		}
		return true
	})
	count := s.countFor(p)
	d := &Demand{Resolution: q.Resolution, Category: q.Category, From: q.From, To: q.To, Items: make([]DemandItem, 0, len(counts)),
		Totals: DemandTotals{Open: count(open), Recent: count(recent), ByCategory: map[string]Count{}, ByGroup: map[string]Count{}}}
	for c, n := range byCategory {
		d.Totals.ByCategory[c] = count(n)
	}
	for g, n := range byGroup {
		d.Totals.ByGroup[g] = count(n)
	}
	for k, it := range counts {
		d.Items = append(d.Items, DemandItem{Cell: k.cell.String(), Category: k.category, Group: k.group,
			Open: count(it.open), Recent: count(it.recent)})
	}
	slices.SortFunc(d.Items, func(a, b DemandItem) int {
		return cmp.Or(cmp.Compare(a.Cell, b.Cell), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Group, b.Group))
	})
	return d, nil
}
