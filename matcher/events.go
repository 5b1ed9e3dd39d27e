package matcher

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Event types. Every transition of a wish is one immutable event.
const (
	EventCreated          = "created"
	EventUpdated          = "updated"
	EventClaimed          = "claimed"
	EventExpiryWarning    = "expiry_warning"
	EventReleased         = "released" // a coordinator took the claim back to give it to another
	EventExpired          = "expired"  // a claim past its due time; the wish is open again
	EventWithdrawn        = "withdrawn"
	EventFulfilled        = "fulfilled"
	EventConfirmed        = "confirmed"
	EventDisputed         = "disputed"
	EventCancelled        = "cancelled"
	EventWishExpired      = "wish_expired"      // an open wish past its own due_at; terminal
	EventConsentWithdrawn = "consent_withdrawn" // the resident withdrew consent; terminal
	EventOffered          = "offered"           // a matching round offered the wish to a supplier
	EventOfferDeclined    = "offer_declined"
	EventOfferLapsed      = "offer_lapsed"
	EventCircleWidened    = "circle_widened" // later rounds look further out for this wish
	EventMoved            = "moved"          // the resident moved to another node, and the wish with them
)

// Event is one step in a wish's history. Seq numbers a wish's events from
// 1; the "created" event (seq 0) is the wish record itself.
type Event struct {
	ID     string    `json:"id"`
	WishID string    `json:"wish_id"`
	Seq    int       `json:"seq"`
	Type   string    `json:"type"`
	Actor  Actor     `json:"actor"`
	At     time.Time `json:"at"`
	// ClaimID, Claimant, DueAt and Category are set on claimed and carried
	// by every later event of that claim, so that each event alone says
	// what state the wish is in.
	ClaimID  string `json:"claim_id,omitempty"`
	Claimant *Party `json:"claimant,omitempty"`
	// Resource is the claimant's resource the claim serves with, when an
	// offer made to the resource was accepted by its owner.
	Resource string    `json:"resource_id,omitempty"`
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
	// Offer names the offer an offer event is about, and Minutes the
	// walking circle, for circle_widened and for an offer from beyond 15
	// minutes.
	Offer   string  `json:"offer_id,omitempty"`
	Minutes float64 `json:"minutes,omitempty"`
	// Groups are the target group tags the resident fitted when the wish
	// was claimed, kept so that an evaluation still counts the service
	// once retention erased the resident. Not shown: they are facts about
	// the resident.
	Groups []string `json:"-"`
}

// Hours credits time given by one volunteer to one fulfilment.
type Hours struct {
	VolunteerID string  `json:"volunteer_id"`
	Hours       float64 `json:"hours"`
}

// EventID is the id of a wish's event seq.
func EventID(wishID string, seq int) string {
	return fmt.Sprintf("%s/%06d", wishID, seq)
}

// History is a wish's events, oldest first.
type History struct {
	Items []*Event `json:"items"`
}

// wishCreated is the first event of every wish, made from the wish itself.
func wishCreated(w *Wish) *Event {
	return &Event{ID: EventID(w.ID, 0), WishID: w.ID, Type: EventCreated, Actor: w.CreatedBy, At: w.CreatedAt}
}

// follow returns an event of type typ that follows st, carrying st's claim.
func (st *wishState) follow(wishID, typ string, actor Actor, at time.Time) *Event {
	e := &Event{WishID: wishID, Seq: st.seq + 1, Type: typ, Actor: actor, At: at,
		ClaimID: st.claimID, DueAt: st.dueAt, Category: st.category, Resource: st.resource}
	e.ID = EventID(wishID, e.Seq)
	if st.claimant != nil {
		c := *st.claimant
		e.Claimant = &c
	}
	return e
}

// WishEvents returns the whole history of a wish, oldest first: its
// creation, then every event. Staff in scope and every party that has
// ever claimed it may read it.
func (s *Service) WishEvents(ctx context.Context, wishID string) (*History, error) {
	p, reach, err := s.allow(ctx, WishEvents, wishID)
	if err != nil {
		return nil, err
	}
	w, _ := s.wishes.Get(wishID)
	h := &History{Items: []*Event{wishCreated(w)}}
	h.Items = append(h.Items, s.ledger.events(wishID)...)
	if reach == PastClaimant {
		h.Items = h.Items[:pastClaimantCut(h.Items, p.Party())]
	}
	return h, nil
}

// pastClaimantCut returns how many of a wish's events, oldest first, a
// supplier that holds or held a claim of it may read: up to the last
// event of its own claims. What came after it let go — who claimed next,
// their ratings and hours — is not its business.
func pastClaimantCut(events []*Event, p Party) int {
	n := 0
	for i, e := range events {
		if e.Claimant != nil && *e.Claimant == p || e.Actor.Party() == p {
			n = i + 1
		}
	}
	return n
}

// Event returns one event of a wish, by its id, to whoever may read the
// wish's history.
func (s *Service) Event(ctx context.Context, id string) (*Event, error) {
	e, ok := s.eventByID(id)
	if !ok {
		return nil, notFound()
	}
	p, reach, err := s.allow(ctx, WishEvents, e.WishID)
	if err != nil {
		return nil, err
	}
	if reach == PastClaimant {
		events := s.ledger.events(e.WishID)
		if i := slices.IndexFunc(events, func(x *Event) bool { return x.ID == e.ID }); i >= pastClaimantCut(events, p.Party()) {
			return nil, notFound()
		}
	}
	return e, nil
}
