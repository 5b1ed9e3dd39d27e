package matcher_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/linli/linli/matcher"
)

// TestListFillsPagesPastHiddenItems interleaves the resources of two
// tenants' enterprises and lists them as tenant A's staff: every page but
// the last is full, and walking the pages returns each of A's resources
// exactly once and none of B's.
func TestListFillsPagesPastHiddenItems(t *testing.T) {
	w := mustLifeWorld(t)
	ctx := context.Background()
	as := func(role, subject string) context.Context {
		return matcher.WithPrincipal(ctx, matcher.Principal{Role: role, SubjectID: subject})
	}
	enterprise := func(tenant string) string {
		e, err := w.svc.CreateEnterprise(as(matcher.RoleCoordinator, tenant), matcher.EnterpriseInput{Name: "E " + tenant, Location: &w.at})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	ea, eb := enterprise("org_a"), enterprise("org_b")
	want := map[string]bool{}
	for i := range 12 {
		owner := eb
		if i%3 == 0 {
			owner = ea
		}
		r, err := w.svc.CreateResource(as(matcher.RoleEnterprise, owner), matcher.ResourceInput{
			Kind: matcher.ResourceGoods, Category: "repair", Title: fmt.Sprint("R", i), Quantity: 1, Location: &w.at})
		if err != nil {
			t.Fatal(err)
		}
		if owner == ea {
			want[r.ID] = true
		}
	}
	staffA := as(matcher.RoleCoordinator, "org_a")
	seen := map[string]bool{}
	req := matcher.PageRequest{Limit: 2}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("more pages than resources")
		}
		page, err := w.svc.ListResources(staffA, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			if !want[r.ID] || seen[r.ID] {
				t.Fatalf("page has %s (owner %s): not A's, or seen before", r.ID, r.Owner.ID)
			}
			seen[r.ID] = true
		}
		if page.Next == "" {
			break
		}
		if len(page.Items) != req.Limit {
			t.Fatalf("page of %d items with a next cursor, want %d", len(page.Items), req.Limit)
		}
		req.After = page.Next
	}
	if len(seen) != len(want) {
		t.Fatalf("listed %d of A's %d resources", len(seen), len(want))
	}
}
