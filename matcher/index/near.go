package index

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"

	"github.com/linli/linli/geo"
)

// Nearby is a wish whose walking circle holds a point, and the distance.
type Nearby struct {
	ID     string
	Meters float64
}

// Near calls visit with the wishes whose walking circle, around their
// cloaked point, holds p, nearest first (equal distances by id), until
// visit returns false. It walks the cells around p nearest first and stops
// as soon as visit has had enough, so that a listing of the first page
// costs the same in a dense district as in a sparse one.
func (x *Index) Near(p geo.Point, visit func(Nearby) bool) {
	disk := x.diskOf(p) // nearest cell centre first
	pv := toVec(p)
	x.mu.RLock()
	var found []Nearby // read under the lock, visited without it
	var h nearbyHeap
	for _, dc := range disk {
		// A wish kept in this cell is no nearer than its centre less the
		// cell's radius; those nearer than that bound are final.
		bound := dc.meters - x.wishRadius
		for len(h) > 0 && h[0].Meters < bound {
			found = append(found, heap.Pop(&h).(Nearby))
		}
		if bound > x.radius {
			break
		}
		x.inCircle(dc.key, p, pv, func(n Nearby) { heap.Push(&h, n) })
		if len(found) >= nearBatch {
			break
		}
	}
	complete := true
	if len(found) >= nearBatch {
		complete = false
	}
	x.mu.RUnlock()
	for _, n := range found {
		if !visit(n) {
			return
		}
	}
	if complete {
		for len(h) > 0 {
			if !visit(heap.Pop(&h).(Nearby)) {
				return
			}
		}
		return
	}
	// More were wanted than the first batch held: list them all.
	x.nearAll(p, pv, disk, found, visit)
}

// nearBatch is how many wishes Near reads under one lock before handing
// them to visit; a visit that wants more makes it read them all.
const nearBatch = 256

// nearAll visits the wishes of the circle around p after the first len(seen)
// of them, nearest first.
func (x *Index) nearAll(p geo.Point, pv vec3, disk []diskCell, seen []Nearby, visit func(Nearby) bool) {
	var all []Nearby
	x.mu.RLock()
	for _, dc := range disk {
		x.inCircle(dc.key, p, pv, func(n Nearby) { all = append(all, n) })
	}
	x.mu.RUnlock()
	slices.SortFunc(all, compareNearby)
	for _, n := range all[min(len(seen), len(all)):] {
		if !visit(n) {
			return
		}
	}
}

// inCircle calls fn with the wishes of the cell k whose circle holds p
// (whose unit vector is pv); x.mu is held.
func (x *Index) inCircle(k cellKey, p geo.Point, pv vec3, fn func(Nearby)) {
	b := x.wishCells[k]
	if b == nil {
		return
	}
	for i, v := range b.at {
		if chord2(pv, v) > x.chordR2 {
			continue
		}
		e := x.wishes[b.ids[i]]
		if m := geo.Distance(p, e.Point); m <= x.radius {
			fn(Nearby{ID: e.ID, Meters: m})
		}
	}
}

func compareNearby(a, b Nearby) int {
	return cmp.Or(cmp.Compare(a.Meters, b.Meters), strings.Compare(a.ID, b.ID))
}

// nearbyHeap is a min-heap of wishes by distance, then id.
type nearbyHeap []Nearby

func (h nearbyHeap) Len() int           { return len(h) }
func (h nearbyHeap) Less(i, j int) bool { return compareNearby(h[i], h[j]) < 0 }
func (h nearbyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nearbyHeap) Push(v any)        { *h = append(*h, v.(Nearby)) }
func (h *nearbyHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
