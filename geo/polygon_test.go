package geo

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// box returns a closed GeoJSON ring around a latitude-longitude box, going
// counter-clockwise, or clockwise when reversed is set.
func box(south, west, north, east float64, reversed bool) [][2]float64 {
	ring := [][2]float64{{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}
	if reversed {
		slices.Reverse(ring)
	}
	return ring
}

// cellsCentredIn finds by brute force the cells at g's resolution whose
// centres lie in the box, searching the disk of k rings around around.
func cellsCentredIn(g *Grid, around Point, k int, in func(Point) bool) []Cell {
	var out []Cell
	for _, c := range g.Cell(around).h3().GridDisk(k) {
		if in(CellCenter(Cell(c))) {
			out = append(out, Cell(c))
		}
	}
	slices.Sort(out)
	return out
}

func TestPolygonCells(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	inBerlin := func(p Point) bool { return p.Lat > 52.515 && p.Lat < 52.525 && p.Lng > 13.40 && p.Lng < 13.415 }
	// Longitudes east of 179.995 or west of -179.995.
	inPacific := func(p Point) bool { return p.Lat > -16.005 && p.Lat < -15.995 && math.Abs(p.Lng) > 179.995 }
	tests := []struct {
		name string
		give [][2]float64
		want []Cell
	}{
		{
			"a square km in Berlin",
			box(52.515, 13.40, 52.525, 13.415, false),
			cellsCentredIn(g, Point{52.52, 13.4075}, 6, inBerlin),
		},
		{
			"the same wound clockwise",
			box(52.515, 13.40, 52.525, 13.415, true),
			cellsCentredIn(g, Point{52.52, 13.4075}, 6, inBerlin),
		},
		{
			"across the antimeridian",
			box(-16.005, 179.995, -15.995, -179.995, false),
			cellsCentredIn(g, Point{-16, 180}, 6, inPacific),
		},
		{
			"too small to hold a centre",
			box(52.52, 13.405, 52.5201, 13.4051, false),
			[]Cell{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.PolygonCells(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PolygonCells = %v,\nwant %v", got, tt.want)
			}
		})
	}
	// The antimeridian box has cells on both sides.
	pacific, _ := g.PolygonCells(box(-16.005, 179.995, -15.995, -179.995, false))
	east := slices.IndexFunc(pacific, func(c Cell) bool { return CellCenter(c).Lng > 0 })
	west := slices.IndexFunc(pacific, func(c Cell) bool { return CellCenter(c).Lng < 0 })
	if east < 0 || west < 0 {
		t.Errorf("the box across the antimeridian gives cells %v, want some on each side", pacific)
	}
	// The square km holds about ten cells of 0.1 km².
	if got, _ := g.PolygonCells(box(52.515, 13.40, 52.525, 13.415, false)); len(got) < 8 || len(got) > 14 {
		t.Errorf("a square km holds %d cells, want about 10", len(got))
	}
}

func TestPolygonCellsRejects(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	nan := math.NaN()
	tests := []struct {
		name string
		give [][2]float64
	}{
		{"nothing", nil},
		{"three positions", [][2]float64{{13.4, 52.5}, {13.5, 52.5}, {13.4, 52.5}}},
		{"not closed", [][2]float64{{13.4, 52.5}, {13.5, 52.5}, {13.5, 52.6}, {13.4, 52.6}}},
		// Swapped coordinates are caught only when out of range, as here.
		{"lat and lng swapped", [][2]float64{{52.5, 113.4}, {52.6, 113.4}, {52.6, 113.5}, {52.5, 113.4}}},
		{"latitude out of range", [][2]float64{{13.4, 95}, {13.5, 95}, {13.5, 96}, {13.4, 95}}},
		{"longitude out of range", [][2]float64{{190, 52}, {191, 52}, {191, 53}, {190, 52}}},
		{"nan", [][2]float64{{13.4, 52.5}, {nan, 52.5}, {13.5, 52.6}, {13.4, 52.5}}},
		{"a line along a parallel", [][2]float64{{13.4, 52.5}, {13.5, 52.5}, {13.6, 52.5}, {13.4, 52.5}}},
		{"a line along a meridian", [][2]float64{{13.4, 52.5}, {13.4, 52.6}, {13.4, 52.7}, {13.4, 52.5}}},
		{"a single point", [][2]float64{{13.4, 52.5}, {13.4, 52.5}, {13.4, 52.5}, {13.4, 52.5}}},
		{"a country", box(45, 5, 55, 15, false)},
		{"half the world", box(-10, -100, 10, 100, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.PolygonCells(tt.give)
			if !errors.Is(err, ErrBadPolygon) {
				t.Errorf("PolygonCells(%v) = %d cells, %v; want an ErrBadPolygon", tt.give, len(got), err)
			}
		})
	}
}
