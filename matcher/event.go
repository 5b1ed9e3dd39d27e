package matcher

import (
	"fmt"
	"time"
)

// Event types. Every transition of a wish is one immutable event.
const (
	EventCreated   = "created"
	EventClaimed   = "claimed"
	EventReleased  = "released"
	EventExpired   = "expired"
	EventWithdrawn = "withdrawn"
	EventFulfilled = "fulfilled"
	EventConfirmed = "confirmed"
	EventDisputed  = "disputed"
	EventCancelled = "cancelled"
	EventUpdated   = "updated"
)

// Event is one step in a wish's history. Seq numbers a wish's events from 1;
// the "created" event (seq 0) is the wish document itself.
type Event struct {
	ID     string    `json:"id"`
	WishID string    `json:"wish_id"`
	Seq    int       `json:"seq"`
	Type   string    `json:"type"`
	Actor  Party     `json:"actor"`
	At     time.Time `json:"at"`
	// ClaimID and Claimant are set on claimed, and carried by the events
	// that end or fulfil that claim.
	ClaimID  string    `json:"claim_id,omitempty"`
	Claimant *Party    `json:"claimant,omitempty"`
	DueAt    time.Time `json:"due_at,omitzero"`
	Note     string    `json:"note,omitempty"`
	Rating   int       `json:"rating,omitempty"`
	Hours    []Hours   `json:"hours,omitempty"`
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
