package geo

import (
	"errors"
	"fmt"
	"math"
)

// Config sets the grid and the walking model. Its keys under "geo" in
// config.yaml are the mapstructure tags.
type Config struct {
	// Resolution is the H3 resolution of the cell stored for every located
	// thing and of the cells in a Disk. The default, 9, has hexagons of
	// about 0.1 km².
	Resolution int `mapstructure:"resolution"`
	// CoarseResolution is the resolution of the parent cell shown to a
	// party that has not claimed a wish. It must not be finer than
	// Resolution.
	CoarseResolution int `mapstructure:"coarse_resolution"`
	// WalkMinutes is the size of the walking circle in minutes.
	WalkMinutes float64 `mapstructure:"walk_minutes"`
	// WalkKmh is the walking speed in km/h.
	WalkKmh float64 `mapstructure:"walk_kmh"`
	// Detour is how much longer a walk on streets is than the great-circle
	// distance: 1 means a straight line.
	Detour float64 `mapstructure:"detour"`
}

// DefaultConfig returns the defaults of DESIGN.md: resolution 9, coarse
// resolution 7, and a circle of 15 minutes at 4.5 km/h with a detour factor
// of 1.2, which is a great-circle radius of 937.5 m.
func DefaultConfig() Config {
	return Config{
		Resolution:       9,
		CoarseResolution: 7,
		WalkMinutes:      15,
		WalkKmh:          4.5,
		Detour:           1.2,
	}
}

// MaxDiskK bounds the number of rings in a Disk. A disk of k rings holds
// 3k(k+1)+1 cells, so this keeps an index pre-filter under about 7,800
// cells; a circle that needs more rings wants a coarser resolution.
const MaxDiskK = 50

// Validate reports the first thing wrong with c. The error names the config
// key, for example "geo.resolution: must be 0..15".
func (c Config) Validate() error {
	switch {
	case c.Resolution < 0 || c.Resolution > MaxResolution:
		return fmt.Errorf("geo.resolution: must be 0..%d", MaxResolution)
	case c.CoarseResolution < 0 || c.CoarseResolution > c.Resolution:
		return fmt.Errorf("geo.coarse_resolution: must be 0..%d (not finer than geo.resolution)", c.Resolution)
	case !positive(c.WalkMinutes):
		return errors.New("geo.walk_minutes: must be a positive number")
	case !positive(c.WalkKmh):
		return errors.New("geo.walk_kmh: must be a positive number")
	case !(c.Detour >= 1) || math.IsInf(c.Detour, 1):
		return errors.New("geo.detour: must be a number of at least 1")
	}
	if k := diskK(c.radiusMeters(), c.Resolution); k > MaxDiskK {
		return fmt.Errorf("geo.resolution: a %g-minute circle needs %d rings of resolution %d cells, more than %d; choose a coarser resolution",
			c.WalkMinutes, k, c.Resolution, MaxDiskK)
	}
	return nil
}

// radiusMeters is the great-circle radius of the walking circle. Dividing
// once by 60·detour keeps the defaults exact: 15·4.5·1000/72 = 937.5.
func (c Config) radiusMeters() float64 {
	return c.WalkMinutes * c.WalkKmh * 1000 / (60 * c.Detour)
}

// positive reports whether x is a finite number above zero.
func positive(x float64) bool {
	return x > 0 && !math.IsInf(x, 1)
}
