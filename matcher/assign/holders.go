package assign

// holders records which wishes each supplier holds, as intrusive doubly
// linked lists threaded through the wishes: a wish is held by at most one
// supplier, so one next and one prev per wish suffice whatever the
// capacities. Adding and removing are O(1).
type holders struct {
	head, load []int32 // by supplier
	next, prev []int32 // by wish
	at         []int32 // by wish: the supplier holding it, or -1
}

func newHolders(wishes, suppliers int) *holders {
	h := &holders{
		head: make([]int32, suppliers), load: make([]int32, suppliers),
		next: make([]int32, wishes), prev: make([]int32, wishes), at: make([]int32, wishes),
	}
	h.reset()
	return h
}

// reset empties every list.
func (h *holders) reset() {
	for i := range h.head {
		h.head[i] = -1
		h.load[i] = 0
	}
	for i := range h.at {
		h.at[i] = -1
	}
}

// add gives wish w to supplier s; w must be free.
func (h *holders) add(s, w int32) {
	h.at[w] = s
	h.prev[w] = -1
	h.next[w] = h.head[s]
	if h.head[s] >= 0 {
		h.prev[h.head[s]] = w
	}
	h.head[s] = w
	h.load[s]++
}

// remove frees wish w from its supplier; w must be held.
func (h *holders) remove(w int32) {
	s := h.at[w]
	if h.prev[w] >= 0 {
		h.next[h.prev[w]] = h.next[w]
	} else {
		h.head[s] = h.next[w]
	}
	if h.next[w] >= 0 {
		h.prev[h.next[w]] = h.prev[w]
	}
	h.at[w] = -1
	h.load[s]--
}
