package mongo

import (
	"errors"
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

func (d volunteerDoc) key() string    { return d.ID }
func (d volunteerDoc) tenant() string { return d.Tenant }

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

func (d organisationDoc) key() string    { return d.ID }
func (d organisationDoc) tenant() string { return d.Tenant }

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

func (d enterpriseDoc) key() string    { return d.ID }
func (d enterpriseDoc) tenant() string { return d.Tenant }

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

func (d resourceDoc) key() string    { return d.ID }
func (d resourceDoc) tenant() string { return d.Tenant }

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

// residentDoc keeps a resident's personal data sealed: with a Cipher, the
// name, phone, birth date, disabilities, household, address, exact point
// and guardian's name are one AES-GCM value, and only the id, tenant, cell
// (needed for indexing) and the consent's who/why/when are in clear. The
// clear-text fields are read only from documents written without a Cipher.
type residentDoc struct {
	ID           string      `bson:"_id"`
	Tenant       string      `bson:"tenant"`
	Sealed       string      `bson:"sealed,omitempty"`
	Name         string      `bson:"name,omitempty"`
	Phone        string      `bson:"phone,omitempty"`
	BirthDate    string      `bson:"birth_date,omitempty"`
	Disabilities []string    `bson:"disabilities,omitempty"`
	LivesAlone   bool        `bson:"lives_alone,omitempty"`
	Address      string      `bson:"address,omitempty"`
	Point        *pointDoc   `bson:"point,omitempty"`
	Cell         int64       `bson:"cell"`
	Consent      *consentDoc `bson:"consent"`
	Withdrawn    time.Time   `bson:"consent_withdrawn_at,omitempty"`
	Erased       time.Time   `bson:"erased_at,omitempty"`
	CreatedAt    time.Time   `bson:"created_at"`
	UpdatedAt    time.Time   `bson:"updated_at"`
}

// residentPII is what a residentDoc seals.
type residentPII struct {
	Name         string    `json:"n,omitempty"`
	Phone        string    `json:"p,omitempty"`
	BirthDate    string    `json:"b,omitempty"`
	Disabilities []string  `json:"d,omitempty"`
	LivesAlone   bool      `json:"l,omitempty"`
	Address      string    `json:"a,omitempty"`
	Point        *pointDoc `json:"pt,omitempty"`
	GuardianName string    `json:"g,omitempty"`
}

func (d residentDoc) key() string    { return d.ID }
func (d residentDoc) tenant() string { return d.Tenant }

func residentAD(id string) string { return "residents/" + id }

func residentToDoc(c *Cipher) func(*matcher.Resident) (residentDoc, error) {
	return func(r *matcher.Resident) (residentDoc, error) {
		pii := residentPII{
			Name: r.Name, Phone: r.Phone, BirthDate: r.BirthDate, Disabilities: r.Disabilities,
			LivesAlone: r.LivesAlone, Address: r.Address, Point: toPoint(r.Location),
		}
		var cd *consentDoc
		if r.Consent != nil {
			cd = &consentDoc{GivenBy: r.Consent.GivenBy, Purpose: r.Consent.Purpose, GivenAt: r.Consent.GivenAt}
			pii.GuardianName = r.Consent.GuardianName
		}
		d := residentDoc{
			ID: r.ID, Tenant: r.TenantID, Cell: int64(r.Cell), Consent: cd, Withdrawn: r.ConsentWithdrawnAt,
			Erased: r.ErasedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
		if c == nil {
			d.Name, d.Phone, d.BirthDate, d.Disabilities = pii.Name, pii.Phone, pii.BirthDate, pii.Disabilities
			d.LivesAlone, d.Address, d.Point = pii.LivesAlone, pii.Address, pii.Point
			if cd != nil {
				cd.GuardianName = pii.GuardianName
			}
			return d, nil
		}
		if pii.isZero() {
			return d, nil // erased: nothing to seal
		}
		sealed, err := c.seal(pii, residentAD(r.ID))
		if err != nil {
			return d, err
		}
		d.Sealed = sealed
		return d, nil
	}
}

func (p *residentPII) isZero() bool {
	return p.Name == "" && p.Phone == "" && p.BirthDate == "" && len(p.Disabilities) == 0 && !p.LivesAlone &&
		p.Address == "" && p.Point == nil && p.GuardianName == ""
}

func residentFromDoc(c *Cipher) func(*residentDoc) (*matcher.Resident, error) {
	return func(d *residentDoc) (*matcher.Resident, error) {
		pii := residentPII{
			Name: d.Name, Phone: d.Phone, BirthDate: d.BirthDate, Disabilities: d.Disabilities,
			LivesAlone: d.LivesAlone, Address: d.Address, Point: d.Point,
		}
		if d.Consent != nil {
			pii.GuardianName = d.Consent.GuardianName
		}
		if d.Sealed != "" {
			if c == nil {
				return nil, errors.New("personal data is sealed and no data key is configured")
			}
			if err := c.open(d.Sealed, residentAD(d.ID), &pii); err != nil {
				return nil, err
			}
		}
		var consent *matcher.Consent
		if d.Consent != nil {
			consent = &matcher.Consent{GivenBy: d.Consent.GivenBy, GuardianName: pii.GuardianName, Purpose: d.Consent.Purpose, GivenAt: d.Consent.GivenAt.UTC()}
		}
		return &matcher.Resident{
			ID: d.ID, TenantID: d.Tenant, Cell: geo.Cell(d.Cell), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
			ConsentWithdrawnAt: utcOrZero(d.Withdrawn), ErasedAt: utcOrZero(d.Erased),
			ResidentInput: matcher.ResidentInput{
				Name: pii.Name, Phone: pii.Phone, BirthDate: pii.BirthDate, Disabilities: orEmpty(pii.Disabilities),
				LivesAlone: pii.LivesAlone, Address: pii.Address, Location: fromPoint(pii.Point), Consent: consent,
			},
		}, nil
	}
}

// wishDoc seals the wish's exact point (the resident's) and its free-text
// description, as residentDoc does; the cell stays in clear for indexing.
type wishDoc struct {
	ID          string    `bson:"_id"`
	Tenant      string    `bson:"tenant"`
	ResidentID  string    `bson:"resident_id"`
	Category    string    `bson:"category"`
	Title       string    `bson:"title"`
	Sealed      string    `bson:"sealed,omitempty"`
	Description string    `bson:"description,omitempty"`
	Skills      []string  `bson:"skills,omitempty"`
	Items       []string  `bson:"items,omitempty"`
	DueAt       time.Time `bson:"due_at"`
	OnSite      bool      `bson:"on_site"`
	Point       *pointDoc `bson:"point,omitempty"`
	Cell        int64     `bson:"cell"`
	CreatedBy   partyDoc  `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
	Erased      time.Time `bson:"erased_at,omitempty"`
}

// wishPrivate is what a wishDoc seals.
type wishPrivate struct {
	Description string    `json:"d,omitempty"`
	Point       *pointDoc `json:"pt,omitempty"`
}

func (d wishDoc) key() string    { return d.ID }
func (d wishDoc) tenant() string { return d.Tenant }

func wishAD(id string) string { return "wishes/" + id }

func wishToDoc(c *Cipher) func(*matcher.Wish) (wishDoc, error) {
	return func(w *matcher.Wish) (wishDoc, error) {
		d := wishDoc{
			ID: w.ID, Tenant: w.TenantID, ResidentID: w.ResidentID, Category: w.Category, Title: w.Title,
			Skills: w.Needs.Skills, Items: w.Needs.Items, DueAt: w.DueAt,
			OnSite: w.OnSite, Cell: int64(w.Cell), CreatedBy: partyDoc(w.CreatedBy),
			CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Erased: w.ErasedAt,
		}
		priv := wishPrivate{Description: w.Description, Point: toPoint(w.Location)}
		switch {
		case c == nil:
			d.Description, d.Point = priv.Description, priv.Point
		case priv.Description != "" || priv.Point != nil:
			sealed, err := c.seal(priv, wishAD(w.ID))
			if err != nil {
				return d, err
			}
			d.Sealed = sealed
		}
		return d, nil
	}
}

func wishFromDoc(c *Cipher) func(*wishDoc) (*matcher.Wish, error) {
	return func(d *wishDoc) (*matcher.Wish, error) {
		priv := wishPrivate{Description: d.Description, Point: d.Point}
		if d.Sealed != "" {
			if c == nil {
				return nil, errors.New("the exact point is sealed and no data key is configured")
			}
			if err := c.open(d.Sealed, wishAD(d.ID), &priv); err != nil {
				return nil, err
			}
		}
		return &matcher.Wish{
			ID: d.ID, TenantID: d.Tenant, Location: fromPoint(priv.Point), Cell: geo.Cell(d.Cell),
			CreatedBy: matcher.Party(d.CreatedBy), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
			ErasedAt: utcOrZero(d.Erased),
			WishInput: matcher.WishInput{
				ResidentID: d.ResidentID, Category: d.Category, Title: d.Title, Description: priv.Description,
				Needs: matcher.Needs{Skills: orEmpty(d.Skills), Items: d.Items}, DueAt: d.DueAt.UTC(), OnSite: d.OnSite,
			},
		}, nil
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

func (d keyDoc) key() string    { return d.ID }
func (d keyDoc) tenant() string { return d.Tenant }

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
