package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/geo"
)

// Resource kinds.
const (
	ResourceGoods   = "goods"
	ResourceService = "service"
	ResourceVenue   = "venue"
	ResourceFunds   = "funds"
)

// ResourceInput is what an enterprise or organisation may set on a
// resource it offers.
type ResourceInput struct {
	Kind        string    `json:"kind"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Quantity    int       `json:"quantity"`
	Location    *Location `json:"location"`
}

// Resource is something an organisation or enterprise offers: it serves
// wishes of its category, up to its quantity, as vetted as its owner.
type Resource struct {
	Record
	ResourceInput
	Owner  Party    `json:"owner"`
	NodeID string   `json:"node_id,omitempty"` // its owner's node
	Cell   geo.Cell `json:"-"`
}

func (r *Resource) node() string { return r.NodeID }

func (in *ResourceInput) validate(c *Catalog) error {
	switch in.Kind {
	case ResourceGoods, ResourceService, ResourceVenue, ResourceFunds:
	case "":
		return Invalid("kind", "is required")
	default:
		return Invalid("kind", "must be goods, service, venue or funds")
	}
	if err := checkCategory("category", in.Category, c); err != nil {
		return err
	}
	if err := checkLine("title", in.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("description", in.Description, maxText, false); err != nil {
		return err
	}
	if in.Quantity < 1 || in.Quantity > 1_000_000 {
		return Invalid("quantity", "must be between 1 and 1000000")
	}
	return checkLocation("location", in.Location)
}

// CreateResource records something the calling enterprise or organisation
// offers; the caller owns it, and it is registered under the owner's node.
func (s *Service) CreateResource(ctx context.Context, in ResourceInput) (*Resource, error) {
	return create(ctx, s, ResourceCreate, func(p Principal, now time.Time) (*Resource, error) {
		if err := in.validate(&s.cfg.Catalog); err != nil {
			return nil, err
		}
		owner := p.Party()
		node, ok := s.nodeOf(p.Role, p.SubjectID)
		if !ok {
			return nil, Errorf(EFORBIDDEN, "this key's subject is not a registered %s", p.Role)
		}
		r := &Resource{Record: newRecord("res", p, now), ResourceInput: in, Owner: owner, NodeID: node}
		r.Cell = s.grid.Cell(in.Location.Point())
		return r, nil
	})
}

// GetResource returns a resource to its owner and to staff in scope.
func (s *Service) GetResource(ctx context.Context, id string) (*Resource, error) {
	return read(ctx, s, ResourceRead, s.resources, id)
}

// ListResources pages through the caller's own resources or, for staff,
// those registered in their scope.
func (s *Service) ListResources(ctx context.Context, req PageRequest) (*Page[Resource], error) {
	p, _, err := s.allow(ctx, ResourceList, "")
	if err != nil {
		return nil, err
	}
	if IsStaff(p.Role) {
		return page(s, req, s.lists.resources, s.resources, s.scopeNodes(p), nil)
	}
	node, _ := s.nodeOf(p.Role, p.SubjectID)
	return page(s, req, s.lists.resources, s.resources, []string{node}, func(r *Resource) bool { return r.Owner == p.Party() })
}

// UpdateResource replaces what the owner may set on a resource.
func (s *Service) UpdateResource(ctx context.Context, id string, in ResourceInput) (*Resource, error) {
	return update(ctx, s, ResourceUpdate, s.resources, id, func(_ Principal, r *Resource, _ time.Time) error {
		if err := in.validate(&s.cfg.Catalog); err != nil {
			return err
		}
		r.ResourceInput, r.Cell = in, s.grid.Cell(in.Location.Point())
		return nil
	})
}
