package matcher

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// column is one column an import file may have.
type column struct {
	name     string
	required bool
}

// importKind is what an import of one kind of record needs: its columns,
// the create action whose roles may import it, how a row becomes a record
// (through the very validation and placement of the create route), and
// how a record may repeat another.
type importKind struct {
	name    string
	object  string
	create  Action
	columns []column
	// needsNode: an admin must name the node the rows belong to.
	needsNode bool
	build     func(s *Service, p Principal, node string, c cells, now time.Time) (any, error)
	// keysOf returns the duplicate keys of a record of the kind, within
	// a file and, when indexed, against the records in scope.
	keysOf  func(rec any) []dupKey
	indexed bool
	each    func(s *Service, fn func(any))
	get     func(s *Service, id string) (any, bool)
	// open returns an open wish the record repeats (wishes only).
	open func(s *Service, rec any) string
	// retired reports whether a record no longer counts as one a row may
	// repeat (a resident who withdrew consent); nil for never.
	retired func(rec any) bool
}

func (k *importKind) columnList() string {
	names := make([]string, len(k.columns))
	for i, c := range k.columns {
		names[i] = c.name
		if c.required {
			names[i] += " (required)"
		}
	}
	return strings.Join(names, ", ")
}

func cols(required []string, optional ...string) []column {
	var out []column
	for _, n := range required {
		out = append(out, column{n, true})
	}
	for _, n := range optional {
		out = append(out, column{n, false})
	}
	return out
}

// importKinds are the kinds of file an import reads, by name.
var importKinds = map[string]*importKind{
	"volunteers": {
		name: "volunteers", object: objVolunteer, create: VolunteerCreate, indexed: true,
		columns: cols([]string{"name", "birth_date", "lat", "lng"},
			"phone", "skills", "certifications", "organisation_id", "max_active_claims", "node_id"),
		build: buildVolunteer,
		keysOf: func(r any) []dupKey {
			v := r.(*Volunteer)
			return personKeys(v.Name, v.Phone, v.BirthDate)
		},
		each: func(s *Service, fn func(any)) { s.volunteers.Each(func(v *Volunteer) bool { fn(v); return true }) },
		get:  func(s *Service, id string) (any, bool) { return s.volunteers.Get(id) },
	},
	"organisations": {
		name: "organisations", object: objOrganisation, create: OrganisationCreate, indexed: true,
		columns: cols([]string{"name", "kind", "lat", "lng"}, "parent_id", "categories", "phone", "vetted", "capacity"),
		build:   buildOrganisation,
		keysOf: func(r any) []dupKey {
			o := r.(*Organisation)
			return nameUnder(o.Name, o.ParentID)
		},
		each: func(s *Service, fn func(any)) {
			s.organisations.Each(func(o *Organisation) bool { fn(o); return true })
		},
		get: func(s *Service, id string) (any, bool) { return s.organisations.Get(id) },
	},
	"enterprises": {
		name: "enterprises", object: objEnterprise, create: EnterpriseCreate, indexed: true,
		columns: cols([]string{"name", "lat", "lng"}, "categories", "sites", "vetted", "capacity", "node_id"),
		build:   buildEnterprise,
		keysOf: func(r any) []dupKey {
			e := r.(*Enterprise)
			return nameUnder(e.Name, e.NodeID)
		},
		each: func(s *Service, fn func(any)) { s.enterprises.Each(func(e *Enterprise) bool { fn(e); return true }) },
		get:  func(s *Service, id string) (any, bool) { return s.enterprises.Get(id) },
	},
	"residents": {
		name: "residents", object: objResident, create: ResidentCreate, indexed: true, needsNode: true,
		columns: cols([]string{"name", "birth_date", "lat", "lng", "consent_given_by", "consent_purpose", "consent_given_at"},
			"phone", "disabilities", "lives_alone", "address", "guardian_name", "community_id"),
		build: buildResident,
		keysOf: func(r any) []dupKey {
			v := r.(*Resident)
			if v.hidden() { // consent withdrawn or data erased: a new record is a new consent
				return nil
			}
			return personKeys(v.Name, v.Phone, v.BirthDate)
		},
		each:    func(s *Service, fn func(any)) { s.residents.Each(func(r *Resident) bool { fn(r); return true }) },
		get:     func(s *Service, id string) (any, bool) { return s.residents.Get(id) },
		retired: func(r any) bool { return r.(*Resident).hidden() },
	},
	"wishes": {
		name: "wishes", object: objWish, create: WishCreate, needsNode: true,
		columns: cols([]string{"resident_id", "category", "title", "due_at"},
			"description", "skills", "items", "on_site", "allow_duplicate"),
		build: buildWish,
		keysOf: func(r any) []dupKey {
			w := r.(*Wish)
			if w.AllowDuplicate {
				return nil
			}
			return []dupKey{{"w:" + w.ResidentID + "|" + w.Category, "same resident and category"}}
		},
		get: func(s *Service, id string) (any, bool) { return s.wishes.Get(id) },
		open: func(s *Service, r any) string {
			w := r.(*Wish)
			if w.AllowDuplicate {
				return ""
			}
			return s.openDuplicate(w.ResidentID, w.Category, w.CreatedAt)
		},
	},
}

func importKindNames() []string { return slices.Sorted(maps.Keys(importKinds)) }

// importKindOf returns the kind whose duplicate keys a record has, nil for
// records of no indexed kind.
func importKindOf(r any) *importKind {
	switch r.(type) {
	case *Volunteer:
		return importKinds["volunteers"]
	case *Organisation:
		return importKinds["organisations"]
	case *Enterprise:
		return importKinds["enterprises"]
	case *Resident:
		return importKinds["residents"]
	}
	return nil
}

// or returns s, or else def.
func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func buildVolunteer(s *Service, p Principal, node string, c cells, now time.Time) (any, error) {
	in := VolunteerInput{Name: c.get("name"), Phone: c.structured("phone"), BirthDate: c.structured("birth_date"),
		Skills: c.list("skills"), OrganisationID: c.get("organisation_id"), NodeID: or(c.get("node_id"), node)}
	var err error
	if in.Location, err = c.location(); err != nil {
		return nil, err
	}
	if in.Certifications, err = c.certifications(); err != nil {
		return nil, err
	}
	if in.MaxActiveClaims, err = c.integer("max_active_claims", "max_active_claims"); err != nil {
		return nil, err
	}
	v := &Volunteer{Record: newRecord("vol", p, now)}
	return v, s.setVolunteer(p, v, in, now)
}

func buildOrganisation(s *Service, p Principal, node string, c cells, now time.Time) (any, error) {
	in := OrganisationInput{Name: c.get("name"), Kind: c.structured("kind"), ParentID: or(c.get("parent_id"), node),
		Categories: c.list("categories"), Phone: c.structured("phone")}
	var err error
	if in.Location, err = c.location(); err != nil {
		return nil, err
	}
	if in.Vetted, err = c.boolean("vetted", "vetted"); err != nil {
		return nil, err
	}
	if in.Capacity, err = c.capacity(); err != nil {
		return nil, err
	}
	o := &Organisation{Record: newRecord("org", p, now)}
	return o, s.setOrganisation(p, o, in, false)
}

func buildEnterprise(s *Service, p Principal, node string, c cells, now time.Time) (any, error) {
	in := EnterpriseInput{Name: c.get("name"), Categories: c.list("categories"), NodeID: or(c.get("node_id"), node)}
	var err error
	if in.Location, err = c.location(); err != nil {
		return nil, err
	}
	if in.Sites, err = c.sites(); err != nil {
		return nil, err
	}
	if in.Vetted, err = c.boolean("vetted", "vetted"); err != nil {
		return nil, err
	}
	if in.Capacity, err = c.capacity(); err != nil {
		return nil, err
	}
	e := &Enterprise{Record: newRecord("ent", p, now)}
	return e, s.setEnterprise(p, e, in)
}

func buildResident(s *Service, p Principal, node string, c cells, now time.Time) (any, error) {
	in := ResidentInput{Name: c.get("name"), Phone: c.structured("phone"), BirthDate: c.structured("birth_date"),
		Disabilities: c.list("disabilities"), Address: c.get("address"), NodeID: or(c.get("community_id"), node)}
	var err error
	if in.Location, err = c.location(); err != nil {
		return nil, err
	}
	if in.LivesAlone, err = c.boolean("lives_alone", "lives_alone"); err != nil {
		return nil, err
	}
	if c.get("consent_given_by")+c.get("guardian_name")+c.get("consent_purpose")+c.get("consent_given_at") != "" {
		in.Consent = &Consent{GivenBy: c.structured("consent_given_by"), GuardianName: c.get("guardian_name"), Purpose: c.get("consent_purpose")}
		if in.Consent.GivenAt, err = c.instant("consent_given_at", "consent.given_at"); err != nil {
			return nil, err
		}
	}
	r := &Resident{Record: newRecord("rsd", p, now)}
	return r, s.setResident(p, r, in, now)
}

// buildWish validates a wish as CreateWish does; its resident must be in
// the caller's scope and under the import's node.
func buildWish(s *Service, p Principal, node string, c cells, now time.Time) (any, error) {
	in := WishInput{ResidentID: c.get("resident_id"), Category: c.structured("category"), Title: c.get("title"),
		Description: c.get("description"), Needs: Needs{Skills: c.list("skills"), Items: c.list("items")}}
	var err error
	if in.DueAt, err = c.instant("due_at", "due_at"); err != nil {
		return nil, err
	}
	if in.OnSite, err = c.boolean("on_site", "on_site"); err != nil {
		return nil, err
	}
	if in.AllowDuplicate, err = c.boolean("allow_duplicate", "allow_duplicate"); err != nil {
		return nil, err
	}
	if len(in.Needs.Items) == 0 {
		in.Needs.Items = nil
	}
	if err := in.validate(&s.cfg.Catalog, now, s.cfg.MaxDueIn); err != nil {
		return nil, err
	}
	w, err := s.wishFor(p, in, now)
	if err != nil {
		return nil, err
	}
	if node != "" && !s.tree.within(node, w.NodeID) {
		return nil, Invalid("resident_id", "no resident in your scope has id %q", in.ResidentID)
	}
	return w, nil
}
