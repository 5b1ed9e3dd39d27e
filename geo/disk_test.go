package geo

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/uber/h3-go/v4"
	"pgregory.net/rapid"
)

func TestDiskK(t *testing.T) {
	tests := []struct {
		name    string
		res     int
		minutes float64
		want    int
	}{
		{"defaults", 9, 15, 5},
		{"resolution 8", 8, 15, 3},
		{"resolution 7", 7, 15, 1},
		{"resolution 10", 10, 15, 13},
		{"a short walk", 9, 5, 2},
		{"half an hour", 9, 30, 10},
		{"a step", 9, 0.01, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Resolution, cfg.CoarseResolution, cfg.WalkMinutes = tt.res, 0, tt.minutes
			g := mustGrid(t, cfg)
			if got := g.DiskK(); got != tt.want {
				t.Errorf("DiskK() = %d, want %d", got, tt.want)
			}
			if got, want := len(g.Disk(sf)), 3*tt.want*(tt.want+1)+1; got != want {
				t.Errorf("len(Disk) = %d, want %d (no pentagon nearby)", got, want)
			}
		})
	}
}

// TestDiskCoversCircle is the key property, by brute force: every point
// within RadiusMeters of the centre lies in a cell of the centre's Disk.
// Centres are drawn where H3 is least regular: on cell corners, at high
// latitude, by the pentagons and across the antimeridian.
func TestDiskCoversCircle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGrid(t)
		centre := drawCentre(t, g)
		disk := make(map[Cell]bool)
		for _, c := range g.Disk(centre) {
			disk[c] = true
		}
		r := g.RadiusMeters()
		for i := range 64 {
			bearing := rapid.Float64Range(0, 360).Draw(t, fmt.Sprint("bearing ", i))
			frac := rapid.OneOf(
				rapid.Just(1.0),
				rapid.Float64Range(0.9, 1),
				rapid.Float64Range(0, 1),
			).Draw(t, fmt.Sprint("distance/radius ", i))
			q := destination(centre, bearing, frac*r*(1-1e-12))
			if d := Distance(centre, q); d > r {
				continue // outside by rounding; nothing to check
			}
			if c := g.Cell(q); !disk[c] {
				t.Fatalf("%v is %.3f m from %v but its cell %v is not in the disk of %d rings around %v",
					q, Distance(centre, q), centre, c, g.DiskK(), g.Cell(centre))
			}
		}
	})
}

// TestDiskClearanceNearPentagons checks exactly, against cell boundaries,
// the part of the argument in diskK that holds only approximately: around
// the twelve pentagons of the default resolution, and over every cell whose
// disk (or its next ring) reaches a pentagon, no point of the cell is within
// RadiusMeters of a cell outside its disk.
func TestDiskClearanceNearPentagons(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	k := g.DiskK()
	res := g.Config().Resolution
	worst, worstCell := math.Inf(1), Cell(0)
	for _, pent := range h3.Pentagons(res) {
		for _, c := range h3.GridDisk(pent, k+1) {
			m, _ := clears(Cell(c), k, g.RadiusMeters(), 20)
			if m < worst {
				worst, worstCell = m, Cell(c)
			}
		}
	}
	if worst <= g.RadiusMeters() {
		t.Fatalf("from cell %v a cell outside its %d-ring disk is %.1f m away, within the %.1f m radius",
			worstCell, k, worst, g.RadiusMeters())
	}
	t.Logf("least clearance near pentagons: %.1f m (radius %.1f m) from %v", worst, g.RadiusMeters(), worstCell)
}

// TestDiskClearance checks the same exactly for cells drawn anywhere, at
// every drawn configuration.
func TestDiskClearance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGrid(t)
		c := g.Cell(drawCentre(t, g))
		step := math.Min(20, h3.HexagonEdgeLengthAvgM(g.Config().Resolution)/10)
		if m, ok := clears(c, g.DiskK(), g.RadiusMeters(), step); !ok {
			t.Fatalf("from cell %v a cell outside its %d-ring disk is %.1f m away, within the %.1f m radius",
				c, g.DiskK(), m, g.RadiusMeters())
		}
	})
}

// TestDiskKIsTight shows the argument does not waste a ring at the
// defaults: one ring fewer misses part of the circle near a pentagon.
func TestDiskKIsTight(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	pent := Cell(h3.Pentagons(g.Config().Resolution)[0])
	worst := math.Inf(1)
	for _, c := range pent.h3().GridDisk(2) {
		worst = math.Min(worst, diskClearance(Cell(c), g.DiskK()-1, 20))
	}
	if worst > g.RadiusMeters()+20 {
		t.Errorf("a disk of %d rings would do near a pentagon: clearance %.1f m, radius %.1f m",
			g.DiskK()-1, worst, g.RadiusMeters())
	}
}

// TestEdgeDistance checks the exact point-to-arc distance of the clearance
// certificate against dense sampling of the arc.
func TestEdgeDistance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := drawPoint(t, "a")
		b := destination(a, rapid.Float64Range(0, 360).Draw(t, "arc bearing"), rapid.Float64Range(10, 500).Draw(t, "arc length"))
		p := destination(a, rapid.Float64Range(0, 360).Draw(t, "bearing"), rapid.Float64Range(0, 2000).Draw(t, "distance"))
		got := math.Asin(newEdge(a, b).sinDistance(toVec(p))) * EarthRadiusMeters
		av, bv := toVec(a), toVec(b)
		want := math.Inf(1)
		for i := 0; i <= 1000; i++ {
			s := float64(i) / 1000
			want = math.Min(want, Distance(p, fromVec(av.scale(1-s).add(bv.scale(s)))))
		}
		if got > want+1e-3 || got < want-1 { // float noise; samples are < 0.5 m apart
			t.Fatalf("distance from %v to arc %v–%v = %.4f m, sampling says %.4f m", p, a, b, got, want)
		}
	})
}

func TestDiskNearPentagon(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	pent := Cell(h3.Pentagons(9)[3])
	disk := g.Disk(CellCenter(pent))
	k := g.DiskK()
	if want := 5*k*(k+1)/2 + 1; len(disk) != want {
		t.Errorf("disk of %d rings around a pentagon has %d cells, want %d", k, len(disk), want)
	}
	if slices.Contains(disk, 0) {
		t.Errorf("disk holds the zero cell")
	}
}

func TestCoarse(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	tests := []struct {
		name string
		give Point
		res  int
		want string
	}{
		{"default coarse resolution", sf, 7, "872830828ffffff"},
		{"stored resolution", sf, 9, sfCell},
		{"finer than stored", sf, 10, "0"},
		{"negative", sf, -1, "0"},
		{"invalid point", Point{100, 0}, 7, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Coarse(tt.give, tt.res).String(); got != tt.want {
				t.Errorf("Coarse(%v, %d) = %s, want %s", tt.give, tt.res, got, tt.want)
			}
		})
	}
	// The coarse cell is the parent of the stored cell, even where the
	// point's own cell at the coarse resolution differs.
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoint(t, "p")
		if got, want := g.Coarse(p, 7), Parent(g.Cell(p), 7); got != want {
			t.Fatalf("Coarse(%v, 7) = %v, want parent %v", p, got, want)
		}
	})
}

func TestGridConcurrentUse(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	points := make([]Point, 64)
	for i := range points {
		points[i] = destination(sf, float64(i)*37, float64(i)*150)
	}
	want := make([][]Cell, len(points))
	for i, p := range points {
		want[i] = g.Disk(p)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i, p := range points {
				if got := g.Disk(p); !slices.Equal(got, want[i]) {
					t.Errorf("worker %d: Disk(%v) differs between calls", w, p)
				}
				g.Within(p, sf)
				g.Coarse(p, 7)
			}
		})
	}
	wg.Wait()
}

// drawGrid draws the default grid half the time, else a grid of another
// resolution and walking model whose disk stays small enough to test.
func drawGrid(t *rapid.T) *Grid {
	if rapid.Bool().Draw(t, "default config") {
		g, _ := New(DefaultConfig())
		return g
	}
	cfg := Config{
		Resolution:  rapid.IntRange(5, 11).Draw(t, "resolution"),
		WalkMinutes: rapid.Float64Range(0.5, 40).Draw(t, "minutes"),
		WalkKmh:     rapid.Float64Range(2, 7).Draw(t, "km/h"),
		Detour:      rapid.Float64Range(1, 1.6).Draw(t, "detour"),
	}
	g, err := New(cfg)
	if err != nil || g.DiskK() > 15 {
		t.Skip("disk too big to test quickly")
	}
	return g
}

// drawCentre draws a centre point for a Disk.
func drawCentre(t *rapid.T, g *Grid) Point {
	res := g.Config().Resolution
	switch rapid.IntRange(0, 4).Draw(t, "kind of centre") {
	case 0: // anywhere
		return drawPoint(t, "centre")
	case 1: // on a cell corner, nudged by up to a few centimetres
		c := g.Cell(drawPoint(t, "near"))
		b := boundary(c)
		v := b[rapid.IntRange(0, len(b)-1).Draw(t, "corner")]
		return Point{
			Lat: v.Lat + rapid.Float64Range(-3e-7, 3e-7).Draw(t, "dlat"),
			Lng: v.Lng + rapid.Float64Range(-3e-7, 3e-7).Draw(t, "dlng"),
		}
	case 2: // far north or south, up to the pole
		lat := rapid.Float64Range(70, 90).Draw(t, "|lat|")
		if rapid.Bool().Draw(t, "south") {
			lat = -lat
		}
		return Point{Lat: lat, Lng: rapid.Float64Range(-180, 180).Draw(t, "lng")}
	case 3: // near a pentagon
		pents := h3.Pentagons(res)
		p := CellCenter(Cell(pents[rapid.IntRange(0, len(pents)-1).Draw(t, "pentagon")]))
		return destination(p,
			rapid.Float64Range(0, 360).Draw(t, "bearing from pentagon"),
			rapid.Float64Range(0, 3*g.RadiusMeters()).Draw(t, "distance from pentagon"))
	default: // by the antimeridian
		lng := rapid.Float64Range(179.98, 180).Draw(t, "|lng|")
		if rapid.Bool().Draw(t, "west") {
			lng = -lng
		}
		return Point{Lat: rapid.Float64Range(-80, 80).Draw(t, "lat"), Lng: lng}
	}
}

func BenchmarkDisk(b *testing.B) {
	g := mustGrid(b, DefaultConfig())
	var n int
	for b.Loop() {
		n += len(g.Disk(sf))
	}
	_ = n
}

func BenchmarkCell(b *testing.B) {
	g := mustGrid(b, DefaultConfig())
	var c Cell
	for b.Loop() {
		c ^= g.Cell(sf)
	}
	_ = c
}

// TestDiskWithinCoversWiderCircle checks the disk of a widened circle (20
// and 30 minutes, as the expanding circle uses) the same way: every point
// inside it falls in one of its cells.
func TestDiskWithinCoversWiderCircle(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	rapid.Check(t, func(t *rapid.T) {
		centre := drawCentre(t, g)
		minutes := rapid.SampledFrom([]float64{20, 30, 45}).Draw(t, "minutes")
		r := g.RadiusOf(minutes)
		disk := make(map[Cell]bool)
		for _, c := range g.DiskWithin(centre, r) {
			disk[c] = true
		}
		for i := range 64 {
			bearing := rapid.Float64Range(0, 360).Draw(t, fmt.Sprint("bearing ", i))
			frac := rapid.Float64Range(0.8, 1).Draw(t, fmt.Sprint("distance/radius ", i))
			q := destination(centre, bearing, frac*r*(1-1e-12))
			if c := g.Cell(q); Distance(centre, q) <= r && !disk[c] {
				t.Fatalf("%v is %.1f m from %v, inside %g minutes, but its cell is not in the disk", q, Distance(centre, q), centre, minutes)
			}
		}
	})
	if g.DiskWithin(Point{Lat: 30.27, Lng: 120.15}, 1e6) != nil {
		t.Fatal("a 1000 km circle has a disk of more than MaxDiskK rings; DiskWithin must refuse it")
	}
}
