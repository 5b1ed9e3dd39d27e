package matcher

import (
	"context"
	"time"
)

// Audit actions.
const (
	AuditAddressViewed = "address_viewed"
	AuditNodeMoved     = "node_moved"
)

// AuditRecord is one access to personal data or one change to the
// district tree, kept for accountability. Records are only ever added.
type AuditRecord struct {
	ID      string            `json:"id"`
	At      time.Time         `json:"at"`
	Actor   Actor             `json:"actor"`
	Action  string            `json:"action"`
	Subject Party             `json:"subject"` // what was read or changed
	NodeID  string            `json:"node_id,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

// audit commits one audit record of what p did to subject.
func (s *Service) audit(ctx context.Context, action string, subject Party, details map[string]string) error {
	p, _ := PrincipalFrom(ctx)
	node, _ := s.nodeOf(subject.Kind, subject.ID)
	_, err := s.store.Commit(ctx, func() (*Change, error) {
		now := s.timestamp()
		rec := &AuditRecord{ID: NewID("aud"), At: now, Actor: p.Actor(), Action: action, Subject: subject, NodeID: node, Details: details}
		return &Change{At: now, Actor: p.Actor(), Audits: []*AuditRecord{rec}}, nil
	})
	return err
}

// AuditTrail returns the audit records about a subject, oldest first.
func (s *Service) AuditTrail(subject Party) []*AuditRecord { return s.audits.of(subject) }

// Address is where and whom an on-site wish's claimant goes to.
type Address struct {
	WishID   string    `json:"wish_id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"`
	Address  string    `json:"address,omitempty"`
	Location *Location `json:"location"`
}

// WishAddress returns the resident's name, phone, address and exact point
// to the active claimant of an on-site wish, and to the social workers in
// scope. Every call is audited before anything is returned; when the
// audit record cannot be written, nothing is returned.
func (s *Service) WishAddress(ctx context.Context, id string) (*Address, error) {
	_, reach, err := s.allow(ctx, WishAddress, id)
	if err != nil {
		return nil, err
	}
	if reach == Claimant && s.ledger.status(id) != StatusClaimed {
		// Once fulfilled the visit is done: the address is for going there.
		return nil, Errorf(EFORBIDDEN, "the address is shared while the claim is active, before its fulfilment")
	}
	w, _ := s.wishes.Get(id)
	if !w.OnSite {
		return nil, Errorf(EFORBIDDEN, "the wish is not on site; its address is not shared")
	}
	r, ok := s.residents.Get(w.ResidentID)
	if !ok || r.hidden() {
		return nil, Errorf(EFORBIDDEN, "the resident's data is no longer shared")
	}
	if err := s.audit(ctx, AuditAddressViewed, Party{Kind: objWish, ID: w.ID}, map[string]string{"resident_id": r.ID}); err != nil {
		return nil, err
	}
	return &Address{WishID: w.ID, Name: r.Name, Phone: r.Phone, Address: r.Address, Location: r.Location}, nil
}
