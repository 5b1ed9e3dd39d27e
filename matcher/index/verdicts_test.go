package index

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/rules"
)

// supplierOnlyRules read nothing but the supplier once prepared for a
// wish, so that their verdicts are reused across wishes.
const supplierOnlyRules = `rules:
  - name: adults-only
    when: supplier.kind == "volunteer"
    require: supplier.age >= 18
    explain: x
  - name: minors-need-safeguarding
    when: resident.age < 18
    require: 'supplier.kind == "volunteer" ? "child_safeguarding" in supplier.certifications : supplier.vetted'
    explain: x
  - name: claims-limit
    when: supplier.max_active_claims > 0
    require: supplier.active_claims < supplier.max_active_claims
    explain: x
`

func mustRulesText(tb testing.TB, text string) *rules.Set {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "r.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	set, err := rules.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

var memoNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// memoPoint draws a point within about 1 km of 30.27 N 120.15 E.
func memoPoint(t *rapid.T, label string) geo.Point {
	return geo.Point{Lat: 30.27 + rapid.Float64Range(-0.01, 0.01).Draw(t, label+".lat"),
		Lng: 120.15 + rapid.Float64Range(-0.01, 0.01).Draw(t, label+".lng")}
}

// memoIndex draws an index whose suppliers share few profiles, with
// certifications expiring around the searches' clocks.
func memoIndex(t *rapid.T, grid *geo.Grid) (*Index, []string) {
	x := New(grid)
	for i := range rapid.IntRange(0, 150).Draw(t, "volunteers") {
		label := fmt.Sprintf("v%d", i)
		p := memoPoint(t, label)
		v := &Supplier{Party: Party{Kind: Volunteer, ID: fmt.Sprintf("vol_%04d", i)}, AnyCategory: true,
			Points: []geo.Point{p}, Cells: []geo.Cell{grid.Cell(p)}}
		v.BirthDate = fmt.Sprintf("%d-11-%02d", rapid.IntRange(2005, 2010).Draw(t, label+".year"), rapid.IntRange(19, 22).Draw(t, label+".day"))
		v.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "tutoring"}), 0, 2, rapid.ID).Draw(t, label+".skills")
		for _, c := range []string{"child_safeguarding", "background_check"} {
			if rapid.Bool().Draw(t, label+"."+c) {
				days := rapid.IntRange(-2, 3).Draw(t, label+"."+c+".days")
				v.Certs = append(v.Certs, Cert{Type: c, Until: memoNow.AddDate(0, 0, days)})
			}
		}
		v.MaxActive = rapid.IntRange(0, 2).Draw(t, label+".max")
		x.PutSupplier(v)
	}
	for i := range rapid.IntRange(0, 10).Draw(t, "enterprises") {
		label := fmt.Sprintf("e%d", i)
		e := &Supplier{Party: Party{Kind: Enterprise, ID: fmt.Sprintf("ent_%04d", i)}}
		p := memoPoint(t, label)
		e.Points, e.Cells = []geo.Point{p}, []geo.Cell{grid.Cell(p)}
		for j := range rapid.IntRange(0, 2).Draw(t, label+".sites") {
			q := memoPoint(t, fmt.Sprintf("%s.site%d", label, j))
			e.Points, e.Cells = append(e.Points, q), append(e.Cells, grid.Cell(q))
		}
		e.Categories = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "tutoring"}), 1, 2, rapid.ID).Draw(t, label+".cats")
		e.Vetted = rapid.Bool().Draw(t, label+".vetted")
		x.PutSupplier(e)
		if rapid.Bool().Draw(t, label+".resource") {
			q := memoPoint(t, label+".res")
			x.PutSupplier(&Supplier{Party: Party{Kind: Resource, ID: fmt.Sprintf("res_%04d", i)}, Owner: e.Party,
				Points: []geo.Point{q}, Cells: []geo.Cell{grid.Cell(q)}, Categories: []string{"tutoring"}})
		}
	}
	var wishes []string
	for i := range rapid.IntRange(1, 6).Draw(t, "wishes") {
		label := fmt.Sprintf("w%d", i)
		r := fmt.Sprintf("rsd_%04d", i)
		x.PutResident(r, &Resident{BirthDate: fmt.Sprintf("%d-03-01", rapid.SampledFrom([]int{1940, 2015}).Draw(t, label+".born"))})
		p := memoPoint(t, label)
		w := &Wish{ID: fmt.Sprintf("wsh_%04d", i), Resident: r, Point: p, Cell: grid.Cell(p)}
		w.Category = rapid.SampledFrom([]string{"repair", "tutoring", "home_visit"}).Draw(t, label+".category")
		w.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "tutoring"}), 0, 1, rapid.ID).Draw(t, label+".needs")
		x.PutWish(w)
		wishes = append(wishes, w.ID)
	}
	return x, wishes
}

// TestReusedVerdictsChangeNoAnswer runs a sequence of searches on one
// scratch, reusing verdicts across them, and each again without reuse:
// the answers must be the same, whatever the rules, clocks and claims.
func TestReusedVerdictsChangeNoAnswer(t *testing.T) {
	grid := mustGridT(t)
	sets := []*rules.Set{mustRulesText(t, supplierOnlyRules), mustDefaultRules(t), nil}
	rapid.Check(t, func(t *rapid.T) {
		// Two indexes share the scratch: the verdicts of one must not serve the other.
		x1, wishes1 := memoIndex(t, grid)
		x2, wishes2 := memoIndex(t, grid)
		sc := new(scratch)
		first := Search{Rules: sets[0], Now: memoNow, Limit: 40}
		x1.candidates(sc, wishes1[0], &first, nil, true)
		got, _, _ := x2.candidates(sc, wishes2[0], &first, nil, true)
		if want, _, _ := x2.candidates(new(scratch), wishes2[0], &first, nil, false); !slices.Equal(got, want) {
			t.Fatalf("after a search of another index:\n got %v\nwant %v", got, want)
		}
		for q := range rapid.IntRange(1, 12).Draw(t, "searches") {
			label := fmt.Sprintf("q%d", q)
			x, wishes := x1, wishes1
			if rapid.Bool().Draw(t, label+".other") {
				x, wishes = x2, wishes2
			}
			s := Search{
				Rules: sets[rapid.IntRange(0, len(sets)-1).Draw(t, label+".rules")],
				Now:   memoNow.Add(time.Duration(rapid.SampledFrom([]int{0, 1, 2, 49, -26}).Draw(t, label+".hours")) * time.Hour),
				Limit: rapid.IntRange(1, 40).Draw(t, label+".limit"),
			}
			if rapid.Bool().Draw(t, label+".claims") {
				s.Claims = func(p Party) int { return len(p.ID) % 3 }
			}
			id := rapid.SampledFrom(wishes).Draw(t, label+".wish")
			got, st, err := x.candidates(sc, id, &s, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			want, _, _ := x.candidates(new(scratch), id, &s, nil, false)
			if !slices.Equal(got, want) {
				t.Fatalf("search %d (%d verdicts reused):\n got %v\nwant %v", q, st.Reused, got, want)
			}
		}
	})
}

func mustGridT(tb testing.TB) *geo.Grid {
	tb.Helper()
	g, err := geo.New(geo.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func mustDefaultRules(tb testing.TB) *rules.Set {
	tb.Helper()
	set, err := rules.Load("../../configs/rules/default.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return set
}
