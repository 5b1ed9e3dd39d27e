package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// MaxPolygonCells bounds H3's own estimate of the cells a polygon may hold,
// which sizes its working memory (about 24 bytes a cell). The estimate is
// up to a few times the true count, so this allows some 25,000 km² at
// resolution 9. A bigger ring is almost certainly a mistake, such as swapped
// coordinates.
const MaxPolygonCells = 1 << 20

// ErrBadPolygon is returned, wrapped, by PolygonCells for a ring it cannot
// use.
var ErrBadPolygon = errors.New("bad polygon")

// PolygonCells returns the cells at the configured resolution whose centres
// lie inside ring, sorted by id. The ring is GeoJSON style: [lng, lat]
// positions in degrees, at least four, the last equal to the first. Rings
// may wind either way and may cross the antimeridian (no edge may span more
// than 180° of longitude). An area too small to hold a cell centre gives no
// cells and no error.
func (g *Grid) PolygonCells(ring [][2]float64) ([]Cell, error) {
	return g.PolygonCellsUpTo(ring, MaxPolygonCells)
}

// PolygonCellsUpTo is PolygonCells refusing, before any cell is computed,
// a polygon whose H3 estimate is above max cells.
func (g *Grid) PolygonCellsUpTo(ring [][2]float64, max int) ([]Cell, error) {
	if len(ring) < 4 {
		return nil, fmt.Errorf("geo: polygon: %d positions, need at least 4: %w", len(ring), ErrBadPolygon)
	}
	if ring[0] != ring[len(ring)-1] {
		return nil, fmt.Errorf("geo: polygon: ring not closed (first %v, last %v): %w", ring[0], ring[len(ring)-1], ErrBadPolygon)
	}
	loop := make(h3.GeoLoop, len(ring)-1) // H3 closes the loop itself
	for i, pos := range ring[:len(ring)-1] {
		p := Point{Lat: pos[1], Lng: pos[0]}
		if !p.Valid() {
			return nil, fmt.Errorf("geo: polygon: position %d [%g, %g] is not [lng, lat] in range: %w", i, pos[0], pos[1], ErrBadPolygon)
		}
		loop[i] = h3.LatLng{Lat: p.Lat, Lng: p.Lng}
	}
	n, err := h3Estimate(loop, g.smallestCellM2)
	if err != nil {
		return nil, err
	}
	if n > float64(max) {
		return nil, fmt.Errorf("geo: polygon: H3 estimates %.0f cells, more than %d: %w", n, max, ErrBadPolygon)
	}
	found := h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, g.cfg.Resolution)
	out := make([]Cell, len(found))
	for i, c := range found {
		out[i] = Cell(c)
	}
	slices.Sort(out)
	return out, nil
}

// h3Estimate bounds from above the number of cells H3 allocates for loop,
// following its bboxHexEstimate: the squared diagonal of the bounding box
// over the area of the smallest cells. It reports a ring whose box has no
// height or no width, on which H3 fails, and one spanning 180° of longitude
// or more, which is too large anyway.
func h3Estimate(loop h3.GeoLoop, smallestCellM2 float64) (float64, error) {
	minLat, maxLat := loop[0].Lat, loop[0].Lat
	lng, minLng, maxLng := loop[0].Lng, loop[0].Lng, loop[0].Lng
	for i := 1; i < len(loop); i++ {
		minLat = math.Min(minLat, loop[i].Lat)
		maxLat = math.Max(maxLat, loop[i].Lat)
		d := loop[i].Lng - loop[i-1].Lng // unwrapped across the antimeridian
		switch {
		case d > 180:
			d -= 360
		case d < -180:
			d += 360
		}
		lng += d
		minLng = math.Min(minLng, lng)
		maxLng = math.Max(maxLng, lng)
	}
	if minLat == maxLat || minLng == maxLng {
		return 0, fmt.Errorf("geo: polygon: ring encloses no area: %w", ErrBadPolygon)
	}
	if maxLng-minLng >= 180 {
		return math.Inf(1), nil
	}
	d := Distance(Point{Lat: maxLat, Lng: maxLng}, Point{Lat: minLat, Lng: minLng})
	return d * d / smallestCellM2, nil
}

// smallestCellM2 is the area H3 assumes for the smallest cells of res when
// it sizes PolygonToCells: 80% of a regular hexagon as wide as a pentagon.
func smallestCellM2(res int) float64 {
	pent := h3.Pentagons(res)[0]
	c, v := pent.LatLng(), pent.Boundary()[0]
	r := Distance(Point{Lat: c.Lat, Lng: c.Lng}, Point{Lat: v.Lat, Lng: v.Lng})
	return 0.8 * 3 * math.Sqrt(3) / 2 * r * r
}
