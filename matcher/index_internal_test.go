package matcher

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/linli/linli/geo"
)

func TestParentBitsIsH3Parent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := geo.Point{Lat: rapid.Float64Range(-90, 90).Draw(t, "lat"), Lng: rapid.Float64Range(-180, 180).Draw(t, "lng")}
		res := rapid.IntRange(0, geo.MaxResolution).Draw(t, "res")
		grid, _ := geo.New(geo.DefaultConfig())
		c := grid.CellAt(p, res)
		parent := rapid.IntRange(0, res).Draw(t, "parent")
		if got, want := parentBits(c, parent), geo.Parent(c, parent); got != want {
			t.Fatalf("parentBits(%v, %d) = %v, want %v", c, parent, got, want)
		}
	})
}

func TestAgeOnIsAgeAt(t *testing.T) {
	tests := []struct{ birth, today string }{
		{"2000-02-29", "2025-02-28"}, {"2000-02-29", "2025-03-01"}, {"1990-05-01", "2026-04-30"},
		{"1990-05-01", "2026-05-01"}, {"2030-01-01", "2026-01-01"}, {"", "2026-01-01"}, {"bad", "2026-01-01"},
	}
	for _, tt := range tests {
		today := parseCivil(tt.today)
		at, _ := timeOf(tt.today)
		if got, want := ageOn(parseCivil(tt.birth), today), AgeAt(tt.birth, at); got != want {
			t.Errorf("ageOn(%s, %s) = %d, want %d", tt.birth, tt.today, got, want)
		}
	}
}

func timeOf(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
