package index

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

func TestAgeOnCountsWholeYears(t *testing.T) {
	tests := []struct {
		birth, today string
		want         int
	}{
		{"2000-02-29", "2025-02-28", 24}, {"2000-02-29", "2025-03-01", 25}, {"1990-05-01", "2026-04-30", 35},
		{"1990-05-01", "2026-05-01", 36}, {"2030-01-01", "2026-01-01", 0}, {"", "2026-01-01", 0}, {"bad", "2026-01-01", 0},
	}
	for _, tt := range tests {
		today, _ := time.Parse(time.DateOnly, tt.today)
		if got := AgeAt(tt.birth, today); got != tt.want {
			t.Errorf("AgeAt(%s, %s) = %d, want %d", tt.birth, tt.today, got, tt.want)
		}
	}
}

func TestResourceKind(t *testing.T) {
	if kindNames[resourceKind] != Resource {
		t.Fatalf("kindNames[resourceKind] = %s, want %s", kindNames[resourceKind], Resource)
	}
}
