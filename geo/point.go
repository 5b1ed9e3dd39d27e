// Package geo places things on the H3 grid and answers Linli's one geographic
// question: is this within a short walk of that?
//
// Every located thing is stored with its exact Point and its Cell at the
// configured resolution. A Grid turns a walking time into a great-circle
// radius, measures walks with Distance, and gives the Disk of cells that
// covers the walking circle around a point, which the store uses as an index
// pre-filter before the exact Within check. Coarse cells and walking-time
// bands are what a party sees before it has claimed a wish.
//
// The package is pure: no I/O, no globals, nothing to mock. Calls into H3 go
// through cgo and cost about a microsecond each, so hot paths (Distance,
// Within) never call H3, and Disk calls it once per query.
package geo

import (
	"fmt"
	"math"
)

// EarthRadiusMeters is the mean earth radius (IUGG R1) that Distance uses.
const EarthRadiusMeters = 6371008.8

const degToRad = math.Pi / 180

// Point is a place on the earth in degrees (WGS 84 latitude and longitude).
type Point struct {
	Lat, Lng float64
}

// Valid reports whether p is a real place: latitude in [-90, 90], longitude
// in [-180, 180], neither NaN. Infinite values are out of range and so
// invalid too.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// String formats p as "lat,lng" with enough digits to round-trip to a few
// centimetres.
func (p Point) String() string {
	return fmt.Sprintf("%.7f,%.7f", p.Lat, p.Lng)
}

// Distance returns the great-circle distance between a and b in metres on a
// sphere of radius EarthRadiusMeters (haversine formula). It is pure Go, does
// not allocate, and is accurate to well under a millimetre at walking scale.
// The result is NaN when either point has a NaN coordinate.
func Distance(a, b Point) float64 {
	lat1 := a.Lat * degToRad
	lat2 := b.Lat * degToRad
	sinDLat := math.Sin((lat2 - lat1) / 2)
	sinDLng := math.Sin((b.Lng - a.Lng) * degToRad / 2)
	h := sinDLat*sinDLat + math.Cos(lat1)*math.Cos(lat2)*sinDLng*sinDLng
	if h > 1 {
		h = 1 // rounding near antipodes
	}
	return 2 * EarthRadiusMeters * math.Asin(math.Sqrt(h))
}
