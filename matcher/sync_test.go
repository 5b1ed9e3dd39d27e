package matcher_test

import (
	"context"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

// TestSyncFollowsOtherReplica runs a second Service on the first one's
// store: a claim made on one shows on the other without any request
// there, and the other refuses a second claim.
func TestSyncFollowsOtherReplica(t *testing.T) {
	a := mustLifeWorld(t)
	a.clock.Store(time.Now().UnixNano()) // the replicas' clocks agree
	grid, _ := geo.New(geo.DefaultConfig())
	engine, err := rules.NewEngine([]string{"../configs/rules/default.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := matcher.NewService(a.store, grid, engine, matcher.Config{
		Catalog:      matcher.Catalog{Categories: []string{"repair"}, CertificationTypes: []string{"background_check"}},
		SyncInterval: 50 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	wish, err := a.svc.CreateWish(a.social, matcher.WishInput{ResidentID: a.resident, Category: "repair",
		Title: "Fix the door", DueAt: a.now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var ents []matcher.Party
	for range 2 {
		e, err := a.svc.CreateEnterprise(a.staff, matcher.EnterpriseInput{Name: "E", Location: &a.at})
		if err != nil {
			t.Fatal(err)
		}
		ents = append(ents, matcher.Party{Kind: "enterprise", ID: e.ID})
	}
	if _, err := a.svc.ClaimWish(a.as(ents[0]), wish.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := b.GetWish(a.staff, wish.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.(*matcher.Wish).Status == matcher.StatusClaimed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other replica did not learn of the claim")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := b.ClaimWish(a.as(ents[1]), wish.ID); matcher.ErrorCode(err) != matcher.ECONFLICT {
		t.Fatalf("second claim on the other replica: %v, want conflict", err)
	}
}
