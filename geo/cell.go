package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/uber/h3-go/v4"
)

// MaxResolution is the finest H3 resolution.
const MaxResolution = h3.MaxResolution

// Cell is an H3 cell id. The zero Cell means "no cell": it is what the
// functions of this package return for an invalid point, resolution or cell.
type Cell uint64

// h3 converts c to the binding's type; H3 cell ids fit in 63 bits.
func (c Cell) h3() h3.Cell { return h3.Cell(c) }

// String returns c in lower-case hexadecimal without a prefix, as H3 prints
// it (for example "8928308280fffff"). The zero Cell prints as "0".
func (c Cell) String() string {
	return strconv.FormatUint(uint64(c), 16)
}

// MarshalText encodes c as String does, so cells read naturally in JSON.
func (c Cell) MarshalText() ([]byte, error) {
	return []byte(c.String()), nil
}

// UnmarshalText decodes a cell written by MarshalText; see ParseCell.
func (c *Cell) UnmarshalText(text []byte) error {
	parsed, err := ParseCell(string(text))
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}

// Valid reports whether c is a real H3 cell (a hexagon or one of the twelve
// pentagons of its resolution).
func (c Cell) Valid() bool {
	return c != 0 && c <= math.MaxInt64 && c.h3().IsValid()
}

// Resolution returns the resolution of c, or -1 when c is not Valid.
func (c Cell) Resolution() int {
	if !c.Valid() {
		return -1
	}
	return c.h3().Resolution()
}

// ErrBadCell is returned, wrapped, by ParseCell for text that is not a valid
// H3 cell id.
var ErrBadCell = errors.New("not an H3 cell")

// ParseCell reads a cell id in hexadecimal, as String writes it. Upper-case
// digits and a "0x" prefix are accepted. The id must be a valid H3 cell.
func ParseCell(s string) (Cell, error) {
	digits := s
	if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
		digits = digits[2:]
	}
	n, err := strconv.ParseUint(digits, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("geo: parse cell %q: %w", s, ErrBadCell)
	}
	c := Cell(n)
	if !c.Valid() {
		return 0, fmt.Errorf("geo: parse cell %q: %w", s, ErrBadCell)
	}
	return c, nil
}

// Parent returns the ancestor of c at resolution res, c itself when res is
// c's resolution, and 0 when c is not Valid or res is not in
// 0..c.Resolution().
func Parent(c Cell, res int) Cell {
	cr := c.Resolution()
	if cr < 0 || res < 0 || res > cr {
		return 0
	}
	if res == cr {
		return c
	}
	return Cell(c.h3().Parent(res))
}

// CellCenter returns the centre of c. For a cell that is not Valid it
// returns a Point with NaN coordinates, which is not Valid either.
func CellCenter(c Cell) Point {
	if !c.Valid() {
		return Point{Lat: math.NaN(), Lng: math.NaN()}
	}
	ll := c.h3().LatLng()
	return Point{Lat: ll.Lat, Lng: ll.Lng}
}

// cellAt returns the cell of p at res, or 0 for an invalid point or
// resolution.
func cellAt(p Point, res int) Cell {
	if !p.Valid() || res < 0 || res > MaxResolution {
		return 0
	}
	return Cell(h3.LatLngToCell(h3.LatLng{Lat: p.Lat, Lng: p.Lng}, res))
}

// CellBoundary returns the corners of c, in order: six for a hexagon,
// five for a pentagon (more where a cell crosses an icosahedron edge). It
// returns nil for a cell that is not valid.
func CellBoundary(c Cell) []Point {
	if !c.Valid() {
		return nil
	}
	b := h3.CellToBoundary(c.h3())
	out := make([]Point, len(b))
	for i, ll := range b {
		out[i] = Point{Lat: ll.Lat, Lng: ll.Lng}
	}
	return out
}

// Children returns the cells of resolution res under c, or nil when c is
// not Valid or res is coarser than c.
func Children(c Cell, res int) []Cell {
	if !c.Valid() || res < c.Resolution() || res > MaxResolution {
		return nil
	}
	ch := c.h3().Children(res)
	out := make([]Cell, len(ch))
	for i, x := range ch {
		out[i] = Cell(x)
	}
	return out
}

// CellAreaKm2 returns the average area of a hexagon of resolution res.
func CellAreaKm2(res int) float64 { return h3.HexagonAreaAvgKm2(res) }
