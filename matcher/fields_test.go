package matcher_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// invalidField fails unless err is EINVALID naming field.
func invalidField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var e *matcher.Error
	if !errors.As(err, &e) || e.Code != matcher.EINVALID || e.Field != field {
		t.Errorf("%s: %v; want invalid naming %s", what, err, field)
	}
}

// A name or a title is one line: a line break or a tab in it breaks
// every list, CSV export and log line it is shown in, and can forge a
// second line. Through the API and through imports alike; a description
// may still have lines.
func TestSingleLineFieldsRefuseLineBreaks(t *testing.T) {
	w := mustConsoleWorld(t)
	for _, bad := range []string{"Wang\nFang", "Wang\tFang", "Wang\rFang"} {
		consent := &matcher.Consent{GivenBy: "guardian", GuardianName: "Wang Li", Purpose: "matching", GivenAt: w.clock().Add(-time.Hour)}
		in := matcher.ResidentInput{Name: bad, BirthDate: "1950-01-01", Location: near(0, 0), Disabilities: []string{}, Consent: consent}
		_, err := w.svc.CreateResident(w.swA, in)
		invalidField(t, "a resident named "+bad, err, "name")
		in.Name, consent.GuardianName = "Wang Fang", bad
		_, err = w.svc.CreateResident(w.swA, in)
		invalidField(t, "a guardian named "+bad, err, "consent.guardian_name")
		_, err = w.svc.CreateVolunteer(w.dc, matcher.VolunteerInput{Name: bad, BirthDate: "1990-01-01", Location: near(0, 0)})
		invalidField(t, "a volunteer named "+bad, err, "name")
		_, err = w.svc.CreateOrganisation(w.dc, matcher.OrganisationInput{Name: bad, Kind: matcher.KindSocialOrg, Location: near(0, 0)})
		invalidField(t, "an organisation named "+bad, err, "name")
		_, err = w.svc.CreateEnterprise(w.dc, matcher.EnterpriseInput{Name: bad, Location: near(0, 0), Categories: []string{"repair"}})
		invalidField(t, "an enterprise named "+bad, err, "name")
		_, err = w.svc.CreateWish(w.swA, matcher.WishInput{ResidentID: w.residentA.ID, Category: "repair", Title: bad,
			DueAt: w.clock().Add(48 * time.Hour)})
		invalidField(t, "a wish titled "+bad, err, "title")
	}
	if _, err := w.svc.CreateWish(w.swA, matcher.WishInput{ResidentID: w.residentA.ID, Category: "repair", Title: "Fix the tap",
		Description: "The kitchen tap drips.\nThe key is with the neighbour.", DueAt: w.clock().Add(48 * time.Hour)}); err != nil {
		t.Errorf("a description of two lines: %v", err)
	}
	imp := w.mustImport(w.dc, "volunteers", volunteersHeader+"\"Li\nWei\",,1990-05-01,30.27,120.15,,,,\n")
	if got := reportOf(imp); imp.Refused != 1 || len(got) != 1 || !strings.Contains(got[0], "name: must be one line") {
		t.Errorf("an imported volunteer named with a line break: %q, refused %d", got, imp.Refused)
	}
}

// A resident lives in a community (or is registered at a street or the
// district), never under a social organisation or a volunteer team,
// whose staff would then read them as their own.
func TestResidentsLiveUnderCommunities(t *testing.T) {
	w := mustConsoleWorld(t)
	team := w.mustNode(matcher.KindVolunteerTeam, w.a.ID)
	org := w.mustNode(matcher.KindSocialOrg, w.a.ID)
	consent := &matcher.Consent{GivenBy: "self", Purpose: "matching", GivenAt: w.clock().Add(-time.Hour)}
	in := matcher.ResidentInput{Name: "Wang Fang", BirthDate: "1950-01-01", Location: near(0, 0), Disabilities: []string{}, Consent: consent}
	for _, node := range []string{team.ID, org.ID} {
		in.NodeID = node
		_, err := w.svc.CreateResident(w.swA, in)
		invalidField(t, "a resident under a "+w.mustKind(node), err, "node_id")
		_, err = w.svc.UpdateResident(w.swA, w.residentA.ID, in)
		invalidField(t, "a resident moved under a "+w.mustKind(node), err, "node_id")
		_, err = w.svc.CreateResident(w.as(matcher.RoleSocialWorker, node), matcher.ResidentInput{Name: "Wang Fang",
			BirthDate: "1950-01-01", Location: near(0, 0), Disabilities: []string{}, Consent: consent})
		invalidField(t, "a resident registered by the social worker of a "+w.mustKind(node), err, "node_id")
	}
	in.NodeID = w.a.ID
	if _, err := w.svc.CreateResident(w.swA, in); err != nil {
		t.Errorf("a resident of community A: %v", err)
	}
}

func (w *consoleWorld) mustKind(id string) string {
	o, err := w.svc.GetOrganisation(w.admin, id)
	if err != nil {
		w.tb.Fatal(err)
	}
	return o.Kind
}

// Every enum-valued query parameter of the lists refuses a value it does
// not know, naming itself, rather than answering an empty list.
func TestListFiltersRefuseUnknownValues(t *testing.T) {
	w := mustConsoleWorld(t)
	_, err := w.svc.ListWishes(w.swA, matcher.WishFilter{Status: "bogus"}, matcher.PageRequest{})
	invalidField(t, "wishes of status bogus", err, "status")
	_, err = w.svc.ListWishes(w.swA, matcher.WishFilter{Category: "bogus"}, matcher.PageRequest{})
	invalidField(t, "wishes of category bogus", err, "category")
	_, err = w.svc.ListWishes(w.entCtx, matcher.WishFilter{Status: "claimed"}, matcher.PageRequest{})
	invalidField(t, "a supplier's claimed wishes", err, "status")
	_, err = w.svc.Offers(w.dc, matcher.OfferQuery{Status: "bogus"})
	invalidField(t, "offers of status bogus", err, "status")
	_, err = w.svc.ListProgrammes(w.dc, matcher.ProgrammeQuery{Category: "bogus"})
	invalidField(t, "programmes of category bogus", err, "category")
	_, err = w.svc.Coverage(w.dc, matcher.ReportQuery{Category: "bogus"})
	invalidField(t, "coverage of category bogus", err, "category")
	_, err = w.svc.Coverage(w.dc, matcher.ReportQuery{Lang: "fr"})
	invalidField(t, "coverage in French", err, "lang")
	_, err = w.svc.Demand(w.dc, matcher.ReportQuery{Category: "bogus"})
	invalidField(t, "demand of category bogus", err, "category")
}
