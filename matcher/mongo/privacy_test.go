package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

func mustCipher(tb testing.TB, current string, old ...string) *mongo.Cipher {
	tb.Helper()
	key, err := mongo.ParseDataKey(current)
	if err != nil {
		tb.Fatal(err)
	}
	var olds [][]byte
	for _, o := range old {
		k, err := mongo.ParseDataKey(o)
		if err != nil {
			tb.Fatal(err)
		}
		olds = append(olds, k)
	}
	c, err := mongo.NewCipher(key, olds...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// mustSealedStore opens a fresh database with c, and returns a function
// that opens the same database again with another cipher.
func mustSealedStore(tb testing.TB, c *mongo.Cipher) (*mongo.Store, func(*mongo.Cipher) *mongo.Store) {
	tb.Helper()
	ctx := context.Background()
	name := mongotest.DatabaseName()
	s, err := mongo.Open(ctx, mongotest.URI(tb), name, mongo.WithCipher(c))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = s.Drop(context.Background())
		_ = s.Close(context.Background())
	})
	// Reopening uses New on the same client: Open would create the indexes
	// again, which crashes the embedded FerretDB v1.24 connection.
	open := func(c *mongo.Cipher) *mongo.Store {
		return mongo.New(s.Database().Client(), name, mongo.WithCipher(c))
	}
	return s, open
}

func testResident(id string) *matcher.Resident {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &matcher.Resident{
		ID: id, TenantID: "org_a", Cell: 0x8928308280fffff, CreatedAt: at, UpdatedAt: at,
		ResidentInput: matcher.ResidentInput{
			Name: "Wang Fang", Phone: "13900001111", BirthDate: "1948-03-02", Disabilities: []string{"wheelchair_user"},
			LivesAlone: true, Address: "12 Xixi Road, Room 301", Location: &matcher.Location{Lat: 30.2705123, Lng: 120.1502456},
			Consent: &matcher.Consent{GivenBy: "guardian", GuardianName: "Wang Lei", Purpose: "matching", GivenAt: at},
		},
	}
}

func testWish(id, resident string) *matcher.Wish {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &matcher.Wish{
		ID: id, TenantID: "org_a", Cell: 0x8928308280fffff, CreatedAt: at, UpdatedAt: at,
		Location: &matcher.Location{Lat: 30.2705123, Lng: 120.1502456},
		WishInput: matcher.WishInput{ResidentID: resident, Category: "repair", Title: "Repair a wheelchair",
			Description: "Mrs Wang's left wheel squeaks", DueAt: at.Add(48 * time.Hour)},
	}
}

// rawJSON returns the stored document as the driver reads it, in extended
// JSON, with no converter in between.
func rawJSON(tb testing.TB, s *mongo.Store, coll, id string) string {
	tb.Helper()
	raw, err := s.Database().Collection(coll).FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		tb.Fatal(err)
	}
	return raw.String()
}

func TestPersonalDataIsSealedAtRest(t *testing.T) {
	ctx := context.Background()
	c := mustCipher(t, mongo.NewDataKey())
	s, _ := mustSealedStore(t, c)
	r := testResident("rsd_1")
	if err := s.Residents().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Wishes().Create(ctx, testWish("wsh_1", "rsd_1")); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Wang", "13900001111", "1948-03-02", "1948", "wheelchair_user", "Xixi", "30.27", "120.15", "lives_alone", "squeaks"}
	for _, doc := range []struct{ coll, id string }{{"residents", "rsd_1"}, {"wishes", "wsh_1"}} {
		raw := rawJSON(t, s, doc.coll, doc.id)
		for _, secret := range secrets {
			if strings.Contains(raw, secret) {
				t.Errorf("raw %s document holds %q in clear: %s", doc.coll, secret, raw)
			}
		}
		if !strings.Contains(raw, `"enc1:`+c.KeyID()+`:`) {
			t.Errorf("raw %s document has no value sealed with key %s: %s", doc.coll, c.KeyID(), raw)
		}
		if !strings.Contains(raw, `"cell"`) {
			t.Errorf("raw %s document lost its clear cell: %s", doc.coll, raw)
		}
	}
	got, err := s.Residents().Get(ctx, "rsd_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != r.Name || got.Phone != r.Phone || got.BirthDate != r.BirthDate || got.Address != r.Address ||
		*got.Location != *r.Location || !got.LivesAlone || len(got.Disabilities) != 1 || got.Consent.GuardianName != "Wang Lei" {
		t.Fatalf("sealed round trip changed the resident:\n got %+v\nwant %+v", got.ResidentInput, r.ResidentInput)
	}
	w, err := s.Wishes().Get(ctx, "wsh_1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Location == nil || w.Location.Lat != 30.2705123 || w.Description == "" {
		t.Fatalf("sealed round trip lost the wish's point or text: %+v", w)
	}
}

func TestSealedValueDoesNotOpenInAnotherDocument(t *testing.T) {
	ctx := context.Background()
	s, _ := mustSealedStore(t, mustCipher(t, mongo.NewDataKey()))
	for _, id := range []string{"rsd_1", "rsd_2"} {
		if err := s.Residents().Create(ctx, testResident(id)); err != nil {
			t.Fatal(err)
		}
	}
	coll := s.Database().Collection("residents")
	var d struct {
		Sealed string `bson:"sealed"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "rsd_1"}}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "rsd_2"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "sealed", Value: d.Sealed}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Residents().Get(ctx, "rsd_2"); err == nil {
		t.Fatal("a sealed value copied from rsd_1 opened in rsd_2")
	}
}

func TestDataKeyRotation(t *testing.T) {
	ctx := context.Background()
	oldKey, newKey := mongo.NewDataKey(), mongo.NewDataKey()
	s, open := mustSealedStore(t, mustCipher(t, oldKey))
	if err := s.Residents().Create(ctx, testResident("rsd_1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wishes().Create(ctx, testWish("wsh_1", "rsd_1")); err != nil {
		t.Fatal(err)
	}

	if _, err := open(mustCipher(t, newKey)).Residents().Get(ctx, "rsd_1"); err == nil {
		t.Fatal("a store without the old key opened a record it sealed")
	}
	both := open(mustCipher(t, newKey, oldKey))
	if r, err := both.Residents().Get(ctx, "rsd_1"); err != nil || r.Name != "Wang Fang" {
		t.Fatalf("new key with the old one in data_keys_old: %v, %+v", err, r)
	}
	rep, err := both.Reseal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Residents != 1 || rep.Wishes != 1 {
		t.Fatalf("reseal: %+v, want 1 resident and 1 wish", rep)
	}
	if rep, _ := both.Reseal(ctx); rep.Residents != 0 || rep.Wishes != 0 || rep.Current != 2 {
		t.Fatalf("second reseal: %+v, want nothing to do", rep)
	}
	only := open(mustCipher(t, newKey))
	if r, err := only.Residents().Get(ctx, "rsd_1"); err != nil || r.Phone != "13900001111" {
		t.Fatalf("after reseal, the new key alone: %v, %+v", err, r)
	}
	if w, err := only.Wishes().Get(ctx, "wsh_1"); err != nil || w.Location == nil {
		t.Fatalf("after reseal, the new key alone on the wish: %v, %+v", err, w)
	}
}

// TestOperatorLikeValuesMatchNothing checks that ids and tenants that look
// like operators, field paths or JavaScript are compared as plain strings.
func TestOperatorLikeValuesMatchNothing(t *testing.T) {
	ctx := context.Background()
	s := mongotest.New(t)
	if err := s.Volunteers().Create(ctx, mustVolunteer(t, "vol_1", "org_a")); err != nil {
		t.Fatal(err)
	}
	for _, give := range []string{`{"$ne":""}`, `{"$gt":""}`, `$ne`, `$where`, `this.tenant == "org_a"`, `a.b`, `_id.$`, `{"$regex":".*"}`, `.*`, ""} {
		if _, err := s.Volunteers().Get(ctx, give); matcher.ErrorCode(err) != matcher.ENOTFOUND {
			t.Errorf("Get(%q): %v, want not_found", give, err)
		}
		if _, err := s.Volunteers().GetFor(ctx, "vol_1", give); matcher.ErrorCode(err) != matcher.ENOTFOUND {
			t.Errorf("GetFor(vol_1, %q): %v, want not_found", give, err)
		}
		if _, err := s.Volunteers().GetFor(ctx, give, "org_a"); matcher.ErrorCode(err) != matcher.ENOTFOUND {
			t.Errorf("GetFor(%q, org_a): %v, want not_found", give, err)
		}
		got, err := s.Volunteers().List(ctx, matcher.ListOptions{TenantID: give, Limit: 10})
		if err != nil || (give != "" && len(got) != 0) {
			t.Errorf("List(tenant %q): %d, %v; want none", give, len(got), err)
		}
		if _, err := s.KeyByPrefix(ctx, give); matcher.ErrorCode(err) != matcher.ENOTFOUND {
			t.Errorf("KeyByPrefix(%q): %v, want not_found", give, err)
		}
	}
	if _, err := s.Volunteers().GetFor(ctx, "vol_1", "org_a"); err != nil {
		t.Fatalf("GetFor of the owner: %v", err)
	}
	if _, err := s.Volunteers().GetFor(ctx, "vol_1", "org_b"); matcher.ErrorCode(err) != matcher.ENOTFOUND {
		t.Fatalf("GetFor of another tenant: %v, want not_found", err)
	}
}
