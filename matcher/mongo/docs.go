package mongo

import (
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// The stored shapes. Field names are short and stable: renaming a Go field
// must never rename a stored one. Cells are int64, since BSON has no uint64.

type pointDoc struct {
	Lat float64 `bson:"lat"`
	Lng float64 `bson:"lng"`
}

func toPoint(l *matcher.Location) *pointDoc {
	if l == nil {
		return nil
	}
	return &pointDoc{Lat: l.Lat, Lng: l.Lng}
}

func fromPoint(p *pointDoc) *matcher.Location {
	if p == nil {
		return nil
	}
	return &matcher.Location{Lat: p.Lat, Lng: p.Lng}
}

type partyDoc struct {
	Kind string `bson:"kind"`
	ID   string `bson:"id"`
}

type certDoc struct {
	Type      string    `bson:"type"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type volunteerDoc struct {
	ID              string    `bson:"_id"`
	Tenant          string    `bson:"tenant"`
	Name            string    `bson:"name"`
	Phone           string    `bson:"phone,omitempty"`
	BirthDate       string    `bson:"birth_date"`
	Point           *pointDoc `bson:"point"`
	Cell            int64     `bson:"cell"`
	Skills          []string  `bson:"skills,omitempty"`
	Certs           []certDoc `bson:"certs,omitempty"`
	OrganisationID  string    `bson:"organisation_id,omitempty"`
	MaxActiveClaims int       `bson:"max_active_claims"`
	CreatedAt       time.Time `bson:"created_at"`
	UpdatedAt       time.Time `bson:"updated_at"`
}

func (d volunteerDoc) key() string { return d.ID }

func volunteerToDoc(v *matcher.Volunteer) volunteerDoc {
	certs := make([]certDoc, len(v.Certifications))
	for i, c := range v.Certifications {
		certs[i] = certDoc(c)
	}
	return volunteerDoc{
		ID: v.ID, Tenant: v.TenantID, Name: v.Name, Phone: v.Phone, BirthDate: v.BirthDate,
		Point: toPoint(v.Location), Cell: int64(v.Cell), Skills: v.Skills, Certs: certs,
		OrganisationID: v.OrganisationID, MaxActiveClaims: v.MaxActiveClaims,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

func volunteerFromDoc(d *volunteerDoc) *matcher.Volunteer {
	certs := make([]matcher.Certification, len(d.Certs))
	for i, c := range d.Certs {
		certs[i] = matcher.Certification{Type: c.Type, ExpiresAt: c.ExpiresAt.UTC()}
	}
	return &matcher.Volunteer{
		ID: d.ID, TenantID: d.Tenant, Cell: geo.Cell(d.Cell),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		VolunteerInput: matcher.VolunteerInput{
			Name: d.Name, Phone: d.Phone, BirthDate: d.BirthDate, Location: fromPoint(d.Point),
			Skills: orEmpty(d.Skills), Certifications: certs, OrganisationID: d.OrganisationID,
			MaxActiveClaims: d.MaxActiveClaims,
		},
	}
}

type organisationDoc struct {
	ID         string    `bson:"_id"`
	Tenant     string    `bson:"tenant"`
	Name       string    `bson:"name"`
	Kind       string    `bson:"kind"`
	Point      *pointDoc `bson:"point"`
	Cell       int64     `bson:"cell"`
	Categories []string  `bson:"categories,omitempty"`
	Phone      string    `bson:"phone,omitempty"`
	Vetted     bool      `bson:"vetted"`
	CreatedAt  time.Time `bson:"created_at"`
	UpdatedAt  time.Time `bson:"updated_at"`
}

func (d organisationDoc) key() string { return d.ID }

func organisationToDoc(o *matcher.Organisation) organisationDoc {
	return organisationDoc{
		ID: o.ID, Tenant: o.TenantID, Name: o.Name, Kind: o.Kind, Point: toPoint(o.Location),
		Cell: int64(o.Cell), Categories: o.Categories, Phone: o.Phone, Vetted: o.Vetted,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func organisationFromDoc(d *organisationDoc) *matcher.Organisation {
	return &matcher.Organisation{
		ID: d.ID, TenantID: d.Tenant, Cell: geo.Cell(d.Cell),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		OrganisationInput: matcher.OrganisationInput{
			Name: d.Name, Kind: d.Kind, Location: fromPoint(d.Point),
			Categories: orEmpty(d.Categories), Phone: d.Phone, Vetted: d.Vetted,
		},
	}
}

type enterpriseDoc struct {
	ID         string     `bson:"_id"`
	Tenant     string     `bson:"tenant"`
	Name       string     `bson:"name"`
	Point      *pointDoc  `bson:"point"`
	Cell       int64      `bson:"cell"`
	Categories []string   `bson:"categories,omitempty"`
	Sites      []pointDoc `bson:"sites,omitempty"`
	Vetted     bool       `bson:"vetted"`
	CreatedAt  time.Time  `bson:"created_at"`
	UpdatedAt  time.Time  `bson:"updated_at"`
}

func (d enterpriseDoc) key() string { return d.ID }

func enterpriseToDoc(e *matcher.Enterprise) enterpriseDoc {
	sites := make([]pointDoc, len(e.Sites))
	for i, s := range e.Sites {
		sites[i] = pointDoc(s)
	}
	return enterpriseDoc{
		ID: e.ID, Tenant: e.TenantID, Name: e.Name, Point: toPoint(e.Location), Cell: int64(e.Cell),
		Categories: e.Categories, Sites: sites, Vetted: e.Vetted, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
}

func enterpriseFromDoc(d *enterpriseDoc) *matcher.Enterprise {
	var sites []matcher.Location
	for _, s := range d.Sites {
		sites = append(sites, matcher.Location(s))
	}
	return &matcher.Enterprise{
		ID: d.ID, TenantID: d.Tenant, Cell: geo.Cell(d.Cell),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		EnterpriseInput: matcher.EnterpriseInput{
			Name: d.Name, Location: fromPoint(d.Point), Categories: orEmpty(d.Categories), Sites: sites, Vetted: d.Vetted,
		},
	}
}

type resourceDoc struct {
	ID          string    `bson:"_id"`
	Tenant      string    `bson:"tenant"` // the owner's id
	Owner       partyDoc  `bson:"owner"`
	Kind        string    `bson:"kind"`
	Category    string    `bson:"category"`
	Title       string    `bson:"title"`
	Description string    `bson:"description,omitempty"`
	Quantity    int       `bson:"quantity"`
	Point       *pointDoc `bson:"point"`
	Cell        int64     `bson:"cell"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

func (d resourceDoc) key() string { return d.ID }

func resourceToDoc(r *matcher.Resource) resourceDoc {
	return resourceDoc{
		ID: r.ID, Tenant: r.Owner.ID, Owner: partyDoc(r.Owner), Kind: r.Kind, Category: r.Category,
		Title: r.Title, Description: r.Description, Quantity: r.Quantity, Point: toPoint(r.Location),
		Cell: int64(r.Cell), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func resourceFromDoc(d *resourceDoc) *matcher.Resource {
	return &matcher.Resource{
		ID: d.ID, Owner: matcher.Party(d.Owner), Cell: geo.Cell(d.Cell),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		ResourceInput: matcher.ResourceInput{
			Kind: d.Kind, Category: d.Category, Title: d.Title, Description: d.Description,
			Quantity: d.Quantity, Location: fromPoint(d.Point),
		},
	}
}

type consentDoc struct {
	GivenBy      string    `bson:"given_by"`
	GuardianName string    `bson:"guardian_name,omitempty"`
	Purpose      string    `bson:"purpose"`
	GivenAt      time.Time `bson:"given_at"`
}

type residentDoc struct {
	ID           string      `bson:"_id"`
	Tenant       string      `bson:"tenant"`
	Name         string      `bson:"name"`
	Phone        string      `bson:"phone,omitempty"`
	BirthDate    string      `bson:"birth_date"`
	Disabilities []string    `bson:"disabilities,omitempty"`
	LivesAlone   bool        `bson:"lives_alone"`
	Address      string      `bson:"address,omitempty"`
	Point        *pointDoc   `bson:"point"`
	Cell         int64       `bson:"cell"`
	Consent      *consentDoc `bson:"consent"`
	CreatedAt    time.Time   `bson:"created_at"`
	UpdatedAt    time.Time   `bson:"updated_at"`
}

func (d residentDoc) key() string { return d.ID }

func residentToDoc(r *matcher.Resident) residentDoc {
	var c *consentDoc
	if r.Consent != nil {
		c = &consentDoc{GivenBy: r.Consent.GivenBy, GuardianName: r.Consent.GuardianName, Purpose: r.Consent.Purpose, GivenAt: r.Consent.GivenAt}
	}
	return residentDoc{
		ID: r.ID, Tenant: r.TenantID, Name: r.Name, Phone: r.Phone, BirthDate: r.BirthDate,
		Disabilities: r.Disabilities, LivesAlone: r.LivesAlone, Address: r.Address,
		Point: toPoint(r.Location), Cell: int64(r.Cell), Consent: c, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func residentFromDoc(d *residentDoc) *matcher.Resident {
	var c *matcher.Consent
	if d.Consent != nil {
		c = &matcher.Consent{GivenBy: d.Consent.GivenBy, GuardianName: d.Consent.GuardianName, Purpose: d.Consent.Purpose, GivenAt: d.Consent.GivenAt.UTC()}
	}
	return &matcher.Resident{
		ID: d.ID, TenantID: d.Tenant, Cell: geo.Cell(d.Cell), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		ResidentInput: matcher.ResidentInput{
			Name: d.Name, Phone: d.Phone, BirthDate: d.BirthDate, Disabilities: orEmpty(d.Disabilities),
			LivesAlone: d.LivesAlone, Address: d.Address, Location: fromPoint(d.Point), Consent: c,
		},
	}
}

type wishDoc struct {
	ID          string    `bson:"_id"`
	Tenant      string    `bson:"tenant"`
	ResidentID  string    `bson:"resident_id"`
	Category    string    `bson:"category"`
	Title       string    `bson:"title"`
	Description string    `bson:"description,omitempty"`
	Skills      []string  `bson:"skills,omitempty"`
	Items       []string  `bson:"items,omitempty"`
	DueAt       time.Time `bson:"due_at"`
	OnSite      bool      `bson:"on_site"`
	Point       *pointDoc `bson:"point"`
	Cell        int64     `bson:"cell"`
	CreatedBy   partyDoc  `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

func (d wishDoc) key() string { return d.ID }

func wishToDoc(w *matcher.Wish) wishDoc {
	return wishDoc{
		ID: w.ID, Tenant: w.TenantID, ResidentID: w.ResidentID, Category: w.Category, Title: w.Title,
		Description: w.Description, Skills: w.Needs.Skills, Items: w.Needs.Items, DueAt: w.DueAt,
		OnSite: w.OnSite, Point: toPoint(w.Location), Cell: int64(w.Cell), CreatedBy: partyDoc(w.CreatedBy),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
}

func wishFromDoc(d *wishDoc) *matcher.Wish {
	return &matcher.Wish{
		ID: d.ID, TenantID: d.Tenant, Location: fromPoint(d.Point), Cell: geo.Cell(d.Cell),
		CreatedBy: matcher.Party(d.CreatedBy), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		WishInput: matcher.WishInput{
			ResidentID: d.ResidentID, Category: d.Category, Title: d.Title, Description: d.Description,
			Needs: matcher.Needs{Skills: orEmpty(d.Skills), Items: d.Items}, DueAt: d.DueAt.UTC(), OnSite: d.OnSite,
		},
	}
}

type keyDoc struct {
	ID        string    `bson:"_id"` // SHA-256 of the key
	Tenant    string    `bson:"tenant"`
	Prefix    string    `bson:"prefix"`
	Role      string    `bson:"role"`
	CreatedBy string    `bson:"created_by,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
	RevokedAt time.Time `bson:"revoked_at,omitempty"`
}

func (d keyDoc) key() string { return d.ID }

func keyToDoc(k *matcher.APIKey) keyDoc {
	return keyDoc{
		ID: k.ID, Tenant: k.SubjectID, Prefix: k.Prefix, Role: k.Role, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt,
	}
}

func keyFromDoc(d *keyDoc) *matcher.APIKey {
	return &matcher.APIKey{
		ID: d.ID, SubjectID: d.Tenant, Prefix: d.Prefix, Role: d.Role, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: utcOrZero(d.ExpiresAt), RevokedAt: utcOrZero(d.RevokedAt),
	}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() || t.Unix() == 0 {
		return time.Time{}
	}
	return t.UTC()
}

// orEmpty makes absent lists read back as empty lists, so JSON shows [].
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
