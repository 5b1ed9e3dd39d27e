package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

// A district for the authorization matrix: D → S1 → {A, A2}, D → S2 → B.
// Every community has the same objects: a social organisation, an
// enterprise, a volunteer (a member of the organisation), a resource of
// the enterprise, a resident and two wishes, one open and one claimed by
// the community's enterprise.

// tenant is one community's world: its staff, suppliers and the objects
// they own, with the keys of every role.
type tenant struct {
	community                                     string
	keys                                          map[string]string // role → key
	volunteer, organisation, enterprise, resource string
	resident, wish, claimed, claimID              string
	enterpriseKey                                 string
}

// otherResident is the personal data of community B's resident: none of
// it may ever reach a caller of community A.
var otherResident = map[string]any{
	"name": "Zhao Mingzhu", "phone": "13711112222", "birth_date": "1950-07-08", "address": "99 Hidden Lane, Room 1",
	"disabilities": []string{"wheelchair_user"}, "location": map[string]any{"lat": 30.2801234, "lng": 120.1601234},
	"consent": map[string]any{"given_by": "self", "purpose": "micro-wish matching", "given_at": "2026-11-01T09:00:00Z"},
}

var otherSecrets = []string{"Zhao Mingzhu", "13711112222", "1950-07-08", "Hidden Lane", "30.2801", "120.1601"}

// mustTenant makes a community under parent ("" for a root) with its
// objects and keys.
func mustTenant(tb testing.TB, s *server, name, parent string, lat float64, resident map[string]any) *tenant {
	tb.Helper()
	t := &tenant{keys: map[string]string{}}
	loc := map[string]any{"lat": lat, "lng": 120.15}
	creator := s.admin
	if parent != "" {
		creator = s.mustKey(tb, "coordinator", parent)
	}
	t.community = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", creator, map[string]any{
		"name": name, "kind": "community", "location": loc})["id"].(string)
	t.keys["coordinator"] = s.mustKey(tb, "coordinator", t.community)
	t.keys["social_worker"] = s.mustKey(tb, "social_worker", t.community)
	t.organisation = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", t.keys["coordinator"], map[string]any{
		"name": name + " Social Work", "kind": "social_org", "location": loc, "categories": []string{"repair"}})["id"].(string)
	t.keys["organisation"] = s.mustKey(tb, "organisation", t.organisation)
	t.enterprise = s.mustCall(tb, http.StatusCreated, "POST", "/v1/enterprises", t.keys["coordinator"], map[string]any{
		"name": name + " Repairs", "location": loc, "categories": []string{"repair"}})["id"].(string)
	t.keys["enterprise"] = s.mustKey(tb, "enterprise", t.enterprise)
	t.enterpriseKey = t.keys["enterprise"]
	v := volunteerBody()
	v["location"], v["organisation_id"] = loc, t.organisation
	t.volunteer = s.mustCall(tb, http.StatusCreated, "POST", "/v1/volunteers", t.keys["coordinator"], v)["id"].(string)
	t.keys["volunteer"] = s.mustKey(tb, "volunteer", t.volunteer)
	t.resource = s.mustCall(tb, http.StatusCreated, "POST", "/v1/resources", t.keys["enterprise"], map[string]any{
		"kind": "goods", "category": "repair", "title": "tools", "quantity": 2, "location": loc})["id"].(string)
	t.resident = s.mustCall(tb, http.StatusCreated, "POST", "/v1/residents", t.keys["social_worker"], resident)["id"].(string)
	t.wish = t.mustWish(tb, s)
	t.claimed = t.mustWish(tb, s)
	t.claimID = s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+t.claimed+"/claims", t.enterpriseKey, nil)["id"].(string)
	return t
}

func (t *tenant) mustWish(tb testing.TB, s *server) string {
	tb.Helper()
	return s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", t.keys["social_worker"], wishBody(t.resident))["id"].(string)
}

// keyFor returns a key whose role may do action: the admin's when it may,
// else one of t's. A role that may never do it is refused before its body
// is read, so only such a key reaches the decoder.
func (t *tenant) keyFor(s *server, action matcher.Action) string {
	if matcher.RoleMay(matcher.RoleAdmin, action) == nil {
		return s.admin
	}
	for _, role := range []string{matcher.RoleCoordinator, matcher.RoleSocialWorker, matcher.RoleEnterprise,
		matcher.RoleOrganisation, matcher.RoleVolunteer} {
		if matcher.RoleMay(role, action) == nil {
			return t.keys[role]
		}
	}
	return s.admin
}

// object returns t's object of the collection a path starts with.
func (t *tenant) object(path string) string {
	for _, c := range []struct{ prefix, id string }{
		{"/v1/volunteers/", t.volunteer}, {"/v1/organisations/", t.organisation}, {"/v1/enterprises/", t.enterprise},
		{"/v1/resources/", t.resource}, {"/v1/residents/", t.resident}, {"/v1/wishes/", t.wish},
	} {
		if strings.HasPrefix(path, c.prefix) {
			return c.id
		}
	}
	return "zzz_not_a_known_object"
}

func wishBody(resident string) map[string]any {
	return map[string]any{
		"resident_id": resident, "category": "repair", "title": "Repair a wheelchair", "description": "left wheel",
		"needs": map[string]any{"skills": []string{}}, "due_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339),
		"on_site": true, "allow_duplicate": true,
	}
}

// bodyFor is a valid body of each route, for t's objects.
func bodyFor(method, path string, t *tenant) any {
	if method != http.MethodPost && method != http.MethodPut && method != http.MethodDelete {
		return nil
	}
	loc := map[string]any{"lat": 30.27, "lng": 120.15}
	switch path {
	case "/v1/volunteers", "/v1/volunteers/{id}":
		return volunteerBody()
	case "/v1/organisations", "/v1/organisations/{id}":
		return map[string]any{"name": "X", "kind": "social_org", "location": loc, "categories": []string{"repair"}}
	case "/v1/enterprises", "/v1/enterprises/{id}":
		return map[string]any{"name": "X", "location": loc, "categories": []string{"repair"}}
	case "/v1/resources", "/v1/resources/{id}":
		return map[string]any{"kind": "goods", "category": "repair", "title": "x", "quantity": 1, "location": loc}
	case "/v1/residents", "/v1/residents/{id}":
		return residentBody()
	case "/v1/wishes", "/v1/wishes/{id}":
		return wishBody(t.resident)
	case "/v1/api-keys":
		return map[string]any{"role": "enterprise", "subject_id": t.enterprise}
	case "/v1/wishes/{id}/reassign":
		return map[string]any{"claimant": map[string]any{"kind": "organisation", "id": t.organisation}}
	case "/v1/wishes/{id}/fulfilment":
		return map[string]any{"note": "done"}
	case "/v1/wishes/{id}/confirmation":
		return map[string]any{"outcome": "confirmed", "rating": 5}
	case "/v1/programmes", "/v1/programmes/{id}":
		return programmeBody(t.organisation)
	case "/v1/match-runs":
		return map[string]any{"dry_run": true} // a real round would make offers on every cell's wishes
	case "/v1/offers/{id}/decline":
		return map[string]any{"reason": "away"}
	}
	return nil
}

// publicWishKeys is all a supplier may see of a wish it has not claimed.
var publicWishKeys = []string{"id", "category", "title", "needs", "due_at", "on_site", "status", "cell", "walk_band"}

type operation struct {
	method, path string
	action       matcher.Action
}

func mustOperations(tb testing.TB, s *server) ([]operation, map[string]any) {
	tb.Helper()
	doc := s.mustCall(tb, http.StatusOK, "GET", "/openapi.json", "", nil)
	var ops []operation
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			a, _ := op.(map[string]any)["x-linli-action"].(string)
			if a == "" {
				continue // public
			}
			ops = append(ops, operation{strings.ToUpper(method), path, matcher.Action(a)})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops, doc
}

// caller is one key of the matrix and what it is.
type caller struct {
	name  string
	role  string
	key   string
	node  string // the node a staff key names
	party matcher.Party
}

// district is the matrix's world.
type district struct {
	s            *server
	root, s1, s2 string
	a, a2, b     *tenant
	callers      []caller
	ancestorsOfA []string // nodes whose staff reach A
	dryRun       string   // a finished dry run of A's community
	programme    string   // a programme of A's community
	offers       map[string]offerOf
	made         int // offers made, each at its own place
}

// programmeBody is a programme bought from provider around A's place.
func programmeBody(provider string) map[string]any {
	return map[string]any{"name": "长者助餐", "department": "民政局", "provider_id": provider, "category": "meal_delivery",
		"target_group": map[string]any{"tags": []string{"elderly"}}, "cells": []string{"8830e1d8a5fffff"},
		"budget": 100000, "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-12-31T00:00:00Z"}
}

// offerOf is an offer of A's round and the key of its offeree.
type offerOf struct{ id, key string }

// offereeOf names the caller an offer of the variant is made to: a fresh
// volunteer of A, or a fresh resource of A's enterprise.
func offereeOf(variant string) string {
	if variant == "resource" {
		return "A enterprise"
	}
	return "A volunteer"
}

// round starts a round as A's coordinator and waits for it to finish.
func (d *district) round(tb testing.TB, body map[string]any) map[string]any {
	tb.Helper()
	key := d.a.keys["coordinator"]
	run := d.s.mustCall(tb, http.StatusAccepted, "POST", "/v1/match-runs", key, body)
	for deadline := time.Now().Add(20 * time.Second); run["status"] == "running"; {
		if time.Now().After(deadline) {
			tb.Fatalf("round %v still running", run["id"])
		}
		time.Sleep(10 * time.Millisecond)
		run = d.s.mustCall(tb, http.StatusOK, "GET", "/v1/match-runs/"+run["id"].(string), key, nil)
	}
	if run["status"] != "done" {
		tb.Fatalf("round: %v", run)
	}
	return run
}

// newOffer makes an offer of A's: a resident of A with a wish at a place
// of its own, a supplier there (a volunteer, or a resource of A's
// enterprise), a round limited to the wish's cell, approved.
func (d *district) newOffer(tb testing.TB, variant string) offerOf {
	tb.Helper()
	s, a := d.s, d.a
	d.made++
	loc := map[string]any{"lat": 30.20 - 0.02*float64(d.made), "lng": 120.15}
	r := residentBody()
	r["location"] = loc
	resident := s.mustCall(tb, http.StatusCreated, "POST", "/v1/residents", a.keys["social_worker"], r)["id"].(string)
	wish := s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", a.keys["social_worker"], wishBody(resident))["id"].(string)
	o := offerOf{key: a.enterpriseKey}
	if variant == "resource" {
		s.mustCall(tb, http.StatusCreated, "POST", "/v1/resources", a.enterpriseKey, map[string]any{
			"kind": "goods", "category": "repair", "title": "tools", "quantity": 1, "location": loc})
	} else {
		v := volunteerBody()
		v["location"] = loc
		id := s.mustCall(tb, http.StatusCreated, "POST", "/v1/volunteers", a.keys["coordinator"], v)["id"].(string)
		o.key = s.mustKey(tb, "volunteer", id)
	}
	grid, _ := geo.New(geo.DefaultConfig())
	cell := grid.Cell(geo.Point{Lat: loc["lat"].(float64), Lng: 120.15}).String()
	run := d.round(tb, map[string]any{"cells": []string{cell}})
	if p, _ := run["proposals"].([]any); len(p) != 1 || p[0].(map[string]any)["wish_id"] != wish {
		tb.Fatalf("the round of cell %s: %v; want one proposal for %s", cell, run, wish)
	}
	s.mustCall(tb, http.StatusOK, "POST", "/v1/match-runs/"+run["id"].(string)+"/approve", a.keys["coordinator"], nil)
	list := s.mustCall(tb, http.StatusOK, "GET", "/v1/offers?status=pending&run_id="+run["id"].(string), o.key, nil)
	items, _ := list["items"].([]any)
	if len(items) != 1 {
		tb.Fatalf("offers of the round: %v", list)
	}
	o.id = items[0].(map[string]any)["id"].(string)
	return o
}

func mustDistrict(tb testing.TB, s *server) *district {
	tb.Helper()
	d := &district{s: s}
	loc := map[string]any{"lat": 30.27, "lng": 120.15}
	d.root = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", s.admin, map[string]any{
		"name": "Gongshu District", "kind": "district", "location": loc})["id"].(string)
	dc := s.mustKey(tb, "coordinator", d.root)
	d.s1 = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", dc, map[string]any{
		"name": "Hushu Street", "kind": "street", "location": loc})["id"].(string)
	d.s2 = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", dc, map[string]any{
		"name": "Xiaohe Street", "kind": "street", "location": loc})["id"].(string)
	d.a = mustTenant(tb, s, "Xiaohe", d.s1, 30.27, residentBody())
	d.a2 = mustTenant(tb, s, "Daguan", d.s1, 30.27, residentBody())
	d.b = mustTenant(tb, s, "Gongshu", d.s2, 30.28, otherResident)
	d.ancestorsOfA = []string{d.a.community, d.s1, d.root}
	d.callers = []caller{{name: "admin", role: "admin", key: s.admin}}
	for _, n := range []struct {
		name, node string
	}{{"district", d.root}, {"street S1", d.s1}, {"street S2", d.s2}} {
		for _, role := range []string{"coordinator", "social_worker"} {
			d.callers = append(d.callers, caller{name: n.name + " " + role, role: role, key: s.mustKey(tb, role, n.node), node: n.node})
		}
	}
	for _, t := range []struct {
		name string
		t    *tenant
	}{{"A", d.a}, {"sibling A2", d.a2}, {"cousin B", d.b}} {
		for _, role := range []string{"coordinator", "social_worker"} {
			d.callers = append(d.callers, caller{name: t.name + " " + role, role: role, key: t.t.keys[role], node: t.t.community})
		}
		d.callers = append(d.callers,
			caller{name: t.name + " enterprise", role: "enterprise", key: t.t.keys["enterprise"], party: matcher.Party{Kind: "enterprise", ID: t.t.enterprise}},
			caller{name: t.name + " organisation", role: "organisation", key: t.t.keys["organisation"], party: matcher.Party{Kind: "organisation", ID: t.t.organisation}},
			caller{name: t.name + " volunteer", role: "volunteer", key: t.t.keys["volunteer"], party: matcher.Party{Kind: "volunteer", ID: t.t.volunteer}},
		)
	}
	return d
}

// target is an object of A a route acts on, fresh for the cell when the
// route changes it, and what is true of it.
type target struct {
	path    string // the route's path with its parameters filled
	kind    string
	open    bool   // a wish that is open
	claimed bool   // a wish claimed by A's enterprise
	keyOf   string // an API key: whose (caller name)
	offeree string // an offer: the caller it is made to
}

// fresh makes a new object of A for a cell of a route that changes what
// it acts on, so that cells do not see each other's changes.
func (d *district) fresh(tb testing.TB, op operation, c caller, variant string) (target, string) {
	tb.Helper()
	s, a := d.s, d.a
	kind := strings.Split(strings.TrimPrefix(op.path, "/v1/"), "/")[0]
	tg := target{kind: kind}
	id := ""
	key := c.key
	switch kind {
	case "volunteers":
		v := volunteerBody()
		v["organisation_id"] = a.organisation
		id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/volunteers", a.keys["coordinator"], v)["id"].(string)
		if c.name == "A volunteer" { // Itself: the key must be this volunteer's
			key = s.mustKey(tb, "volunteer", id)
		}
	case "organisations":
		id = a.organisation
		if op.method != http.MethodGet {
			id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", a.keys["coordinator"],
				bodyFor("POST", "/v1/organisations", a))["id"].(string)
			if c.name == "A organisation" {
				key = s.mustKey(tb, "organisation", id)
			}
		} else if c.name == "A organisation" {
			key = a.keys["organisation"]
		}
	case "enterprises":
		id = a.enterprise
		if op.method != http.MethodGet {
			id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/enterprises", a.keys["coordinator"],
				bodyFor("POST", "/v1/enterprises", a))["id"].(string)
			if c.name == "A enterprise" {
				key = s.mustKey(tb, "enterprise", id)
			}
		}
	case "resources":
		id = a.resource
		if op.method != http.MethodGet {
			id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/resources", a.enterpriseKey, bodyFor("POST", "/v1/resources", a))["id"].(string)
		}
	case "residents":
		id = a.resident
		if op.method != http.MethodGet {
			id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/residents", a.keys["social_worker"], residentBody())["id"].(string)
		}
	case "wishes":
		id = a.mustWish(tb, s)
		tg.open = variant == "open"
		if variant == "claimed" {
			claim := s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+id+"/claims", a.enterpriseKey, nil)
			tg.claimed = true
			tg.path = strings.ReplaceAll(op.path, "{claim_id}", claim["id"].(string))
		}
	case "programmes":
		if d.programme == "" || op.method != http.MethodGet {
			id = s.mustCall(tb, http.StatusCreated, "POST", "/v1/programmes", a.keys["coordinator"], programmeBody(a.organisation))["id"].(string)
			if d.programme == "" {
				d.programme = id
			}
		} else {
			id = d.programme
		}
	case "match-runs":
		// A finished dry run: approving it is refused (409) past
		// authorization, and changes nothing.
		if d.dryRun == "" {
			d.dryRun = d.round(tb, map[string]any{"dry_run": true})["id"].(string)
		}
		id = d.dryRun
	case "offers":
		// One offer per variant for the cells that change nothing; the
		// offeree's answers each get a fresh one.
		tg.offeree = offereeOf(variant)
		if d.offers == nil {
			d.offers = map[string]offerOf{}
		}
		o, ok := d.offers[variant]
		if !ok || op.method == http.MethodPost && c.name == tg.offeree {
			o = d.newOffer(tb, variant)
			if !ok {
				d.offers[variant] = o
			}
		}
		id = o.id
		if c.name == tg.offeree {
			key = o.key
		}
	case "imports":
		// An import of A's volunteers by A's coordinator, under A.
		file := "name,birth_date,lat,lng\nChen Jie,1990-05-01,30.27,120.15\n"
		id = s.mustImportAs(tb, http.StatusCreated, a.keys["coordinator"], "volunteers", file)["id"].(string)
	case "api-keys":
		// The key revoked is a fresh one of the caller's own subject when
		// the caller revokes its own, else a fresh key of A's enterprise.
		subject := c.node
		if subject == "" {
			subject = c.party.ID
		}
		key = s.mustKey(tb, c.role, subject)
		own := key
		other := s.mustKey(tb, "enterprise", a.enterprise)
		tg.keyOf, id = "other", other[:12]
		if variant == "own" {
			tg.keyOf, id = c.name, own[:12]
		}
	}
	if tg.path == "" {
		tg.path = op.path
	}
	tg.path = strings.Replace(tg.path, "{id}", id, 1)
	tg.path = strings.Replace(tg.path, "{prefix}", id, 1)
	return tg, key
}

// reaches says whether c reaches tg in the way r says, from what the test
// made: the model of matcher's reaches.
func (d *district) reaches(c caller, r matcher.Reach, tg target) bool {
	switch r {
	case matcher.Everything:
		return true
	case matcher.InScope:
		return slices.Contains(d.ancestorsOfA, c.node)
	case matcher.Itself:
		return strings.HasPrefix(c.name, "A ") && tg.kind == c.role+"s"
	case matcher.Owned:
		return c.name == "A enterprise" && tg.kind == "resources"
	case matcher.Member:
		return c.name == "A organisation" && tg.kind == "volunteers"
	case matcher.Claimant, matcher.PastClaimant:
		return tg.claimed && c.name == "A enterprise"
	case matcher.OpenWish:
		return tg.open
	case matcher.Listed:
		return true
	case matcher.OwnKey:
		return tg.keyOf == c.name
	case matcher.Offeree:
		return tg.offeree == c.name
	}
	return false
}

// TestAuthorizationMatrix is generated from the policy table and from
// /openapi.json together: every route of the document names an action of
// the table and every action has a route; then every route that names an
// object is called by every kind of key of the district tree (admin; the
// district, a street above A, another street; A itself, its sibling A2
// under the same street and its cousin B; and the suppliers of each) on
// an object of A, and each answer must be what the table says: 403 for a
// role the action is not for, 404 for a caller who reaches the object in
// none of the table's ways, and otherwise an answer past authorization.
// Routes that change what they act on get a fresh object per cell.
func TestAuthorizationMatrix(t *testing.T) {
	s := mustServe(t, nil)
	d := mustDistrict(t, s)
	ops, _ := mustOperations(t, s)
	routed := map[matcher.Action]bool{}
	for _, op := range ops {
		if _, _, ok := matcher.PolicyOf(op.action); !ok {
			t.Errorf("%s %s names action %s, which the policy table lacks", op.method, op.path, op.action)
		}
		routed[op.action] = true
	}
	for _, a := range matcher.Actions() {
		if !routed[a] {
			t.Errorf("action %s of the policy table has no route in /openapi.json", a)
		}
	}
	cells := 0
	for _, op := range ops {
		object, policy, _ := matcher.PolicyOf(op.action)
		if object == "" {
			continue
		}
		variants := []string{""}
		switch {
		case strings.Contains(op.path, "{claim_id}"):
			variants = []string{"claimed"}
		case strings.HasPrefix(op.path, "/v1/wishes/{id}"):
			variants = []string{"open", "claimed"} // an open wish, and one A's enterprise claimed
		case strings.HasPrefix(op.path, "/v1/api-keys/{prefix}"):
			variants = []string{"own", "other"} // the caller's own key, and another's
		case strings.HasPrefix(op.path, "/v1/offers/{id}"):
			variants = []string{"volunteer", "resource"} // an offer to a volunteer, and to an enterprise's resource
		}
		for _, variant := range variants {
			for _, c := range d.callers {
				cells++
				tg, key := d.fresh(t, op, c, variant)
				reaches, allowedRole := policy[c.role]
				want := "forbidden"
				if allowedRole {
					want = "not_found"
					for _, r := range reaches {
						if d.reaches(c, r, tg) {
							want = "allowed"
						}
					}
				}
				status, body := s.call(t, op.method, tg.path, key, bodyFor(op.method, op.path, d.a))
				name := fmt.Sprintf("%s %s (%s) as %s", op.method, op.path, variant, c.name)
				e, _ := body["error"].(map[string]any)
				switch {
				case status >= 500 || status == http.StatusUnauthorized:
					t.Errorf("%s: status %d: %v", name, status, body)
				case want == "forbidden" && status != http.StatusForbidden:
					t.Errorf("%s: status %d, want 403 (the role may not): %v", name, status, body)
				case want == "not_found" && (status != http.StatusNotFound || e["message"] != "not found"):
					t.Errorf("%s: status %d, want 404 \"not found\" (out of reach): %v", name, status, body)
				case want == "allowed" && (status == http.StatusNotFound || status == http.StatusForbidden && e["code"] != "ineligible"):
					t.Errorf("%s: status %d, want an answer past authorization: %v", name, status, body)
				}
				if !strings.HasPrefix(c.name, "A ") && !slices.Contains([]string{"admin"}, c.name) && want != "allowed" {
					raw := fmt.Sprint(body)
					for _, secret := range []string{"Wang Fang", "13900001111", "left wheel"} {
						if strings.Contains(raw, secret) {
							t.Errorf("%s: the answer holds A's %q", name, secret)
						}
					}
				}
			}
		}
	}
	if cells < 500 {
		t.Fatalf("only %d cells", cells)
	}
	t.Logf("%d cells", cells)
}

// TestListsAreExactlyTheSubtree lists every collection as the staff of
// each node and compares with what was registered below it.
func TestListsAreExactlyTheSubtree(t *testing.T) {
	s := mustServe(t, nil)
	d := mustDistrict(t, s)
	below := map[string][]*tenant{d.root: {d.a, d.a2, d.b}, d.s1: {d.a, d.a2}, d.s2: {d.b},
		d.a.community: {d.a}, d.a2.community: {d.a2}, d.b.community: {d.b}}
	ids := func(path, key string) []string {
		var out []string
		for after := ""; ; {
			m := s.mustCall(t, http.StatusOK, "GET", path+"?limit=200&after="+after, key, nil)
			for _, it := range m["items"].([]any) {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			if after, _ = m["next"].(string); after == "" {
				return out
			}
		}
	}
	for node, ts := range below {
		social, coord := s.mustKey(t, "social_worker", node), s.mustKey(t, "coordinator", node)
		var wishes, residents, volunteers []string
		for _, tn := range ts {
			wishes = append(wishes, tn.wish, tn.claimed)
			residents = append(residents, tn.resident)
			volunteers = append(volunteers, tn.volunteer)
		}
		for _, c := range []struct {
			path, key string
			want      []string
		}{{"/v1/wishes", social, wishes}, {"/v1/residents", social, residents}, {"/v1/volunteers", coord, volunteers}} {
			got := ids(c.path, c.key)
			slices.Sort(got)
			slices.Sort(c.want)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s as the staff of %s: %v, want %v", c.path, node, got, c.want)
			}
		}
	}
}

// TestEnterpriseSeesOnlyTheAllowlist lists and reads open wishes as an
// enterprise and scans every answer for personal data.
func TestEnterpriseSeesOnlyTheAllowlist(t *testing.T) {
	s := mustServe(t, nil)
	a := mustTenant(t, s, "Xiaohe", "", 30.27, residentBody())
	b := mustTenant(t, s, "Gongshu", "", 30.28, otherResident)
	for range 3 {
		b.mustWish(t, s)
	}
	var raws []map[string]any
	list := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes?status=open", a.enterpriseKey, nil)
	raws = append(raws, list)
	items := list["items"].([]any)
	if len(items) < 5 {
		t.Fatalf("an enterprise lists %d open wishes, want all 5", len(items))
	}
	for _, it := range items {
		w := it.(map[string]any)
		for k := range w {
			if !slices.Contains(publicWishKeys, k) {
				t.Errorf("listed wish has %q, outside the allowlist: %v", k, w)
			}
		}
		one := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+w["id"].(string), a.enterpriseKey, nil)
		for k := range one {
			if !slices.Contains(publicWishKeys, k) {
				t.Errorf("read wish has %q, outside the allowlist: %v", k, one)
			}
		}
		raws = append(raws, one)
	}
	number := regexp.MustCompile(`-?\d+\.\d{3,}`)
	dateOnly := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	phone := regexp.MustCompile(`^\+?\d[\d -]{6,}\d$`)
	var scan func(key string, v any)
	scan = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				scan(k, e)
			}
		case []any:
			for _, e := range x {
				scan(key, e)
			}
		case float64:
			t.Errorf("%s is a number (%v): no coordinate may be shown", key, x)
		case string:
			if key == "id" || key == "cell" {
				return
			}
			if number.MatchString(x) || dateOnly.MatchString(x) || phone.MatchString(x) {
				t.Errorf("%s = %q looks like a coordinate, birth date or phone", key, x)
			}
			for _, secret := range append(otherSecrets, "Wang Fang", "13900001111", "1948-03-02", "left wheel") {
				if strings.Contains(x, secret) {
					t.Errorf("%s = %q holds personal data", key, x)
				}
			}
		}
	}
	for _, r := range raws {
		scan("", r)
	}
}

// TestInjectionPayloadsAreRefused puts operators, dotted keys and
// __proto__ into every field of every body the OpenAPI document describes:
// every request, by a key whose role may call the route, is 400 and
// nothing in the store changes.
func TestInjectionPayloadsAreRefused(t *testing.T) {
	db := mongotest.DatabaseName()
	s := mustServe(t, map[string]string{"LINLI_MONGODB_DATABASE": db})
	a := mustTenant(t, s, "Xiaohe", "", 30.27, residentBody())
	ops, doc := mustOperations(t, s)
	before := mustEntries(t, db)

	payloads := []any{
		map[string]any{"$ne": ""}, map[string]any{"$gt": ""}, map[string]any{"$where": "sleep(100)"},
		map[string]any{"$regex": ".*"}, map[string]any{"a.b": 1}, map[string]any{"__proto__": map[string]any{"admin": true}},
	}
	massAssigned := []string{"status", "claimed_by", "owner", "role", "id", "tenant_id", "created_at", "version"}
	requests := 0
	for _, op := range ops {
		props := bodyProperties(doc, op)
		if props == nil {
			continue
		}
		url := strings.NewReplacer("{id}", a.object(op.path), "{prefix}", a.enterpriseKey[:12], "{claim_id}", a.claimID).Replace(op.path)
		base, _ := bodyFor(op.method, op.path, a).(map[string]any)
		if base == nil {
			base = map[string]any{}
		}
		key := a.keyFor(s, op.action)
		send := func(what string, body map[string]any) {
			requests++
			status, m := s.call(t, op.method, url, key, body)
			if status != http.StatusBadRequest {
				t.Errorf("%s %s with %s: status %d, want 400: %v", op.method, op.path, what, status, m)
			}
		}
		for field := range props {
			for _, p := range payloads {
				body := clone(base)
				body[field] = p
				send(fmt.Sprintf("%s = %v", field, p), body)
			}
		}
		for _, key := range []string{"$where", "$ne", "location.lat", "a.b", "__proto__", "constructor"} {
			body := clone(base)
			body[key] = map[string]any{"$gt": ""}
			send("extra key "+key, body)
		}
		for _, field := range massAssigned {
			if _, ok := props[field]; ok {
				continue // this body sets it by design (the role of a new key)
			}
			body := clone(base)
			body[field] = "x"
			status, m := s.call(t, op.method, url, key, body)
			requests++
			e, _ := m["error"].(map[string]any)
			if status != http.StatusBadRequest || e["field"] != field {
				t.Errorf("%s %s setting %s: status %d, %v; want 400 naming the field", op.method, op.path, field, status, m)
			}
		}
	}
	if requests < 200 {
		t.Fatalf("only %d hostile requests made", requests)
	}
	if after := mustEntries(t, db); after != before {
		t.Fatalf("hostile requests changed the store: %d log entries before, %d after", before, after)
	}
}

func clone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// bodyProperties returns the top-level properties of op's request body
// schema, or nil when it takes no body.
func bodyProperties(doc map[string]any, op operation) map[string]any {
	o := doc["paths"].(map[string]any)[op.path].(map[string]any)[strings.ToLower(op.method)].(map[string]any)
	rb, ok := o["requestBody"].(map[string]any)
	if !ok {
		return nil
	}
	js, ok := rb["content"].(map[string]any)["application/json"].(map[string]any)
	if !ok {
		return nil // a multipart form (an import's file): no JSON to inject into
	}
	schema := js["schema"].(map[string]any)
	if ref, ok := schema["$ref"].(string); ok {
		schema = doc["components"].(map[string]any)["schemas"].(map[string]any)[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	return props
}

// mustEntries counts the entries of database db's log.
func mustEntries(tb testing.TB, db string) int64 {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := mongo.Open(ctx, mongotest.URI(tb), mongotest.DatabaseName())
	if err != nil {
		tb.Fatal(err)
	}
	defer func() {
		_ = st.Drop(ctx)
		_ = st.Close(ctx)
	}()
	n, err := st.Database().Client().Database(db).Collection("log").CountDocuments(ctx, bson.D{})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestRateLimit checks the token buckets: a key past its burst gets 429
// with Retry-After; a rate below 0.5 a second still serves; and an
// address guessing keys is bounded before any key is looked at.
func TestRateLimit(t *testing.T) {
	statuses := func(s *server, n int, key func(int) string) []int {
		var got []int
		for i := range n {
			req, _ := http.NewRequest("GET", s.base+"/v1/api-keys", nil)
			req.Header.Set("Authorization", "Bearer "+key(i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			got = append(got, resp.StatusCode)
		}
		return got
	}
	s := mustServe(t, map[string]string{"LINLI_RATE_LIMIT": "1"})
	if got := statuses(s, 4, func(int) string { return s.admin }); got[0] != http.StatusOK || got[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v; want 200 first, then 429 past the burst of 2", got)
	}
	slow := mustServe(t, map[string]string{"LINLI_RATE_LIMIT": "0.3"})
	if got := statuses(slow, 1, func(int) string { return slow.admin }); got[0] != http.StatusOK {
		t.Fatalf("a rate of 0.3 a second refused the first request: %v", got)
	}
	guarded := mustServe(t, map[string]string{"LINLI_HTTP_ADDRESS_RATE_LIMIT": "5"})
	got := statuses(guarded, 200, func(i int) string { return fmt.Sprintf("lnl_guess-%032d", i) })
	limited := 0
	for _, c := range got {
		if c == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 150 {
		t.Fatalf("%d of 200 guessed keys from one address were 429, want most after the burst of 10", limited)
	}
}

// TestAPIKeysListAndRevoke lists keys by prefix only and revokes them:
// keys are their holder's and the admins', not their colleagues'.
func TestAPIKeysListAndRevoke(t *testing.T) {
	s := mustServe(t, nil)
	a := mustTenant(t, s, "Xiaohe", "", 30.27, residentBody())
	b := mustTenant(t, s, "Gongshu", "", 30.28, otherResident)
	spare := s.mustKey(t, "enterprise", a.enterprise)
	colleague := s.mustKey(t, "social_worker", a.community)

	hash := regexp.MustCompile(`[0-9a-f]{64}`)
	all := s.mustCall(t, http.StatusOK, "GET", "/v1/api-keys?limit=200", s.admin, nil)
	if items := all["items"].([]any); len(items) < 11 {
		t.Fatalf("admin lists %d keys, want every key", len(items))
	}
	if raw := fmt.Sprint(all); hash.MatchString(raw) || strings.Contains(raw, spare) {
		t.Fatalf("the list shows a key or its hash: %s", raw)
	}
	for _, k := range all["items"].([]any) {
		by := k.(map[string]any)["created_by"].(map[string]any)
		if by["kind"] != "system" && (by["key"] == nil || by["key"] == "") {
			t.Fatalf("a key does not say which key made it: %v", k)
		}
	}
	mine := s.mustCall(t, http.StatusOK, "GET", "/v1/api-keys", a.keys["social_worker"], nil)
	if items := mine["items"].([]any); len(items) != 1 || items[0].(map[string]any)["prefix"] != a.keys["social_worker"][:12] {
		t.Fatalf("a social worker lists %v, want only the key in use", items)
	}
	s.mustCall(t, http.StatusNotFound, "POST", "/v1/api-keys/"+colleague[:12]+"/revoke", a.keys["social_worker"], nil)
	s.mustCall(t, http.StatusNotFound, "POST", "/v1/api-keys/"+b.enterpriseKey[:12]+"/revoke", a.enterpriseKey, nil)
	s.mustCall(t, http.StatusOK, "GET", "/v1/api-keys", b.enterpriseKey, nil)

	revoked := s.mustCall(t, http.StatusOK, "POST", "/v1/api-keys/"+spare[:12]+"/revoke", spare, nil)
	if revoked["revoked_at"] == nil || revoked["revoked_by"].(map[string]any)["key"] != spare[:12] {
		t.Fatalf("revoke answered %v", revoked)
	}
	s.mustCall(t, http.StatusUnauthorized, "GET", "/v1/api-keys", spare, nil)
	s.mustCall(t, http.StatusOK, "GET", "/v1/api-keys", a.enterpriseKey, nil)

	s.mustCall(t, http.StatusOK, "POST", "/v1/api-keys/"+b.enterpriseKey[:12]+"/revoke", s.admin, nil)
	s.mustCall(t, http.StatusUnauthorized, "GET", "/v1/api-keys", b.enterpriseKey, nil)

	expiring := s.mustCall(t, http.StatusCreated, "POST", "/v1/api-keys", s.admin, map[string]any{
		"role": "enterprise", "subject_id": a.enterprise, "expires_at": time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)})
	key := expiring["key"].(string)
	s.mustCall(t, http.StatusOK, "GET", "/v1/api-keys", key, nil)
	time.Sleep(1600 * time.Millisecond)
	s.mustCall(t, http.StatusUnauthorized, "GET", "/v1/api-keys", key, nil)
}
