package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/geo"
)

// Organisation kinds. District, street and community are the territorial
// nodes of the district tree, in that order from the top; social
// organisations and volunteer teams hang under the node they serve.
const (
	KindDistrict      = "district"
	KindStreet        = "street"
	KindCommunity     = "community"
	KindSocialOrg     = "social_org"
	KindVolunteerTeam = "volunteer_team"
)

// rank orders the territorial kinds; the others have none.
var rank = map[string]int{KindDistrict: 1, KindStreet: 2, KindCommunity: 3}

// OrganisationInput is what a coordinator may set on an organisation.
type OrganisationInput struct {
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	ParentID   string    `json:"parent_id,omitempty"`
	Location   *Location `json:"location"`
	Categories []string  `json:"categories"`
	Phone      string    `json:"phone,omitempty"`
	Vetted     bool      `json:"vetted,omitempty"`
	// Capacity is how many wishes of each category the organisation can
	// take in one matching round (default 1 a category it offers).
	Capacity map[string]int `json:"capacity,omitempty"`
}

// Organisation is a node of the district tree: a district, street,
// community, social organisation or volunteer team. One that offers
// categories serves wishes of those categories.
type Organisation struct {
	Record
	OrganisationInput
	Cell geo.Cell `json:"-"`
}

// node of an organisation is itself: its staff reach it and what is below.
func (o *Organisation) node() string { return o.ID }

func (in *OrganisationInput) validate(c *Catalog) error {
	if err := checkLine("name", in.Name, maxName, true); err != nil {
		return err
	}
	switch in.Kind {
	case KindDistrict, KindStreet, KindCommunity, KindSocialOrg, KindVolunteerTeam:
	case "":
		return Invalid("kind", "is required")
	default:
		return Invalid("kind", "must be district, street, community, social_org or volunteer_team")
	}
	if err := checkID("parent_id", in.ParentID, false); err != nil {
		return err
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
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
	return nil
}

// CreateOrganisation registers a node of the district tree under the
// caller's node or one in their scope (an admin may make a root).
func (s *Service) CreateOrganisation(ctx context.Context, in OrganisationInput) (*Organisation, error) {
	return create(ctx, s, OrganisationCreate, func(p Principal, now time.Time) (*Organisation, error) {
		o := &Organisation{Record: newRecord("org", p, now)}
		return o, s.setOrganisation(p, o, in, false)
	})
}

// setOrganisation validates in and sets it on o: its parent must be a node
// p reaches, not o itself or below it, of a kind that may hold o's.
func (s *Service) setOrganisation(p Principal, o *Organisation, in OrganisationInput, exists bool) error {
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return err
	}
	if in.ParentID == "" && exists {
		in.ParentID = o.ParentID
	}
	parent, err := s.placement(p, "parent_id", in.ParentID, "")
	if err != nil {
		return err
	}
	if exists && parent != o.ParentID && s.tree.within(o.ID, parent) {
		return Invalid("parent_id", "%s is %s itself or below it: a node cannot move under itself", parent, o.ID)
	}
	if exists && parent == "" && o.ParentID != "" {
		return Invalid("parent_id", "only an admin may make a node a root")
	}
	if parent != "" {
		pk := s.tree.kindOf(parent)
		if r, ok := rank[in.Kind]; ok && (rank[pk] == 0 || rank[pk] >= r) {
			return Invalid("parent_id", "a %s cannot hang under a %s", in.Kind, pk)
		}
	}
	in.ParentID = parent
	o.OrganisationInput, o.Cell = in, s.grid.Cell(in.Location.Point())
	return nil
}

// GetOrganisation returns an organisation to staff in scope, admins and
// the organisation's own keys.
func (s *Service) GetOrganisation(ctx context.Context, id string) (*Organisation, error) {
	return read(ctx, s, OrganisationRead, s.organisations, id)
}

// ListOrganisations pages through the nodes of the caller's subtree.
func (s *Service) ListOrganisations(ctx context.Context, req PageRequest) (*Page[Organisation], error) {
	return listInScope(ctx, s, OrganisationList, s.lists.organisations, s.organisations, req)
}

// UpdateOrganisation replaces what a coordinator may set on an
// organisation, moving it in the tree when parent_id changes. A move is
// audited.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, in OrganisationInput) (*Organisation, error) {
	var from string
	o, err := update(ctx, s, OrganisationUpdate, s.organisations, id, func(p Principal, o *Organisation, now time.Time) error {
		from = o.ParentID
		return s.setOrganisation(p, o, in, true)
	})
	if err != nil || o.ParentID == from {
		return o, err
	}
	return o, s.audit(ctx, AuditNodeMoved, Party{Kind: objOrganisation, ID: id}, map[string]string{"from": from, "to": o.ParentID})
}
