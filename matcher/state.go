package matcher

import (
	"strconv"
	"strings"
	"sync"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// state is everything the log adds up to, in memory: the current version
// of every entity, the lists that page through them by node, the wish
// ledger, the search index, the district tree and the keys. apply is the
// one way it is fed, for the changes of this process and of others alike,
// in log order.
type state struct {
	volunteers    *index.Table[Volunteer]
	organisations *index.Table[Organisation]
	enterprises   *index.Table[Enterprise]
	resources     *index.Table[Resource]
	residents     *index.Table[Resident]
	wishes        *index.Table[Wish]
	offerRecords  *index.Table[Offer]
	runs          *index.Table[MatchRun]
	programmes    *index.Table[Programme]
	areas         *programmeAreas
	aggregates    *index.Table[Aggregate]
	lists         lists
	keys          *keyIndex
	ledger        *ledger
	index         *index.Index
	cells         *index.Cells
	tree          *tree
	idem          *idempotencyIndex
	offers        *offerIndex
	audits        *auditIndex
	byResident    *multiIndex[string] // resident → wishes
	versions      *multiIndex[int64]  // wish or resident → the log entries holding a version of it
	imports       *importState
}

// lists page through each kind by node; open holds the open wishes.
type lists struct {
	volunteers, organisations, enterprises, resources, residents, wishes, open, runs, offers, programmes *index.List
}

func (l *lists) all() []*index.List {
	return []*index.List{l.volunteers, l.organisations, l.enterprises, l.resources, l.residents, l.wishes, l.open, l.runs, l.offers, l.programmes}
}

func newState(grid *geo.Grid) state {
	return state{
		volunteers:    index.NewTable[Volunteer](),
		organisations: index.NewTable[Organisation](),
		enterprises:   index.NewTable[Enterprise](),
		resources:     index.NewTable[Resource](),
		residents:     index.NewTable[Resident](),
		wishes:        index.NewTable[Wish](),
		offerRecords:  index.NewTable[Offer](),
		runs:          index.NewTable[MatchRun](),
		programmes:    index.NewTable[Programme](),
		areas:         &programmeAreas{m: map[string]*programmeArea{}},
		aggregates:    index.NewTable[Aggregate](),
		lists: lists{volunteers: index.NewList(), organisations: index.NewList(), enterprises: index.NewList(),
			resources: index.NewList(), residents: index.NewList(), wishes: index.NewList(), open: index.NewList(),
			runs: index.NewList(), offers: index.NewList(), programmes: index.NewList()},
		keys:       newKeyIndex(),
		ledger:     newLedger(),
		index:      index.New(grid),
		cells:      index.NewCells(grid.Config().CoarseResolution),
		tree:       newTree(),
		idem:       newIdempotencyIndex(),
		offers:     newOfferIndex(),
		audits:     &auditIndex{m: map[Party][]*AuditRecord{}},
		byResident: &multiIndex[string]{m: map[string][]string{}},
		versions:   &multiIndex[int64]{m: map[string][]int64{}},
		imports:    newImportState(),
	}
}

// apply folds one change of the log into the state. It is called by the
// store, in log order, once for each change.
func (s *Service) apply(c *Change) {
	for _, r := range c.Records {
		s.applyRecord(c.Seq, r)
	}
	for _, e := range c.Events {
		before := s.ledger.status(e.WishID)
		s.ledger.apply(e)
		s.applyEvent(e, before)
	}
	for _, a := range c.Audits {
		s.audits.add(a)
		if a.Action == AuditAddressViewed {
			s.ledger.addressViewed(a.Subject.ID, a.Actor.Party())
		}
	}
	for _, a := range c.Aggregates {
		s.aggregates.Put(a.WishID, a)
	}
	if c.Idempotency != nil {
		s.idem.put(c.Idempotency)
	}
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}

func (s *Service) applyRecord(seq int64, r any) {
	s.applyImport(r)
	switch v := r.(type) {
	case *Volunteer:
		old := s.volunteers.Put(v.ID, v)
		s.lists.volunteers.Put(v.ID, nodeOfOld(old), v.NodeID)
		s.index.PutSupplier(s.volunteerSupplier(v))
	case *Organisation:
		old := s.organisations.Put(v.ID, v)
		s.tree.put(v.ID, v.Kind, v.ParentID)
		var from string
		if old != nil {
			from = old.ParentID
		}
		s.lists.organisations.Put(v.ID, from, v.ParentID)
		s.putSupplier(index.Party{Kind: index.Organisation, ID: v.ID}, organisationSupplier(v))
	case *Enterprise:
		old := s.enterprises.Put(v.ID, v)
		s.lists.enterprises.Put(v.ID, nodeOfOld(old), v.NodeID)
		s.putSupplier(index.Party{Kind: index.Enterprise, ID: v.ID}, enterpriseSupplier(v, s.grid))
	case *Resource:
		old := s.resources.Put(v.ID, v)
		s.lists.resources.Put(v.ID, nodeOfOld(old), v.NodeID)
		s.index.PutSupplier(resourceSupplier(v))
	case *Resident:
		old := s.residents.Put(v.ID, v)
		s.lists.residents.Put(v.ID, nodeOfOld(old), v.NodeID)
		s.index.PutResident(v.ID, residentFacts(v))
		s.versions.add(v.ID, seq)
	case *Wish:
		old := s.wishes.Put(v.ID, v)
		s.lists.wishes.Put(v.ID, nodeOfOld(old), v.NodeID)
		switch {
		case old == nil:
			s.byResident.add(v.ResidentID, v.ID)
			s.cells.Add(v.ResidentID, v.Cell)
			s.lists.open.Put(v.ID, "", v.NodeID)
		case old.NodeID != v.NodeID && s.ledger.status(v.ID) == StatusOpen:
			s.lists.open.Put(v.ID, old.NodeID, v.NodeID)
		}
		s.index.PutWish(s.wishFacts(v))
		s.versions.add(v.ID, seq)
	case *APIKey:
		s.keys.put(v)
	case *Offer:
		// An offer's status is its events' (a stored offer reads as
		// pending): a later version, of an offer moved with its wish,
		// keeps the status the events gave it.
		old, seen := s.offerRecords.Get(v.ID)
		if seen {
			v.Status = old.Status
		}
		if v.Minutes == 0 { // made before offers kept their circle: it was the configured one
			v.Minutes = s.grid.Config().WalkMinutes
		}
		s.offerRecords.Put(v.ID, v)
		s.offers.put(v, !seen)
		switch {
		case !seen:
			s.lists.offers.Put(v.ID, "", v.NodeID)
		case old.NodeID != v.NodeID:
			s.lists.offers.Put(v.ID, old.NodeID, v.NodeID)
		}
	case *Programme:
		old := s.programmes.Put(v.ID, v)
		s.lists.programmes.Put(v.ID, nodeOfOld(old), v.NodeID)
		s.areas.put(v.ID, areaOf(v))
	case *MatchRun:
		if old := s.runs.Put(v.ID, v); old == nil {
			s.lists.runs.Put(v.ID, "", v.NodeID)
		}
	}
}

// applyEvent keeps the open list and the offers in step with a wish event
// the ledger applied; before is the wish's status before it.
func (s *Service) applyEvent(e *Event, before string) {
	after := s.ledger.status(e.WishID)
	if before != after {
		w, ok := s.wishes.Get(e.WishID)
		switch {
		case !ok:
		case after == StatusOpen:
			s.lists.open.Put(e.WishID, "", w.NodeID)
		case before == StatusOpen:
			s.lists.open.Remove(e.WishID, w.NodeID)
		}
	}
	s.applyOfferEvent(e)
}

func (s *Service) putSupplier(p index.Party, sup *index.Supplier) {
	if sup == nil {
		s.index.RemoveSupplier(p)
		return
	}
	s.index.PutSupplier(sup)
}

func nodeOfOld[T any, PT interface {
	*T
	noder
}](old PT) string {
	if old == nil {
		return ""
	}
	return old.node()
}

// multiIndex maps one id to many values, in the order added.
type multiIndex[V comparable] struct {
	mu sync.RWMutex
	m  map[string][]V
}

func (x *multiIndex[V]) add(k string, v V) {
	x.mu.Lock()
	x.m[k] = append(x.m[k], v)
	x.mu.Unlock()
}

func (x *multiIndex[V]) of(k string) []V {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return append([]V(nil), x.m[k]...)
}

// auditIndex holds the audit records by subject.
type auditIndex struct {
	mu sync.RWMutex
	m  map[Party][]*AuditRecord
}

func (x *auditIndex) add(a *AuditRecord) {
	x.mu.Lock()
	x.m[a.Subject] = append(x.m[a.Subject], a)
	x.mu.Unlock()
}

func (x *auditIndex) of(p Party) []*AuditRecord {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return append([]*AuditRecord(nil), x.m[p]...)
}

// eventByID returns the event an id names (see EventID).
func (s *Service) eventByID(id string) (*Event, bool) {
	i := strings.LastIndexByte(id, '/')
	if i < 0 {
		return nil, false
	}
	seq, err := strconv.Atoi(id[i+1:])
	if err != nil {
		return nil, false
	}
	return s.ledger.event(id[:i], seq)
}

// applyOfferEvent closes an offer its wish's event answers.
func (s *Service) applyOfferEvent(e *Event) {
	var status string
	switch e.Type {
	case EventOfferDeclined:
		status = OfferDeclined
	case EventOfferLapsed:
		status = OfferLapsed
	case EventClaimed:
		status = OfferAccepted
	}
	if status == "" || e.Offer == "" {
		return
	}
	cur, ok := s.offerRecords.Get(e.Offer)
	if !ok {
		return
	}
	o := *cur
	o.Status = status
	s.offerRecords.Put(o.ID, &o)
	s.offers.put(&o, false)
}
