package matcher

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/linli/linli/matcher/index"
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
	Category    string    `json:"category"`
	Supplier    Party     `json:"supplier"`
	RunID       string    `json:"run_id"`
	WalkMinutes float64   `json:"walk_minutes"`
	Minutes     float64   `json:"circle_minutes"` // the walking circle it was made within
	ExpiresAt   time.Time `json:"expires_at"`
	Status      string    `json:"status"`
	NodeID      string    `json:"-"` // the wish's: staff's scope, not shown to suppliers
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

// beyondCircle returns minutes when they are beyond the configured
// walking circle, else 0: what an event records of the circle it was
// decided in.
func (s *Service) beyondCircle(minutes float64) float64 {
	if minutes > s.grid.Config().WalkMinutes {
		return minutes
	}
	return 0
}

// pendingOn returns the offer pending on the wish, past its time or not,
// or nil.
func (x *offerIndex) pendingOn(wishID string) *Offer {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.pending[wishID]
}

// closing returns the events that close the wish, in state st, with an
// event of type typ (cancelled, wish_expired, consent_withdrawn): first an
// offer_lapsed event for the offer pending on it, if any, so that the
// offer is over in the same change and no longer holds its supplier's
// room, then the closing event, last.
func (s *Service) closing(wishID string, st wishState, typ string, actor Actor, now time.Time) []*Event {
	var out []*Event
	if o := s.offers.pendingOn(wishID); o != nil {
		e := st.follow(wishID, EventOfferLapsed, actor, now)
		e.Offer, e.Note = o.ID, "the wish closed ("+typ+")"
		out = append(out, e)
		st = nextState(&st, e)
	}
	return append(out, st.follow(wishID, typ, actor, now))
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

// RuleCapacity names the refusal of an offer by an organisation or an
// enterprise that holds as many claims of the category as its capacity.
const RuleCapacity = "capacity"

// offeredTo reports whether the offer is made to party or to a resource
// party owns.
func (s *Service) offeredTo(o *Offer, party Party) bool {
	if o.Supplier == party {
		return true
	}
	if o.Supplier.Kind != index.Resource {
		return false
	}
	r, ok := s.resources.Get(o.Supplier.ID)
	return ok && r.Owner == party
}

// view returns a copy of the offer as it stands at now: a pending offer
// past its time reads as lapsed before the job records it.
func (o *Offer) view(now time.Time) *Offer {
	c := *o
	if c.Status == OfferPending && !now.Before(c.ExpiresAt) {
		c.Status = OfferLapsed
	}
	return &c
}

// ApproveMatchRun turns a finished round's proposals into offers, in one
// change: every proposal still valid (the wish open and offered to nobody,
// the supplier still eligible and with room) becomes an offer that lapses
// after the configured time, with an offered event in the wish's history;
// the others are listed as skipped, with why. Coordinators in scope and
// admins only; a round is approved once.
func (s *Service) ApproveMatchRun(ctx context.Context, id string) (*MatchRun, error) {
	p, _, err := s.allow(ctx, MatchApprove, id)
	if err != nil {
		return nil, err
	}
	var out *MatchRun
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := s.runs.Get(id)
		switch {
		case !ok:
			return nil, notFound()
		case cur.Status != RunDone:
			return nil, Errorf(ECONFLICT, "the round is %s; only a finished round can be approved", cur.Status)
		case cur.DryRun:
			return nil, Errorf(ECONFLICT, "a dry run's proposals cannot be approved; start a round without dry_run")
		case cur.Approval != nil:
			return nil, Errorf(ECONFLICT, "the round was approved at %s", cur.Approval.At.Format(time.RFC3339))
		}
		now := s.timestamp()
		ap := &Approval{At: now, By: p.Actor(), ExpiresAt: now.Add(s.cfg.Matching.OfferTTL), Skipped: []SkippedOffer{}}
		run := *cur
		run.Record, run.Approval = cur.Record.next(now), ap
		c := &Change{Records: []any{&run}, Answer: &run}
		pending, used := s.pendingOffers(now), map[Slot]int{}
		for _, pr := range cur.Proposals {
			if reason := s.offerable(&pr, now, pending, used); reason != "" {
				ap.Skipped = append(ap.Skipped, SkippedOffer{WishID: pr.WishID, Reason: reason})
				continue
			}
			w, _ := s.wishes.Get(pr.WishID)
			o := &Offer{Record: newRecord("ofr", p, now), WishID: pr.WishID, Category: pr.Category, Supplier: pr.Supplier,
				RunID: cur.ID, WalkMinutes: pr.WalkMinutes, Minutes: pr.CircleMinutes, ExpiresAt: ap.ExpiresAt,
				Status: OfferPending, NodeID: w.NodeID}
			st := s.ledger.state(pr.WishID)
			e := st.follow(pr.WishID, EventOffered, p.Actor(), now)
			e.Offer, e.Minutes = o.ID, s.beyondCircle(o.Minutes)
			c.Records, c.Events = append(c.Records, o), append(c.Events, e)
			ap.Offered++
		}
		out = &run
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return s.runFor(p, out), nil
}

// offerable returns why a proposal can no longer be offered at now, or ""
// when it can, counting it in used against the supplier's room.
func (s *Service) offerable(pr *Proposal, now time.Time, pending, used map[Slot]int) string {
	w, ok := s.wishes.Get(pr.WishID)
	switch st := s.ledger.state(pr.WishID); {
	case !ok || st.status != StatusOpen:
		return "the wish is no longer open"
	case !now.Before(w.DueAt):
		return "the wish is past its due date"
	case s.offers.pendingFor(pr.WishID, now) != nil:
		return "the wish is offered to a supplier already"
	}
	minutes := 0.0
	if pr.CircleMinutes > s.grid.Config().WalkMinutes {
		minutes = pr.CircleMinutes
	}
	if err := s.mayServe(pr.WishID, pr.Supplier, minutes); err != nil {
		return "the supplier may no longer serve it: " + ErrorMessage(err)
	}
	sl := Slot{Party: pr.Supplier}
	if pr.Supplier.Kind == index.Organisation || pr.Supplier.Kind == index.Enterprise {
		sl.Category = pr.Category
	}
	if s.room(sl, pending)-used[sl] <= 0 {
		return "the supplier has no room left"
	}
	used[sl]++
	return ""
}

// OfferQuery filters a list of offers.
type OfferQuery struct {
	PageRequest
	Status string // pending, accepted, declined or lapsed; "" for all
	RunID  string
}

// Offers lists offers: a supplier's own (and those to its resources),
// staff's in their scope, an admin's all; by id, oldest first.
func (s *Service) Offers(ctx context.Context, q OfferQuery) (*Page[Offer], error) {
	p, _, err := s.allow(ctx, OfferList, "")
	if err != nil {
		return nil, err
	}
	switch q.Status {
	case "", OfferPending, OfferAccepted, OfferDeclined, OfferLapsed:
	default:
		return nil, Invalid("status", "must be pending, accepted, declined or lapsed")
	}
	now := s.now()
	keep := func(o *Offer) bool {
		v := o.view(now)
		return (q.Status == "" || v.Status == q.Status) && (q.RunID == "" || o.RunID == q.RunID)
	}
	var pg *Page[Offer]
	if isSupplier(p.Role) {
		pg, err = page(s, q.PageRequest, s.offerList(p.Party()), s.offerRecords, nil, keep)
	} else {
		pg, err = page(s, q.PageRequest, s.lists.offers, s.offerRecords, s.scopeNodes(p), keep)
	}
	if err != nil {
		return nil, err
	}
	for i, o := range pg.Items {
		pg.Items[i] = o.view(now)
	}
	return pg, nil
}

// offerList is the sorted list of the offers made to party or to its
// resources, to page through.
func (s *Service) offerList(party Party) *index.List {
	parties := []Party{party}
	s.resources.Each(func(r *Resource) bool {
		if r.Owner == party {
			parties = append(parties, Party{Kind: index.Resource, ID: r.ID})
		}
		return true
	})
	s.offers.mu.RLock()
	var ids []string
	for _, pt := range parties {
		ids = append(ids, s.offers.bySupplier[pt]...)
	}
	s.offers.mu.RUnlock()
	l := index.NewList()
	l.Load(ids, make([]string, len(ids)))
	return l
}

// GetOffer returns one offer to its supplier, or to staff in scope.
func (s *Service) GetOffer(ctx context.Context, id string) (*Offer, error) {
	if _, _, err := s.allow(ctx, OfferRead, id); err != nil {
		return nil, err
	}
	o, ok := s.offerRecords.Get(id)
	if !ok {
		return nil, notFound()
	}
	return o.view(s.now()), nil
}

// AcceptOffer claims the offered wish for the caller through the claim
// path, so the claim is exclusive, allowed by the rules and idempotent as
// any claim; an offer to a resource is accepted by its owner, who claims
// it serving with the resource.
func (s *Service) AcceptOffer(ctx context.Context, id string) (*Claim, error) {
	p, _, err := s.allow(ctx, OfferAccept, id)
	if err != nil {
		return nil, err
	}
	return s.claim(ctx, p, func() (string, Party, error) {
		o, err := s.answerable(id)
		if err != nil {
			return "", Party{}, err
		}
		if k := o.Supplier.Kind; k == index.Organisation || k == index.Enterprise {
			if n := s.capacityIn(o.Supplier, o.Category); s.ledger.activeInCategory(o.Supplier, o.Category) >= n {
				return "", Party{}, &Error{Code: EINELIGIBLE, Rule: RuleCapacity,
					Message: fmt.Sprintf("The supplier already holds %d active %s claims, its capacity; the offer waits until one ends.", n, o.Category)}
			}
		}
		return o.WishID, o.Supplier, nil
	})
}

// DeclineInput says why an offer is declined.
type DeclineInput struct {
	Reason string `json:"reason,omitempty"`
}

// DeclineOffer declines an offer: an offer_declined event in the wish's
// history, and the wish goes back to the next round.
func (s *Service) DeclineOffer(ctx context.Context, id string, in DeclineInput) (*Offer, error) {
	p, _, err := s.allow(ctx, OfferDecline, id)
	if err != nil {
		return nil, err
	}
	if err := checkText("reason", in.Reason, maxText, false); err != nil {
		return nil, err
	}
	_, err = s.commit(ctx, p, func() (*Change, error) {
		o, err := s.answerable(id)
		if err != nil {
			return nil, err
		}
		st := s.ledger.state(o.WishID)
		e := st.follow(o.WishID, EventOfferDeclined, p.Actor(), s.timestamp())
		e.Offer, e.Note = o.ID, in.Reason
		return &Change{Events: []*Event{e}, Answer: o}, nil
	})
	if err != nil {
		return nil, err
	}
	o, _ := s.offerRecords.Get(id)
	return o.view(s.now()), nil
}

// answerable returns the offer when it still waits for an answer.
func (s *Service) answerable(id string) (*Offer, error) {
	o, ok := s.offerRecords.Get(id)
	if !ok {
		return nil, notFound()
	}
	if v := o.view(s.now()); v.Status != OfferPending {
		return nil, Errorf(ECONFLICT, "the offer is %s", v.Status)
	}
	return o, nil
}
