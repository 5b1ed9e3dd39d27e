package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/matcher/index"
)

// Record is what every stored entity has: an id, a version counted from 1
// and raised by every change, and who made it when.
type Record struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// newRecord returns the record of a new entity made by p at now.
func newRecord(prefix string, p Principal, now time.Time) Record {
	return Record{ID: NewID(prefix), Version: 1, CreatedBy: p.Actor(), CreatedAt: now, UpdatedAt: now}
}

// next returns the record of the entity's next version, changed at now.
func (r Record) next(now time.Time) Record {
	r.Version++
	r.UpdatedAt = now
	return r
}

func (r *Record) record() *Record { return r }

// entity is what the generic create, read, list and update need of a
// stored type: its record and the node it is registered under.
type entity[T any] interface {
	*T
	record() *Record
	node() string
}

// table is where the current versions of one kind are read.
type table[T any] interface {
	Get(id string) (*T, bool)
}

// create decides that p may do a, builds the entity with build at now and
// makes it durable, with the idempotency of the request.
func create[T any, PT entity[T]](ctx context.Context, s *Service, a Action, build func(p Principal, now time.Time) (PT, error)) (PT, error) {
	p, _, err := s.allow(ctx, a, "")
	if err != nil {
		return nil, err
	}
	v, err := build(p, s.timestamp())
	if err != nil {
		return nil, err
	}
	if _, err := s.commit(ctx, p, func() (*Change, error) { return &Change{Records: []any{v}}, nil }); err != nil {
		return nil, err
	}
	return v, nil
}

// read decides that the caller may do a on the entity id and returns a
// copy of it.
func read[T any, PT entity[T]](ctx context.Context, s *Service, a Action, t table[T], id string) (PT, error) {
	if _, _, err := s.allow(ctx, a, id); err != nil {
		return nil, err
	}
	v, ok := t.Get(id)
	if !ok {
		return nil, notFound()
	}
	c := *v
	return &c, nil
}

// update decides that p may do a on the entity id, makes its next version
// with change (from a copy of the current one, on the whole log) and makes
// it durable. change may refuse with an error.
func update[T any, PT entity[T]](ctx context.Context, s *Service, a Action, t table[T], id string, change func(p Principal, v PT, now time.Time) error) (PT, error) {
	p, _, err := s.allow(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var out PT
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := t.Get(id)
		if !ok {
			return nil, notFound()
		}
		c := *cur
		v := PT(&c)
		now := s.timestamp()
		if err := change(p, v, now); err != nil {
			return nil, err
		}
		*v.record() = v.record().next(now)
		out = v
		return &Change{Records: []any{v}}, nil
	})
	return out, err
}

// Page is one page of a list and the cursor of the next ("" at the end).
type Page[T any] struct {
	Items []*T   `json:"items"`
	Next  string `json:"next"`
}

// PageRequest is a client's ask for a page.
type PageRequest struct {
	After string
	Limit int
}

// limit returns the page size req asks for, within the configured cap.
func (s *Service) limit(req PageRequest) (int, error) {
	switch {
	case req.Limit == 0:
		return s.cfg.PageSize, nil
	case req.Limit < 0:
		return 0, Invalid("limit", "must be a positive whole number")
	case req.Limit > s.cfg.MaxPageSize:
		return s.cfg.MaxPageSize, nil
	}
	if len(req.After) > 100 {
		return 0, Invalid("after", "is not a cursor this service returned")
	}
	return req.Limit, nil
}

// scopeNodes returns the nodes whose entities p lists: nil (all) for an
// admin, the subtree of their node for staff, none for others.
func (s *Service) scopeNodes(p Principal) []string {
	if p.Role == RoleAdmin {
		return nil
	}
	if IsStaff(p.Role) {
		return s.tree.subtree(p.SubjectID)
	}
	return []string{}
}

// listInScope decides that the caller may do a and returns a page of the
// entities of l registered in their scope.
func listInScope[T any](ctx context.Context, s *Service, a Action, l *index.List, t table[T], req PageRequest) (*Page[T], error) {
	p, _, err := s.allow(ctx, a, "")
	if err != nil {
		return nil, err
	}
	return page(s, req, l, t, s.scopeNodes(p), nil)
}

// page returns a page of the entities of list under nodes (nil for all)
// that keep accepts (nil for all), in id order.
func page[T any](s *Service, req PageRequest, l interface {
	Page(nodes []string, after string, limit int, keep func(string) bool) ([]string, string)
}, t table[T], nodes []string, keep func(*T) bool) (*Page[T], error) {
	limit, err := s.limit(req)
	if err != nil {
		return nil, err
	}
	if nodes != nil && len(nodes) == 0 {
		return &Page[T]{Items: []*T{}}, nil
	}
	var items []*T
	ids, next := l.Page(nodes, req.After, limit, func(id string) bool {
		v, ok := t.Get(id)
		if !ok || keep != nil && !keep(v) {
			return false
		}
		c := *v
		items = append(items, &c)
		return true
	})
	_ = ids
	if items == nil {
		items = []*T{}
	}
	if len(items) > limit { // keep ran once more, for the cursor
		items = items[:limit]
	}
	return &Page[T]{Items: items, Next: next}, nil
}

// recordRef returns the kind and id of a record of a change.
func recordRef(r any) (kind, id string) {
	switch v := r.(type) {
	case *Volunteer:
		return objVolunteer, v.ID
	case *Organisation:
		return objOrganisation, v.ID
	case *Enterprise:
		return objEnterprise, v.ID
	case *Resource:
		return objResource, v.ID
	case *Resident:
		return objResident, v.ID
	case *Wish:
		return objWish, v.ID
	case *APIKey:
		return objKey, v.Prefix
	case *Offer:
		return objOffer, v.ID
	case *MatchRun:
		return objRun, v.ID
	case *Programme:
		return objProgramme, v.ID
	case *Import:
		return objImport, v.ID
	}
	return "", ""
}
