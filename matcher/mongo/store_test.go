package mongo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

func mustVolunteer(tb testing.TB, id, tenant string) *matcher.Volunteer {
	tb.Helper()
	return &matcher.Volunteer{
		ID: id, TenantID: tenant, Cell: 0x8928308280fffff,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		VolunteerInput: matcher.VolunteerInput{
			Name: "Li Wei", Phone: "+86 138 0000 0000", BirthDate: "1990-05-01",
			Location: &matcher.Location{Lat: 30.27, Lng: 120.15}, Skills: []string{"repair"},
			Certifications:  []matcher.Certification{{Type: "first_aid", ExpiresAt: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)}},
			MaxActiveClaims: 3,
		},
	}
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := mongotest.New(t)
	v := mustVolunteer(t, "vol_1", "org_a")
	if err := s.Volunteers().Create(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, err := s.Volunteers().Get(ctx, "vol_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != v.Name || got.Cell != v.Cell || got.Location.Lat != 30.27 || len(got.Certifications) != 1 ||
		!got.Certifications[0].ExpiresAt.Equal(v.Certifications[0].ExpiresAt) || !got.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("round trip changed the volunteer:\n got %+v\nwant %+v", got, v)
	}
	if err := s.Volunteers().Create(ctx, v); matcher.ErrorCode(err) != matcher.ECONFLICT {
		t.Fatalf("second create: got %v, want conflict", err)
	}
	if _, err := s.Volunteers().Get(ctx, "vol_missing"); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("get missing: got %v, want not_found", err)
	}
	v.Name = "Li Wei (renamed)"
	if err := s.Volunteers().Replace(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Volunteers().Get(ctx, "vol_1"); got.Name != v.Name {
		t.Fatalf("replace: got name %q", got.Name)
	}
	missing := mustVolunteer(t, "vol_missing", "org_a")
	if err := s.Volunteers().Replace(ctx, missing); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("replace missing: got %v, want not_found", err)
	}
}

func TestListPagesByTenant(t *testing.T) {
	ctx := context.Background()
	s := mongotest.New(t)
	for _, tt := range []struct{ id, tenant string }{
		{"vol_1", "a"}, {"vol_2", "b"}, {"vol_3", "a"}, {"vol_4", "a"}, {"vol_5", "b"},
	} {
		if err := s.Volunteers().Create(ctx, mustVolunteer(t, tt.id, tt.tenant)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		give matcher.ListOptions
		want []string
	}{
		{"tenant a, first page", matcher.ListOptions{TenantID: "a", Limit: 2}, []string{"vol_1", "vol_3"}},
		{"tenant a, after cursor", matcher.ListOptions{TenantID: "a", Limit: 2, After: "vol_3"}, []string{"vol_4"}},
		{"all tenants", matcher.ListOptions{Limit: 10}, []string{"vol_1", "vol_2", "vol_3", "vol_4", "vol_5"}},
		{"operator-looking tenant matches nothing", matcher.ListOptions{TenantID: `{"$ne": ""}`, Limit: 10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Volunteers().List(ctx, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, v := range got {
				ids = append(ids, v.ID)
			}
			if len(ids) != len(tt.want) {
				t.Fatalf("got %v, want %v", ids, tt.want)
			}
			for i := range ids {
				if ids[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", ids, tt.want)
				}
			}
		})
	}
}

// TestAppendEventExclusive checks the fact the whole wish lifecycle rests
// on: of many concurrent appends of the same (wish, seq), exactly one wins.
func TestAppendEventExclusive(t *testing.T) {
	ctx := context.Background()
	s := mongotest.New(t)
	const wishes, racers = 20, 10
	var won, lost atomic.Int64
	var wg sync.WaitGroup
	for w := range wishes {
		for r := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := &matcher.Event{
					WishID: "wsh_" + string(rune('a'+w)), Seq: 1, Type: matcher.EventClaimed,
					Actor: matcher.Party{Kind: "enterprise", ID: string(rune('A' + r))}, At: time.Now().UTC(),
				}
				switch err := s.Events().Append(ctx, e); matcher.ErrorCode(err) {
				case "":
					won.Add(1)
				case matcher.ECONFLICT:
					lost.Add(1)
				default:
					t.Errorf("append: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	if won.Load() != wishes || lost.Load() != wishes*(racers-1) {
		t.Fatalf("won %d, lost %d; want %d and %d", won.Load(), lost.Load(), wishes, wishes*(racers-1))
	}
	var n int
	if err := s.Events().Since(ctx, time.Time{}, func(*matcher.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != wishes {
		t.Fatalf("stored %d events, want %d", n, wishes)
	}
}
