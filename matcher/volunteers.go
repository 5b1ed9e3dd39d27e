package matcher

import (
	"context"
	"slices"
	"time"

	"github.com/linli/linli/geo"
)

// VolunteerInput is what a coordinator may set on a volunteer.
type VolunteerInput struct {
	Name            string          `json:"name"`
	Phone           string          `json:"phone,omitempty"`
	BirthDate       string          `json:"birth_date"`
	Location        *Location       `json:"location"`
	Skills          []string        `json:"skills"`
	Certifications  []Certification `json:"certifications"`
	OrganisationID  string          `json:"organisation_id,omitempty"`
	MaxActiveClaims int             `json:"max_active_claims,omitempty"`
	// NodeID is the node of the district tree the volunteer is registered
	// under: the caller's own node unless another in their scope is named.
	NodeID string `json:"node_id,omitempty"`
}

// Volunteer is a person who gives time.
type Volunteer struct {
	Record
	VolunteerInput
	Cell geo.Cell `json:"-"`
}

func (v *Volunteer) node() string { return v.NodeID }

// minVolunteerAge is the youngest a volunteer may be.
const minVolunteerAge = 14

func (in *VolunteerInput) validate(c *Catalog, now time.Time) error {
	if err := checkName("name", in.Name); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
	}
	if err := checkDate("birth_date", in.BirthDate, now, true); err != nil {
		return err
	}
	if AgeAt(in.BirthDate, now) < minVolunteerAge {
		return Invalid("birth_date", "volunteers must be at least %d years old", minVolunteerAge)
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	if err := checkTokens("skills", in.Skills, nil); err != nil {
		return err
	}
	if len(in.Certifications) > maxList {
		return Invalid("certifications", "must have at most %d entries", maxList)
	}
	for i, cert := range in.Certifications {
		f := fieldIndex("certifications", i)
		if !slices.Contains(c.CertificationTypes, cert.Type) {
			return Invalid(f+".type", "%q is not a known certification type", cert.Type)
		}
		if cert.ExpiresAt.IsZero() {
			return Invalid(f+".expires_at", "is required, like 2027-12-31T00:00:00Z")
		}
		for j := range i {
			if in.Certifications[j].Type == cert.Type {
				return Invalid(f+".type", "%q appears twice", cert.Type)
			}
		}
	}
	if err := checkID("organisation_id", in.OrganisationID, false); err != nil {
		return err
	}
	if in.MaxActiveClaims < 0 || in.MaxActiveClaims > 100 {
		return Invalid("max_active_claims", "must be between 1 and 100")
	}
	return checkID("node_id", in.NodeID, false)
}

// CreateVolunteer registers a volunteer under the caller's node or one in
// their scope.
func (s *Service) CreateVolunteer(ctx context.Context, in VolunteerInput) (*Volunteer, error) {
	return create(ctx, s, VolunteerCreate, func(p Principal, now time.Time) (*Volunteer, error) {
		v := &Volunteer{Record: newRecord("vol", p, now)}
		return v, s.setVolunteer(p, v, in, now)
	})
}

// setVolunteer validates in and sets it on v.
func (s *Service) setVolunteer(p Principal, v *Volunteer, in VolunteerInput, now time.Time) error {
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return err
	}
	node, err := s.placement(p, "node_id", in.NodeID, v.NodeID)
	if err != nil {
		return err
	}
	in.NodeID = node
	if in.OrganisationID != "" && !s.reachableNode(p, in.OrganisationID) {
		return Invalid("organisation_id", "no organisation in your scope has id %q", in.OrganisationID)
	}
	if in.MaxActiveClaims == 0 {
		in.MaxActiveClaims = s.cfg.DefaultMaxActiveClaims
	}
	v.VolunteerInput, v.Cell = in, s.grid.Cell(in.Location.Point())
	return nil
}

// GetVolunteer returns a volunteer to staff in scope, admins, the
// volunteer themselves and their organisation.
func (s *Service) GetVolunteer(ctx context.Context, id string) (*Volunteer, error) {
	return read(ctx, s, VolunteerRead, s.volunteers, id)
}

// ListVolunteers pages through the volunteers in the caller's scope.
func (s *Service) ListVolunteers(ctx context.Context, req PageRequest) (*Page[Volunteer], error) {
	return listInScope(ctx, s, VolunteerList, s.lists.volunteers, s.volunteers, req)
}

// UpdateVolunteer replaces what a coordinator may set on a volunteer.
func (s *Service) UpdateVolunteer(ctx context.Context, id string, in VolunteerInput) (*Volunteer, error) {
	return update(ctx, s, VolunteerUpdate, s.volunteers, id, func(p Principal, v *Volunteer, now time.Time) error {
		return s.setVolunteer(p, v, in, now)
	})
}
