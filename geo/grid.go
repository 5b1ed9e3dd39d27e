package geo

import (
	"fmt"
	"math"

	"github.com/uber/h3-go/v4"
)

// Grid answers geographic questions for one Config. It is immutable and safe
// for concurrent use.
type Grid struct {
	cfg    Config
	radius float64 // great-circle radius of the walking circle, metres
	k      int     // rings of the Disk, see diskK
	// smallestCellM2 sizes H3's work in PolygonCells.
	smallestCellM2 float64
}

// New returns the Grid for cfg, or the error of cfg.Validate.
func New(cfg Config) (*Grid, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := cfg.radiusMeters()
	return &Grid{
		cfg:            cfg,
		radius:         r,
		k:              diskK(r, cfg.Resolution),
		smallestCellM2: smallestCellM2(cfg.Resolution),
	}, nil
}

// Config returns the configuration g was made with.
func (g *Grid) Config() Config { return g.cfg }

// Cell returns the cell of p at the configured resolution, or 0 when p is
// not Valid.
func (g *Grid) Cell(p Point) Cell { return cellAt(p, g.cfg.Resolution) }

// CellAt returns the cell of p at resolution res, or 0 when p is not Valid or
// res is not in 0..MaxResolution.
func (g *Grid) CellAt(p Point, res int) Cell { return cellAt(p, res) }

// Coarse returns the cell shown for p to a party without a claim: the
// ancestor at res of p's stored cell. It is the parent of g.Cell(p), not the
// cell of p at res (H3 children do not nest exactly in their parent), so
// that it can be computed from a stored cell alone and counts of wishes per
// coarse cell agree with what is shown. It returns 0 when p is not Valid or
// res is not in 0..Config().Resolution.
func (g *Grid) Coarse(p Point, res int) Cell {
	if res < 0 || res > g.cfg.Resolution {
		return 0
	}
	return Parent(g.Cell(p), res)
}

// DiskK returns the number of rings of every Disk of g.
func (g *Grid) DiskK() int { return g.k }

// Disk returns the cells at the configured resolution within DiskK rings of
// p's cell, in no particular order. Their union covers every point whose
// great-circle distance from p is at most RadiusMeters, so a query on these
// cells followed by Within loses nothing. Disk returns nil when p is not
// Valid. It makes one call into H3.
func (g *Grid) Disk(p Point) []Cell {
	origin := g.Cell(p)
	if origin == 0 {
		return nil
	}
	ring := h3.GridDisk(origin.h3(), g.k)
	out := make([]Cell, len(ring))
	for i, c := range ring {
		out[i] = Cell(c)
	}
	return out
}

// DiskWithin is Disk for a circle of the given great-circle radius instead
// of the walking circle's: the cells of a wider circle, for the expanding
// circle of matching rounds. It returns nil when p is not Valid or the
// circle would need more than MaxDiskK rings.
func (g *Grid) DiskWithin(p Point, meters float64) []Cell {
	k := diskK(meters, g.cfg.Resolution)
	origin := g.Cell(p)
	if origin == 0 || k > MaxDiskK {
		return nil
	}
	ring := h3.GridDisk(origin.h3(), k)
	out := make([]Cell, len(ring))
	for i, c := range ring {
		out[i] = Cell(c)
	}
	return out
}

// diskK returns the number of rings k for which the disk of k rings around
// the cell of any point p covers the circle of great-circle radius r metres
// around p at resolution res, as small as the argument below allows. It
// depends only on r and res, so it is fixed when the Grid is made.
//
// Why it is safe. H3 assigns a point to a cell in the gnomonic projection of
// the nearest icosahedron face: with θ the angle from the face centre, the
// point goes to radius tan θ / u0 · √7^res in "hex2d" units, where u0 is
// RES0_U_GNOMONIC = 0.38196601125 (2 − φ), and its cell is the hexagon of a
// regular lattice of unit centre spacing that holds it. In that plane every
// cell of a resolution is the same regular hexagon, with edge (= distance
// from its centre to its corners)
//
//	e = u0 / (√3 · √7^res)   in earth radii (221.17 m at res 9).
//
// Adjacent faces unfold along their shared edge onto one lattice (that is how
// H3 moves coordinates between faces), so a great-circle path, which the
// gnomonic projection maps to straight lines, unfolds to a polyline in one
// regular hexagon lattice, each piece drawn in the face it lies on.
//
// Sphere to plane, the gnomonic projection stretches lengths by sec θ across
// and sec² θ along the radius. Measured in its own face, no point is farther
// from the face centre than the face's corners, where tan θ = 2·u0, so no
// length grows by more than s = sec² θ = 1 + 4·u0² ≈ 1.5836. A point within r
// of p is therefore within s·r/EarthRadius of p along the unfolded path.
//
// In a regular lattice of edge e, the disk of k rings around a cell c0 is a
// jagged hexagon: the six "notch" corners where two ring-k cells meet a ring
// k+1 cell lie on the hexagon with apothem (1.5k + 0.5)·e around c0's centre,
// and the whole of that hexagon is inside the disk. Its sides face c0's
// corners, which stick out e from c0's centre, so any point of c0 is at
// least (1.5k − 0.5)·e from any cell outside the disk (tight for k = 1: from
// a corner of c0 along the edge between two neighbours to a ring-2 cell).
// So the disk covers the circle when
//
//	(1.5k − 0.5)·e ≥ s·r/EarthRadius,  k = ceil((s·r/(EarthRadius·e) + 0.5)/1.5).
//
// For the defaults (r = 937.5 m, res 9): s·r = 1484.6 m, 6.71 edges, k =
// ceil(4.81) = 5, so a disk is 91 cells, about 9.6 km², to pre-filter a
// circle of 2.76 km². Every cell is then at least 7e/s = 977.6 m from
// anything its disk misses.
//
// The twelve pentagons sit at the icosahedron vertices, where the lattice is
// a cone missing one sextant rather than a plane. Rings there have fewer
// cells but reach as far in the directions that remain, so the bound should
// carry over; that step is checked rather than proved. The tests measure the
// exact distance from each cell within k+1 rings of a pentagon to the cells
// outside its disk: the least at res 9 is about 988 m, above the bound even
// there, where the stretch s is largest. They also show that k = 4 is not
// enough: next to a pentagon, a cell 5 rings out is only 777 m away.
func diskK(r float64, res int) int {
	const u0 = 0.38196601125010500003 // H3's RES0_U_GNOMONIC
	const stretch = 1 + 4*u0*u0       // sec² of the face-centre-to-vertex angle
	e := u0 / (math.Sqrt(3) * math.Pow(math.Sqrt(7), float64(res)))
	k := math.Ceil((stretch*r/(EarthRadiusMeters*e) + 0.5) / 1.5)
	if !(k < math.MaxInt32) {
		return math.MaxInt32 // beyond any sane config; Validate rejects it
	}
	return int(k)
}

// String describes g for logs.
func (g *Grid) String() string {
	return fmt.Sprintf("geo.Grid{res %d, coarse %d, %g min at %g km/h ×%g = %.1f m, k %d}",
		g.cfg.Resolution, g.cfg.CoarseResolution, g.cfg.WalkMinutes, g.cfg.WalkKmh, g.cfg.Detour, g.radius, g.k)
}
