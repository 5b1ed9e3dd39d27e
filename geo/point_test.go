package geo

import (
	"math"
	"testing"

	"github.com/uber/h3-go/v4"
	"pgregory.net/rapid"
)

func TestPointValid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		give Point
		want bool
	}{
		{"origin", Point{0, 0}, true},
		{"corners", Point{90, 180}, true},
		{"other corners", Point{-90, -180}, true},
		{"lat too big", Point{90.000001, 0}, false},
		{"lat too small", Point{-90.5, 0}, false},
		{"lng too big", Point{0, 180.000001}, false},
		{"lng too small", Point{0, -181}, false},
		{"nan lat", Point{nan, 0}, false},
		{"nan lng", Point{0, nan}, false},
		{"inf lat", Point{inf, 0}, false},
		{"-inf lng", Point{0, -inf}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.Valid(); got != tt.want {
				t.Errorf("%v.Valid() = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	const degree = EarthRadiusMeters * math.Pi / 180 // 111,195.08 m
	tests := []struct {
		name string
		a, b Point
		want float64 // metres
	}{
		{"same point", Point{52.52, 13.405}, Point{52.52, 13.405}, 0},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, 111195.08},
		{"one degree of latitude far north", Point{70, 25}, Point{71, 25}, degree},
		{"one degree of longitude at the equator", Point{0, 10}, Point{0, 11}, degree},
		{"across the antimeridian", Point{0, 179.5}, Point{0, -179.5}, degree},
		{"across a pole", Point{89.5, 0}, Point{89.5, 180}, degree},
		{"equator to pole", Point{0, 0}, Point{90, 0}, 90 * degree},
		{"antipodes", Point{0, 0}, Point{0, 180}, 180 * degree},
		{"pole to pole", Point{90, 0}, Point{-90, 0}, 180 * degree},
		// One degree of longitude along the 60th parallel is 55,597.54 m; the
		// great circle between its ends, 2R·asin(½·sin ½°), is 0.53 m shorter.
		{"one degree of longitude at 60°", Point{60, 0}, Point{60, 1}, 55597.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a, tt.b)
			if math.Abs(got-tt.want) > 0.05 {
				t.Errorf("Distance(%v, %v) = %.3f m, want %.3f m", tt.a, tt.b, got, tt.want)
			}
			if back := Distance(tt.b, tt.a); back != got {
				t.Errorf("Distance is not symmetric: %v one way, %v the other", got, back)
			}
		})
	}
	if got := Distance(Point{math.NaN(), 0}, Point{0, 0}); !math.IsNaN(got) {
		t.Errorf("Distance from a NaN point = %v, want NaN", got)
	}
}

// TestDistanceMatchesH3 compares with H3's own great-circle distance, an
// independent implementation on a slightly smaller earth.
func TestDistanceMatchesH3(t *testing.T) {
	const h3EarthRadius = 6371007.180918475
	rapid.Check(t, func(t *rapid.T) {
		a := drawPoint(t, "a")
		b := drawPoint(t, "b")
		got := Distance(a, b)
		want := h3.GreatCircleDistanceM(h3.LatLng{Lat: a.Lat, Lng: a.Lng}, h3.LatLng{Lat: b.Lat, Lng: b.Lng}) *
			EarthRadiusMeters / h3EarthRadius
		if math.Abs(got-want) > 1e-3+1e-9*want {
			t.Fatalf("Distance(%v, %v) = %.4f m, H3 says %.4f m", a, b, got, want)
		}
	})
}

func TestDistanceDoesNotAllocate(t *testing.T) {
	a, b := Point{52.52, 13.405}, Point{52.53, 13.41}
	if n := testing.AllocsPerRun(100, func() { Distance(a, b) }); n != 0 {
		t.Errorf("Distance allocates %v times a call, want 0", n)
	}
}

// drawPoint draws a point uniformly on the sphere.
func drawPoint(t *rapid.T, label string) Point {
	z := rapid.Float64Range(-1, 1).Draw(t, label+" sin(lat)")
	lng := rapid.Float64Range(-180, 180).Draw(t, label+" lng")
	return Point{Lat: math.Asin(z) / degToRad, Lng: lng}
}

func BenchmarkDistance(b *testing.B) {
	p, q := Point{52.52, 13.405}, Point{52.527, 13.411}
	var sum float64
	for b.Loop() {
		sum += Distance(p, q)
	}
	_ = sum
}
