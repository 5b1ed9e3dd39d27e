package index_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

var indexNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func mustIndexRules(tb testing.TB) *rules.Set {
	tb.Helper()
	set, err := rules.Load("../../configs/rules/default.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

func mustGrid(tb testing.TB) *geo.Grid {
	tb.Helper()
	g, err := geo.New(geo.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// drawPoint draws a point within about 2 km of (lat, 120.15).
func drawPoint(t *rapid.T, lat float64, label string) geo.Point {
	return geo.Point{
		Lat: lat + rapid.Float64Range(-0.02, 0.02).Draw(t, label+".lat"),
		Lng: 120.15 + rapid.Float64Range(-0.02, 0.02).Draw(t, label+".lng"),
	}
}

func drawVolunteer(t *rapid.T, grid *geo.Grid, lat float64, i int) *index.Supplier {
	label := fmt.Sprintf("v%d", i)
	p := drawPoint(t, lat, label)
	v := &index.Supplier{Party: index.Party{Kind: index.Volunteer, ID: fmt.Sprintf("vol_%04d", i)}, AnyCategory: true,
		Points: []geo.Point{p}, Cells: []geo.Cell{grid.Cell(p)}}
	v.BirthDate = fmt.Sprintf("%d-06-15", rapid.IntRange(1940, 2012).Draw(t, label+".born"))
	v.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "cooking", "tutoring"}), 0, 3, rapid.ID).Draw(t, label+".skills")
	for _, c := range []string{"child_safeguarding", "background_check", "disability_care"} {
		if rapid.Bool().Draw(t, label+"."+c) {
			days := rapid.IntRange(-30, 300).Draw(t, label+"."+c+".days")
			v.Certs = append(v.Certs, index.Cert{Type: c, Until: indexNow.AddDate(0, 0, days)})
		}
	}
	v.MaxActive = rapid.IntRange(0, 3).Draw(t, label+".max")
	return v
}

func drawEnterprise(t *rapid.T, grid *geo.Grid, lat float64, i int) *index.Supplier {
	label := fmt.Sprintf("e%d", i)
	p := drawPoint(t, lat, label)
	e := &index.Supplier{Party: index.Party{Kind: index.Enterprise, ID: fmt.Sprintf("ent_%04d", i)},
		Points: []geo.Point{p}, Cells: []geo.Cell{grid.Cell(p)}}
	for j := range rapid.IntRange(0, 3).Draw(t, label+".sites") {
		q := drawPoint(t, lat, fmt.Sprintf("%s.site%d", label, j))
		e.Points, e.Cells = append(e.Points, q), append(e.Cells, grid.Cell(q))
	}
	e.Categories = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "tutoring", "home_visit"}), 0, 2, rapid.ID).Draw(t, label+".cats")
	e.Vetted = rapid.Bool().Draw(t, label+".vetted")
	return e
}

// wish is a drawn wish and its resident's facts.
type wish struct {
	*index.Wish
	resident *index.Resident
}

func drawWish(t *rapid.T, grid *geo.Grid, lat float64, i int) wish {
	label := fmt.Sprintf("w%d", i)
	r := &index.Resident{BirthDate: fmt.Sprintf("%d-03-01", rapid.IntRange(1930, 2020).Draw(t, label+".born"))}
	if rapid.Bool().Draw(t, label+".disabled") {
		r.Disabilities = []string{"wheelchair_user"}
	}
	p := drawPoint(t, lat, label)
	w := &index.Wish{ID: fmt.Sprintf("wsh_%04d", i), Resident: fmt.Sprintf("rsd_%04d", i), Point: p, Cell: grid.Cell(p)}
	w.Category = rapid.SampledFrom([]string{"repair", "tutoring", "home_visit"}).Draw(t, label+".category")
	w.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "cooking"}), 0, 1, rapid.ID).Draw(t, label+".needs")
	return wish{w, r}
}

func put(x *index.Index, w wish) {
	x.PutResident(w.Resident, w.resident)
	x.PutWish(w.Wish)
}

// bruteCandidates answers a search by measuring every supplier.
// minutes, when more than 0, widens the circle.
func bruteCandidates(grid *geo.Grid, set *rules.Set, w wish, sups []*index.Supplier, minutes float64) ([]index.Candidate, map[string]int) {
	radius := grid.RadiusMeters()
	if minutes > 0 {
		radius = max(radius, grid.RadiusOf(minutes))
	}
	var all []index.Candidate
	excluded := map[string]int{}
	resAge := index.AgeAt(w.resident.BirthDate, indexNow)
	base := rules.Env{
		Wish:     rules.Wish{Category: w.Category, Needs: rules.Needs{Skills: w.Skills}},
		Resident: rules.Resident{Age: resAge, AgeBand: index.AgeBand(resAge), Disabilities: w.resident.Disabilities},
		Now:      indexNow,
	}
	for _, s := range sups {
		meters := math.Inf(1)
		for _, p := range s.Points {
			meters = math.Min(meters, geo.Distance(w.Point, p))
		}
		if meters > radius {
			continue
		}
		if !s.AnyCategory && !slices.Contains(s.Categories, w.Category) {
			excluded[index.RuleCategory]++
			continue
		}
		sup := rules.Supplier{Kind: s.Party.Kind, Age: index.AgeAt(s.BirthDate, indexNow), Skills: s.Skills,
			MaxActiveClaims: s.MaxActive, Vetted: s.Vetted}
		for _, c := range s.Certs {
			if indexNow.Before(c.Until) {
				sup.Certifications = append(sup.Certifications, c.Type)
			}
		}
		env := base
		env.Supplier, env.WalkMinutes = sup, grid.WalkMinutes(meters)
		ok := true
		set.EvaluateAll(&env, func(r *rules.Rule) { ok = false; excluded[r.Name]++ })
		if ok {
			all = append(all, index.Candidate{Kind: s.Party.Kind, ID: s.Party.ID, WalkMinutes: grid.WalkMinutes(meters)})
		}
	}
	slices.SortFunc(all, func(a, b index.Candidate) int {
		return cmp.Or(cmp.Compare(a.WalkMinutes, b.WalkMinutes), strings.Compare(a.ID, b.ID))
	})
	return all, excluded
}

// sameAnswer reports whether got is a nearest-limit answer from all, the
// brute-force list of every eligible candidate: the same walks in order,
// each from an eligible candidate, none twice. Walks within a nanominute
// are ties, since the index orders by chord and the brute force by
// haversine, which may round apart.
func sameAnswer(got, all []index.Candidate, limit int) bool {
	want := all[:min(limit, len(all))]
	if len(got) != len(want) {
		return false
	}
	walks := map[string]float64{}
	for _, c := range all {
		walks[c.Kind+"/"+c.ID] = c.WalkMinutes
	}
	for i, c := range got {
		walk, ok := walks[c.Kind+"/"+c.ID]
		delete(walks, c.Kind+"/"+c.ID) // none twice
		if !ok || math.Abs(c.WalkMinutes-walk) > 1e-9 || math.Abs(c.WalkMinutes-want[i].WalkMinutes) > 1e-9 {
			return false
		}
	}
	return true
}

func TestIndexCandidatesEqualBruteForce(t *testing.T) {
	grid, set := mustGrid(t), mustIndexRules(t)
	rapid.Check(t, func(t *rapid.T) {
		lat := rapid.SampledFrom([]float64{30.27, 64.1, -45.9}).Draw(t, "lat")
		x := index.New(grid)
		sups := make([]*index.Supplier, rapid.IntRange(0, 300).Draw(t, "volunteers"))
		for i := range sups {
			sups[i] = drawVolunteer(t, grid, lat, i)
			x.PutSupplier(sups[i])
		}
		for i := range rapid.IntRange(0, 20).Draw(t, "moves") { // a write replaces what was indexed
			if len(sups) == 0 {
				break
			}
			j := rapid.IntRange(0, len(sups)-1).Draw(t, fmt.Sprintf("move%d", i))
			v := drawVolunteer(t, grid, lat, 10000+i)
			v.Party, v.Version = sups[j].Party, sups[j].Version+1
			sups[j] = v
			x.PutSupplier(v)
		}
		for i := range rapid.IntRange(0, 20).Draw(t, "enterprises") {
			e := drawEnterprise(t, grid, lat, i)
			sups = append(sups, e)
			x.PutSupplier(e)
		}
		w := drawWish(t, grid, lat, 0)
		put(x, w)
		limit := rapid.IntRange(1, 30).Draw(t, "limit")
		minutes := rapid.SampledFrom([]float64{0, 0, 10, 20, 30}).Draw(t, "minutes") // 10: no narrower than the circle
		all, wantExcluded := bruteCandidates(grid, set, w, sups, minutes)

		got, _, err := x.Candidates(w.ID, index.Search{Rules: set, Now: indexNow, Limit: limit, Minutes: minutes}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAnswer(got, all, limit) {
			t.Fatalf("early-stopping search:\n got %v\nwant %v", got, all[:min(limit, len(all))])
		}
		excluded := map[string]int{}
		got, _, _ = x.Candidates(w.ID, index.Search{Rules: set, Now: indexNow, Limit: limit, Excluded: excluded, Minutes: minutes}, nil)
		if !sameAnswer(got, all, limit) || !maps.Equal(excluded, wantExcluded) {
			t.Fatalf("full search:\n got %v %v\nwant %v %v", got, excluded, all[:min(limit, len(all))], wantExcluded)
		}
		for _, c := range got { // Decide agrees with the search on every candidate
			v, err := x.Decide(w.ID, index.Party{Kind: c.Kind, ID: c.ID}, index.Ask{Rules: set, Now: indexNow, Minutes: minutes})
			if err != nil || !v.OK() || math.Abs(v.WalkMinutes-c.WalkMinutes) > 1e-9 {
				t.Fatalf("Decide(%s) = %+v, %v; the search found it eligible at %.6f minutes", c.ID, v, err, c.WalkMinutes)
			}
		}
	})
}

func TestIndexOlderWritesAreIgnored(t *testing.T) {
	grid := mustGrid(t)
	x := index.New(grid)
	p, q := geo.Point{Lat: 30.27, Lng: 120.15}, geo.Point{Lat: 30.5, Lng: 120.5}
	v := &index.Supplier{Party: index.Party{Kind: index.Volunteer, ID: "vol_1"}, AnyCategory: true,
		Points: []geo.Point{q}, Cells: []geo.Cell{grid.Cell(q)}, Version: 2}
	x.PutSupplier(v)
	old := *v
	old.Points, old.Cells, old.Version = []geo.Point{p}, []geo.Cell{grid.Cell(p)}, 1
	x.PutSupplier(&old)
	x.PutResident("r", &index.Resident{BirthDate: "1950-01-01"})
	x.PutWish(&index.Wish{ID: "w", Resident: "r", Point: p, Cell: grid.Cell(p), Category: "repair"})
	got, _, _ := x.Candidates("w", index.Search{Now: indexNow, Limit: 5}, nil)
	if len(got) != 0 {
		t.Fatalf("version 1 replaced version 2: %v", got)
	}
}

func TestIndexNearIsOrderedAndInsideTheCircle(t *testing.T) {
	grid := mustGrid(t)
	rapid.Check(t, func(t *rapid.T) {
		x := index.New(grid)
		var ws []wish
		for i := range rapid.IntRange(0, 400).Draw(t, "wishes") {
			w := drawWish(t, grid, 30.27, i)
			put(x, w)
			ws = append(ws, w)
		}
		q := drawPoint(t, 30.27, "q")
		var got []index.Nearby
		stop := rapid.IntRange(1, 300).Draw(t, "stop")
		x.Near(q, func(n index.Nearby) bool { got = append(got, n); return len(got) < stop })
		var want []index.Nearby
		for _, w := range ws {
			if m := geo.Distance(q, w.Point); m <= grid.RadiusMeters() {
				want = append(want, index.Nearby{ID: w.ID, Meters: m})
			}
		}
		slices.SortFunc(want, func(a, b index.Nearby) int {
			return cmp.Or(cmp.Compare(a.Meters, b.Meters), strings.Compare(a.ID, b.ID))
		})
		want = want[:min(len(want), stop)]
		if len(got) != len(want) {
			t.Fatalf("Near found %d wishes, brute force %d", len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("Near[%d] = %s, want %s", i, got[i].ID, want[i].ID)
			}
		}
	})
}

func TestIndexConcurrentWritesAndSearches(t *testing.T) {
	grid, set := mustGrid(t), mustIndexRules(t)
	x := index.New(grid)
	rapid.Check(t, func(t *rapid.T) {
		w := drawWish(t, grid, 30.27, 0)
		put(x, w)
		vols := make([]*index.Supplier, 50)
		for i := range vols {
			vols[i] = drawVolunteer(t, grid, 30.27, i)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := g; i < len(vols); i += 4 {
					x.PutSupplier(vols[i])
					if _, _, err := x.Candidates(w.ID, index.Search{Rules: set, Now: indexNow, Limit: 5}, nil); err != nil {
						panic(err)
					}
				}
			})
		}
		wg.Wait()
	})
}

func BenchmarkIndexCandidates(b *testing.B) {
	grid, set := mustGrid(b), mustIndexRules(b)
	x := index.New(grid)
	rnd := rand.New(rand.NewPCG(1, 2))
	at := func(spread float64) geo.Point {
		return geo.Point{Lat: 30.27 + (rnd.Float64()-0.5)*spread, Lng: 120.15 + (rnd.Float64()-0.5)*spread}
	}
	for i := range 60000 { // about 625 a km², as in linli bench candidates
		p := at(0.1)
		v := &index.Supplier{Party: index.Party{Kind: index.Volunteer, ID: fmt.Sprintf("vol_%06d", i)}, AnyCategory: true,
			Points: []geo.Point{p}, Cells: []geo.Cell{grid.Cell(p)}, BirthDate: fmt.Sprintf("%d-01-01", 1946+rnd.IntN(65))}
		if rnd.Float64() < 0.3 {
			v.Certs = []index.Cert{{Type: "child_safeguarding", Until: indexNow.AddDate(1, 0, 0)}}
		}
		x.PutSupplier(v)
	}
	x.PutResident("rsd", &index.Resident{BirthDate: "2015-01-01"})
	var wishes []string
	for i := range 100 {
		p := at(0.05)
		x.PutWish(&index.Wish{ID: fmt.Sprintf("wsh_%04d", i), Resident: "rsd", Point: p, Cell: grid.Cell(p), Category: "tutoring"})
		wishes = append(wishes, fmt.Sprintf("wsh_%04d", i))
	}
	out := make([]index.Candidate, 0, 20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out, _, _ = x.Candidates(wishes[i%len(wishes)], index.Search{Rules: set, Now: indexNow, Limit: 20}, out[:0])
	}
}
