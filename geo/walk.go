package geo

// RadiusMeters returns the great-circle radius of the walking circle:
// minutes/60 · km/h · 1000 / detour (937.5 m for the defaults).
func (g *Grid) RadiusMeters() float64 { return g.radius }

// WalkMinutes returns how long a walk of the given great-circle length takes
// on streets: meters/1000/kmh·60·detour.
func (g *Grid) WalkMinutes(meters float64) float64 {
	return meters / 1000 / g.cfg.WalkKmh * 60 * g.cfg.Detour
}

// Within returns the walking minutes from a to b and whether they are within
// the configured walking time. The test compares metres with RadiusMeters,
// so that a pair exactly on the circle is in however minutes round. It
// reports false when either point has a NaN coordinate.
func (g *Grid) Within(a, b Point) (minutes float64, ok bool) {
	d := Distance(a, b)
	return g.WalkMinutes(d), d <= g.radius
}

// bandSlack absorbs rounding in minutes computed from metres, so that a
// point exactly on a band's edge (say at RadiusMeters, which Within counts
// as in) does not fall into the next band by one ulp. It is 60 ns of walking.
const bandSlack = 1e-9

// Band returns the walking-time band shown instead of a distance: "0-5",
// "5-10", "10-15" or "15+". Bands include their upper edge, so exactly 15
// minutes, which is within the default circle, is "10-15". NaN, the minutes
// between invalid points, is "15+".
func Band(minutes float64) string {
	switch {
	case minutes <= 5+bandSlack:
		return "0-5"
	case minutes <= 10+bandSlack:
		return "5-10"
	case minutes <= 15+bandSlack:
		return "10-15"
	default:
		return "15+"
	}
}

// RadiusOf returns the great-circle radius of a walk of the given minutes:
// RadiusMeters for the configured walking circle.
func (g *Grid) RadiusOf(minutes float64) float64 {
	return minutes * g.cfg.WalkKmh * 1000 / (60 * g.cfg.Detour)
}
