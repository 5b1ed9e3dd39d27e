package matcher

import "sync"

// wishState is what the events of one wish add up to.
type wishState struct {
	seq      int // the last event's seq; 0 for a wish with only its creation
	status   string
	claimID  string
	claimant *Party
}

// ledger keeps the state of every wish in memory, computed from its events.
// It is fed by the events this process appends and by those it reads back,
// so it never decides a race: the store's unique (wish, seq) key does.
type ledger struct {
	mu     sync.RWMutex
	wishes map[string]*wishState
	active map[Party]int // claims not yet confirmed, cancelled or released, per claimant
}

func newLedger() *ledger {
	return &ledger{wishes: make(map[string]*wishState), active: make(map[Party]int)}
}

// activeClaims returns how many wishes p holds a claim on that is not
// yet confirmed, cancelled or released. It is computed from events, never
// stored: the limit is enforced at claim time with unique keys.
func (l *ledger) activeClaims(p Party) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.active[p]
}

func (l *ledger) len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.wishes)
}

// state returns a copy of the wish's state, open with seq 0 when no event
// of it is known.
func (l *ledger) state(wishID string) wishState {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if st, ok := l.wishes[wishID]; ok {
		return *st
	}
	return wishState{status: StatusOpen}
}

// apply folds e into its wish's state. Events may arrive out of order when
// loading; an event older than the state is ignored, a newer one is applied
// over the gap (the gap's events only matter for history, which is read
// from the store).
func (l *ledger) apply(e *Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.wishes[e.WishID]
	if !ok {
		st = &wishState{status: StatusOpen}
		l.wishes[e.WishID] = st
	}
	if e.Seq <= st.seq {
		return
	}
	st.seq = e.Seq
	if st.claimant != nil {
		l.active[*st.claimant]--
	}
	switch e.Type {
	case EventClaimed:
		st.status, st.claimID, st.claimant = StatusClaimed, e.ClaimID, e.Claimant
	case EventReleased, EventExpired, EventWithdrawn:
		st.status, st.claimID, st.claimant = StatusOpen, "", nil
	case EventFulfilled:
		st.status = StatusFulfilled
	case EventDisputed:
		st.status = StatusClaimed
	case EventConfirmed:
		st.status = StatusConfirmed
	case EventCancelled:
		st.status, st.claimID, st.claimant = StatusCancelled, "", nil
	}
	if st.status == StatusConfirmed {
		st.claimant = nil
	}
	if st.claimant != nil {
		l.active[*st.claimant]++
	}
}
