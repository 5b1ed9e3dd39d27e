package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// Consent records who agreed to Linli holding a resident's data, and why.
// A resident under 14 needs a guardian's consent.
type Consent struct {
	GivenBy      string    `json:"given_by"` // self or guardian
	GuardianName string    `json:"guardian_name,omitempty"`
	Purpose      string    `json:"purpose"`
	GivenAt      time.Time `json:"given_at"`
}

// ResidentInput is what a social worker may set on a resident.
type ResidentInput struct {
	Name         string    `json:"name"`
	Phone        string    `json:"phone,omitempty"`
	BirthDate    string    `json:"birth_date"`
	Disabilities []string  `json:"disabilities"`
	LivesAlone   bool      `json:"lives_alone,omitempty"`
	Address      string    `json:"address,omitempty"`
	Location     *Location `json:"location"`
	Consent      *Consent  `json:"consent"`
	// NodeID is the community the resident lives in: the caller's own
	// node unless another in their scope is named.
	NodeID string `json:"node_id,omitempty"`
}

// Resident is the person a wish serves. Everything but the record, the
// node and the cell is personal data.
type Resident struct {
	Record
	ResidentInput
	Cell geo.Cell `json:"-"`
	// ConsentWithdrawnAt is when the resident withdrew consent: no new
	// wish is taken for them and their personal data is hidden.
	ConsentWithdrawnAt time.Time `json:"consent_withdrawn_at,omitzero"`
	// ErasedAt is when the retention job erased their personal data.
	ErasedAt time.Time `json:"erased_at,omitzero"`
}

func (r *Resident) node() string { return r.NodeID }

// hidden reports whether the resident's personal data is hidden from
// every reader: they withdrew consent or it was erased.
func (r *Resident) hidden() bool { return !r.ConsentWithdrawnAt.IsZero() || !r.ErasedAt.IsZero() }

// guardianAge is the age under which only a guardian may consent.
const guardianAge = 14

func (in *ResidentInput) validate(c *Catalog, now time.Time) error {
	if err := checkName("name", in.Name); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
	}
	if err := checkDate("birth_date", in.BirthDate, now, true); err != nil {
		return err
	}
	if err := checkTokens("disabilities", in.Disabilities, c.Disabilities); err != nil {
		return err
	}
	if err := checkLine("address", in.Address, maxTitle, false); err != nil {
		return err
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	if err := checkID("node_id", in.NodeID, false); err != nil {
		return err
	}
	return in.Consent.validate(AgeAt(in.BirthDate, now), now)
}

func (c *Consent) validate(age int, now time.Time) error {
	if c == nil {
		return Invalid("consent", "is required: record who consented, for what purpose and when")
	}
	switch c.GivenBy {
	case "self":
		if age < guardianAge {
			return Invalid("consent.given_by", "a resident under %d needs a guardian's consent", guardianAge)
		}
	case "guardian":
		if err := checkName("consent.guardian_name", c.GuardianName); err != nil {
			return err
		}
	case "":
		return Invalid("consent.given_by", "is required")
	default:
		return Invalid("consent.given_by", "must be self or guardian")
	}
	if err := checkLine("consent.purpose", c.Purpose, maxTitle, true); err != nil {
		return err
	}
	if c.GivenAt.IsZero() {
		return Invalid("consent.given_at", "is required, like 2026-11-01T09:00:00Z")
	}
	return checkTime("consent.given_at", c.GivenAt, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(5*time.Minute), "a time in the past")
}

// AgeBand returns the band rules use: child (<14), minor (14–17), adult
// (18–59) or elderly (60+).
func AgeBand(age int) string { return index.AgeBand(age) }

// CreateResident records a resident and their consent, in the social
// worker's community or one in their scope.
func (s *Service) CreateResident(ctx context.Context, in ResidentInput) (*Resident, error) {
	return create(ctx, s, ResidentCreate, func(p Principal, now time.Time) (*Resident, error) {
		r := &Resident{Record: newRecord("rsd", p, now)}
		return r, s.setResident(p, r, in, now)
	})
}

func (s *Service) setResident(p Principal, r *Resident, in ResidentInput, now time.Time) error {
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return err
	}
	node, err := s.placement(p, "node_id", in.NodeID, r.NodeID)
	if err != nil {
		return err
	}
	if k := s.tree.kindOf(node); node != "" && k != KindCommunity && k != KindStreet && k != KindDistrict {
		return Invalid("node_id", "a resident lives under a community (or a street or district), not a %s: name one with node_id", k)
	}
	in.NodeID = node
	if in.Disabilities == nil {
		in.Disabilities = []string{}
	}
	r.ResidentInput, r.Cell = in, s.grid.Cell(in.Location.Point())
	return nil
}

// GetResident returns a resident to a social worker in scope or an admin,
// without personal data once it is hidden.
func (s *Service) GetResident(ctx context.Context, id string) (*Resident, error) {
	r, err := read(ctx, s, ResidentRead, s.residents, id)
	if err != nil {
		return nil, err
	}
	return redactResident(r), nil
}

// ListResidents pages through the residents in the caller's scope.
func (s *Service) ListResidents(ctx context.Context, req PageRequest) (*Page[Resident], error) {
	pg, err := listInScope(ctx, s, ResidentList, s.lists.residents, s.residents, req)
	if err != nil {
		return nil, err
	}
	for i, r := range pg.Items {
		pg.Items[i] = redactResident(r)
	}
	return pg, nil
}

// UpdateResident replaces what a social worker may set on a resident
// whose consent holds. A resident moved to another node takes every wish
// of theirs along, whatever its state, in the same change: each wish and
// its offers are registered under the new node, with a moved event in the
// wish's history, and the move is audited.
func (s *Service) UpdateResident(ctx context.Context, id string, in ResidentInput) (*Resident, error) {
	p, _, err := s.allow(ctx, ResidentUpdate, id)
	if err != nil {
		return nil, err
	}
	var out *Resident
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := s.residents.Get(id)
		if !ok {
			return nil, notFound()
		}
		if cur.hidden() {
			return nil, Errorf(ECONFLICT, "the resident withdrew consent or their data was erased; record consent anew as a new resident")
		}
		now := s.timestamp()
		r := *cur
		if err := s.setResident(p, &r, in, now); err != nil {
			return nil, err
		}
		r.Record = r.Record.next(now)
		c := &Change{Records: []any{&r}, Answer: &r}
		if r.NodeID != cur.NodeID {
			s.moveWishesOf(c, id, r.NodeID, p.Actor(), now)
			c.Audits = append(c.Audits, &AuditRecord{ID: NewID("aud"), At: now, Actor: p.Actor(), Action: AuditNodeMoved,
				Subject: Party{Kind: objResident, ID: id}, NodeID: r.NodeID, Details: map[string]string{"from": cur.NodeID, "to": r.NodeID}})
		}
		out = &r
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// moveWishesOf adds to c what moves every wish of the resident to node:
// the wish's next version, the next version of every offer made of it,
// and a moved event. Who may read a wish is decided by its node, so the
// staff of the node the resident left lose it and those of the new one
// gain it, in the change that moves the resident.
func (s *Service) moveWishesOf(c *Change, resident, node string, actor Actor, now time.Time) {
	for _, id := range s.byResident.of(resident) {
		cur, ok := s.wishes.Get(id)
		if !ok || cur.NodeID == node {
			continue
		}
		w := *cur
		w.NodeID, w.Record = node, w.Record.next(now)
		c.Records = append(c.Records, &w)
		for _, e := range s.ledger.historyOf(id) {
			if o, ok := s.offerRecords.Get(e.Offer); ok && e.Type == EventOffered && o.NodeID != node {
				moved := *o
				moved.NodeID, moved.Record = node, o.Record.next(now)
				c.Records = append(c.Records, &moved)
			}
		}
		st := s.ledger.state(id)
		e := st.follow(id, EventMoved, actor, now)
		e.Note = "the resident moved to another community"
		c.Events = append(c.Events, e)
	}
}

// redactResident returns r as readers see it: whole while consent holds,
// without any personal data once it was withdrawn or erased.
func redactResident(r *Resident) *Resident {
	if !r.hidden() {
		return r
	}
	c := *r
	c.ResidentInput = ResidentInput{Disabilities: []string{}, NodeID: r.NodeID, Consent: r.Consent.record()}
	return &c
}

// record is what remains of a consent without personal data: who (self
// or guardian, not the guardian's name), why and when.
func (c *Consent) record() *Consent {
	if c == nil {
		return nil
	}
	return &Consent{GivenBy: c.GivenBy, Purpose: c.Purpose, GivenAt: c.GivenAt}
}
