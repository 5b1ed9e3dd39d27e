package mongo_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

var at = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func mustCipher(tb testing.TB, keys ...string) *mongo.Cipher {
	tb.Helper()
	var raw [][]byte
	for _, k := range keys {
		b, err := mongo.ParseDataKey(k)
		if err != nil {
			tb.Fatal(err)
		}
		raw = append(raw, b)
	}
	c, err := mongo.NewCipher(raw[0], raw[1:]...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

const (
	key1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	key2 = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)

func rec(id string) matcher.Record {
	return matcher.Record{ID: id, Version: 1, CreatedBy: matcher.Actor{Kind: "coordinator", ID: "org_1", Key: "lnl_abcdefgh"},
		CreatedAt: at, UpdatedAt: at}
}

// everyKind is one change holding a record of every kind, events,
// audit records, an aggregate and an idempotency record.
func everyKind() *matcher.Change {
	loc := &matcher.Location{Lat: 30.2701234, Lng: 120.1501234}
	due := at.Add(72 * time.Hour)
	claimant := matcher.Party{Kind: "volunteer", ID: "vol_1"}
	return &matcher.Change{
		At: at, Actor: matcher.Actor{Kind: "social_worker", ID: "org_1", Key: "lnl_abcdefgh"},
		Records: []any{
			&matcher.Organisation{Record: rec("org_1"), Cell: 0x8928308280fffff, OrganisationInput: matcher.OrganisationInput{
				Name: "Xiaohe", Kind: "community", ParentID: "org_0", Location: loc, Categories: []string{}, Capacity: map[string]int{"repair": 2}}},
			&matcher.Volunteer{Record: rec("vol_1"), Cell: 0x8928308280fffff, VolunteerInput: matcher.VolunteerInput{
				Name: "Li Wei", Phone: "+86 138 0000 0000", BirthDate: "1990-05-01", Location: loc, Skills: []string{"repair"},
				Certifications: []matcher.Certification{{Type: "first_aid", ExpiresAt: due}}, MaxActiveClaims: 3, NodeID: "org_1"}},
			&matcher.Enterprise{Record: rec("ent_1"), Cell: 0x8928308280fffff, EnterpriseInput: matcher.EnterpriseInput{
				Name: "Repairs", Location: loc, Categories: []string{"repair"}, Sites: []matcher.Location{*loc}, Vetted: true, NodeID: "org_1"}},
			&matcher.Resource{Record: rec("res_1"), Owner: matcher.Party{Kind: "enterprise", ID: "ent_1"}, NodeID: "org_1", Cell: 0x8928308280fffff,
				ResourceInput: matcher.ResourceInput{Kind: "goods", Category: "repair", Title: "tools", Quantity: 2, Location: loc}},
			&matcher.Resident{Record: rec("rsd_1"), Cell: 0x8928308280fffff, ResidentInput: matcher.ResidentInput{
				Name: "Zhao Mingzhu", Phone: "13711112222", BirthDate: "1950-07-08", Disabilities: []string{"wheelchair_user"},
				LivesAlone: true, Address: "99 Hidden Lane", Location: loc, NodeID: "org_1",
				Consent: &matcher.Consent{GivenBy: "guardian", GuardianName: "Zhao Li", Purpose: "matching", GivenAt: at}}},
			&matcher.Wish{Record: rec("wsh_1"), NodeID: "org_1", Location: loc, Cell: 0x8928308280fffff, WishInput: matcher.WishInput{
				ResidentID: "rsd_1", Category: "repair", Title: "Wheelchair", Description: "left wheel squeaks near the door",
				Needs: matcher.Needs{Skills: []string{"repair"}, Items: []string{"oil"}}, DueAt: due, OnSite: true}},
			&matcher.APIKey{ID: "hash", Version: 1, Prefix: "lnl_abcdefgh", Role: "volunteer", SubjectID: "vol_1",
				CreatedBy: matcher.Actor{Kind: "admin", Key: "lnl_00000000"}, CreatedAt: at},
			&matcher.Offer{Record: rec("ofr_1"), WishID: "wsh_1", Supplier: claimant, RunID: "run_1", WalkMinutes: 3.5,
				Minutes: 15, ExpiresAt: due, Status: matcher.OfferPending, NodeID: "org_1"},
		},
		Events: []*matcher.Event{{ID: "wsh_1/000001", WishID: "wsh_1", Seq: 1, Type: matcher.EventClaimed,
			Actor: matcher.Actor{Kind: "volunteer", ID: "vol_1", Key: "lnl_abcdefgh"}, At: at, ClaimID: "clm_1",
			Claimant: &claimant, DueAt: due, Category: "repair", Hours: []matcher.Hours{{VolunteerID: "vol_1", Hours: 2}}}},
		Audits: []*matcher.AuditRecord{{ID: "aud_1", At: at, Actor: matcher.Actor{Kind: "volunteer", ID: "vol_1"},
			Action: matcher.AuditAddressViewed, Subject: matcher.Party{Kind: "wish", ID: "wsh_1"}, NodeID: "org_1",
			Details: map[string]string{"resident_id": "rsd_1"}}},
		Aggregates: []*matcher.Aggregate{{WishID: "wsh_0", NodeID: "org_1", Category: "repair", Cell: 0x872830828ffffff,
			Month: "2026-05", Outcome: "confirmed", Rating: 5}},
		Idempotency: &matcher.IdempotencyRecord{Key: "lnl_abcdefgh/k1", Hash: "h", At: at, Kind: "event", ID: "wsh_1/000001"},
	}
}

// recorder collects the changes a store applies.
type recorder struct {
	mu      sync.Mutex
	changes []*matcher.Change
}

func (r *recorder) apply(c *matcher.Change) {
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
}

func (r *recorder) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, len(r.changes))
	for i, c := range r.changes {
		out[i] = c.Seq
	}
	return out
}

func mustLoad(tb testing.TB, s *mongo.Store) *recorder {
	tb.Helper()
	r := &recorder{}
	if err := s.Load(context.Background(), r.apply); err != nil {
		tb.Fatal(err)
	}
	return r
}

func commit(tb testing.TB, s *mongo.Store, c *matcher.Change) *matcher.Change {
	tb.Helper()
	got, err := s.Commit(context.Background(), func() (*matcher.Change, error) { return c, nil })
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

func TestChangesReadBackWhole(t *testing.T) {
	name := mongotest.DatabaseName()
	s := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1)))
	mustLoad(t, s)
	want := everyKind()
	commit(t, s, want)
	again := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1)))
	r := mustLoad(t, again)
	if len(r.changes) != 1 {
		t.Fatalf("loaded %d changes, want 1", len(r.changes))
	}
	if got := r.changes[0]; !reflect.DeepEqual(got, want) {
		for i := range want.Records {
			if !reflect.DeepEqual(got.Records[i], want.Records[i]) {
				t.Errorf("record %d:\n got %+v\nwant %+v", i, got.Records[i], want.Records[i])
			}
		}
		t.Fatalf("change read back differs:\n got %+v\nwant %+v", got, want)
	}
}

func TestPersonalDataIsSealedInTheLog(t *testing.T) {
	s := mongotest.New(t, mongo.WithCipher(mustCipher(t, key1)))
	mustLoad(t, s)
	commit(t, s, everyKind())
	var raw bson.Raw
	if err := s.Database().Collection("log").FindOne(context.Background(), bson.D{}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Zhao Mingzhu", "13711112222", "1950-07-08", "Hidden Lane", "squeaks", "Zhao Li", "30.2701234"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the stored entry holds %q in clear", secret)
		}
	}
	if bytes.Contains(raw, []byte("Li Wei")) == false {
		t.Error("a volunteer's name is not personal data of a resident and should read in clear; the test looks at the wrong bytes")
	}
}

func TestAnotherKeyCannotOpenTheLog(t *testing.T) {
	name := mongotest.DatabaseName()
	s := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1)))
	mustLoad(t, s)
	commit(t, s, everyKind())
	other := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key2)))
	if err := other.Load(context.Background(), func(*matcher.Change) {}); err == nil {
		t.Fatal("a store with another data key loaded sealed residents")
	}
}

// TestEveryCommitIsDecidedOnTheWholeLog runs commits from three stores on
// one database at once. Each decide records how many changes its store
// had applied: the log must hold every change once, numbered without a
// gap, every store must have applied them all in order, and each change
// must have been decided on exactly the entries before it.
func TestEveryCommitIsDecidedOnTheWholeLog(t *testing.T) {
	name := mongotest.DatabaseName()
	var stores []*mongo.Store
	var recs []*recorder
	for range 3 {
		s := mongotest.Open(t, name)
		stores, recs = append(stores, s), append(recs, mustLoad(t, s))
	}
	const perStore = 40
	var wg sync.WaitGroup
	for i, s := range stores {
		for g := range 2 {
			wg.Go(func() {
				for n := range perStore / 2 {
					_, err := s.Commit(context.Background(), func() (*matcher.Change, error) {
						seen := len(recs[i].seqs())
						return &matcher.Change{At: at, Actor: matcher.Actor{Kind: "test", ID: fmt.Sprintf("%d/%d/%d", i, g, n)},
							Audits: []*matcher.AuditRecord{{ID: fmt.Sprint(seen), At: at}}}, nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	total := int64(len(stores) * perStore)
	for i, s := range stores {
		if _, err := s.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		seqs := recs[i].seqs()
		if int64(len(seqs)) != total {
			t.Fatalf("store %d applied %d changes, want %d", i, len(seqs), total)
		}
		for j, seq := range seqs {
			if seq != int64(j+1) {
				t.Fatalf("store %d applied entry %d as its %dth", i, seq, j+1)
			}
		}
	}
	for _, c := range recs[0].changes {
		if seen := c.Audits[0].ID; seen != fmt.Sprint(c.Seq-1) {
			t.Fatalf("entry %d was decided having applied %s entries, not %d", c.Seq, seen, c.Seq-1)
		}
	}
}

func TestRewriteReplacesAnEntry(t *testing.T) {
	name := mongotest.DatabaseName()
	s := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1)))
	mustLoad(t, s)
	commit(t, s, everyKind())
	err := s.Rewrite(context.Background(), 1, func(c *matcher.Change) bool {
		r := c.Records[4].(*matcher.Resident)
		r.Name, r.Phone = "", ""
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	r := mustLoad(t, mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1))))
	if got := r.changes[0].Records[4].(*matcher.Resident); got.Name != "" || got.Phone != "" || got.Address != "99 Hidden Lane" {
		t.Fatalf("rewritten resident reads %+v", got.ResidentInput)
	}
}

func TestAppendIsTheNextEntries(t *testing.T) {
	name := mongotest.DatabaseName()
	a, b := mongotest.Open(t, name), mongotest.Open(t, name)
	ra := mustLoad(t, a)
	mustLoad(t, b)
	commit(t, b, &matcher.Change{At: at}) // a has not seen entry 1
	var batch []*matcher.Change
	for range 25 {
		batch = append(batch, &matcher.Change{At: at, Actor: matcher.System})
	}
	if err := a.Append(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if got := ra.seqs(); len(got) != 26 || got[0] != 1 || got[25] != 26 {
		t.Fatalf("applied %v, want 1..26", got)
	}
}

func TestReseal(t *testing.T) {
	name := mongotest.DatabaseName()
	s := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key1)))
	mustLoad(t, s)
	commit(t, s, everyKind())
	rotated := mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key2, key1)))
	rep, err := rotated.Reseal(context.Background())
	if err != nil || rep.Entries != 1 {
		t.Fatalf("Reseal = %+v, %v; want 1 entry resealed", rep, err)
	}
	if rep, _ := rotated.Reseal(context.Background()); rep.Entries != 0 || rep.Current != 1 {
		t.Fatalf("second Reseal = %+v, want nothing left", rep)
	}
	r := mustLoad(t, mongotest.Open(t, name, mongo.WithCipher(mustCipher(t, key2))))
	if got := r.changes[0].Records[4].(*matcher.Resident); got.Name != "Zhao Mingzhu" {
		t.Fatalf("after rotation the resident reads %q", got.Name)
	}
}

// TestOlderStoreIsMigrated writes documents the way the store did before
// the log (one collection a kind) and opens it: everything must load.
func TestOlderStoreIsMigrated(t *testing.T) {
	name := mongotest.DatabaseName()
	s := mongotest.Open(t, name)
	db := s.Database()
	ctx := context.Background()
	old := map[string][]any{
		"organisations": {bson.D{{Key: "_id", Value: "org_1"}, {Key: "tenant", Value: ""}, {Key: "name", Value: "Xiaohe"},
			{Key: "kind", Value: "community"}, {Key: "point", Value: bson.D{{Key: "lat", Value: 30.27}, {Key: "lng", Value: 120.15}}},
			{Key: "cell", Value: int64(0x8928308280fffff)}, {Key: "created_at", Value: at}, {Key: "updated_at", Value: at}}},
		"volunteers": {bson.D{{Key: "_id", Value: "vol_1"}, {Key: "tenant", Value: "org_1"}, {Key: "name", Value: "Li Wei"},
			{Key: "birth_date", Value: "1990-05-01"}, {Key: "point", Value: bson.D{{Key: "lat", Value: 30.27}, {Key: "lng", Value: 120.15}}},
			{Key: "cell", Value: int64(0x8928308280fffff)}, {Key: "max_active_claims", Value: 3}, {Key: "created_at", Value: at}, {Key: "updated_at", Value: at}}},
		"api_keys": {bson.D{{Key: "_id", Value: "hash"}, {Key: "tenant", Value: "org_1"}, {Key: "prefix", Value: "lnl_abcdefgh"},
			{Key: "role", Value: "coordinator"}, {Key: "created_by", Value: "bootstrap"}, {Key: "created_at", Value: at}}},
		"events": {bson.D{{Key: "_id", Value: "wsh_1/000001"}, {Key: "wish_id", Value: "wsh_1"}, {Key: "seq", Value: 1},
			{Key: "type", Value: "cancelled"}, {Key: "actor", Value: bson.D{{Key: "kind", Value: "social_worker"}, {Key: "id", Value: "org_1"}}},
			{Key: "at", Value: at}}},
	}
	for coll, docs := range old {
		if _, err := db.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	r := mustLoad(t, mongotest.Open(t, name))
	kinds := map[string]int{}
	for _, c := range r.changes {
		for _, rec := range c.Records {
			kinds[fmt.Sprintf("%T", rec)]++
		}
		kinds["events"] += len(c.Events)
	}
	want := map[string]int{"*matcher.Organisation": 1, "*matcher.Volunteer": 1, "*matcher.APIKey": 1, "events": 1}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("migrated %v, want %v", kinds, want)
	}
	for _, c := range r.changes {
		for _, rec := range c.Records {
			if v, ok := rec.(*matcher.Volunteer); ok && (v.NodeID != "org_1" || v.Version != 1) {
				t.Fatalf("migrated volunteer %+v", v)
			}
		}
	}
	if r2 := mustLoad(t, mongotest.Open(t, name)); len(r2.changes) != len(r.changes) {
		t.Fatalf("a second open migrated again: %d changes, then %d", len(r.changes), len(r2.changes))
	}
}
