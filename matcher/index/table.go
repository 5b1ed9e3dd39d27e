package index

import "sync"

// Table holds the current version of every entity of one kind by id: what
// the service reads instead of the store. The values are shared and must
// not be modified; a change is a new value put in place of the old. It is
// safe for concurrent use.
type Table[T any] struct {
	mu sync.RWMutex
	m  map[string]*T
}

// NewTable returns an empty Table.
func NewTable[T any]() *Table[T] { return &Table[T]{m: make(map[string]*T)} }

// Get returns the entity with the id.
func (t *Table[T]) Get(id string) (*T, bool) {
	t.mu.RLock()
	v, ok := t.m[id]
	t.mu.RUnlock()
	return v, ok
}

// Put replaces the entity with the id by v and returns the one it replaced
// (nil for a new id).
func (t *Table[T]) Put(id string, v *T) (old *T) {
	t.mu.Lock()
	old = t.m[id]
	t.m[id] = v
	t.mu.Unlock()
	return old
}

// Len returns how many entities the table holds.
func (t *Table[T]) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// Each calls fn for every entity, in no order, until fn returns false. fn
// runs with the table locked for reading: it must not write to it.
func (t *Table[T]) Each(fn func(*T) bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, v := range t.m {
		if !fn(v) {
			return
		}
	}
}
