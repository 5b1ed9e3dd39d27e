package geo

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"
)

// sfCell is H3's documented example: San Francisco at resolution 9.
const sfCell = "8928308280fffff"

var sf = Point{Lat: 37.7752702151959, Lng: -122.418307270836}

func TestCellOfKnownPoint(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	if got := g.Cell(sf).String(); got != sfCell {
		t.Errorf("Cell(%v) = %s, want %s", sf, got, sfCell)
	}
	if got := g.CellAt(sf, 9).String(); got != sfCell {
		t.Errorf("CellAt(%v, 9) = %s, want %s", sf, got, sfCell)
	}
}

func TestParseCell(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    string // String of the parsed cell
		wantErr bool
	}{
		{name: "as H3 prints it", give: sfCell, want: sfCell},
		{name: "upper case", give: "8928308280FFFFF", want: sfCell},
		{name: "0x prefix", give: "0x8928308280fffff", want: sfCell},
		{name: "resolution 0", give: "8001fffffffffff", want: "8001fffffffffff"},
		{name: "empty", give: "", wantErr: true},
		{name: "zero", give: "0", wantErr: true},
		{name: "not hex", give: "8928308280fffzz", wantErr: true},
		{name: "too long", give: "18928308280fffff0", wantErr: true},
		{name: "not a cell", give: "8928308280ffff0", wantErr: true}, // unused digit 7 set
		{name: "a directed edge, not a cell", give: "115283473fffffff", wantErr: true},
		{name: "sign", give: "-8928308280fffff", wantErr: true},
		{name: "spaces", give: " 8928308280fffff", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCell(tt.give)
			if tt.wantErr {
				if !errors.Is(err, ErrBadCell) {
					t.Fatalf("ParseCell(%q) = %v, %v; want an ErrBadCell", tt.give, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCell(%q): %v", tt.give, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseCell(%q) = %s, want %s", tt.give, got, tt.want)
			}
		})
	}
}

func TestParseCellRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoint(t, "p")
		res := rapid.IntRange(0, MaxResolution).Draw(t, "res")
		c := cellAt(p, res)
		got, err := ParseCell(c.String())
		if err != nil || got != c {
			t.Fatalf("ParseCell(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
		if c.Resolution() != res {
			t.Fatalf("resolution of %v = %d, want %d", c, c.Resolution(), res)
		}
		text, err := json.Marshal(map[string]Cell{"cell": c})
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]Cell
		if err := json.Unmarshal(text, &back); err != nil || back["cell"] != c {
			t.Fatalf("JSON %s decodes to %v, %v; want %v", text, back, err, c)
		}
	})
}

func TestParent(t *testing.T) {
	c := mustParse(t, sfCell)
	tests := []struct {
		name string
		give Cell
		res  int
		want string
	}{
		{"itself", c, 9, sfCell},
		{"resolution 7", c, 7, "872830828ffffff"},
		{"resolution 0", c, 0, "8029fffffffffff"},
		{"finer than the cell", c, 10, "0"},
		{"negative resolution", c, -1, "0"},
		{"no cell", 0, 5, "0"},
		{"not a cell", Cell(1), 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parent(tt.give, tt.res).String(); got != tt.want {
				t.Errorf("Parent(%v, %d) = %s, want %s", tt.give, tt.res, got, tt.want)
			}
		})
	}
}

func TestCellCenter(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	c := mustParse(t, sfCell)
	center := CellCenter(c)
	if g.Cell(center) != c {
		t.Errorf("the centre %v of %v lies in %v", center, c, g.Cell(center))
	}
	if d := Distance(center, sf); d > 200 {
		t.Errorf("the centre of %v is %.0f m from a point in it; res 9 cells are ~350 m across", c, d)
	}
	for _, bad := range []Cell{0, 1, math.MaxUint64} {
		if p := CellCenter(bad); p.Valid() {
			t.Errorf("CellCenter(%v) = %v, want an invalid point", bad, p)
		}
	}
}

func TestCellOfInvalidInput(t *testing.T) {
	g := mustGrid(t, DefaultConfig())
	tests := []struct {
		name string
		p    Point
		res  int
	}{
		{"nan point", Point{math.NaN(), 0}, 9},
		{"point out of range", Point{91, 0}, 9},
		{"negative resolution", sf, -1},
		{"resolution too fine", sf, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.CellAt(tt.p, tt.res); got != 0 {
				t.Errorf("CellAt(%v, %d) = %v, want 0", tt.p, tt.res, got)
			}
		})
	}
	if got := g.Disk(Point{math.NaN(), 1}); got != nil {
		t.Errorf("Disk of a NaN point = %v, want nil", got)
	}
}

func mustParse(tb testing.TB, s string) Cell {
	tb.Helper()
	c, err := ParseCell(s)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func mustGrid(tb testing.TB, cfg Config) *Grid {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}
