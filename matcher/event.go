package matcher

import (
	"fmt"
	"time"
)

// Event types. Every transition of a wish is one immutable event.
const (
	EventCreated       = "created"
	EventClaimed       = "claimed"
	EventExpiryWarning = "expiry_warning"
	EventReleased      = "released"
	EventExpired       = "expired"      // a claim past its due time; the wish is open again
	EventWishExpired   = "wish_expired" // an open wish past its own due_at; terminal
	EventWithdrawn     = "withdrawn"
	EventFulfilled     = "fulfilled"
	EventConfirmed     = "confirmed"
	EventDisputed      = "disputed"
	EventCancelled     = "cancelled"
	EventUpdated       = "updated"
)

// System is the actor of transitions nobody asked for, such as expiry.
var System = Party{Kind: "system", ID: "linli"}

// Event is one step in a wish's history. Seq numbers a wish's events from 1;
// the "created" event (seq 0) is the wish document itself.
type Event struct {
	ID     string    `json:"id"`
	WishID string    `json:"wish_id"`
	Seq    int       `json:"seq"`
	Type   string    `json:"type"`
	Actor  Party     `json:"actor"`
	At     time.Time `json:"at"`
	// ClaimID, Claimant, DueAt and Category are set on claimed and carried
	// by every later event of that claim, so that each event alone says
	// what state the wish is in.
	ClaimID  string    `json:"claim_id,omitempty"`
	Claimant *Party    `json:"claimant,omitempty"`
	DueAt    time.Time `json:"due_at,omitzero"`
	Category string    `json:"category,omitempty"`
	Note     string    `json:"note,omitempty"`
	Rating   int       `json:"rating,omitempty"`
	// DoneAt and Hours are set on fulfilled and copied onto confirmed, so
	// that a confirmed event alone credits the hours it confirms.
	DoneAt time.Time `json:"done_at,omitzero"`
	Hours  []Hours   `json:"hours,omitempty"`
	// Next is the party a coordinator reassigns the wish to, on released.
	Next *Party `json:"next,omitempty"`
}

// Hours credits time given by one volunteer to one fulfilment.
type Hours struct {
	VolunteerID string  `json:"volunteer_id"`
	Hours       float64 `json:"hours"`
}

// EventID is the store key of a wish's event seq: unique per (wish, seq).
func EventID(wishID string, seq int) string {
	return fmt.Sprintf("%s/%06d", wishID, seq)
}

// follow returns an event of type typ that follows st, carrying st's claim.
func (st *wishState) follow(wishID, typ string, actor Party, at time.Time) *Event {
	e := &Event{WishID: wishID, Seq: st.seq + 1, Type: typ, Actor: actor, At: at,
		ClaimID: st.claimID, DueAt: st.dueAt, Category: st.category}
	if st.claimant != nil {
		c := *st.claimant
		e.Claimant = &c
	}
	return e
}
