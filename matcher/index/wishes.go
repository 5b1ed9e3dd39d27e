package index

import (
	"cmp"
	"slices"

	"github.com/linli/linli/geo"
)

// wishBucket holds the wishes of one cell.
type wishBucket struct {
	center geo.Point
	at     []vec3
	ids    []string
}

// wishEntry is a wish in the index: its facts and the cells of its
// walking circle, computed once when the wish is written.
type wishEntry struct {
	Wish
	disk   []diskCell // nearest centre first
	bucket geo.Cell   // the cell of the cloaked point, where the wish is kept
}

// sharedDisk is the disk of the wishes at the centre of one cell.
type sharedDisk struct {
	point geo.Point
	disk  []diskCell
}

// diskCell is a cell of a wish's circle and the distance from the wish to
// the cell's centre.
type diskCell struct {
	key    cellKey
	meters float64
}

// diskOf returns the cells of the walking circle around p, nearest centre
// first. It calls H3 once per cell: it runs once per wish written.
func (x *Index) diskOf(p geo.Point) []diskCell { return x.byDistance(p, x.grid.Disk(p)) }

// wideDisk is diskOf for a circle of radius metres wider than the walking
// circle, computed each time: widened circles are few and change.
func (x *Index) wideDisk(p geo.Point, meters float64) []diskCell {
	return x.byDistance(p, x.grid.DiskWithin(p, meters))
}

// byDistance returns cells with their distances from p, nearest first.
func (x *Index) byDistance(p geo.Point, cells []geo.Cell) []diskCell {
	out := make([]diskCell, len(cells))
	for i, c := range cells {
		out[i] = diskCell{key: keyOf(c), meters: geo.Distance(p, x.center(c))}
	}
	slices.SortFunc(out, func(a, b diskCell) int { return cmp.Compare(a.meters, b.meters) })
	return out
}

// PutWish adds w or replaces what the index holds of it. A write of a
// version older than the one indexed is ignored.
func (x *Index) PutWish(w *Wish) {
	e := &wishEntry{Wish: *w, bucket: x.grid.Cell(w.Point)}
	e.Skills = slices.Clone(w.Skills)
	x.mu.RLock()
	sd, known := x.disks[e.bucket]
	x.mu.RUnlock()
	switch {
	case known && sd.point == w.Point: // a cloaked point: every wish of the cell has this disk
		e.disk = sd.disk
	case !known && w.Point == geo.CellCenter(e.bucket):
		e.disk = x.diskOf(w.Point)
		x.mu.Lock()
		x.disks[e.bucket] = sharedDisk{point: w.Point, disk: e.disk}
		x.mu.Unlock()
	default:
		e.disk = x.diskOf(w.Point)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old := x.wishes[w.ID]; old != nil {
		if e.Version < old.Version {
			return
		}
		x.removeWish(old)
	}
	x.wishes[w.ID] = e
	r := x.residents[w.Resident]
	if r == nil {
		r = &residentEntry{}
		x.residents[w.Resident] = r
	}
	r.wishes = append(r.wishes, w.ID)
	k := keyOf(e.bucket)
	b := x.wishCells[k]
	if b == nil {
		b = &wishBucket{center: geo.CellCenter(e.bucket)}
		x.wishCells[k] = b
	}
	b.at = append(b.at, toVec(e.Point))
	b.ids = append(b.ids, w.ID)
	x.wishRadius = max(x.wishRadius, geo.Distance(b.center, e.Point))
}

// RemoveWish drops the wish: it is no longer served.
func (x *Index) RemoveWish(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if e := x.wishes[id]; e != nil {
		x.removeWish(e)
		delete(x.wishes, id)
	}
}

// removeWish drops e from its cell and its resident's list; x.mu is held.
func (x *Index) removeWish(e *wishEntry) {
	if r := x.residents[e.Resident]; r != nil {
		r.wishes = slices.DeleteFunc(r.wishes, func(id string) bool { return id == e.ID })
	}
	b := x.wishCells[keyOf(e.bucket)]
	if b == nil {
		return
	}
	if i := slices.Index(b.ids, e.ID); i >= 0 {
		last := len(b.ids) - 1
		b.at[i], b.ids[i] = b.at[last], b.ids[last]
		b.at, b.ids = b.at[:last], b.ids[:last]
	}
}

// PutResident sets the facts rules read of a resident, for every wish of
// theirs, indexed already or later.
func (x *Index) PutResident(id string, r *Resident) {
	f := residentFactsOf(r)
	x.mu.Lock()
	defer x.mu.Unlock()
	e := x.residents[id]
	if e == nil {
		e = &residentEntry{}
		x.residents[id] = e
	}
	e.facts = f
}

// wishFacts returns the facts of an indexed wish and its resident; x.mu is
// held.
func (x *Index) wishFacts(id string) (*wishFacts, *wishEntry, bool) {
	e := x.wishes[id]
	if e == nil {
		return nil, nil, false
	}
	wf := &wishFacts{Wish: e.Wish}
	if r := x.residents[e.Resident]; r != nil {
		wf.residentFacts = r.facts
	}
	return wf, e, true
}

// Wish returns what the index holds of a wish.
func (x *Index) Wish(id string) (Wish, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.wishes[id]
	if !ok {
		return Wish{}, false
	}
	return e.Wish, true
}

// WishIDs returns the ids of every indexed wish, sorted.
func (x *Index) WishIDs() []string {
	x.mu.RLock()
	ids := make([]string, 0, len(x.wishes))
	for id := range x.wishes {
		ids = append(ids, id)
	}
	x.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// center returns the centre of cell c, from H3 the first time only.
func (x *Index) center(c geo.Cell) geo.Point {
	if p, ok := x.centers.Load(c); ok {
		return p.(geo.Point)
	}
	p := geo.CellCenter(c)
	x.centers.Store(c, p)
	return p
}
