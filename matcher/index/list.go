package index

import (
	"container/heap"
	"slices"
	"sort"
	"sync"
)

// List keeps the ids of one kind of entity in id order, overall and by the
// node of the district tree each is registered under, so that a page of
// what a caller's scope holds is read without scanning anything else. Ids
// sort by creation time (matcher.NewID), so id order is creation order.
// It is safe for concurrent use.
type List struct {
	mu     sync.RWMutex
	all    []string
	byNode map[string][]string
	// pending holds, while deferred, the puts and removes to make at
	// Flush, in order: a start-up load sorts once instead of inserting a
	// million times.
	deferred bool
	pending  []pendingPut
}

type pendingPut struct {
	id, node string
	remove   bool
}

// Defer makes Put and Remove wait for Flush.
func (l *List) Defer() {
	l.mu.Lock()
	l.deferred = true
	l.mu.Unlock()
}

// Flush makes the puts and removes made since Defer, and ends deferring.
func (l *List) Flush() {
	l.mu.Lock()
	pending := l.pending
	l.pending, l.deferred = nil, false
	l.mu.Unlock()
	last := make(map[string]pendingPut, len(pending))
	for _, p := range pending {
		last[p.id] = p
	}
	var ids, nodes []string
	for _, p := range last {
		if !p.remove {
			ids, nodes = append(ids, p.id), append(nodes, p.node)
		}
	}
	l.mu.RLock()
	empty := len(l.all) == 0
	l.mu.RUnlock()
	if empty {
		l.Load(ids, nodes)
		return
	}
	for i, id := range ids {
		l.Put(id, "", nodes[i])
	}
}

// NewList returns an empty List.
func NewList() *List { return &List{byNode: make(map[string][]string)} }

// insertSorted adds id to the sorted ids, once.
func insertSorted(ids []string, id string) []string {
	if n := len(ids); n == 0 || ids[n-1] < id {
		return append(ids, id) // the usual case: ids grow with time
	}
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

func removeSorted(ids []string, id string) []string {
	if i, found := slices.BinarySearch(ids, id); found {
		return slices.Delete(ids, i, i+1)
	}
	return ids
}

// Put records id under node, moving it from old when it was there ("" for
// a new id).
func (l *List) Put(id, old, node string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.deferred {
		l.pending = append(l.pending, pendingPut{id: id, node: node})
		return
	}
	if old != node && old != "" {
		l.byNode[old] = removeSorted(l.byNode[old], id)
	}
	l.all = insertSorted(l.all, id)
	l.byNode[node] = insertSorted(l.byNode[node], id)
}

// Load replaces the whole list with ids and their nodes, sorting once:
// for building the list at start.
func (l *List) Load(ids, nodes []string) {
	all := slices.Clone(ids)
	slices.Sort(all)
	by := make(map[string][]string)
	for i, id := range ids {
		by[nodes[i]] = append(by[nodes[i]], id)
	}
	for n, s := range by {
		slices.Sort(s)
		by[n] = slices.Compact(s)
	}
	l.mu.Lock()
	l.all, l.byNode = slices.Compact(all), by
	l.mu.Unlock()
}

// Len returns how many ids the list holds.
func (l *List) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.all)
}

// Page returns up to limit ids after the cursor after, in id order, among
// those registered under one of nodes (every id when nodes is nil) for
// which keep (when not nil) returns true, and the cursor of the next page
// ("" when there is none). keep runs with the list locked for reading: it
// must not write to the list.
func (l *List) Page(nodes []string, after string, limit int, keep func(id string) bool) (ids []string, next string) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	it := l.iter(nodes, after)
	for id, ok := it.next(); ok; id, ok = it.next() {
		if keep != nil && !keep(id) {
			continue
		}
		if len(ids) == limit {
			return ids, ids[len(ids)-1]
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// Each calls fn for every id under one of nodes (every id when nodes is
// nil), in id order, until fn returns false.
func (l *List) Each(nodes []string, fn func(id string) bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	it := l.iter(nodes, "")
	for id, ok := it.next(); ok && fn(id); id, ok = it.next() {
	}
}

// iter merges the sorted lists of nodes from after on; l.mu is held.
func (l *List) iter(nodes []string, after string) *merge {
	var lists [][]string
	if nodes == nil {
		lists = [][]string{l.all}
	} else {
		for _, n := range nodes {
			if s := l.byNode[n]; len(s) > 0 {
				lists = append(lists, s)
			}
		}
	}
	m := &merge{}
	for _, s := range lists {
		i := sort.SearchStrings(s, after)
		if i < len(s) && s[i] == after {
			i++
		}
		if i < len(s) {
			m.h = append(m.h, cursor{s: s, i: i})
		}
	}
	heap.Init(&m.h)
	return m
}

// merge yields the ids of several sorted lists in order.
type merge struct{ h cursors }

type cursor struct {
	s []string
	i int
}

type cursors []cursor

func (h cursors) Len() int           { return len(h) }
func (h cursors) Less(i, j int) bool { return h[i].s[h[i].i] < h[j].s[h[j].i] }
func (h cursors) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursors) Push(x any)        { *h = append(*h, x.(cursor)) }
func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

func (m *merge) next() (string, bool) {
	if len(m.h) == 0 {
		return "", false
	}
	c := &m.h[0]
	id := c.s[c.i]
	if c.i++; c.i == len(c.s) {
		heap.Pop(&m.h)
	} else {
		heap.Fix(&m.h, 0)
	}
	return id, true
}

// Remove drops id, registered under node.
func (l *List) Remove(id, node string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.deferred {
		l.pending = append(l.pending, pendingPut{id: id, node: node, remove: true})
		return
	}
	l.all = removeSorted(l.all, id)
	l.byNode[node] = removeSorted(l.byNode[node], id)
}
