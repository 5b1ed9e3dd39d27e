package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/geo"
)

// EnterpriseInput is what a coordinator may set on an enterprise.
type EnterpriseInput struct {
	Name       string     `json:"name"`
	Location   *Location  `json:"location"`
	Categories []string   `json:"categories"`
	Sites      []Location `json:"sites"`
	Vetted     bool       `json:"vetted,omitempty"`
	// Capacity is how many wishes of each category the enterprise can take
	// in one matching round (default 1 a category it offers).
	Capacity map[string]int `json:"capacity,omitempty"`
	NodeID   string         `json:"node_id,omitempty"`
}

// Enterprise is a company that gives goods, services, venues or money. It
// serves the categories it offers, from its location and its sites.
type Enterprise struct {
	Record
	EnterpriseInput
	Cell geo.Cell `json:"-"`
}

func (e *Enterprise) node() string { return e.NodeID }

func (in *EnterpriseInput) validate(c *Catalog) error {
	if err := checkLine("name", in.Name, maxName, true); err != nil {
		return err
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	if len(in.Sites) > maxList {
		return Invalid("sites", "must have at most %d entries", maxList)
	}
	for i := range in.Sites {
		if err := checkLocation(fieldIndex("sites", i), &in.Sites[i]); err != nil {
			return err
		}
	}
	if err := checkCategories("categories", in.Categories, c, false); err != nil {
		return err
	}
	for cat, n := range in.Capacity {
		if !c.hasCategory(cat) {
			return Invalid("capacity."+cat, "is not a category")
		}
		if n < 0 || n > 10_000 {
			return Invalid("capacity."+cat, "must be between 0 and 10000")
		}
	}
	return checkID("node_id", in.NodeID, false)
}

// CreateEnterprise registers an enterprise under the caller's node or one
// in their scope.
func (s *Service) CreateEnterprise(ctx context.Context, in EnterpriseInput) (*Enterprise, error) {
	return create(ctx, s, EnterpriseCreate, func(p Principal, now time.Time) (*Enterprise, error) {
		e := &Enterprise{Record: newRecord("ent", p, now)}
		return e, s.setEnterprise(p, e, in)
	})
}

func (s *Service) setEnterprise(p Principal, e *Enterprise, in EnterpriseInput) error {
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return err
	}
	node, err := s.placement(p, "node_id", in.NodeID, e.NodeID)
	if err != nil {
		return err
	}
	in.NodeID = node
	if in.Categories == nil {
		in.Categories = []string{}
	}
	if in.Sites == nil {
		in.Sites = []Location{}
	}
	e.EnterpriseInput, e.Cell = in, s.grid.Cell(in.Location.Point())
	return nil
}

// GetEnterprise returns an enterprise to staff in scope, admins and its
// own keys.
func (s *Service) GetEnterprise(ctx context.Context, id string) (*Enterprise, error) {
	return read(ctx, s, EnterpriseRead, s.enterprises, id)
}

// ListEnterprises pages through the enterprises in the caller's scope.
func (s *Service) ListEnterprises(ctx context.Context, req PageRequest) (*Page[Enterprise], error) {
	return listInScope(ctx, s, EnterpriseList, s.lists.enterprises, s.enterprises, req)
}

// UpdateEnterprise replaces what a coordinator may set on an enterprise.
func (s *Service) UpdateEnterprise(ctx context.Context, id string, in EnterpriseInput) (*Enterprise, error) {
	return update(ctx, s, EnterpriseUpdate, s.enterprises, id, func(p Principal, e *Enterprise, _ time.Time) error {
		return s.setEnterprise(p, e, in)
	})
}
