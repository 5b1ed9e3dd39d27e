package matcher_test

import (
	"testing"

	"github.com/linli/linli/matcher"
)

// Attacks on the district's aggregate figures by callers who may not read
// residents (coordinators: resident.read is 403 for them).

// A coordinator buys a programme over one resident's resolution-9 cell
// with target_group.expr "resident.age >= N" and reads its evaluation:
// claimed 0 or 1 bisects the resident's age in six probes (disabilities
// and lives_alone likewise). Setting an expression is for those who may
// read the residents it selects; tags stay open to coordinators.
func TestCoordinatorMayNotProbeResidentsWithAnExpression(t *testing.T) {
	pw := mustProgrammeWorld(t, 0)
	r := pw.mustResident(pw.social, "1980-03-01", near(0, 0))
	if _, err := pw.svc.GetResident(pw.coord, r.ID); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator reading a resident: %v; want forbidden", err)
	}
	cell := pw.grid.CellAt(near(0, 0).Point(), 9).String()
	from, to := pw.clock().AddDate(0, -1, 0), pw.clock().AddDate(1, 0, 0)
	probe := pw.programme("民政局", "companionship", nil, []string{cell}, from, to)
	probe.TargetGroup.Expr = "resident.age >= 46"
	refused := func(what string, err error) {
		t.Helper()
		var e *matcher.Error
		if code(err) != matcher.EFORBIDDEN || !asError(err, &e) || e.Field != "target_group.expr" {
			t.Errorf("%s: %v; want forbidden naming target_group.expr", what, err)
		}
	}
	_, err := pw.svc.CreateProgramme(pw.coord, probe)
	refused("a coordinator creating a programme with an expression", err)

	tags := pw.programme("民政局", "companionship", []string{"disabled", "lives_alone"}, []string{cell}, from, to)
	pg, err := pw.svc.CreateProgramme(pw.coord, tags)
	if err != nil {
		t.Fatalf("a coordinator creating a programme by tags: %v", err)
	}
	_, err = pw.svc.UpdateProgramme(pw.coord, pg.ID, probe)
	refused("a coordinator putting an expression on a programme", err)

	probe.NodeID = pw.district.ID // so that the district's coordinator reaches it
	byAdmin, err := pw.svc.CreateProgramme(pw.admin, probe)
	if err != nil {
		t.Fatalf("an admin, who may read every resident, setting an expression: %v", err)
	}
	// The admin's expression stays when a coordinator edits the rest;
	// changing it is refused.
	keep := probe
	keep.Budget = 1
	if _, err := pw.svc.UpdateProgramme(pw.coord, byAdmin.ID, keep); err != nil {
		t.Errorf("a coordinator editing the budget of a programme whose expression an admin set: %v", err)
	}
	keep.TargetGroup.Expr = "resident.age >= 47"
	_, err = pw.svc.UpdateProgramme(pw.coord, byAdmin.ID, keep)
	refused("a coordinator changing an admin's expression", err)
}
