package matcher_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/linli/linli/matcher"
)

// TestReplicasFollowEachOther writes through one replica and reads through
// another after it syncs: lists, searches and histories agree.
func TestReplicasFollowEachOther(t *testing.T) {
	w := mustWorld(t, true)
	a := w.mustCommunity("")
	other := w.replica()
	r := w.mustResident(a.social, "1950-01-01", &hangzhou)
	wish := w.mustWish(a.social, r.ID, "repair", false)
	if _, err := w.svc.ClaimWish(a.volunteer, wish.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := other.GetWish(a.social, wish.ID)
	if err != nil || got.Status != matcher.StatusClaimed {
		t.Fatalf("the other replica reads %+v, %v; want the claimed wish", got, err)
	}
	h, err := other.WishEvents(a.volunteer, wish.ID)
	if err != nil || len(h.Items) != 2 {
		t.Fatalf("history on the other replica: %+v, %v", h, err)
	}
	list, err := other.ListWishes(a.social, matcher.WishFilter{Status: matcher.StatusClaimed}, matcher.PageRequest{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list on the other replica: %v, %v", list, err)
	}
}

// TestRacingClaimsAcrossReplicasHaveOneWinner claims every wish from many
// suppliers through three replicas at once: each wish has exactly one
// claim, and no volunteer holds more than their limit.
func TestRacingClaimsAcrossReplicasHaveOneWinner(t *testing.T) {
	w := mustWorld(t, true)
	a := w.mustCommunity("")
	replicas := []*matcher.Service{w.svc, w.replica(), w.replica()}
	r := w.mustResident(a.social, "1950-01-01", &hangzhou)
	var wishes []string
	for range 10 {
		wishes = append(wishes, w.mustWish(a.social, r.ID, "repair", false).ID)
	}
	var suppliers []context.Context
	for range 6 {
		v := w.mustVolunteer(a.coord, &hangzhou, 2)
		suppliers = append(suppliers, w.as(matcher.RoleVolunteer, v.ID))
		e := w.mustEnterprise(a.coord, &hangzhou, "repair")
		suppliers = append(suppliers, w.as(matcher.RoleEnterprise, e.ID))
	}
	for _, s := range replicas {
		if _, err := s.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var won atomic.Int64
	var wg sync.WaitGroup
	for i, ctx := range suppliers {
		for j, id := range wishes {
			wg.Go(func() {
				_, err := replicas[(i+j)%len(replicas)].ClaimWish(ctx, id)
				switch code(err) {
				case "":
					won.Add(1)
				case matcher.ECONFLICT, matcher.EINELIGIBLE:
				default:
					t.Errorf("claim: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if won.Load() != int64(len(wishes)) {
		t.Fatalf("%d claims won for %d wishes", won.Load(), len(wishes))
	}
	s := replicas[2]
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	perVolunteer := map[matcher.Party]int{}
	for _, id := range wishes {
		h, err := s.WishEvents(a.social, id)
		if err != nil {
			t.Fatal(err)
		}
		claims := 0
		for _, e := range h.Items {
			if e.Type == matcher.EventClaimed {
				claims++
				if e.Claimant.Kind == matcher.RoleVolunteer {
					perVolunteer[*e.Claimant]++
				}
			}
		}
		if claims != 1 {
			t.Fatalf("wish %s has %d claimed events", id, claims)
		}
	}
	for p, n := range perVolunteer {
		if n > 2 {
			t.Fatalf("volunteer %s holds %d claims, over their limit of 2", p.ID, n)
		}
	}
}
