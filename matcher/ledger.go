package matcher

import (
	"slices"
	"sync"
	"time"

	"github.com/linli/linli/matcher/index"
)

// Wish statuses. A wish's status is derived from its events, never stored.
const (
	StatusOpen      = "open"
	StatusClaimed   = "claimed"
	StatusFulfilled = "fulfilled"
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
	StatusExpired   = "expired"
	StatusWithdrawn = "withdrawn" // the resident withdrew consent
)

// statuses lists every wish status.
var statuses = []string{StatusOpen, StatusClaimed, StatusFulfilled, StatusConfirmed, StatusCancelled, StatusExpired, StatusWithdrawn}

// wishState is what the events of one wish add up to. Every claim event
// carries its claim, so the state after an event depends on that event
// alone.
type wishState struct {
	seq      int // the last event's seq; 0 for a wish with only its creation
	status   string
	claimID  string
	claimant *Party
	dueAt    time.Time
	category string
	resource string // the resource the claim serves with, if any
	warned   bool   // an expiry warning was given for the current claim
}

// active reports whether st has a claim that is not yet over.
func (st *wishState) active() bool {
	return st.claimant != nil && (st.status == StatusClaimed || st.status == StatusFulfilled)
}

// heldBy reports whether p holds st's active claim.
func (st *wishState) heldBy(p Party) bool { return st.active() && *st.claimant == p }

// terminal reports whether no transition may leave st.
func (st *wishState) terminal() bool { return terminal(st.status) }

// terminal reports whether a wish with the status is closed for good.
func terminal(status string) bool {
	switch status {
	case StatusConfirmed, StatusCancelled, StatusExpired, StatusWithdrawn:
		return true
	}
	return false
}

// ledger keeps the state and the history of every wish in memory, and the
// totals computed from the events: active claims, hours and ratings. It is
// fed by the events applied from the store's log, in log order, so it
// never decides a race: the log does.
type ledger struct {
	mu      sync.RWMutex
	wishes  map[string]*wishState
	history map[string][]*Event
	active  map[Party]int // claims not yet over, per claimant and per resource serving
	// activeIn counts the claims not yet over per claimant and category,
	// for the capacities of organisations and enterprises.
	activeIn map[partyCategory]int
	claimed  map[string]struct{}    // wishes whose status is claimed, for the expiry job
	hours    map[string]*HoursTotal // credited hours per volunteer
	ratings  map[Party][]rating     // ratings of confirmed fulfilments per claimant
	// claimants lists, per wish, every party any of its events named as
	// claimant: who may read its history without being staff.
	claimants map[string][]Party
	// addressRead holds the claims whose holder read the resident's
	// address, while they last (false once counted, so that a claim counts
	// once); withdrewAfterAddress, per claimant, when
	// such a claim ended by the claimant's withdrawal or by running out of
	// time: a supplier that claims to read addresses and lets go is
	// stopped (see Service.ClaimWish).
	addressRead          map[string]bool
	withdrewAfterAddress map[Party][]time.Time
}

type rating struct {
	at    time.Time
	value int
}

func newLedger() *ledger {
	return &ledger{
		wishes:    make(map[string]*wishState),
		history:   make(map[string][]*Event),
		active:    make(map[Party]int),
		activeIn:  make(map[partyCategory]int),
		claimed:   make(map[string]struct{}),
		hours:     make(map[string]*HoursTotal),
		ratings:   make(map[Party][]rating),
		claimants: make(map[string][]Party),

		addressRead:          make(map[string]bool),
		withdrewAfterAddress: make(map[Party][]time.Time),
	}
}

// addressViewed notes that by read the address of the wish: of the claim
// by holds, if it holds the wish's claim.
func (l *ledger) addressViewed(wishID string, by Party) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.wishes[wishID]; ok && st.heldBy(by) {
		if _, seen := l.addressRead[st.claimID]; !seen {
			l.addressRead[st.claimID] = true
		}
	}
}

// withdrawalsAfterAddress returns how many claims p withdrew after
// reading the resident's address, since.
func (l *ledger) withdrawalsAfterAddress(p Party, since time.Time) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := 0
	for _, at := range l.withdrewAfterAddress[p] {
		if !at.Before(since) {
			n++
		}
	}
	return n
}

// activeClaims returns how many wishes p holds a claim on that is not
// yet over. It is computed from events, never stored.
func (l *ledger) activeClaims(p Party) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.active[p]
}

// partyCategory is a supplier's capacity in one category.
type partyCategory struct {
	party    Party
	category string
}

// activeIn returns how many claims of the category p holds that are not
// yet over.
func (l *ledger) activeInCategory(p Party, category string) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.activeIn[partyCategory{p, category}]
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

// historyOf returns the wish's events after its creation, oldest first,
// without copying: the caller must not change the slice. Events are
// never changed once applied.
func (l *ledger) historyOf(wishID string) []*Event {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.history[wishID]
}

// fulfilledAt returns when the wish's last fulfilment was reported (its
// done_at, else the event's time), or the zero time.
func (l *ledger) fulfilledAt(wishID string) time.Time {
	l.mu.RLock()
	defer l.mu.RUnlock()
	h := l.history[wishID]
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Type == EventFulfilled {
			if !h[i].DoneAt.IsZero() {
				return h[i].DoneAt
			}
			return h[i].At
		}
	}
	return time.Time{}
}

// status returns the wish's status.
func (l *ledger) status(wishID string) string { return l.state(wishID).status }

// events returns the wish's events after its creation, oldest first.
func (l *ledger) events(wishID string) []*Event {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return slices.Clone(l.history[wishID])
}

// event returns event seq of the wish.
func (l *ledger) event(wishID string, seq int) (*Event, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	h := l.history[wishID]
	if seq < 1 || seq > len(h) {
		return nil, false
	}
	return h[seq-1], true
}

// hasClaimed reports whether any event of the wish named p as claimant.
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

// apply folds e into its wish's state and history. The log applies a
// wish's events in order, once each; an event already applied is ignored.
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
	l.history[e.WishID] = append(l.history[e.WishID], e)
	if e.Type == EventConfirmed {
		l.credit(e)
	}
	if e.Claimant != nil && !slices.Contains(l.claimants[e.WishID], *e.Claimant) {
		l.claimants[e.WishID] = append(l.claimants[e.WishID], *e.Claimant)
	}
	if st.active() {
		l.count(st, -1)
	}
	// A disputed fulfilment (the resident saw nobody) is letting go as
	// much as a withdrawal or an expiry: fulfilling without a visit must
	// not launder a read address.
	if (e.Type == EventWithdrawn || e.Type == EventExpired || e.Type == EventDisputed) && e.Claimant != nil && l.addressRead[e.ClaimID] {
		l.withdrewAfterAddress[*e.Claimant] = append(l.withdrewAfterAddress[*e.Claimant], e.At)
		l.addressRead[e.ClaimID] = false // counted once, however it then ends
	}
	*st = nextState(st, e)
	if e.ClaimID != "" && (!st.active() || st.claimID != e.ClaimID) {
		delete(l.addressRead, e.ClaimID) // that claim is over
	}
	if st.active() {
		l.count(st, 1)
	}
	if st.status == StatusClaimed {
		l.claimed[e.WishID] = struct{}{}
	} else {
		delete(l.claimed, e.WishID)
	}
}

// count adds d to the active claims st's claim counts in.
func (l *ledger) count(st *wishState, d int) {
	add := func(m map[Party]int, p Party) {
		if m[p] += d; m[p] <= 0 {
			delete(m, p)
		}
	}
	add(l.active, *st.claimant)
	if st.resource != "" {
		add(l.active, Party{Kind: index.Resource, ID: st.resource})
	}
	k := partyCategory{*st.claimant, st.category}
	if l.activeIn[k] += d; l.activeIn[k] <= 0 {
		delete(l.activeIn, k)
	}
}

// nextState returns the state e leads to from st.
func nextState(st *wishState, e *Event) wishState {
	n := wishState{seq: e.Seq, status: st.status, claimID: e.ClaimID, claimant: e.Claimant,
		dueAt: e.DueAt, category: e.Category, resource: e.Resource}
	switch e.Type {
	case EventClaimed, EventDisputed:
		n.status = StatusClaimed
	case EventExpiryWarning:
		n.status, n.warned = StatusClaimed, true
	case EventFulfilled:
		n.status = StatusFulfilled
	case EventConfirmed:
		n.status, n.claimant = StatusConfirmed, nil
	case EventReleased, EventExpired, EventWithdrawn:
		n = wishState{seq: e.Seq, status: StatusOpen}
	case EventCancelled:
		n = wishState{seq: e.Seq, status: StatusCancelled}
	case EventWishExpired:
		n = wishState{seq: e.Seq, status: StatusExpired}
	case EventConsentWithdrawn:
		n = wishState{seq: e.Seq, status: StatusWithdrawn}
	default: // updated, offers and circles change no claim
		n = *st
		n.seq = e.Seq
	}
	return n
}

// credit adds a confirmed event's hours and rating to the totals.
func (l *ledger) credit(e *Event) {
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
