package geo

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestRadiusMeters(t *testing.T) {
	tests := []struct {
		name                 string
		minutes, kmh, detour float64
		want                 float64
	}{
		{"defaults", 15, 4.5, 1.2, 937.5},
		{"straight line", 15, 4.5, 1, 1125},
		{"ten slow minutes", 10, 3, 1.25, 400},
		{"an hour at 5 km/h", 60, 5, 1, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.WalkMinutes, cfg.WalkKmh, cfg.Detour = tt.minutes, tt.kmh, tt.detour
			g := mustGrid(t, cfg)
			if got := g.RadiusMeters(); got != tt.want {
				t.Errorf("RadiusMeters() = %v, want %v", got, tt.want)
			}
			if got := g.WalkMinutes(tt.want); math.Abs(got-tt.minutes) > 1e-12 {
				t.Errorf("WalkMinutes(%v) = %v, want %v", tt.want, got, tt.minutes)
			}
		})
	}
}

func TestWalkMinutes(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	tests := []struct {
		give float64 // metres
		want float64 // minutes
	}{
		{0, 0},
		{75, 1.2},     // 75 m at 75 m/min is a minute, ×1.2
		{312.5, 5},    // a third of the radius
		{1000, 16},    // one km is 13⅓ min, ×1.2
		{4500, 72},    // an hour's walk, ×1.2
		{-75, -1.2},   // linear; distances are never negative
		{937.5, 15.0}, // the radius is the whole walk
	}
	for _, tt := range tests {
		if got := g.WalkMinutes(tt.give); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("WalkMinutes(%v) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestWithin(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	const north = 0
	origin := Point{52.52, 13.405}
	tests := []struct {
		name       string
		give       Point
		wantOK     bool
		wantMinute float64
	}{
		{"same place", origin, true, 0},
		{"500 m", destination(origin, 45, 500), true, 8},
		{"just inside", destination(origin, north, 937.4999), true, 15},
		{"just outside", destination(origin, north, 937.5001), false, 15},
		{"2 km", destination(origin, 270, 2000), false, 32},
		{"nan", Point{math.NaN(), 13.4}, false, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minutes, ok := g.Within(origin, tt.give)
			if ok != tt.wantOK {
				t.Errorf("Within(%v, %v) ok = %v, want %v (%.4f m)", origin, tt.give, ok, tt.wantOK, Distance(origin, tt.give))
			}
			if math.IsNaN(tt.wantMinute) != math.IsNaN(minutes) || math.Abs(minutes-tt.wantMinute) > 1e-5 {
				t.Errorf("Within(%v, %v) minutes = %v, want %v", origin, tt.give, minutes, tt.wantMinute)
			}
		})
	}
}

// TestWithinAgreesWithDistance checks Within against Distance and the
// walking model, for pairs near the edge of the circle and anywhere.
func TestWithinAgreesWithDistance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGrid(t)
		a := drawPoint(t, "a")
		var b Point
		if rapid.Bool().Draw(t, "near") {
			frac := rapid.Float64Range(0, 2).Draw(t, "distance/radius")
			b = destination(a, rapid.Float64Range(0, 360).Draw(t, "bearing"), frac*g.RadiusMeters())
		} else {
			b = drawPoint(t, "b")
		}
		d := Distance(a, b)
		minutes, ok := g.Within(a, b)
		if ok != (d <= g.RadiusMeters()) {
			t.Fatalf("Within says %v for %.6f m with a radius of %v m", ok, d, g.RadiusMeters())
		}
		if minutes != g.WalkMinutes(d) {
			t.Fatalf("Within minutes %v, WalkMinutes(Distance) %v", minutes, g.WalkMinutes(d))
		}
		back, okBack := g.Within(b, a)
		if back != minutes || okBack != ok {
			t.Fatalf("Within is not symmetric: %v %v one way, %v %v the other", minutes, ok, back, okBack)
		}
		if ok && minutes > g.Config().WalkMinutes*(1+1e-12) {
			t.Fatalf("within the circle but %v minutes away, more than %v", minutes, g.Config().WalkMinutes)
		}
		// The exact boundary: a pair at RadiusMeters is within, and shows
		// in the last band that fits.
		if ok && g.Config().WalkMinutes == 15 && Band(minutes) == "15+" {
			t.Fatalf("within the circle but in band 15+ (%v minutes)", minutes)
		}
	})
}

func TestBand(t *testing.T) {
	tests := []struct {
		give float64
		want string
	}{
		{0, "0-5"},
		{-1, "0-5"},
		{4.99, "0-5"},
		{5, "0-5"},
		{5 + 1e-12, "0-5"}, // rounding, not a real difference
		{5.0001, "5-10"},
		{10, "5-10"},
		{10.5, "10-15"},
		{15, "10-15"},
		{15.000000000000002, "10-15"},
		{15.01, "15+"},
		{120, "15+"},
		{math.Inf(1), "15+"},
		{math.NaN(), "15+"},
	}
	for _, tt := range tests {
		if got := Band(tt.give); got != tt.want {
			t.Errorf("Band(%v) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestWithinAtTheRadiusIsInTheLastBand(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	minutes := g.WalkMinutes(g.RadiusMeters())
	if got := Band(minutes); got != "10-15" {
		t.Errorf("Band(WalkMinutes(RadiusMeters())) = %q (%v minutes), want 10-15", got, minutes)
	}
}

func BenchmarkWithin(b *testing.B) {
	g := mustGrid(b, DefaultConfig())
	p, q := Point{52.52, 13.405}, Point{52.527, 13.411}
	var n int
	for b.Loop() {
		if _, ok := g.Within(p, q); ok {
			n++
		}
	}
	_ = n
}
