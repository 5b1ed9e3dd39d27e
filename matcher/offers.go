package matcher

import (
	"sync"
	"time"
)

// Offer statuses.
const (
	OfferPending  = "pending"
	OfferAccepted = "accepted"
	OfferDeclined = "declined"
	OfferLapsed   = "lapsed"
)

// Offer is a matching round's proposal, approved by a coordinator and put
// to the supplier: it accepts through the normal claim path or declines,
// and an offer not answered by ExpiresAt lapses. While it is pending,
// nobody else may claim the wish.
type Offer struct {
	Record
	WishID      string    `json:"wish_id"`
	Supplier    Party     `json:"supplier"`
	RunID       string    `json:"run_id"`
	WalkMinutes float64   `json:"walk_minutes"`
	Minutes     float64   `json:"circle_minutes"` // the walking circle it was made within
	ExpiresAt   time.Time `json:"expires_at"`
	Status      string    `json:"status"`
	NodeID      string    `json:"node_id"` // the wish's
}

func (o *Offer) node() string { return o.NodeID }

// offerIndex holds the offer pending on each wish and the offers of each
// supplier.
type offerIndex struct {
	mu         sync.RWMutex
	pending    map[string]*Offer  // wish id → its pending offer
	bySupplier map[Party][]string // offer ids, oldest first
}

func newOfferIndex() *offerIndex {
	return &offerIndex{pending: map[string]*Offer{}, bySupplier: map[Party][]string{}}
}

func (x *offerIndex) put(o *Offer, isNew bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if isNew {
		x.bySupplier[o.Supplier] = append(x.bySupplier[o.Supplier], o.ID)
	}
	if cur := x.pending[o.WishID]; cur != nil && cur.ID == o.ID && o.Status != OfferPending {
		delete(x.pending, o.WishID)
	}
	if o.Status == OfferPending {
		x.pending[o.WishID] = o
	}
}

// pendingFor returns the offer pending on the wish at now, or nil.
func (x *offerIndex) pendingFor(wishID string, now time.Time) *Offer {
	x.mu.RLock()
	defer x.mu.RUnlock()
	o := x.pending[wishID]
	if o == nil || !now.Before(o.ExpiresAt) {
		return nil
	}
	return o
}

// lapsedOffers returns the offer_lapsed events of the offers past their
// time; the offers themselves are closed when the events are applied.
func (s *Service) lapsedOffers(now time.Time) []*Event {
	s.offers.mu.RLock()
	var due []*Offer
	for _, o := range s.offers.pending {
		if !now.Before(o.ExpiresAt) {
			due = append(due, o)
		}
	}
	s.offers.mu.RUnlock()
	var out []*Event
	for _, o := range due {
		st := s.ledger.state(o.WishID)
		e := st.follow(o.WishID, EventOfferLapsed, System, now)
		e.Offer = o.ID
		out = append(out, e)
		if len(out) == maxEventsPerChange {
			break
		}
	}
	return out
}

// widened returns the walking circle in minutes that later rounds use for
// the wish, once a round widened it; 0 for the configured circle.
func (s *Service) widened(wishID string) float64 {
	ev := s.ledger.events(wishID)
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Type == EventCircleWidened {
			return ev[i].Minutes
		}
	}
	return 0
}
