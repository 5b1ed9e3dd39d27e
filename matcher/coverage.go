package matcher

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// Coverage flags.
const (
	// FlagGap: open wishes, and neither a supplier reaching the cell for
	// the category nor a programme covering it.
	FlagGap = "gap"
	// FlagDuplicate: programmes of two or more departments cover the cell
	// and category for overlapping target groups in overlapping periods.
	FlagDuplicate = "duplicate"
	// FlagStrained: open wishes far above the suppliers reaching the cell.
	FlagStrained = "strained"
)

// CoverageConfig tunes the coverage report. Zero values take the defaults.
type CoverageConfig struct {
	// A cell and category is strained when it has at least StrainedMinOpen
	// open wishes (3) and more than StrainedRatio open wishes per supplier
	// reaching it (0.5).
	StrainedRatio   float64
	StrainedMinOpen int
	// Window is the period a report covers unless asked (the last 90 days).
	Window time.Duration
}

func (c CoverageConfig) withDefaults() CoverageConfig {
	if c.StrainedRatio <= 0 {
		c.StrainedRatio = 0.5
	}
	if c.StrainedMinOpen <= 0 {
		c.StrainedMinOpen = 3
	}
	if c.Window <= 0 {
		c.Window = 90 * 24 * time.Hour
	}
	return c
}

// ReportQuery is what a coverage or demand report is asked for: a
// resolution, a category (all when empty) and a period (the last window
// up to now when zero).
type ReportQuery struct {
	Resolution int
	Category   string
	From, To   time.Time
	Lang       string // zh (default) or en, for the suggestions' text
}

// CellDemand is what a cell needs of a category.
type CellDemand struct {
	Open      int `json:"open"`
	Fulfilled int `json:"fulfilled"` // fulfilled or confirmed in the period
	// Residents counts the residents registered in the cell, and Groups
	// those of each target group tag. For a caller who may not read
	// residents, a count under k is null, so that no figure singles one
	// out.
	Residents *int            `json:"residents"`
	Groups    map[string]*int `json:"groups"`
}

// CellSupply is who reaches a cell for a category.
type CellSupply struct {
	Suppliers int `json:"suppliers"`
}

// CoverageItem is one cell and category of the report.
type CoverageItem struct {
	Cell       string     `json:"cell"`
	Category   string     `json:"category"`
	Demand     CellDemand `json:"demand"`
	Supply     CellSupply `json:"supply"`
	Programmes []string   `json:"programmes"`
	Flags      []string   `json:"flags"`
}

// Gap is a cell and category nobody covers, and the nearest supply.
type Gap struct {
	Cell          string         `json:"cell"`
	Category      string         `json:"category"`
	Open          int            `json:"open"`
	NearestSupply *index.Nearest `json:"nearest_supply"`
}

// DuplicatePair is two programmes of different departments buying the
// same service for the same people in the same places and times.
type DuplicatePair struct {
	Programmes  []string `json:"programmes"`
	Names       []string `json:"names"`
	Departments []string `json:"departments"`
	Category    string   `json:"category"`
	Cells       []string `json:"cells"`
	// OverlapBudget is the part of both budgets spent on the shared
	// cells, in proportion to each programme's area.
	OverlapBudget float64   `json:"overlap_budget"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	// Residents counts the residents of the shared cells in both target
	// groups (null under k for a caller who may not read residents).
	Residents *int `json:"residents"`
}

// Strained is a cell and category with far more open wishes than supply.
type Strained struct {
	Cell      string `json:"cell"`
	Category  string `json:"category"`
	Open      int    `json:"open"`
	Suppliers int    `json:"suppliers"`
}

// Suggestion is a purchase suggestion for the next round of buying.
type Suggestion struct {
	Kind     string `json:"kind"`
	Cell     string `json:"cell,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
}

// CoverageSummary lists what the flags mark.
type CoverageSummary struct {
	Gaps       []Gap           `json:"gaps"`
	Duplicates []DuplicatePair `json:"duplicates"`
	Strained   []Strained      `json:"strained"`
}

// Coverage is the district's picture: per cell and category, demand,
// supply and programmes, with what is missing, doubled or strained.
type Coverage struct {
	Resolution  int             `json:"resolution"`
	Category    string          `json:"category"`
	From        time.Time       `json:"from"`
	To          time.Time       `json:"to"`
	Items       []CoverageItem  `json:"items"`
	Summary     CoverageSummary `json:"summary"`
	Suggestions []Suggestion    `json:"suggestions"`
}

// checkReport validates a report query and fills its defaults.
func (s *Service) checkReport(q *ReportQuery) error {
	res := s.grid.Config().Resolution
	switch {
	case q.Resolution == 0:
		q.Resolution = min(8, res)
	case q.Resolution < 5 || q.Resolution > res:
		return Invalid("resolution", "must be between 5 and %d", res)
	}
	if q.Category != "" && !s.cfg.Catalog.hasCategory(q.Category) {
		return Invalid("category", "%q is not a category; the categories are %v", q.Category, s.cfg.Catalog.Categories)
	}
	lo, hi := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	if !q.From.IsZero() && (q.From.Before(lo) || q.From.After(hi)) || !q.To.IsZero() && (q.To.Before(lo) || q.To.After(hi)) {
		return Invalid("period", "must lie between 2000 and 2100")
	}
	if q.To.IsZero() {
		q.To = s.now().UTC()
	}
	if q.From.IsZero() {
		q.From = q.To.Add(-s.cfg.Coverage.Window)
	}
	if !q.To.After(q.From) {
		return Invalid("period", "must end after it starts")
	}
	switch q.Lang {
	case "", "zh", "en":
	default:
		return Invalid("lang", "must be zh or en")
	}
	return nil
}

// cellCat is one cell and category.
type cellCat struct {
	cell     geo.Cell
	category string
}

// residentsByCell gathers the facts of the residents registered under
// nodes (nil: all), by cell at the stored resolution.
func (s *Service) residentsByCell(nodes []string, now time.Time) map[geo.Cell][]rules.Resident {
	out := map[geo.Cell][]rules.Resident{}
	s.lists.residents.Each(nodes, func(id string) bool {
		if r, ok := s.residents.Get(id); ok && !r.hidden() {
			out[r.Cell] = append(out[r.Cell], residentFactsAt(r, now))
		}
		return true
	})
	return out
}

// Coverage computes the coverage report over the caller's scope, from
// memory: wishes and residents in scope, every supplier, the programmes
// in scope running in the period.
func (s *Service) Coverage(ctx context.Context, q ReportQuery) (*Coverage, error) {
	p, _, err := s.allow(ctx, CoverageRead, "")
	if err != nil {
		return nil, err
	}
	if err := s.checkReport(&q); err != nil {
		return nil, err
	}
	nodes := s.scopeNodes(p)
	now := s.now()
	res := q.Resolution
	cov := &Coverage{Resolution: res, Category: q.Category, From: q.From, To: q.To, Items: []CoverageItem{},
		Summary: CoverageSummary{Gaps: []Gap{}, Duplicates: []DuplicatePair{}, Strained: []Strained{}}, Suggestions: []Suggestion{}}
	items := map[cellCat]*CoverageItem{}
	item := func(c geo.Cell, category string) *CoverageItem {
		k := cellCat{c, category}
		it := items[k]
		if it == nil {
			it = &CoverageItem{Cell: c.String(), Category: category, Programmes: []string{}, Flags: []string{}}
			items[k] = it
		}
		return it
	}
	wanted := func(category string) bool { return q.Category == "" || q.Category == category }

	s.lists.wishes.Each(nodes, func(id string) bool {
		w, ok := s.wishes.Get(id)
		if !ok || !wanted(w.Category) {
			return true
		}
		c := geo.Parent(w.Cell, res)
		switch st := s.ledger.state(id); st.status {
		case StatusOpen:
			item(c, w.Category).Demand.Open++
		case StatusFulfilled, StatusConfirmed:
			if at := s.ledger.fulfilledAt(id); !at.Before(q.From) && at.Before(q.To) {
				item(c, w.Category).Demand.Fulfilled++
			}
		}
		return true
	})
	// Every programme whose area meets a cell covers it, whoever asks: a
	// gap is a gap for the whole district.
	// A programme of the caller's scope adds its cells to the report; one
	// from elsewhere (a district's, seen by a street) only covers the
	// cells already in it.
	progs := s.programmesIn(nil, q)
	for _, pg := range progs {
		mine := nodes == nil || slices.Contains(nodes, pg.NodeID)
		for c := range s.areas.get(pg.ID).cells {
			k := cellCat{geo.Parent(c, res), pg.Category}
			if items[k] == nil && !mine {
				continue
			}
			it := item(k.cell, k.category)
			if !slices.Contains(it.Programmes, pg.ID) {
				it.Programmes = append(it.Programmes, pg.ID)
			}
		}
	}
	residents := s.residentsByCell(nodes, now)
	groups := map[geo.Cell]map[string]int{}
	counts := map[geo.Cell]int{}
	for c, rs := range residents {
		pc := geo.Parent(c, res)
		counts[pc] += len(rs)
		if groups[pc] == nil {
			groups[pc] = map[string]int{}
		}
		for i := range rs {
			for tag, fits := range targetTags {
				if fits(&rs[i]) {
					groups[pc][tag]++
				}
			}
		}
	}
	reach := s.reachOf(slices.Collect(maps.Keys(items)))
	count := s.countFor(p)
	pairs := s.duplicatePairs(progs, residents, res, q, count)
	dupCells := map[cellCat]bool{}
	for _, dp := range pairs {
		for _, c := range dp.Cells {
			cell, _ := geo.ParseCell(c)
			dupCells[cellCat{cell, dp.Category}] = true
		}
	}
	cc := s.cfg.Coverage
	// Which groups a cell has (the keys alone, even with null counts) would
	// tell a caller who may not read residents what a cell's lone resident
	// is: it gets no breakdown by group.
	reads := s.readsResidents(p, p.SubjectID)
	for k, it := range items {
		it.Demand.Residents = count(counts[k.cell])
		it.Demand.Groups = map[string]*int{}
		for tag, n := range groups[k.cell] {
			if reads {
				it.Demand.Groups[tag] = count(n)
			}
		}
		r := reach[k.cell]
		it.Supply.Suppliers = r.Supply(k.category)
		slices.Sort(it.Programmes)
		open, sup := it.Demand.Open, it.Supply.Suppliers
		if open > 0 && sup == 0 && len(it.Programmes) == 0 {
			it.Flags = append(it.Flags, FlagGap)
		}
		if open >= cc.StrainedMinOpen && float64(open) > cc.StrainedRatio*float64(sup) {
			it.Flags = append(it.Flags, FlagStrained)
		}
		if dupCells[k] {
			it.Flags = append(it.Flags, FlagDuplicate)
		}
		cov.Items = append(cov.Items, *it)
	}
	slices.SortFunc(cov.Items, func(a, b CoverageItem) int {
		return cmp.Or(cmp.Compare(a.Cell, b.Cell), cmp.Compare(a.Category, b.Category))
	})
	for _, it := range cov.Items {
		if slices.Contains(it.Flags, FlagGap) {
			c, _ := geo.ParseCell(it.Cell)
			g := Gap{Cell: it.Cell, Category: it.Category, Open: it.Demand.Open}
			if n, ok := s.index.NearestSupplier(geo.CellCenter(c), it.Category, 100_000); ok {
				g.NearestSupply = &n
			}
			cov.Summary.Gaps = append(cov.Summary.Gaps, g)
		}
		if slices.Contains(it.Flags, FlagStrained) {
			cov.Summary.Strained = append(cov.Summary.Strained, Strained{Cell: it.Cell, Category: it.Category,
				Open: it.Demand.Open, Suppliers: it.Supply.Suppliers})
		}
	}
	cov.Summary.Duplicates = pairs
	cov.Suggestions = suggestions(&cov.Summary, q.Lang)
	return cov, nil
}

// reachOf counts the supply of each cell's centre, on both cores.
func (s *Service) reachOf(keys []cellCat) map[geo.Cell]index.Reach {
	seen := map[geo.Cell]bool{}
	var cells []geo.Cell
	for _, k := range keys {
		if !seen[k.cell] {
			seen[k.cell] = true
			cells = append(cells, k.cell)
		}
	}
	out := make([]index.Reach, len(cells))
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(cells); i += 2 {
				out[i] = s.index.Reach(geo.CellCenter(cells[i]))
			}
		})
	}
	wg.Wait()
	m := make(map[geo.Cell]index.Reach, len(cells))
	for i, c := range cells {
		m[c] = out[i]
	}
	return m
}

// programmesIn returns the programmes under nodes of the query's
// category, running in its period, by id.
func (s *Service) programmesIn(nodes []string, q ReportQuery) []*Programme {
	var out []*Programme
	s.lists.programmes.Each(nodes, func(id string) bool {
		pg, ok := s.programmes.Get(id)
		if ok && (q.Category == "" || pg.Category == q.Category) && pg.activeIn(q.From, q.To) && s.areas.get(id) != nil {
			out = append(out, pg)
		}
		return true
	})
	return out
}

// countFor returns how p may see a count about the residents of p's
// scope: whole when p may read them, else null under k and rounded to the
// nearest multiple of k, as evaluations and the public figures are, so
// that counts of overlapping cells, groups or resolutions do not give a
// small group's size by their difference.
func (s *Service) countFor(p Principal) func(int) *int {
	reads := s.readsResidents(p, p.SubjectID)
	k := s.cfg.KAnonymity
	return func(n int) *int {
		if !reads {
			if n < k {
				return nil
			}
			n = roundTo(n, k)
		}
		return &n
	}
}

// duplicatePairs finds every pair of programmes of different departments
// for the same category whose periods overlap (within the query's), whose
// areas share cells and whose target groups may meet by their tags (no
// tags: everyone; an expression: possibly anyone). Whether they meet is
// decided by the definitions alone, never by who lives there, so that a
// pair cannot be made a question about one resident; the residents of the
// shared cells in both groups are counted, as count allows.
func (s *Service) duplicatePairs(progs []*Programme, residents map[geo.Cell][]rules.Resident, res int, q ReportQuery, count func(int) *int) []DuplicatePair {
	now := s.now()
	out := []DuplicatePair{}
	for i, a := range progs {
		for _, b := range progs[i+1:] {
			if a.Department == b.Department || a.Category != b.Category || !a.activeIn(b.StartsAt, b.EndsAt) {
				continue
			}
			pa, pb := s.areas.get(a.ID), s.areas.get(b.ID)
			var shared []geo.Cell
			for c := range pa.cells {
				if pb.cells[c] {
					shared = append(shared, c)
				}
			}
			if len(shared) == 0 {
				continue
			}
			if !tagsMeet(a.TargetGroup, b.TargetGroup) {
				continue
			}
			both := 0
			for _, c := range shared {
				for j := range residents[c] {
					if a.inTarget(pa, &residents[c][j], now) && b.inTarget(pb, &residents[c][j], now) {
						both++
					}
				}
			}
			coarse := map[geo.Cell]bool{}
			for _, c := range shared {
				coarse[geo.Parent(c, res)] = true
			}
			cells := make([]string, 0, len(coarse))
			for c := range coarse {
				cells = append(cells, c.String())
			}
			slices.Sort(cells)
			n := float64(len(shared))
			from, to := later(a.StartsAt, b.StartsAt), earlier(a.EndsAt, b.EndsAt)
			out = append(out, DuplicatePair{
				Programmes: []string{a.ID, b.ID}, Names: []string{a.Name, b.Name}, Departments: []string{a.Department, b.Department},
				Category: a.Category, Cells: cells, From: from, To: to, Residents: count(both),
				OverlapBudget: round2(a.Budget*n/float64(len(pa.cells)) + b.Budget*n/float64(len(pb.cells))),
			})
		}
	}
	slices.SortFunc(out, func(x, y DuplicatePair) int {
		return cmp.Or(cmp.Compare(y.OverlapBudget, x.OverlapBudget), cmp.Compare(x.Programmes[0], y.Programmes[0]), cmp.Compare(x.Programmes[1], y.Programmes[1]))
	})
	return out
}

// tagsMeet reports whether two target groups may share a resident by
// their tags alone: no tags is everyone; tags meet unless one names the
// young (minor, child) and the other the old (elderly, aged).
func tagsMeet(a, b TargetGroup) bool {
	if len(a.Tags) == 0 || len(b.Tags) == 0 {
		return true
	}
	young := func(t string) bool { return t == "minor" || t == "child" }
	old := func(t string) bool { return t == "elderly" || t == "aged" }
	for _, x := range a.Tags {
		for _, y := range b.Tags {
			if !(young(x) && old(y) || old(x) && young(y)) {
				return true
			}
		}
	}
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// suggestions turns the summary into purchase suggestions for people.
func suggestions(sum *CoverageSummary, lang string) []Suggestion {
	out := []Suggestion{}
	en := lang == "en"
	for _, d := range sum.Duplicates {
		text := fmt.Sprintf("%s的「%s」与%s的「%s」在 %d 个单元格为同一人群重复购买 %s 服务（重叠预算约 ¥%.0f）：建议合并采购或划分区域。",
			d.Departments[0], d.Names[0], d.Departments[1], d.Names[1], len(d.Cells), d.Category, d.OverlapBudget)
		if en {
			text = fmt.Sprintf("%s's %q and %s's %q buy %s for the same people in %d cells (about ¥%.0f of budget overlaps): merge the purchases or split the area.",
				d.Departments[0], d.Names[0], d.Departments[1], d.Names[1], d.Category, len(d.Cells), d.OverlapBudget)
		}
		out = append(out, Suggestion{Kind: FlagDuplicate, Category: d.Category, Text: text})
	}
	for _, g := range sum.Gaps {
		near := "周边 100 公里内没有该类供给"
		if en {
			near = "no supplier of it within 100 km"
		}
		if n := g.NearestSupply; n != nil {
			near = fmt.Sprintf("最近的供给 %s 步行约 %.0f 分钟", n.ID, n.WalkMinutes)
			if en {
				near = fmt.Sprintf("the nearest supplier, %s, is about %.0f minutes' walk away", n.ID, n.WalkMinutes)
			}
		}
		text := fmt.Sprintf("单元格 %s 有 %d 项 %s 需求，步行圈内无人服务，也没有项目覆盖（%s）：建议下一轮采购覆盖此处。", g.Cell, g.Open, g.Category, near)
		if en {
			text = fmt.Sprintf("Cell %s has %d open %s wishes that no supplier within walking distance and no programme covers (%s): cover it in the next round of buying.", g.Cell, g.Open, g.Category, near)
		}
		out = append(out, Suggestion{Kind: FlagGap, Cell: g.Cell, Category: g.Category, Text: text})
	}
	for _, st := range sum.Strained {
		text := fmt.Sprintf("单元格 %s 有 %d 项 %s 需求，仅 %d 个供给方可步行到达：建议增购服务或招募志愿者。", st.Cell, st.Open, st.Category, st.Suppliers)
		if en {
			text = fmt.Sprintf("Cell %s has %d open %s wishes and only %d suppliers within walking distance: buy more or recruit volunteers.", st.Cell, st.Open, st.Category, st.Suppliers)
		}
		out = append(out, Suggestion{Kind: FlagStrained, Cell: st.Cell, Category: st.Category, Text: text})
	}
	return out
}
