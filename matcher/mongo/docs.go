package mongo

import (
	"errors"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// The stored shapes of what a change holds. Field names are short and
// stable: renaming a Go field must never rename a stored one. Cells are
// int64, since BSON has no uint64. The node an entity is registered under
// is stored as "tenant", its name before the district tree, so that data
// written then reads the same.

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

type actorDoc struct {
	Kind string `bson:"kind"`
	ID   string `bson:"id"`
	Key  string `bson:"key,omitempty"`
}

// recordDoc is the Record every entity has.
type recordDoc struct {
	ID        string    `bson:"_id"`
	Version   int       `bson:"v"`
	CreatedBy actorDoc  `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func toRecord(r *matcher.Record) recordDoc {
	return recordDoc{ID: r.ID, Version: r.Version, CreatedBy: actorDoc(r.CreatedBy), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func fromRecord(d *recordDoc) matcher.Record {
	v := d.Version
	if v == 0 {
		v = 1 // written before versions
	}
	return matcher.Record{ID: d.ID, Version: v, CreatedBy: matcher.Actor(d.CreatedBy), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

type certDoc struct {
	Type      string    `bson:"type"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type volunteerDoc struct {
	Meta            recordDoc `bson:",inline"`
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
}

func volunteerToDoc(v *matcher.Volunteer) volunteerDoc {
	certs := make([]certDoc, len(v.Certifications))
	for i, c := range v.Certifications {
		certs[i] = certDoc(c)
	}
	return volunteerDoc{
		Meta: toRecord(&v.Record), Tenant: v.NodeID, Name: v.Name, Phone: v.Phone, BirthDate: v.BirthDate,
		Point: toPoint(v.Location), Cell: int64(v.Cell), Skills: v.Skills, Certs: certs,
		OrganisationID: v.OrganisationID, MaxActiveClaims: v.MaxActiveClaims,
	}
}

func volunteerFromDoc(in *interner, d *volunteerDoc) *matcher.Volunteer {
	d.Tenant, d.BirthDate, d.OrganisationID = in.str(d.Tenant), in.str(d.BirthDate), in.str(d.OrganisationID)
	in.strs(d.Skills)
	in.record(&d.Meta)
	certs := make([]matcher.Certification, len(d.Certs))
	for i, c := range d.Certs {
		certs[i] = matcher.Certification{Type: in.str(c.Type), ExpiresAt: c.ExpiresAt.UTC()}
	}
	return &matcher.Volunteer{
		Record: fromRecord(&d.Meta), Cell: geo.Cell(d.Cell),
		VolunteerInput: matcher.VolunteerInput{
			Name: d.Name, Phone: d.Phone, BirthDate: d.BirthDate, Location: fromPoint(d.Point),
			Skills: orEmpty(d.Skills), Certifications: certs, OrganisationID: d.OrganisationID,
			MaxActiveClaims: d.MaxActiveClaims, NodeID: d.Tenant,
		},
	}
}

type organisationDoc struct {
	Meta       recordDoc      `bson:",inline"`
	Tenant     string         `bson:"tenant,omitempty"` // the parent, as written before the tree
	Parent     string         `bson:"parent,omitempty"`
	Name       string         `bson:"name"`
	Kind       string         `bson:"kind"`
	Point      *pointDoc      `bson:"point"`
	Cell       int64          `bson:"cell"`
	Categories []string       `bson:"categories,omitempty"`
	Phone      string         `bson:"phone,omitempty"`
	Vetted     bool           `bson:"vetted"`
	Capacity   map[string]int `bson:"capacity,omitempty"`
}

func organisationToDoc(o *matcher.Organisation) organisationDoc {
	return organisationDoc{
		Meta: toRecord(&o.Record), Parent: o.ParentID, Name: o.Name, Kind: o.Kind, Point: toPoint(o.Location),
		Cell: int64(o.Cell), Categories: o.Categories, Phone: o.Phone, Vetted: o.Vetted, Capacity: o.Capacity,
	}
}

func organisationFromDoc(in *interner, d *organisationDoc) *matcher.Organisation {
	in.record(&d.Meta)
	in.strs(d.Categories)
	parent := d.Parent
	if parent == "" {
		parent = d.Tenant
	}
	return &matcher.Organisation{
		Record: fromRecord(&d.Meta), Cell: geo.Cell(d.Cell),
		OrganisationInput: matcher.OrganisationInput{
			Name: d.Name, Kind: d.Kind, ParentID: parent, Location: fromPoint(d.Point),
			Categories: orEmpty(d.Categories), Phone: d.Phone, Vetted: d.Vetted, Capacity: d.Capacity,
		},
	}
}

type enterpriseDoc struct {
	Meta       recordDoc      `bson:",inline"`
	Tenant     string         `bson:"tenant"`
	Name       string         `bson:"name"`
	Point      *pointDoc      `bson:"point"`
	Cell       int64          `bson:"cell"`
	Categories []string       `bson:"categories,omitempty"`
	Sites      []pointDoc     `bson:"sites,omitempty"`
	Vetted     bool           `bson:"vetted"`
	Capacity   map[string]int `bson:"capacity,omitempty"`
}

func enterpriseToDoc(e *matcher.Enterprise) enterpriseDoc {
	sites := make([]pointDoc, len(e.Sites))
	for i, s := range e.Sites {
		sites[i] = pointDoc(s)
	}
	return enterpriseDoc{
		Meta: toRecord(&e.Record), Tenant: e.NodeID, Name: e.Name, Point: toPoint(e.Location), Cell: int64(e.Cell),
		Categories: e.Categories, Sites: sites, Vetted: e.Vetted, Capacity: e.Capacity,
	}
}

func enterpriseFromDoc(in *interner, d *enterpriseDoc) *matcher.Enterprise {
	d.Tenant = in.str(d.Tenant)
	in.record(&d.Meta)
	in.strs(d.Categories)
	sites := make([]matcher.Location, len(d.Sites))
	for i, s := range d.Sites {
		sites[i] = matcher.Location(s)
	}
	return &matcher.Enterprise{
		Record: fromRecord(&d.Meta), Cell: geo.Cell(d.Cell),
		EnterpriseInput: matcher.EnterpriseInput{
			Name: d.Name, Location: fromPoint(d.Point), Categories: orEmpty(d.Categories), Sites: sites,
			Vetted: d.Vetted, Capacity: d.Capacity, NodeID: d.Tenant,
		},
	}
}

type resourceDoc struct {
	Meta        recordDoc `bson:",inline"`
	Tenant      string    `bson:"tenant"` // the owner's node
	Owner       partyDoc  `bson:"owner"`
	Kind        string    `bson:"kind"`
	Category    string    `bson:"category"`
	Title       string    `bson:"title"`
	Description string    `bson:"description,omitempty"`
	Quantity    int       `bson:"quantity"`
	Point       *pointDoc `bson:"point"`
	Cell        int64     `bson:"cell"`
}

func resourceToDoc(r *matcher.Resource) resourceDoc {
	return resourceDoc{
		Meta: toRecord(&r.Record), Tenant: r.NodeID, Owner: partyDoc(r.Owner), Kind: r.Kind, Category: r.Category,
		Title: r.Title, Description: r.Description, Quantity: r.Quantity, Point: toPoint(r.Location), Cell: int64(r.Cell),
	}
}

func resourceFromDoc(in *interner, d *resourceDoc) *matcher.Resource {
	d.Tenant, d.Category = in.str(d.Tenant), in.str(d.Category)
	in.record(&d.Meta)
	return &matcher.Resource{
		Record: fromRecord(&d.Meta), Owner: matcher.Party(d.Owner), NodeID: d.Tenant, Cell: geo.Cell(d.Cell),
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
// and guardian's name are one AES-GCM value, and only the record, node,
// cell and the consent's who/why/when are in clear. The clear-text fields
// are read only from documents written without a Cipher.
type residentDoc struct {
	Meta         recordDoc   `bson:",inline"`
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

func residentAD(id string) string { return "residents/" + id }

func residentToDoc(c *Cipher, r *matcher.Resident) (residentDoc, error) {
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
		Meta: toRecord(&r.Record), Tenant: r.NodeID, Cell: int64(r.Cell), Consent: cd,
		Withdrawn: r.ConsentWithdrawnAt, Erased: r.ErasedAt,
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

func (p *residentPII) isZero() bool {
	return p.Name == "" && p.Phone == "" && p.BirthDate == "" && len(p.Disabilities) == 0 && !p.LivesAlone &&
		p.Address == "" && p.Point == nil && p.GuardianName == ""
}

func residentFromDoc(c *Cipher, in *interner, d *residentDoc) (*matcher.Resident, error) {
	d.Tenant = in.str(d.Tenant)
	in.record(&d.Meta)
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
		if err := c.open(d.Sealed, residentAD(d.Meta.ID), &pii); err != nil {
			return nil, err
		}
	}
	var consent *matcher.Consent
	if d.Consent != nil {
		consent = &matcher.Consent{GivenBy: d.Consent.GivenBy, GuardianName: pii.GuardianName, Purpose: d.Consent.Purpose, GivenAt: d.Consent.GivenAt.UTC()}
	}
	return &matcher.Resident{
		Record: fromRecord(&d.Meta), Cell: geo.Cell(d.Cell),
		ConsentWithdrawnAt: utcOrZero(d.Withdrawn), ErasedAt: utcOrZero(d.Erased),
		ResidentInput: matcher.ResidentInput{
			Name: pii.Name, Phone: pii.Phone, BirthDate: pii.BirthDate, Disabilities: orEmpty(pii.Disabilities),
			LivesAlone: pii.LivesAlone, Address: pii.Address, Location: fromPoint(pii.Point), Consent: consent, NodeID: d.Tenant,
		},
	}, nil
}

// wishDoc seals the wish's exact point (the resident's) and its free-text
// description, as residentDoc does; the cell stays in clear.
type wishDoc struct {
	Meta           recordDoc `bson:",inline"`
	Tenant         string    `bson:"tenant"`
	ResidentID     string    `bson:"resident_id"`
	Category       string    `bson:"category"`
	Title          string    `bson:"title"`
	Sealed         string    `bson:"sealed,omitempty"`
	Description    string    `bson:"description,omitempty"`
	Skills         []string  `bson:"skills,omitempty"`
	Items          []string  `bson:"items,omitempty"`
	DueAt          time.Time `bson:"due_at"`
	OnSite         bool      `bson:"on_site"`
	AllowDuplicate bool      `bson:"allow_duplicate,omitempty"`
	Point          *pointDoc `bson:"point,omitempty"`
	Cell           int64     `bson:"cell"`
	Erased         time.Time `bson:"erased_at,omitempty"`
}

// wishPrivate is what a wishDoc seals.
type wishPrivate struct {
	Description string    `json:"d,omitempty"`
	Point       *pointDoc `json:"pt,omitempty"`
}

func wishAD(id string) string { return "wishes/" + id }

func wishToDoc(c *Cipher, w *matcher.Wish) (wishDoc, error) {
	d := wishDoc{
		Meta: toRecord(&w.Record), Tenant: w.NodeID, ResidentID: w.ResidentID, Category: w.Category, Title: w.Title,
		Skills: w.Needs.Skills, Items: w.Needs.Items, DueAt: w.DueAt, OnSite: w.OnSite, AllowDuplicate: w.AllowDuplicate,
		Cell: int64(w.Cell), Erased: w.ErasedAt,
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

func wishFromDoc(c *Cipher, in *interner, d *wishDoc) (*matcher.Wish, error) {
	d.Tenant, d.Category = in.str(d.Tenant), in.str(d.Category)
	in.strs(d.Skills)
	in.record(&d.Meta)
	priv := wishPrivate{Description: d.Description, Point: d.Point}
	if d.Sealed != "" {
		if c == nil {
			return nil, errors.New("the exact point is sealed and no data key is configured")
		}
		if err := c.open(d.Sealed, wishAD(d.Meta.ID), &priv); err != nil {
			return nil, err
		}
	}
	return &matcher.Wish{
		Record: fromRecord(&d.Meta), NodeID: d.Tenant, Location: fromPoint(priv.Point), Cell: geo.Cell(d.Cell),
		ErasedAt: utcOrZero(d.Erased),
		WishInput: matcher.WishInput{
			ResidentID: d.ResidentID, Category: d.Category, Title: d.Title, Description: priv.Description,
			Needs: matcher.Needs{Skills: orEmpty(d.Skills), Items: d.Items}, DueAt: d.DueAt.UTC(), OnSite: d.OnSite,
			AllowDuplicate: d.AllowDuplicate,
		},
	}, nil
}

type keyDoc struct {
	ID        string    `bson:"_id"` // SHA-256 of the key
	Version   int       `bson:"v"`
	Tenant    string    `bson:"tenant"` // the subject
	Prefix    string    `bson:"prefix"`
	Role      string    `bson:"role"`
	CreatedBy actorDoc  `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
	RevokedAt time.Time `bson:"revoked_at,omitempty"`
	RevokedBy *actorDoc `bson:"revoked_by,omitempty"`
}

func keyToDoc(k *matcher.APIKey) keyDoc {
	d := keyDoc{
		ID: k.ID, Version: k.Version, Tenant: k.SubjectID, Prefix: k.Prefix, Role: k.Role, CreatedBy: actorDoc(k.CreatedBy),
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt,
	}
	if k.RevokedBy != nil {
		a := actorDoc(*k.RevokedBy)
		d.RevokedBy = &a
	}
	return d
}

func keyFromDoc(d *keyDoc) *matcher.APIKey {
	k := &matcher.APIKey{
		ID: d.ID, Version: d.Version, SubjectID: d.Tenant, Prefix: d.Prefix, Role: d.Role, CreatedBy: matcher.Actor(d.CreatedBy),
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: utcOrZero(d.ExpiresAt), RevokedAt: utcOrZero(d.RevokedAt),
	}
	if d.RevokedBy != nil {
		a := matcher.Actor(*d.RevokedBy)
		k.RevokedBy = &a
	}
	return k
}

type offerDoc struct {
	Meta        recordDoc `bson:",inline"`
	WishID      string    `bson:"wish_id"`
	Category    string    `bson:"category,omitempty"`
	Supplier    partyDoc  `bson:"supplier"`
	RunID       string    `bson:"run_id"`
	WalkMinutes float64   `bson:"walk_minutes"`
	Minutes     float64   `bson:"circle_minutes"`
	ExpiresAt   time.Time `bson:"expires_at"`
	Tenant      string    `bson:"tenant"`
}

func offerToDoc(o *matcher.Offer) offerDoc {
	return offerDoc{Meta: toRecord(&o.Record), WishID: o.WishID, Category: o.Category, Supplier: partyDoc(o.Supplier), RunID: o.RunID,
		WalkMinutes: o.WalkMinutes, Minutes: o.Minutes, ExpiresAt: o.ExpiresAt, Tenant: o.NodeID}
}

func offerFromDoc(d *offerDoc) *matcher.Offer {
	return &matcher.Offer{Record: fromRecord(&d.Meta), WishID: d.WishID, Category: d.Category, Supplier: matcher.Party(d.Supplier), RunID: d.RunID,
		WalkMinutes: d.WalkMinutes, Minutes: d.Minutes, ExpiresAt: d.ExpiresAt.UTC(), NodeID: d.Tenant, Status: matcher.OfferPending}
}

type hoursDoc struct {
	VolunteerID string  `bson:"volunteer_id"`
	Hours       float64 `bson:"hours"`
}

type eventDoc struct {
	ID       string     `bson:"_id"`
	WishID   string     `bson:"wish_id"`
	Seq      int        `bson:"seq"`
	Type     string     `bson:"type"`
	Actor    actorDoc   `bson:"actor"`
	At       time.Time  `bson:"at"`
	ClaimID  string     `bson:"claim_id,omitempty"`
	Claimant *partyDoc  `bson:"claimant,omitempty"`
	DueAt    time.Time  `bson:"due_at,omitempty"`
	Note     string     `bson:"note,omitempty"`
	Rating   int        `bson:"rating,omitempty"`
	Hours    []hoursDoc `bson:"hours,omitempty"`
	Category string     `bson:"category,omitempty"`
	DoneAt   time.Time  `bson:"done_at,omitempty"`
	Next     *partyDoc  `bson:"next,omitempty"`
	Offer    string     `bson:"offer,omitempty"`
	Minutes  float64    `bson:"minutes,omitempty"`
	Resource string     `bson:"resource,omitempty"`
	Groups   []string   `bson:"groups,omitempty"`
}

func eventToDoc(e *matcher.Event) eventDoc {
	d := eventDoc{
		ID: matcher.EventID(e.WishID, e.Seq), WishID: e.WishID, Seq: e.Seq, Type: e.Type,
		Actor: actorDoc(e.Actor), At: e.At, ClaimID: e.ClaimID, DueAt: e.DueAt, Note: e.Note, Rating: e.Rating,
		Category: e.Category, DoneAt: e.DoneAt, Offer: e.Offer, Minutes: e.Minutes, Resource: e.Resource, Groups: e.Groups,
	}
	if e.Next != nil {
		n := partyDoc(*e.Next)
		d.Next = &n
	}
	if e.Claimant != nil {
		c := partyDoc(*e.Claimant)
		d.Claimant = &c
	}
	for _, h := range e.Hours {
		d.Hours = append(d.Hours, hoursDoc(h))
	}
	return d
}

func eventFromDoc(d *eventDoc) *matcher.Event {
	e := &matcher.Event{
		ID: matcher.EventID(d.WishID, d.Seq), WishID: d.WishID, Seq: d.Seq, Type: d.Type, Actor: matcher.Actor(d.Actor), At: d.At.UTC(),
		ClaimID: d.ClaimID, DueAt: utcOrZero(d.DueAt), Note: d.Note, Rating: d.Rating,
		Category: d.Category, DoneAt: utcOrZero(d.DoneAt), Offer: d.Offer, Minutes: d.Minutes, Resource: d.Resource, Groups: d.Groups,
	}
	if d.Next != nil {
		n := matcher.Party(*d.Next)
		e.Next = &n
	}
	if d.Claimant != nil {
		c := matcher.Party(*d.Claimant)
		e.Claimant = &c
	}
	for _, h := range d.Hours {
		e.Hours = append(e.Hours, matcher.Hours(h))
	}
	return e
}

type auditDoc struct {
	ID      string            `bson:"_id"`
	At      time.Time         `bson:"at"`
	Actor   actorDoc          `bson:"actor"`
	Action  string            `bson:"action"`
	Subject partyDoc          `bson:"subject"`
	Tenant  string            `bson:"tenant,omitempty"`
	Details map[string]string `bson:"details,omitempty"`
}

type aggregateDoc struct {
	WishID   string `bson:"_id"`
	Tenant   string `bson:"tenant,omitempty"`
	Category string `bson:"category"`
	Cell     int64  `bson:"cell"`
	Month    string `bson:"month"`
	Outcome  string `bson:"outcome"`
	Rating   int    `bson:"rating,omitempty"`
}

type idemDoc struct {
	Key  string    `bson:"key"`
	Hash string    `bson:"hash"`
	At   time.Time `bson:"at"`
	Kind string    `bson:"kind,omitempty"`
	ID   string    `bson:"id,omitempty"`
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

// record interns the fields of a record that repeat.
func (in *interner) record(r *recordDoc) {
	r.CreatedBy.Kind, r.CreatedBy.ID, r.CreatedBy.Key = in.str(r.CreatedBy.Kind), in.str(r.CreatedBy.ID), in.str(r.CreatedBy.Key)
}
