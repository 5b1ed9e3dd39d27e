package matcher

import (
	"maps"
	"slices"

	"github.com/linli/linli/geo"
)

// wishBucket holds the wishes of one cell.
type wishBucket struct {
	center geo.Point
	radius float64
	at     []vec3
	ids    []string
}

// wishEntry is a wish in the index: its facts and the cells of its
// walking circle, computed once when the wish is written.
type wishEntry struct {
	wishFacts
	title   string
	needs   Needs
	version int64
	disk    []diskCell // nearest centre first
}

// diskCell is a cell of a wish's circle and the distance from the wish to
// the cell's centre.
type diskCell struct {
	key    cellKey
	meters float64
}

// diskOf returns the cells of the walking circle around p, nearest centre
// first. It calls H3 once per cell: it runs once per wish written.
func (x *Index) diskOf(p geo.Point) []diskCell {
	cells := x.grid.Disk(p)
	out := make([]diskCell, len(cells))
	for i, c := range cells {
		out[i] = diskCell{key: keyOf(c), meters: geo.Distance(p, geo.CellCenter(c))}
	}
	slices.SortFunc(out, func(a, b diskCell) int { return cmpFloat(a.meters, b.meters) })
	return out
}

// PutWish adds w or replaces what the index holds of it. r is the wish's
// resident; when r is nil, the resident's facts already indexed are kept.
func (x *Index) PutWish(w *Wish, r *Resident) {
	e := &wishEntry{wishFacts: newWishFacts(w, r), title: w.Title, needs: w.Needs, version: w.UpdatedAt.UnixNano()}
	if w.Location != nil {
		e.disk = x.diskOf(w.Location.Point())
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.wishes[w.ID]
	if old != nil {
		if e.version < old.version {
			return
		}
		if r == nil {
			e.birth, e.disabilities, e.livesAlone = old.birth, old.disabilities, old.livesAlone
		}
		x.removeWish(old)
	}
	x.wishes[w.ID] = e
	x.residents[e.residentID] = append(x.residents[e.residentID], w.ID)
	if w.Location == nil {
		return
	}
	k := keyOf(w.Cell)
	b := x.wishCells[k]
	if b == nil {
		b = &wishBucket{center: geo.CellCenter(w.Cell)}
		x.wishCells[k] = b
	}
	b.radius = max(b.radius, geo.Distance(b.center, e.point))
	b.at = append(b.at, toVec(e.point))
	b.ids = append(b.ids, w.ID)
}

// removeWish drops e from its cell and its resident's list; x.mu is held.
func (x *Index) removeWish(e *wishEntry) {
	x.residents[e.residentID] = slices.DeleteFunc(x.residents[e.residentID], func(id string) bool { return id == e.id })
	if len(x.residents[e.residentID]) == 0 {
		delete(x.residents, e.residentID)
	}
	b := x.wishCells[keyOf(e.cell)]
	if b == nil {
		return
	}
	if i := slices.Index(b.ids, e.id); i >= 0 {
		last := len(b.ids) - 1
		b.at[i], b.ids[i] = b.at[last], b.ids[last]
		b.at, b.ids = b.at[:last], b.ids[:last]
	}
}

// PutResident refreshes the resident's facts on every wish of theirs.
func (x *Index) PutResident(r *Resident) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range x.residents[r.ID] {
		e := x.wishes[id]
		e.birth, e.disabilities, e.livesAlone = parseCivil(r.BirthDate), slices.Clone(r.Disabilities), r.LivesAlone
	}
}

// asWish rebuilds the public part of the wish, for PublicWish.
func (e *wishEntry) asWish() *Wish {
	return &Wish{ID: e.id, WishInput: WishInput{ResidentID: e.residentID, Category: e.category, Title: e.title,
		Needs: e.needs, DueAt: e.dueAt, OnSite: e.onSite}, Status: StatusOpen, TenantID: e.tenant, Cell: e.cell}
}

// wish returns a copy of what the index holds of the wish.
func (x *Index) wish(id string) (wishEntry, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.wishes[id]
	if !ok {
		return wishEntry{}, false
	}
	return *e, true
}

// wishIDs returns the ids of every indexed wish, sorted.
func (x *Index) wishIDs() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ids := slices.Collect(maps.Keys(x.wishes))
	slices.Sort(ids)
	return ids
}
