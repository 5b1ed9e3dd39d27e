package index_test

import (
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// TestReachAndNearestEqualBruteForce: Reach counts exactly the suppliers
// within the walking radius of the point (once each, whatever their
// sites), by category; NearestSupplier finds the nearest offering the
// category.
func TestReachAndNearestEqualBruteForce(t *testing.T) {
	grid := mustGrid(t)
	rapid.Check(t, func(t *rapid.T) {
		x := index.New(grid)
		var sups []*index.Supplier
		for i := range rapid.IntRange(0, 120).Draw(t, "volunteers") {
			s := drawVolunteer(t, grid, 30.27, i)
			sups = append(sups, s)
			x.PutSupplier(s)
		}
		for i := range rapid.IntRange(0, 20).Draw(t, "enterprises") {
			s := drawEnterprise(t, grid, 30.27, i)
			sups = append(sups, s)
			x.PutSupplier(s)
		}
		p := drawPoint(t, 30.27, "at")
		got := x.Reach(p)
		want := index.Reach{Categories: map[string]int{}}
		nearest := map[string]float64{}
		nearestID := map[string]string{}
		for _, s := range sups {
			d := math.Inf(1)
			for _, q := range s.Points {
				d = min(d, geo.Distance(p, q))
			}
			cats := s.Categories
			if s.AnyCategory {
				cats = []string{"repair", "tutoring", "home_visit"}
			}
			for _, c := range cats {
				if d < nearest[c] || nearestID[c] == "" || d == nearest[c] && s.Party.ID < nearestID[c] {
					nearest[c], nearestID[c] = d, s.Party.ID
				}
			}
			if !(d <= grid.RadiusMeters()) {
				continue
			}
			want.Total++
			if s.AnyCategory {
				want.Volunteers++
				continue
			}
			for _, c := range s.Categories {
				want.Categories[c]++
			}
		}
		if got.Total != want.Total || got.Volunteers != want.Volunteers || fmt.Sprint(got.Categories) != fmt.Sprint(want.Categories) {
			t.Fatalf("Reach = %+v; want %+v", got, want)
		}
		for _, c := range []string{"repair", "tutoring", "home_visit"} {
			n, ok := x.NearestSupplier(p, c, 50_000)
			if ok != (nearestID[c] != "") || ok && (n.ID != nearestID[c] || math.Abs(n.WalkMinutes-grid.WalkMinutes(nearest[c])) > 1e-9) {
				t.Fatalf("NearestSupplier(%s) = %+v, %v; want %s at %.1f m", c, n, ok, nearestID[c], nearest[c])
			}
		}
	})
}
