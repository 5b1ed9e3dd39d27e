package matcher_test

import (
	"strings"
	"testing"

	"github.com/linli/linli/matcher"
)

// TestProgrammeProviderIsASupplierInScope is a community coordinator
// buying a programme from whoever it can name: a social organisation of a
// sibling community, one of the street above, an enterprise of the
// sibling, a node of the tree (its own community, the sibling, the
// street) and an id nobody has. Each is the same 400 naming provider_id,
// whether the id exists or not; on PUT too, and the programme is left as
// it was. Its own community's social organisation, volunteer team and
// enterprise are providers it may buy from.
func TestProgrammeProviderIsASupplierInScope(t *testing.T) {
	rw := mustRoundWorld(t)
	street := rw.mustNode("street", rw.district.ID)
	c1 := rw.mustNode("community", street.ID)
	c2 := rw.mustNode("community", street.ID)
	coord := rw.as(matcher.RoleCoordinator, c1.ID)
	cell := rw.grid.CellAt(hangzhou.Point(), 8).String()
	from, to := rw.clock(), rw.clock().AddDate(1, 0, 0)
	buy := func(provider string) matcher.ProgrammeInput {
		rw.provider = provider
		return rw.programme("民政局", "companionship", []string{"elderly"}, []string{cell}, from, to)
	}

	own := rw.mustNode("social_org", c1.ID, "companionship").ID
	team := rw.mustNode("volunteer_team", c1.ID, "companionship").ID
	ownEnterprise := rw.mustEnterprise(coord, &hangzhou, "companionship").ID
	var pg *matcher.Programme
	for _, id := range []string{own, team, ownEnterprise} {
		got, err := rw.svc.CreateProgramme(coord, buy(id))
		if err != nil {
			t.Fatalf("buying from %s in scope: %v", id, err)
		}
		pg = got
	}

	outOfScope := map[string]string{
		"the sibling's social organisation": rw.mustNode("social_org", c2.ID, "companionship").ID,
		"the street's social organisation":  rw.mustNode("social_org", street.ID, "companionship").ID,
		"the sibling's enterprise":          rw.mustEnterprise(rw.as(matcher.RoleCoordinator, c2.ID), &hangzhou, "companionship").ID,
		"its own community node":            c1.ID,
		"the sibling community node":        c2.ID,
		"the street node":                   street.ID,
		"an id nobody has":                  "org_doesnotexist0000",
	}
	// The district coordinator reaches them all, but may still not buy
	// from a node of the tree.
	if _, err := rw.svc.CreateProgramme(rw.coord, buy(outOfScope["the sibling's social organisation"])); err != nil {
		t.Fatalf("the district coordinator buying from a social organisation of the district: %v", err)
	}
	if _, err := rw.svc.CreateProgramme(rw.coord, buy(c2.ID)); code(err) != matcher.EINVALID {
		t.Fatalf("the district coordinator buying from a community node: %v; want invalid", err)
	}

	texts := map[string]string{}
	for what, id := range outOfScope {
		_, err := rw.svc.CreateProgramme(coord, buy(id))
		var e *matcher.Error
		if code(err) != matcher.EINVALID || !asError(err, &e) || e.Field != "provider_id" {
			t.Fatalf("POST naming %s: %v; want invalid naming provider_id", what, err)
		}
		texts[strings.ReplaceAll(e.Message, id, "<id>")] = what
		_, err = rw.svc.UpdateProgramme(coord, pg.ID, buy(id))
		if code(err) != matcher.EINVALID || !asError(err, &e) || e.Field != "provider_id" {
			t.Fatalf("PUT naming %s: %v; want invalid naming provider_id", what, err)
		}
		texts[strings.ReplaceAll(e.Message, id, "<id>")] = what
	}
	if len(texts) != 1 {
		t.Fatalf("the refusals tell the ids apart: %v", texts)
	}
	got, err := rw.svc.GetProgramme(coord, pg.ID)
	if err != nil || got.Provider != (matcher.Party{Kind: matcher.RoleEnterprise, ID: ownEnterprise}) || got.Version != 1 {
		t.Fatalf("the programme after the refused PUTs: %+v, %v", got, err)
	}
	list, err := rw.svc.ListProgrammes(coord, matcher.ProgrammeQuery{})
	if err != nil || len(list.Items) != 3 {
		t.Fatalf("the community's catalogue holds %d programmes (%v); want the 3 bought in scope", len(list.Items), err)
	}
}
