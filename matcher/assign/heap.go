package assign

// heap is a binary min-heap of suppliers by tentative distance. It is lazy:
// a supplier whose distance drops is pushed again, and the stale entry is
// skipped when popped.
type heap struct {
	items []heapItem
}

type heapItem struct {
	key int64
	s   int32
}

func (h *heap) reset() { h.items = h.items[:0] }

func (h *heap) push(key int64, s int32) {
	h.items = append(h.items, heapItem{key, s})
	a := h.items
	i := len(a) - 1
	it := a[i]
	for i > 0 {
		p := (i - 1) / 2
		if a[p].key <= it.key {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = it
}

// pop removes the least item; ok is false when the heap is empty.
func (h *heap) pop() (key int64, s int32, ok bool) {
	a := h.items
	n := len(a)
	if n == 0 {
		return 0, 0, false
	}
	top := a[0]
	last := a[n-1]
	a = a[:n-1]
	h.items = a
	n--
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && a[c+1].key < a[c].key {
			c++
		}
		if last.key <= a[c].key {
			break
		}
		a[i] = a[c]
		i = c
	}
	if n > 0 {
		a[i] = last
	}
	return top.key, top.s, true
}
