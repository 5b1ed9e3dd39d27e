package matcher_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
)

// BenchmarkNearListing lists a page of 20 near a point whose circle holds
// n open wishes, for a volunteer who may serve them all.
func BenchmarkNearListing(b *testing.B) {
	for _, n := range []int{20, 200} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w := mustWorld(b, true)
			rw := &roundWorld{world: w}
			rw.district = w.mustNode("district", "")
			rw.community = w.mustNode("community", rw.district.ID)
			rw.social = w.as(matcher.RoleSocialWorker, rw.community.ID)
			rw.coord = w.as(matcher.RoleCoordinator, rw.district.ID)
			for i := range n {
				rw.wishAt("1970-01-01", float64(i%20)*30-300, float64(i/20)*30-150, 10*24*time.Hour)
			}
			v := rw.volunteerAt(0, 0, 3)
			ctx := w.as(matcher.RoleVolunteer, v.ID)
			here := fmt.Sprintf("%f,%f", near(0, 0).Lat, near(0, 0).Lng)
			for b.Loop() {
				pg, err := w.svc.ListWishes(ctx, matcher.WishFilter{Near: here, Status: "open"}, matcher.PageRequest{Limit: 20})
				if err != nil || len(pg.Items) != 20 {
					b.Fatalf("%v %d", err, len(pg.Items))
				}
			}
		})
	}
}
