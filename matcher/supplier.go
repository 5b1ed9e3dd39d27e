package matcher

import (
	"time"

	"github.com/linli/linli/geo"
)

// VolunteerInput is what a coordinator may set on a volunteer.
type VolunteerInput struct {
	Name            string          `json:"name"`
	Phone           string          `json:"phone"`
	BirthDate       string          `json:"birth_date"`
	Location        *Location       `json:"location"`
	Skills          []string        `json:"skills"`
	Certifications  []Certification `json:"certifications"`
	OrganisationID  string          `json:"organisation_id,omitempty"`
	MaxActiveClaims int             `json:"max_active_claims,omitempty"`
}

// Volunteer is a person who gives time.
type Volunteer struct {
	ID string `json:"id"`
	VolunteerInput
	TenantID  string    `json:"tenant_id,omitempty"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (in *VolunteerInput) validate(c *Catalog, now time.Time) error {
	if err := checkText("name", in.Name, maxName, true); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
	}
	if err := checkDate("birth_date", in.BirthDate, now, true); err != nil {
		return err
	}
	if age := AgeAt(in.BirthDate, now); age < 14 {
		return Invalid("birth_date", "volunteers must be at least 14 years old")
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
		if !contains(c.CertificationTypes, cert.Type) {
			return Invalid(f+".type", "%q is not a known certification type", cert.Type)
		}
		if cert.ExpiresAt.IsZero() {
			return Invalid(f+".expires_at", "is required")
		}
	}
	if err := checkText("organisation_id", in.OrganisationID, 64, false); err != nil {
		return err
	}
	if in.MaxActiveClaims < 0 || in.MaxActiveClaims > 100 {
		return Invalid("max_active_claims", "must be between 1 and 100")
	}
	return nil
}

// Organisation kinds.
const (
	KindSocialOrg     = "social_org"
	KindCommunity     = "community"
	KindVolunteerTeam = "volunteer_team"
)

// OrganisationInput is what a coordinator may set on an organisation.
type OrganisationInput struct {
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	Location   *Location `json:"location"`
	Categories []string  `json:"categories"`
	Phone      string    `json:"phone,omitempty"`
	Vetted     bool      `json:"vetted,omitempty"`
}

// Organisation is a social organisation, a community or a volunteer team.
type Organisation struct {
	ID string `json:"id"`
	OrganisationInput
	TenantID  string    `json:"tenant_id,omitempty"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (in *OrganisationInput) validate(c *Catalog) error {
	if err := checkText("name", in.Name, maxName, true); err != nil {
		return err
	}
	switch in.Kind {
	case KindSocialOrg, KindCommunity, KindVolunteerTeam:
	case "":
		return Invalid("kind", "is required")
	default:
		return Invalid("kind", "must be social_org, community or volunteer_team")
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
	}
	return checkCategories("categories", in.Categories, c, in.Kind != KindCommunity)
}

// EnterpriseInput is what a coordinator may set on an enterprise.
type EnterpriseInput struct {
	Name       string     `json:"name"`
	Location   *Location  `json:"location"`
	Categories []string   `json:"categories,omitempty"`
	Sites      []Location `json:"sites,omitempty"`
	Vetted     bool       `json:"vetted,omitempty"`
}

// Enterprise is a company that gives goods, services, venues or money.
type Enterprise struct {
	ID string `json:"id"`
	EnterpriseInput
	TenantID  string    `json:"tenant_id,omitempty"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (in *EnterpriseInput) validate(c *Catalog) error {
	if err := checkText("name", in.Name, maxName, true); err != nil {
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
	return checkCategories("categories", in.Categories, c, false)
}

// Resource kinds.
const (
	ResourceGoods   = "goods"
	ResourceService = "service"
	ResourceVenue   = "venue"
	ResourceFunds   = "funds"
)

// ResourceInput is what an enterprise or organisation may set on a resource
// it offers.
type ResourceInput struct {
	Kind        string    `json:"kind"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Quantity    int       `json:"quantity"`
	Location    *Location `json:"location"`
}

// Resource is something an organisation or enterprise offers.
type Resource struct {
	ID string `json:"id"`
	ResourceInput
	Owner     Party     `json:"owner"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

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
	if err := checkText("title", in.Title, maxTitle, true); err != nil {
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
