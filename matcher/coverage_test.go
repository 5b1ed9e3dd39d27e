package matcher_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// programme is a programme input over the cells around hangzhou.
func (rw *roundWorld) programme(dept, category string, tags []string, cells []string, from, to time.Time) matcher.ProgrammeInput {
	return matcher.ProgrammeInput{Name: dept + " " + category, Department: dept, ProviderID: rw.provider, Category: category,
		TargetGroup: matcher.TargetGroup{Tags: tags}, Cells: cells, Budget: 10000, StartsAt: from, EndsAt: to}
}

func TestProgrammeInputIsChecked(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.provider = rw.mustNode("social_org", rw.district.ID, "home_visit").ID
	cell := rw.grid.CellAt(hangzhou.Point(), 8).String()
	from, to := rw.clock(), rw.clock().AddDate(1, 0, 0)
	ok := rw.programme("民政局", "home_visit", []string{"elderly"}, []string{cell}, from, to)
	pg, err := rw.svc.CreateProgramme(rw.coord, ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Cells) != 7 { // a resolution-8 cell is seven of resolution 9
		t.Fatalf("a resolution 8 cell became %d cells of resolution 9", len(pg.Cells))
	}
	for field, change := range map[string]func(*matcher.ProgrammeInput){
		"department":           func(in *matcher.ProgrammeInput) { in.Department = " " },
		"provider_id":          func(in *matcher.ProgrammeInput) { in.ProviderID = "org_nope" },
		"category":             func(in *matcher.ProgrammeInput) { in.Category = "knitting" },
		"target_group.tags[0]": func(in *matcher.ProgrammeInput) { in.TargetGroup.Tags = []string{"pensioners"} },
		"target_group.expr":    func(in *matcher.ProgrammeInput) { in.TargetGroup.Expr = "supplier.age > 3" },
		"area":                 func(in *matcher.ProgrammeInput) { in.Cells = nil },
		"cells[0]":             func(in *matcher.ProgrammeInput) { in.Cells = []string{"zz"} },
		"area.type":            func(in *matcher.ProgrammeInput) { in.Cells, in.Area = nil, &matcher.Polygon{Type: "Point"} },
		"area.coordinates[0]": func(in *matcher.ProgrammeInput) {
			in.Cells, in.Area = nil, &matcher.Polygon{Type: "Polygon", Coordinates: [][][]float64{{{120.1, 30.2}, {120.2, 30.2}, {120.2, 30.3}}}}
		},
		"budget":  func(in *matcher.ProgrammeInput) { in.Budget = -1 },
		"ends_at": func(in *matcher.ProgrammeInput) { in.EndsAt = in.StartsAt },
	} {
		in := ok
		in.TargetGroup.Tags = slices.Clone(ok.TargetGroup.Tags)
		change(&in)
		_, err := rw.svc.CreateProgramme(rw.coord, in)
		var e *matcher.Error
		if code(err) != matcher.EINVALID || !asError(err, &e) || e.Field != field {
			t.Errorf("%s: %v; want invalid naming %s", field, err, field)
		}
	}
	if _, err := rw.svc.CreateProgramme(rw.social, ok); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a social worker buying a programme: %v; want forbidden", err)
	}
	if _, err := rw.svc.GetProgramme(rw.as(matcher.RoleSocialWorker, rw.district.ID), pg.ID); err != nil {
		t.Fatalf("a social worker of the district reading its catalogue: %v", err)
	}
	if _, err := rw.svc.GetProgramme(rw.social, pg.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("a community's social worker reading the district's programme: %v; want not found (out of scope)", err)
	}
	list, err := rw.svc.ListProgrammes(rw.coord, matcher.ProgrammeQuery{Department: "民政局", Cell: pg.Cells[0]})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("the catalogue by department and cell: %+v, %v", list, err)
	}
	if list, _ := rw.svc.ListProgrammes(rw.coord, matcher.ProgrammeQuery{ActiveFrom: to.AddDate(0, 1, 0), ActiveTo: to.AddDate(0, 2, 0)}); len(list.Items) != 0 {
		t.Fatalf("a period after the programme ends lists it: %+v", list.Items)
	}
}

// TestCoverageFlags builds each flag on purpose and its opposite: a gap
// (open wishes, nobody near, no programme) next to a covered cell, a
// strained cell (many wishes, one volunteer), duplicates only across
// departments, for overlapping groups and periods.
func TestCoverageFlags(t *testing.T) {
	rw := mustRoundWorld(t)
	rw.provider = rw.mustNode("social_org", rw.district.ID, "home_visit").ID
	from, to := rw.clock().AddDate(0, -1, 0), rw.clock().AddDate(1, 0, 0)
	cellOf := func(dy, dx float64) string { return rw.grid.CellAt(near(dy, dx).Point(), 8).String() }

	// Strained: six open wishes at hangzhou, one volunteer.
	rw.volunteerAt(0, 0, 3)
	for range 6 {
		rw.wishAt("1950-01-01", 0, 0, 7*24*time.Hour)
	}
	// A gap 20 km away; the same 20 km away but covered by a programme is
	// not a gap.
	rw.wishAt("1950-01-01", 20_000, 0, 7*24*time.Hour)
	rw.wishAt("1950-01-01", -20_000, 0, 7*24*time.Hour)
	far := cellOf(-20_000, 0)
	if _, err := rw.svc.CreateProgramme(rw.coord, rw.programme("民政局", "companionship", nil, []string{far}, from, to)); err != nil {
		t.Fatal(err)
	}
	home := cellOf(0, 0)
	// Duplicates: 民政局 and 卫健委 both buy companionship for the elderly
	// at home; 团区委's for minors at home meets neither (no child lives
	// there); 民政局's second one is the same department.
	mk := func(dept string, tags []string, f, t2 time.Time) string {
		pg, err := rw.svc.CreateProgramme(rw.coord, rw.programme(dept, "companionship", tags, []string{home}, f, t2))
		if err != nil {
			t.Fatal(err)
		}
		return pg.ID
	}
	a := mk("民政局", []string{"elderly"}, from, to)
	b := mk("卫健委", []string{"aged", "elderly"}, from, to)
	kids := mk("团区委", []string{"minor"}, from, to)
	a2 := mk("民政局", []string{"elderly"}, from, to)
	later := mk("残联", []string{"elderly"}, to.AddDate(0, 1, 0), to.AddDate(1, 0, 0)) // later: no overlap in time

	cov, err := rw.svc.Coverage(rw.coord, matcher.ReportQuery{Resolution: 8})
	if err != nil {
		t.Fatal(err)
	}
	item := func(cell string) *matcher.CoverageItem {
		for i := range cov.Items {
			if cov.Items[i].Cell == cell && cov.Items[i].Category == "companionship" {
				return &cov.Items[i]
			}
		}
		t.Fatalf("no coverage item for %s", cell)
		return nil
	}
	if it := item(cellOf(20_000, 0)); !slices.Equal(it.Flags, []string{matcher.FlagGap}) || it.Demand.Open != 1 {
		t.Fatalf("the far wish's cell: %+v; want a gap", it)
	}
	if it := item(far); len(it.Flags) != 0 || len(it.Programmes) != 1 {
		t.Fatalf("the covered far cell: %+v; want no flag, one programme", it)
	}
	h := item(home)
	if !slices.Contains(h.Flags, matcher.FlagStrained) || !slices.Contains(h.Flags, matcher.FlagDuplicate) || h.Demand.Open != 6 || h.Supply.Suppliers != 1 {
		t.Fatalf("home: %+v; want strained (6 open, 1 supplier) and duplicate", h)
	}
	// 卫健委's pairs with each of 民政局's; 民政局's two are one
	// department; 团区委's serves others; 残联's runs later.
	var pairs [][]string
	for _, d := range cov.Summary.Duplicates {
		pairs = append(pairs, d.Programmes)
		if slices.Contains(d.Programmes, kids) || slices.Contains(d.Programmes, later) || d.Departments[0] == d.Departments[1] {
			t.Fatalf("duplicate pair %+v should not be one", d)
		}
	}
	if len(pairs) != 2 || !slices.ContainsFunc(pairs, func(p []string) bool { return slices.Contains(p, a) && slices.Contains(p, b) }) ||
		!slices.ContainsFunc(pairs, func(p []string) bool { return slices.Contains(p, a2) && slices.Contains(p, b) }) {
		t.Fatalf("duplicate pairs %v; want %s with %s and with %s", pairs, b, a, a2)
	}
	if len(cov.Summary.Gaps) != 1 || cov.Summary.Gaps[0].NearestSupply == nil || cov.Summary.Gaps[0].NearestSupply.WalkMinutes < 15 {
		t.Fatalf("gaps %+v; want one with the nearest supply beyond walking", cov.Summary.Gaps)
	}
	if len(cov.Suggestions) < 3 {
		t.Fatalf("suggestions %+v", cov.Suggestions)
	}
}

func asError(err error, e **matcher.Error) bool { return errors.As(err, e) }
