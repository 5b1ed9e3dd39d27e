package matcher

import (
	"slices"
	"sync"
	"time"
)

// reserveFor is how long a wish released for reassignment stays reserved
// for its new claimant, in case the coordinator's replica stops between
// the released and the claimed events.
const reserveFor = time.Minute

// wishState is what the events of one wish add up to. Every claim event
// carries its claim, so the state after an event depends on that event
// alone, and an event may be applied over a gap in the sequence.
type wishState struct {
	seq      int // the last event's seq; 0 for a wish with only its creation
	status   string
	claimID  string
	claimant *Party
	dueAt    time.Time
	category string
	warned   bool // an expiry warning was given for the current claim
	// next and nextUntil reserve an open wish for a reassigned claimant.
	next      *Party
	nextUntil time.Time
}

// active reports whether st has a claim that is not yet over.
func (st *wishState) active() bool {
	return st.claimant != nil && (st.status == StatusClaimed || st.status == StatusFulfilled)
}

// terminal reports whether no transition may leave st.
func (st *wishState) terminal() bool {
	return st.status == StatusConfirmed || st.status == StatusCancelled || st.status == StatusExpired
}

// ledger keeps the state of every wish in memory, computed from its events,
// with the totals computed from them: hours and ratings. It is fed by the
// events this process appends and by those it reads back, so it never
// decides a race: the store's unique (wish, seq) key does.
type ledger struct {
	mu      sync.RWMutex
	wishes  map[string]*wishState
	active  map[Party]int          // claims not yet confirmed, cancelled or released, per claimant
	claimed map[string]struct{}    // wishes whose status is claimed, for the expiry job
	hours   map[string]*HoursTotal // credited hours per volunteer
	ratings map[Party][]rating     // ratings of confirmed fulfilments per claimant
	counted map[string]struct{}    // ids of the confirmed events already credited
	// claimants lists, per wish, every party any of its events named as
	// claimant: who may read its history without being staff.
	claimants map[string][]Party
}

type rating struct {
	at    time.Time
	value int
}

func newLedger() *ledger {
	return &ledger{
		wishes:    make(map[string]*wishState),
		active:    make(map[Party]int),
		claimed:   make(map[string]struct{}),
		hours:     make(map[string]*HoursTotal),
		ratings:   make(map[Party][]rating),
		counted:   make(map[string]struct{}),
		claimants: make(map[string][]Party),
	}
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

// hasClaimed reports whether any event of the wish known to the ledger
// named p as its claimant.
func (l *ledger) hasClaimed(wishID string, p Party) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return slices.Contains(l.claimants[wishID], p)
}

// claimedWishes returns the ids and states of the wishes now claimed.
func (l *ledger) claimedWishes() map[string]wishState {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string]wishState, len(l.claimed))
	for id := range l.claimed {
		out[id] = *l.wishes[id]
	}
	return out
}

// apply folds e into its wish's state. Events may arrive out of order; an
// event older than the state changes no state, a newer one is applied over
// the gap. Confirmed events are credited once each, whatever the order.
func (l *ledger) apply(e *Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Type == EventConfirmed {
		l.credit(e)
	}
	if e.Claimant != nil && !slices.Contains(l.claimants[e.WishID], *e.Claimant) {
		l.claimants[e.WishID] = append(l.claimants[e.WishID], *e.Claimant)
	}
	st, ok := l.wishes[e.WishID]
	if !ok {
		st = &wishState{status: StatusOpen}
		l.wishes[e.WishID] = st
	}
	if e.Seq <= st.seq {
		return
	}
	if st.active() {
		l.active[*st.claimant]--
		if l.active[*st.claimant] <= 0 {
			delete(l.active, *st.claimant)
		}
	}
	*st = nextState(st, e)
	if st.active() {
		l.active[*st.claimant]++
	}
	if st.status == StatusClaimed {
		l.claimed[e.WishID] = struct{}{}
	} else {
		delete(l.claimed, e.WishID)
	}
}

// nextState returns the state e leads to from st.
func nextState(st *wishState, e *Event) wishState {
	n := wishState{seq: e.Seq, status: st.status, claimID: e.ClaimID, claimant: e.Claimant,
		dueAt: e.DueAt, category: e.Category}
	switch e.Type {
	case EventClaimed, EventDisputed:
		n.status = StatusClaimed
	case EventExpiryWarning:
		n.status, n.warned = StatusClaimed, true
	case EventFulfilled:
		n.status = StatusFulfilled
	case EventConfirmed:
		n.status = StatusConfirmed
	case EventReleased, EventExpired, EventWithdrawn:
		n = wishState{seq: e.Seq, status: StatusOpen}
		if e.Next != nil {
			next := *e.Next
			n.next, n.nextUntil = &next, e.At.Add(reserveFor)
		}
	case EventCancelled:
		n = wishState{seq: e.Seq, status: StatusCancelled}
	case EventWishExpired:
		n = wishState{seq: e.Seq, status: StatusExpired}
	default: // updated and unknown types change no claim
		n = *st
		n.seq = e.Seq
	}
	if n.status == StatusConfirmed {
		n.claimant = nil
	}
	return n
}

// credit adds a confirmed event's hours and rating to the totals, once.
func (l *ledger) credit(e *Event) {
	id := EventID(e.WishID, e.Seq)
	if _, done := l.counted[id]; done {
		return
	}
	l.counted[id] = struct{}{}
	month := e.DoneAt
	if month.IsZero() {
		month = e.At
	}
	for _, h := range e.Hours {
		t := l.hours[h.VolunteerID]
		if t == nil {
			t = &HoursTotal{ByMonth: map[string]float64{}, ByCategory: map[string]float64{}}
			l.hours[h.VolunteerID] = t
		}
		t.add(month.UTC().Format("2006-01"), e.Category, h.Hours)
	}
	if e.Claimant != nil && e.Rating > 0 {
		l.ratings[*e.Claimant] = append(l.ratings[*e.Claimant], rating{at: e.At, value: e.Rating})
	}
}
