package matcher_test

import (
	"context"
	"slices"
	"testing"

	"github.com/linli/linli/matcher"
)

// district is a district with two streets of two communities each, and
// a resident and a wish in every community.
type district struct {
	root              string
	streets           []string
	communities       [][]*community // by street
	residents, wishes map[string]string
}

func (w *world) mustDistrict() *district {
	w.tb.Helper()
	d := &district{residents: map[string]string{}, wishes: map[string]string{}}
	d.root = w.mustNode(matcher.KindDistrict, "").ID
	for range 2 {
		s := w.mustNode(matcher.KindStreet, d.root).ID
		d.streets = append(d.streets, s)
		var cs []*community
		for range 2 {
			c := w.mustCommunity(s)
			r := w.mustResident(c.social, "1950-01-01", &hangzhou)
			d.residents[c.id], d.wishes[c.id] = r.ID, w.mustWish(c.social, r.ID, "repair", true).ID
			cs = append(cs, c)
		}
		d.communities = append(d.communities, cs)
	}
	return d
}

func TestScopeIsTheSubtreeOfTheKeysNode(t *testing.T) {
	w := mustWorld(t, false)
	d := w.mustDistrict()
	a, sibling, cousin := d.communities[0][0], d.communities[0][1], d.communities[1][0]
	streetCoord := w.as(matcher.RoleCoordinator, d.streets[0])
	districtCoord := w.as(matcher.RoleCoordinator, d.root)
	streetSocial := w.as(matcher.RoleSocialWorker, d.streets[0])
	tests := []struct {
		name   string
		ctx    context.Context
		target *community
		reach  bool
	}{
		{"own community", a.social, a, true},
		{"sibling community", a.social, sibling, false},
		{"community of another street", a.social, cousin, false},
		{"street to its community", streetSocial, sibling, true},
		{"street to another street's community", streetSocial, cousin, false},
		{"district to every community", w.as(matcher.RoleSocialWorker, d.root), cousin, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.svc.GetResident(tt.ctx, d.residents[tt.target.id])
			_, errW := w.svc.GetWish(tt.ctx, d.wishes[tt.target.id])
			if reached := err == nil && errW == nil; reached != tt.reach {
				t.Fatalf("reached=%v (%v, %v), want %v", reached, err, errW, tt.reach)
			}
			if !tt.reach && (err.Error() != "not_found: not found" || errW.Error() != "not_found: not found") {
				t.Fatalf("out of scope reads %q and %q, want the one text of not found", err, errW)
			}
		})
	}
	// Lists return exactly the subtree.
	page, err := w.svc.ListWishes(streetCoord, matcher.WishFilter{}, matcher.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range page.Items {
		got = append(got, v.ID)
	}
	want := []string{d.wishes[a.id], d.wishes[sibling.id]}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("a street's coordinator lists %v, want its communities' %v", got, want)
	}
	all, err := w.svc.ListWishes(districtCoord, matcher.WishFilter{}, matcher.PageRequest{Limit: 100})
	if err != nil || len(all.Items) != 4 {
		t.Fatalf("the district lists %d wishes (%v), want 4", len(all.Items), err)
	}
}

// TestOtherCommunitiesCannotTakeOverAWish is the takeover of the review: a
// coordinator of another community reassigns a claimed wish of A. It must
// change nothing and learn nothing: the same answer as for a wish that
// does not exist.
func TestOtherCommunitiesCannotTakeOverAWish(t *testing.T) {
	w := mustWorld(t, true)
	a, b := w.mustCommunity(""), w.mustCommunity("")
	r := w.mustResident(a.social, "2015-01-01", &hangzhou)
	wish := w.mustWish(a.social, r.ID, "repair", true)
	if _, err := w.svc.ClaimWish(a.ent, wish.ID); err != nil {
		t.Fatal(err)
	}
	in := matcher.ReassignInput{Claimant: matcher.Party{Kind: matcher.RoleEnterprise, ID: b.entID}}
	_, err := w.svc.Reassign(b.coord, wish.ID, in)
	_, errMissing := w.svc.Reassign(b.coord, "wsh_00000000000000000000000000", in)
	if code(err) != matcher.ENOTFOUND || err.Error() != errMissing.Error() {
		t.Fatalf("reassign by another community: %v; for a missing wish: %v; want the same not found", err, errMissing)
	}
	for _, act := range []func() error{
		func() error { _, err := w.svc.Cancel(b.social, wish.ID, matcher.CancelInput{}); return err },
		func() error {
			_, err := w.svc.Confirm(b.social, wish.ID, matcher.ConfirmationInput{Outcome: "confirmed", Rating: 5})
			return err
		},
		func() error { _, err := w.svc.WishCandidates(b.coord, wish.ID, 5); return err },
		func() error { _, err := w.svc.WishEvents(b.coord, wish.ID); return err },
		func() error { _, err := w.svc.WithdrawConsent(b.social, r.ID); return err },
	} {
		if err := act(); code(err) != matcher.ENOTFOUND || err.Error() != "not_found: not found" {
			t.Fatalf("another community's staff got %v, want not found", err)
		}
	}
	got, _ := w.svc.GetWish(a.social, wish.ID)
	if got.Status != matcher.StatusClaimed {
		t.Fatalf("the wish is %s after the attempts", got.Status)
	}
	if _, err := w.svc.WishAddress(a.ent, wish.ID); err != nil {
		t.Fatalf("the claimant lost the address: %v", err)
	}
}

func TestNodesMoveOnlyWithinScopeAndNeverUnderThemselves(t *testing.T) {
	w := mustWorld(t, false)
	d := w.mustDistrict()
	street, other := d.streets[0], d.streets[1]
	c := d.communities[0][0]
	coord := w.as(matcher.RoleCoordinator, street)
	move := func(ctx context.Context, id, parent, kind string) error {
		_, err := w.svc.UpdateOrganisation(ctx, id, matcher.OrganisationInput{Name: "n", Kind: kind, ParentID: parent, Location: &hangzhou})
		return err
	}
	if err := move(coord, c.id, other, matcher.KindCommunity); code(err) != matcher.EINVALID {
		t.Fatalf("a street's coordinator moved a community to another street: %v", err)
	}
	if err := move(w.admin, street, c.id, matcher.KindStreet); code(err) != matcher.EINVALID {
		t.Fatalf("a street moved under its own community: %v", err)
	}
	if err := move(w.admin, d.root, c.id, matcher.KindDistrict); code(err) != matcher.EINVALID {
		t.Fatalf("the district moved under a community: %v", err)
	}
	districtCoord := w.as(matcher.RoleCoordinator, d.root)
	if err := move(districtCoord, c.id, other, matcher.KindCommunity); err != nil {
		t.Fatalf("the district's coordinator could not move a community between its streets: %v", err)
	}
	trail := w.svc.AuditTrail(matcher.Party{Kind: "organisation", ID: c.id})
	if len(trail) != 1 || trail[0].Action != matcher.AuditNodeMoved || trail[0].Details["from"] != street || trail[0].Details["to"] != other {
		t.Fatalf("the move's audit trail: %+v", trail)
	}
	// Now the first street's staff no longer reach the community.
	if _, err := w.svc.GetWish(w.as(matcher.RoleSocialWorker, street), d.wishes[c.id]); code(err) != matcher.ENOTFOUND {
		t.Fatalf("the old street still reaches the moved community: %v", err)
	}
	if _, err := w.svc.GetWish(w.as(matcher.RoleSocialWorker, other), d.wishes[c.id]); err != nil {
		t.Fatalf("the new street does not reach the moved community: %v", err)
	}
}

func TestReferencesAcrossScopesAreRefused(t *testing.T) {
	w := mustWorld(t, false)
	a, b := w.mustCommunity(""), w.mustCommunity("")
	_, err := w.svc.CreateVolunteer(a.coord, matcher.VolunteerInput{Name: "x", BirthDate: "1990-01-01", Location: &hangzhou,
		OrganisationID: b.organisationID})
	if code(err) != matcher.EINVALID || err.(*matcher.Error).Field != "organisation_id" {
		t.Fatalf("a volunteer of another community's organisation: %v", err)
	}
	_, err = w.svc.CreateResident(a.social, matcher.ResidentInput{Name: "x", BirthDate: "1950-01-01", Location: &hangzhou, NodeID: b.id,
		Consent: &matcher.Consent{GivenBy: "self", Purpose: "p", GivenAt: w.clock()}})
	if code(err) != matcher.EINVALID || err.(*matcher.Error).Field != "node_id" {
		t.Fatalf("a resident registered in another community: %v", err)
	}
	r := w.mustResident(b.social, "1950-01-01", &hangzhou)
	_, err = w.svc.CreateWish(a.social, matcher.WishInput{ResidentID: r.ID, Category: "repair", Title: "x", DueAt: w.clock().Add(48 * 3600e9)})
	if code(err) != matcher.EINVALID {
		t.Fatalf("a wish for another community's resident: %v", err)
	}
}

func TestACommunityWithoutCategoriesServesNothing(t *testing.T) {
	w := mustWorld(t, false)
	a := w.mustCommunity("")
	r := w.mustResident(a.social, "1950-01-01", &hangzhou)
	wish := w.mustWish(a.social, r.ID, "repair", false)
	list, err := w.svc.WishCandidates(a.coord, wish.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Candidates {
		if c.ID == a.id {
			t.Fatalf("the community itself is a candidate: %+v", list.Candidates)
		}
	}
	community := w.as(matcher.RoleOrganisation, a.id)
	if _, err := w.svc.ClaimWish(community, wish.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a community without categories claimed: %v", err)
	}
}

func TestEveryActionHasAPolicy(t *testing.T) {
	for _, a := range matcher.Actions() {
		_, p, ok := matcher.PolicyOf(a)
		if !ok || len(p) == 0 {
			t.Errorf("action %s has no roles", a)
		}
		for role := range p {
			if !slices.Contains(matcher.Roles(), role) {
				t.Errorf("action %s names role %q, which does not exist", a, role)
			}
		}
	}
}
