package index

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/linli/linli/geo"
)

// RegionResolution is the H3 resolution of the regions that lead every
// index key. Regions are what replicas will own at nation scale (see
// DESIGN.md), so a key never addresses a cell without its region.
const RegionResolution = 5

// ErrNotIndexed is returned for a wish or supplier the index does not hold.
var ErrNotIndexed = errors.New("not indexed")

// cellKey addresses one cell of the index: its region first.
type cellKey struct {
	region, cell geo.Cell
}

// keyOf returns the index key of cell c.
func keyOf(c geo.Cell) cellKey { return cellKey{region: parentBits(c, RegionResolution), cell: c} }

// parentBits returns the ancestor of the valid cell c at res, by H3's bit
// layout (4 bits of resolution at bit 52, then 3 bits per resolution digit
// from bit 44 down, unused digits set to 7), so that keys cost no H3 call.
func parentBits(c geo.Cell, res int) geo.Cell {
	h := uint64(c)
	cr := int(h>>52) & 0xf
	if res >= cr {
		return c
	}
	h = h&^(uint64(0xf)<<52) | uint64(res)<<52
	for r := res + 1; r <= cr; r++ {
		h |= uint64(7) << ((15 - r) * 3)
	}
	return geo.Cell(h)
}

// vec3 is a point as a unit vector: the squared chord between two of them
// orders pairs exactly as great-circle distance does, for a few
// multiplications instead of haversine's trigonometry.
type vec3 struct{ x, y, z float64 }

func toVec(p geo.Point) vec3 {
	lat, lng := p.Lat*math.Pi/180, p.Lng*math.Pi/180
	c := math.Cos(lat)
	return vec3{c * math.Cos(lng), c * math.Sin(lng), math.Sin(lat)}
}

func chord2(a, b vec3) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return dx*dx + dy*dy + dz*dz
}

// chord2Of returns the squared chord of a great-circle distance in metres;
// negative distances are 0.
func chord2Of(meters float64) float64 {
	if meters <= 0 {
		return 0
	}
	c := 2 * math.Sin(meters/(2*geo.EarthRadiusMeters))
	return c * c
}

// chordMeters returns the great-circle distance of a squared chord.
func chordMeters(c2 float64) float64 {
	return 2 * geo.EarthRadiusMeters * math.Asin(min(math.Sqrt(c2)/2, 1))
}

// supplierBucket holds the suppliers of one cell as parallel slices of
// values: the scan reads only at, the rest is read for the few nearest.
// Nothing in it but ids holds a pointer, so that a million suppliers cost
// the garbage collector little.
type supplierBucket struct {
	center geo.Point
	at     []entry
	ids    []string
	pts    []geo.Point
	until  [][]int64 // the expiries of the profile's certifications, latest first (Unix ns); nil without any
}

// supplierRef is where the index keeps a supplier: the cell of its first
// point (a supplier with several has all its cells in Index.multi), and
// the version indexed.
type supplierRef struct {
	key     cellKey
	version int64
	kind    uint8
}

// entry is one point of a supplier with what deciding its eligibility
// reads for every candidate, inline, so that the scan that measures it also
// brings them into cache: the rest is in its profile.
type entry struct {
	vec3
	certsUntil int64  // the earliest expiry of its certifications (Unix ns): before it, all are valid
	birth      int32  // civilDate
	profile    uint32 // id in Index.profiles
	kind       uint8  // index in kindNames
	multi      bool
}

// profile is what rules read of a supplier, but for its age and which of
// its certifications are valid, which depend on the day: the same for the
// thousands of suppliers that share it, so that one verdict serves them
// all (see verdictMemo). Lists are ids in Index.lists.
type profile struct {
	kind                uint8 // index in kindNames
	vetted, anyCat      bool
	maxActive           int32
	skills, certs, cats uint32
}

// kindNames are the supplier kinds by entry.kind.
var kindNames = [...]string{Volunteer, Organisation, Enterprise, Resource}

// resourceKind is the entry.kind of resources, whose vetted flag is their
// owner's: kindNames[resourceKind] is Resource.
const resourceKind = 3

// Index holds every supplier and wish in memory, by cell, so that
// candidate searches need no store query and no H3 call per candidate. It
// is safe for concurrent use: searches share a read lock, writes take it
// exclusively.
type Index struct {
	grid    *geo.Grid
	radius  float64 // of the walking circle, metres
	chordR2 float64 // squared chord of radius, with room for rounding

	mu         sync.RWMutex
	maxRadius  float64 // no supplier is farther from its cell's centre, metres
	wishRadius float64 // no wish is farther from its cell's centre, metres
	suppliers  map[cellKey]*supplierBucket
	refs       map[string]supplierRef // by supplier id: ids of all kinds are distinct (their prefixes)
	multi      map[string][]cellKey   // the cells of the suppliers with several points
	owners     map[string]Party       // the owner of each resource
	vetted     map[Party]bool         // of organisations and enterprises, which their resources have
	wishCells  map[cellKey]*wishBucket
	disks      map[geo.Cell]sharedDisk // of the wishes at a cell's centre
	centers    sync.Map                // geo.Cell → geo.Point, of the cells of disks
	wishes     map[string]*wishEntry
	residents  map[string]*residentEntry
	listIDs    map[string]uint32 // ids of lists of skills, certifications or categories
	lists      [][]string        // by id; 0 is the empty list
	profileIDs map[profile]uint32
	profiles   []profile // by id, never removed, so that an id means one profile for good
}

// residentEntry is a resident's facts and the wishes indexed for them.
type residentEntry struct {
	facts  residentFacts
	wishes []string
}

// New returns an empty Index for grid.
func New(grid *geo.Grid) *Index {
	return &Index{
		grid:       grid,
		radius:     grid.RadiusMeters(),
		chordR2:    chord2Of(grid.RadiusMeters()) * (1 + 1e-9),
		suppliers:  make(map[cellKey]*supplierBucket),
		refs:       make(map[string]supplierRef),
		multi:      make(map[string][]cellKey),
		owners:     make(map[string]Party),
		vetted:     make(map[Party]bool),
		wishCells:  make(map[cellKey]*wishBucket),
		disks:      make(map[geo.Cell]sharedDisk),
		wishes:     make(map[string]*wishEntry),
		residents:  make(map[string]*residentEntry),
		listIDs:    make(map[string]uint32),
		lists:      [][]string{nil},
		profileIDs: make(map[profile]uint32),
	}
}

// Grid returns the grid the index measures with.
func (x *Index) Grid() *geo.Grid { return x.grid }

// PutSupplier adds s or replaces what the index holds of it: one entry per
// point. A write of a version older than the one indexed is ignored, so
// that writes racing to the index cannot leave the older one in it. An
// organisation's or enterprise's vetted flag is also what its resources
// have.
func (x *Index) PutSupplier(s *Supplier) {
	f := factsOf(s)
	x.mu.Lock()
	defer x.mu.Unlock()
	if ref, ok := x.refs[s.Party.ID]; ok && s.Version < ref.version {
		return
	}
	if s.Party.Kind == Organisation || s.Party.Kind == Enterprise {
		x.vetted[s.Party] = s.Vetted
	}
	x.removeSupplier(s.Party)
	if len(s.Points) == 0 {
		return
	}
	if s.Party.Kind == Resource {
		x.owners[s.Party.ID] = s.Owner
	}
	var until []int64
	if len(f.certUntil) > 0 {
		until = f.certUntil
	}
	e := x.entryOf(&f)
	keys := make([]cellKey, len(s.Points))
	for i, p := range s.Points {
		c := s.Cells[i]
		keys[i] = keyOf(c)
		b := x.suppliers[keys[i]]
		if b == nil {
			b = &supplierBucket{center: geo.CellCenter(c)}
			x.suppliers[keys[i]] = b
		}
		x.maxRadius = max(x.maxRadius, geo.Distance(b.center, p))
		e.vec3 = toVec(p)
		b.at = append(b.at, e)
		b.ids = append(b.ids, s.Party.ID)
		b.pts = append(b.pts, p)
		b.until = append(b.until, until)
	}
	x.refs[s.Party.ID] = supplierRef{key: keys[0], version: s.Version, kind: e.kind}
	if len(keys) > 1 {
		x.multi[s.Party.ID] = keys
	}
}

// RemoveSupplier drops every entry of p: it serves no wish any more.
func (x *Index) RemoveSupplier(p Party) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeSupplier(p)
}

// entryOf returns the entry of f, without its point; x.mu is held.
func (x *Index) entryOf(f *supplierFacts) entry {
	pr := profile{
		kind: uint8(slices.Index(kindNames[:], f.party.Kind)), vetted: f.vetted, anyCat: f.anyCat,
		maxActive: int32(min(f.maxActive, math.MaxInt32)),
		skills:    x.listID(f.skills), certs: x.listID(f.certs), cats: x.listID(f.categories),
	}
	id, ok := x.profileIDs[pr]
	if !ok {
		id = uint32(len(x.profiles))
		x.profileIDs[pr] = id
		x.profiles = append(x.profiles, pr)
	}
	return entry{certsUntil: f.certsUntil, birth: int32(f.birth), profile: id, kind: pr.kind, multi: len(f.points) > 1}
}

// listID returns the id of list in x.lists, adding it when new, so that
// the thousands of suppliers with the same skills or certifications share
// one slice, which stays in cache; x.mu is held.
func (x *Index) listID(list []string) uint32 {
	if len(list) == 0 {
		return 0
	}
	key := strings.Join(list, "\x00")
	id, ok := x.listIDs[key]
	if !ok {
		id = uint32(len(x.lists))
		x.listIDs[key] = id
		x.lists = append(x.lists, slices.Clone(list))
	}
	return id
}

// keysOf returns the cells holding the supplier's entries; x.mu is held.
func (x *Index) keysOf(id string) []cellKey {
	if keys, ok := x.multi[id]; ok {
		return keys
	}
	if ref, ok := x.refs[id]; ok {
		return []cellKey{ref.key}
	}
	return nil
}

// removeSupplier drops every entry of p; x.mu is held.
func (x *Index) removeSupplier(p Party) {
	for _, k := range x.keysOf(p.ID) {
		b := x.suppliers[k]
		i := slices.Index(b.ids, p.ID)
		if i < 0 {
			continue
		}
		last := len(b.ids) - 1
		b.at[i], b.ids[i], b.pts[i], b.until[i] = b.at[last], b.ids[last], b.pts[last], b.until[last]
		b.ids[last], b.until[last] = "", nil
		b.at, b.ids, b.pts, b.until = b.at[:last], b.ids[:last], b.pts[:last], b.until[:last]
	}
	delete(x.refs, p.ID)
	delete(x.multi, p.ID)
	delete(x.owners, p.ID)
}

// supplier returns what the index holds of p, gathered from its entries;
// x.mu is held.
func (x *Index) supplier(p Party) (supplierFacts, bool) {
	keys := x.keysOf(p.ID)
	if len(keys) == 0 || kindNames[x.refs[p.ID].kind] != p.Kind {
		return supplierFacts{}, false
	}
	var f supplierFacts
	for n, k := range keys {
		if slices.Contains(keys[:n], k) {
			continue // two points in one cell
		}
		b := x.suppliers[k]
		for i, id := range b.ids {
			if id != p.ID {
				continue
			}
			if f.party.ID == "" {
				e := &b.at[i]
				pr := &x.profiles[e.profile]
				f = supplierFacts{birth: civilDate(e.birth), certsUntil: e.certsUntil, skills: x.lists[pr.skills],
					certs: x.lists[pr.certs], categories: x.lists[pr.cats], anyCat: pr.anyCat, maxActive: int(pr.maxActive),
					vetted: pr.vetted, multi: e.multi, party: p, certUntil: b.until[i], owner: x.owners[p.ID]}
			}
			f.points = append(f.points, b.pts[i])
		}
	}
	return f, f.party.ID != ""
}

// HasSupplier reports whether the index holds p.
func (x *Index) HasSupplier(p Party) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ref, ok := x.refs[p.ID]
	return ok && kindNames[ref.kind] == p.Kind
}

// Len returns how many suppliers and wishes the index holds.
func (x *Index) Len() (suppliers, wishes int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.refs), len(x.wishes)
}
