package matcher_test

import (
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
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

var indexNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func mustIndexRules(tb testing.TB) *rules.Set {
	tb.Helper()
	set, err := rules.Load("../configs/rules/default.yaml")
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

// drawLocation draws a point within about 2 km of (lat, 120.15).
func drawLocation(t *rapid.T, lat float64, label string) *matcher.Location {
	return &matcher.Location{
		Lat: lat + rapid.Float64Range(-0.02, 0.02).Draw(t, label+".lat"),
		Lng: 120.15 + rapid.Float64Range(-0.02, 0.02).Draw(t, label+".lng"),
	}
}

func drawVolunteer(t *rapid.T, grid *geo.Grid, lat float64, i int) *matcher.Volunteer {
	label := fmt.Sprintf("v%d", i)
	v := &matcher.Volunteer{ID: fmt.Sprintf("vol_%04d", i), UpdatedAt: indexNow}
	v.Location = drawLocation(t, lat, label)
	v.Cell = grid.Cell(v.Location.Point())
	v.BirthDate = fmt.Sprintf("%d-06-15", rapid.IntRange(1940, 2012).Draw(t, label+".born"))
	v.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "cooking", "tutoring"}), 0, 3, rapid.ID).Draw(t, label+".skills")
	for _, c := range []string{"child_safeguarding", "background_check", "disability_care"} {
		if rapid.Bool().Draw(t, label+"."+c) {
			days := rapid.IntRange(-30, 300).Draw(t, label+"."+c+".days")
			v.Certifications = append(v.Certifications, matcher.Certification{Type: c, ExpiresAt: indexNow.AddDate(0, 0, days)})
		}
	}
	v.MaxActiveClaims = rapid.IntRange(0, 3).Draw(t, label+".max")
	return v
}

func drawEnterprise(t *rapid.T, grid *geo.Grid, lat float64, i int) *matcher.Enterprise {
	label := fmt.Sprintf("e%d", i)
	e := &matcher.Enterprise{ID: fmt.Sprintf("ent_%04d", i), UpdatedAt: indexNow}
	e.Location = drawLocation(t, lat, label)
	e.Cell = grid.Cell(e.Location.Point())
	for j := range rapid.IntRange(0, 3).Draw(t, label+".sites") {
		e.Sites = append(e.Sites, *drawLocation(t, lat, fmt.Sprintf("%s.site%d", label, j)))
	}
	e.Categories = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "tutoring", "home_visit"}), 0, 2, rapid.ID).Draw(t, label+".cats")
	e.Vetted = rapid.Bool().Draw(t, label+".vetted")
	return e
}

func drawWish(t *rapid.T, grid *geo.Grid, lat float64, i int) (*matcher.Wish, *matcher.Resident) {
	label := fmt.Sprintf("w%d", i)
	r := &matcher.Resident{ID: fmt.Sprintf("rsd_%04d", i)}
	r.BirthDate = fmt.Sprintf("%d-03-01", rapid.IntRange(1930, 2020).Draw(t, label+".born"))
	if rapid.Bool().Draw(t, label+".disabled") {
		r.Disabilities = []string{"wheelchair_user"}
	}
	w := &matcher.Wish{ID: fmt.Sprintf("wsh_%04d", i), UpdatedAt: indexNow}
	w.ResidentID = r.ID
	w.Location = drawLocation(t, lat, label)
	w.Cell = grid.Cell(w.Location.Point())
	w.Category = rapid.SampledFrom([]string{"repair", "tutoring", "home_visit"}).Draw(t, label+".category")
	w.Needs.Skills = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"repair", "cooking"}), 0, 1, rapid.ID).Draw(t, label+".needs")
	return w, r
}

// bruteCandidates answers a search by measuring every supplier.
func bruteCandidates(grid *geo.Grid, set *rules.Set, w *matcher.Wish, r *matcher.Resident,
	vols []*matcher.Volunteer, ents []*matcher.Enterprise) ([]matcher.Candidate, map[string]int) {
	var all []matcher.Candidate
	excluded := map[string]int{}
	resAge := matcher.AgeAt(r.BirthDate, indexNow)
	base := rules.Env{
		Wish:     rules.Wish{Category: w.Category, Needs: rules.Needs{Skills: w.Needs.Skills}},
		Resident: rules.Resident{Age: resAge, AgeBand: matcher.AgeBand(resAge), Disabilities: r.Disabilities},
		Now:      indexNow,
	}
	consider := func(kind, id string, meters float64, sup rules.Supplier, cats []string) {
		if meters > grid.RadiusMeters() {
			return
		}
		if kind != matcher.SupplierVolunteer && len(cats) > 0 && !slices.Contains(cats, w.Category) {
			excluded[matcher.RuleCategory]++
			return
		}
		env := base
		env.Supplier, env.WalkMinutes = sup, grid.WalkMinutes(meters)
		ok := true
		set.EvaluateAll(&env, func(r *rules.Rule) { ok = false; excluded[r.Name]++ })
		if ok {
			all = append(all, matcher.Candidate{Kind: kind, ID: id, WalkMinutes: grid.WalkMinutes(meters)})
		}
	}
	for _, v := range vols {
		sup := rules.Supplier{Kind: "volunteer", Age: matcher.AgeAt(v.BirthDate, indexNow), Skills: v.Skills, MaxActiveClaims: v.MaxActiveClaims}
		for _, c := range v.Certifications {
			if c.ValidAt(indexNow) {
				sup.Certifications = append(sup.Certifications, c.Type)
			}
		}
		consider("volunteer", v.ID, geo.Distance(w.Location.Point(), v.Location.Point()), sup, nil)
	}
	for _, e := range ents {
		meters := geo.Distance(w.Location.Point(), e.Location.Point())
		for _, s := range e.Sites {
			meters = math.Min(meters, geo.Distance(w.Location.Point(), s.Point()))
		}
		consider("enterprise", e.ID, meters, rules.Supplier{Kind: "enterprise", Vetted: e.Vetted}, e.Categories)
	}
	slices.SortFunc(all, func(a, b matcher.Candidate) int {
		if c := cmpF(a.WalkMinutes, b.WalkMinutes); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return all, excluded
}

// sameAnswer reports whether got is a nearest-limit answer from all, the
// brute-force list of every eligible candidate: the same walks in order,
// each from an eligible candidate, none twice. Walks within a nanominute
// are ties, since the index orders by chord and the brute force by
// haversine, which may round apart.
func sameAnswer(got, all []matcher.Candidate, limit int) bool {
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

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestIndexCandidatesEqualBruteForce(t *testing.T) {
	grid, set := mustGrid(t), mustIndexRules(t)
	rapid.Check(t, func(t *rapid.T) {
		lat := rapid.SampledFrom([]float64{30.27, 64.1, -45.9}).Draw(t, "lat")
		x := matcher.NewIndex(grid)
		vols := make([]*matcher.Volunteer, rapid.IntRange(0, 300).Draw(t, "volunteers"))
		for i := range vols {
			vols[i] = drawVolunteer(t, grid, lat, i)
			x.PutVolunteer(vols[i])
		}
		for i := range rapid.IntRange(0, 20).Draw(t, "moves") { // a write replaces what was indexed
			j := rapid.IntRange(0, max(len(vols)-1, 0)).Draw(t, fmt.Sprintf("move%d", i))
			if len(vols) > 0 {
				v := drawVolunteer(t, grid, lat, 10000+i)
				v.ID = vols[j].ID
				vols[j] = v
				x.PutVolunteer(v)
			}
		}
		ents := make([]*matcher.Enterprise, rapid.IntRange(0, 20).Draw(t, "enterprises"))
		for i := range ents {
			ents[i] = drawEnterprise(t, grid, lat, i)
			x.PutEnterprise(ents[i])
		}
		w, r := drawWish(t, grid, lat, 0)
		x.PutWish(w, r)
		limit := rapid.IntRange(1, 30).Draw(t, "limit")
		all, wantExcluded := bruteCandidates(grid, set, w, r, vols, ents)

		got, _, err := x.Candidates(w.ID, matcher.Search{Rules: set, Now: indexNow, Limit: limit}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAnswer(got, all, limit) {
			t.Fatalf("early-stopping search:\n got %v\nwant %v", got, all[:min(limit, len(all))])
		}
		excluded := map[string]int{}
		got, _, _ = x.Candidates(w.ID, matcher.Search{Rules: set, Now: indexNow, Limit: limit, Excluded: excluded}, nil)
		if !sameAnswer(got, all, limit) || !maps.Equal(excluded, wantExcluded) {
			t.Fatalf("full search:\n got %v %v\nwant %v %v", got, excluded, all[:min(limit, len(all))], wantExcluded)
		}
	})
}

func TestIndexConcurrentWritesAndSearches(t *testing.T) {
	grid, set := mustGrid(t), mustIndexRules(t)
	x := matcher.NewIndex(grid)
	rapid.Check(t, func(t *rapid.T) {
		w, r := drawWish(t, grid, 30.27, 0)
		x.PutWish(w, r)
		vols := make([]*matcher.Volunteer, 50)
		for i := range vols {
			vols[i] = drawVolunteer(t, grid, 30.27, i)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := g; i < len(vols); i += 4 {
					x.PutVolunteer(vols[i])
					if _, _, err := x.Candidates(w.ID, matcher.Search{Rules: set, Now: indexNow, Limit: 5}, nil); err != nil {
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
	x := matcher.NewIndex(grid)
	rnd := rand.New(rand.NewPCG(1, 2))
	at := func() *matcher.Location {
		return &matcher.Location{Lat: 30.27 + (rnd.Float64()-0.5)*0.1, Lng: 120.15 + (rnd.Float64()-0.5)*0.1}
	}
	for i := range 60000 { // about 625 a km², as in linli bench candidates
		v := &matcher.Volunteer{ID: fmt.Sprintf("vol_%06d", i), UpdatedAt: indexNow}
		v.Location, v.BirthDate = at(), fmt.Sprintf("%d-01-01", 1946+rnd.IntN(65))
		v.Cell = grid.Cell(v.Location.Point())
		if rnd.Float64() < 0.3 {
			v.Certifications = []matcher.Certification{{Type: "child_safeguarding", ExpiresAt: indexNow.AddDate(1, 0, 0)}}
		}
		x.PutVolunteer(v)
	}
	var wishes []string
	for i := range 100 {
		w := &matcher.Wish{ID: fmt.Sprintf("wsh_%04d", i), Location: at(), UpdatedAt: indexNow}
		w.Location.Lat, w.Location.Lng = 30.27+(w.Location.Lat-30.27)/2, 120.15+(w.Location.Lng-120.15)/2
		w.Cell, w.Category = grid.Cell(w.Location.Point()), "tutoring"
		x.PutWish(w, &matcher.Resident{ID: "rsd", ResidentInput: matcher.ResidentInput{BirthDate: "2015-01-01"}})
		wishes = append(wishes, w.ID)
	}
	out := make([]matcher.Candidate, 0, 20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out, _, _ = x.Candidates(wishes[i%len(wishes)], matcher.Search{Rules: set, Now: indexNow, Limit: 20}, out[:0])
	}
}
