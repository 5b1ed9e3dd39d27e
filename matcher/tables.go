package matcher

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linli/linli/geo"
)

// Reports as tables, for CSV export: a header and rows of text, the same
// figures as the JSON.

// rower is an item that is one row of a table.
type rower interface {
	csvHeader() []string
	csvRow() []string
}

// Table returns the page as a table when its items are rows, else nil.
func (p *Page[T]) Table() ([]string, [][]string) {
	var zero T
	r, ok := any(&zero).(rower)
	if !ok {
		return nil, nil
	}
	rows := make([][]string, 0, len(p.Items))
	for _, it := range p.Items {
		rows = append(rows, any(it).(rower).csvRow())
	}
	return r.csvHeader(), rows
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
func tfmt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func optf(x *float64) string {
	if x == nil {
		return ""
	}
	return ftoa(*x)
}

func opti(n *int) string {
	if n == nil {
		return ""
	}
	return itoa(*n)
}

// Table is the coverage report, one row per cell and category.
func (c *Coverage) Table() ([]string, [][]string) {
	header := []string{"cell", "category", "open", "fulfilled", "residents", "suppliers", "programmes", "flags"}
	rows := make([][]string, 0, len(c.Items))
	for _, it := range c.Items {
		rows = append(rows, []string{it.Cell, it.Category, itoa(it.Demand.Open), itoa(it.Demand.Fulfilled),
			opti(it.Demand.Residents), itoa(it.Supply.Suppliers), strings.Join(it.Programmes, ";"), strings.Join(it.Flags, ";")})
	}
	return header, rows
}

// GeoJSON returns the coverage as hexagons: one feature per cell, its
// figures summed over categories (suppliers: the most of any category)
// and the flags and programmes of all of them, by category too.
func (c *Coverage) GeoJSON() any {
	type catProps struct {
		Open      int      `json:"open"`
		Fulfilled int      `json:"fulfilled"`
		Suppliers int      `json:"suppliers"`
		Flags     []string `json:"flags"`
	}
	type props struct {
		Cell       string               `json:"cell"`
		Open       int                  `json:"open"`
		Fulfilled  int                  `json:"fulfilled"`
		Residents  *int                 `json:"residents"`
		Suppliers  int                  `json:"suppliers"`
		Programmes []string             `json:"programmes"`
		Flags      []string             `json:"flags"`
		Categories map[string]*catProps `json:"categories"`
	}
	byCell := map[string]*props{}
	var order []string
	for _, it := range c.Items {
		p := byCell[it.Cell]
		if p == nil {
			p = &props{Cell: it.Cell, Residents: it.Demand.Residents, Programmes: []string{}, Flags: []string{},
				Categories: map[string]*catProps{}}
			byCell[it.Cell] = p
			order = append(order, it.Cell)
		}
		p.Open += it.Demand.Open
		p.Fulfilled += it.Demand.Fulfilled
		p.Suppliers = max(p.Suppliers, it.Supply.Suppliers)
		for _, id := range it.Programmes {
			if !slices.Contains(p.Programmes, id) {
				p.Programmes = append(p.Programmes, id)
			}
		}
		for _, f := range it.Flags {
			if !slices.Contains(p.Flags, f) {
				p.Flags = append(p.Flags, f)
			}
		}
		p.Categories[it.Category] = &catProps{Open: it.Demand.Open, Fulfilled: it.Demand.Fulfilled,
			Suppliers: it.Supply.Suppliers, Flags: it.Flags}
	}
	features := make([]any, 0, len(order))
	for _, id := range order {
		cell, _ := geo.ParseCell(id)
		b := geo.CellBoundary(cell)
		ring := make([][2]float64, 0, len(b)+1)
		for _, pt := range b {
			ring = append(ring, [2]float64{pt.Lng, pt.Lat})
		}
		if len(ring) > 0 {
			ring = append(ring, ring[0])
		}
		p := byCell[id]
		slices.Sort(p.Programmes)
		slices.Sort(p.Flags)
		features = append(features, map[string]any{"type": "Feature", "id": id, "properties": p,
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	return map[string]any{"type": "FeatureCollection", "resolution": c.Resolution, "features": features}
}

// Table is the demand list.
func (d *Demand) Table() ([]string, [][]string) {
	rows := make([][]string, 0, len(d.Items))
	for _, it := range d.Items {
		rows = append(rows, []string{it.Cell, it.Category, it.Group, opti(it.Open), opti(it.Recent)})
	}
	return []string{"cell", "category", "group", "open", "recent"}, rows
}

// Table is an evaluation as figure, value; a figure withheld is empty,
// and the last row names them.
func (e *Evaluation) Table() ([]string, [][]string) {
	w := e.Wishes
	rows := [][]string{
		{"programme_id", e.ProgrammeID}, {"provider", e.Provider.Kind + ":" + e.Provider.ID},
		{"from", tfmt(e.From)}, {"to", tfmt(e.To)},
		{"satisfaction_mean", optf(e.Satisfaction.Mean)}, {"ratings", opti(e.Satisfaction.Count)},
	}
	for _, r := range ratingBuckets {
		rows = append(rows, []string{"rating_" + r, opti(e.Satisfaction.Distribution[r])})
	}
	rows = append(rows,
		[]string{"claimed", opti(w.Claimed)}, []string{"fulfilled", opti(w.Fulfilled)}, []string{"confirmed", opti(w.Confirmed)},
		[]string{"disputed", opti(w.Disputed)}, []string{"released_stale", opti(w.ReleasedStale)},
		[]string{"withdrawn", opti(w.Withdrawn)}, []string{"cancelled", opti(w.Cancelled)},
		[]string{"time_to_claim_hours_median", optf(e.TimeToClaim.Median)}, []string{"time_to_claim_hours_p90", optf(e.TimeToClaim.P90)},
		[]string{"time_to_fulfil_hours_median", optf(e.TimeToFulfil.Median)}, []string{"time_to_fulfil_hours_p90", optf(e.TimeToFulfil.P90)},
		[]string{"hours", optf(e.Hours)}, []string{"budget", optf(e.Budget)}, []string{"cost_per_confirmed", optf(e.CostPerConfirmed)},
		[]string{"score", optf(e.Score)}, []string{"suppressed", strings.Join(e.Suppressed, ";")})
	return []string{"figure", "value"}, rows
}

func (pg *Programme) csvHeader() []string {
	return []string{"id", "name", "department", "provider_kind", "provider_id", "category", "target_tags", "target_expr",
		"budget", "starts_at", "ends_at", "cells", "output_unit", "output_quantity"}
}

func (pg *Programme) csvRow() []string {
	unit, qty := "", ""
	if pg.Output != nil {
		unit, qty = pg.Output.Unit, itoa(pg.Output.Quantity)
	}
	return []string{pg.ID, pg.Name, pg.Department, pg.Provider.Kind, pg.Provider.ID, pg.Category,
		strings.Join(pg.TargetGroup.Tags, ";"), pg.TargetGroup.Expr, ftoa(pg.Budget), tfmt(pg.StartsAt), tfmt(pg.EndsAt),
		itoa(len(pg.Cells)), unit, qty}
}

func publicFigureHeader() []string {
	return []string{"claimed", "fulfilled", "confirmed", "disputed", "released_stale", "satisfaction_mean", "ratings",
		"cost_per_confirmed", "score"}
}

func (f *PublicFigures) row() []string {
	return []string{opti(f.Claimed), opti(f.Fulfilled), opti(f.Confirmed), opti(f.Disputed), opti(f.ReleasedStale),
		optf(f.SatisfactionMean), opti(f.Ratings), optf(f.CostPerConfirmed), optf(f.Score)}
}

func (p *PublicProgramme) csvHeader() []string {
	return append([]string{"id", "name", "department", "provider", "category", "budget", "starts_at", "ends_at"}, publicFigureHeader()...)
}

func (p *PublicProgramme) csvRow() []string {
	return append([]string{p.ID, p.Name, p.Department, p.Provider.Name, p.Category, ftoa(p.Budget), tfmt(p.StartsAt), tfmt(p.EndsAt)},
		p.Figures.row()...)
}

func (p *PublicProviderFigures) csvHeader() []string {
	return append([]string{"kind", "id", "name", "programmes", "budget"}, publicFigureHeader()...)
}

func (p *PublicProviderFigures) csvRow() []string {
	return append([]string{p.Kind, p.ID, p.Name, strings.Join(p.Programmes, ";"), ftoa(p.Budget)}, p.Figures.row()...)
}
