package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

// TestResidentIsUnreadableInTheRawStore records a resident through the API
// and reads the stored document with the driver alone.
func TestResidentIsUnreadableInTheRawStore(t *testing.T) {
	db := mongotest.DatabaseName()
	s := mustServe(t, map[string]string{"LINLI_MONGODB_DATABASE": db})
	a := mustTenant(t, s, "Gongshu", "", 30.28, otherResident)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := mongo.Open(ctx, mongotest.URI(t), mongotest.DatabaseName())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = st.Drop(ctx)
		_ = st.Close(ctx)
	}()
	cur, err := st.Database().Client().Database(db).Collection("log").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	for cur.Next(ctx) {
		entries++
		for _, secret := range append(otherSecrets, "wheelchair_user", "left wheel") {
			if strings.Contains(cur.Current.String(), secret) {
				t.Errorf("a raw log entry holds %q in clear", secret)
			}
		}
	}
	if entries == 0 {
		t.Fatal("the log is empty: the test reads the wrong database")
	}
	got := s.mustCall(t, http.StatusOK, "GET", "/v1/residents/"+a.resident, a.keys["social_worker"], nil)
	if got["name"] != otherResident["name"] || got["phone"] != otherResident["phone"] {
		t.Fatalf("the API reads back %v", got)
	}

	w := s.mustCall(t, http.StatusOK, "POST", "/v1/residents/"+a.resident+"/consent/withdraw", a.keys["social_worker"], nil)
	if w["name"] != "" || w["consent_withdrawn_at"] == nil {
		t.Fatalf("withdrawal answered %v", w)
	}
	if got := s.mustCall(t, http.StatusOK, "GET", "/v1/residents/"+a.resident, a.keys["social_worker"], nil); got["phone"] != nil || got["name"] != "" {
		t.Fatalf("a resident who withdrew consent reads as %v", got)
	}
	s.mustCall(t, http.StatusBadRequest, "POST", "/v1/wishes", a.keys["social_worker"], wishBody(a.resident))
}

// TestDataKeyIsRequiredWithMongoDB checks that serve refuses a real
// MongoDB without a data key, and a malformed key anywhere.
func TestDataKeyIsRequiredWithMongoDB(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"no key", "", "data_key: is required with mongodb.uri"},
		{"short key", "c2hvcnQ=", "data_key"},
		{"not base64", "not a key!", "data_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{
				"LINLI_HTTP_ADDR": "127.0.0.1:0", "LINLI_MONGODB_URI": mongotest.URI(t), "LINLI_MONGODB_DATABASE": mongotest.DatabaseName(),
				"LINLI_RULES": rulesGlob(t), "LINLI_DATA_KEY": tt.key,
			}
			err := run(context.Background(), []string{"serve"}, env, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve: %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

// TestEmbeddedStoreMakesItsDataKey starts the embedded store with no data
// key: one is made in the data folder, readable by its owner only, and
// where it is is printed.
func TestEmbeddedStoreMakesItsDataKey(t *testing.T) {
	dir := t.TempDir()
	s := mustServe(t, map[string]string{"LINLI_MONGODB_URI": "", "LINLI_MONGODB_DATABASE": "linli", "LINLI_DATA_DIR": dir, "LINLI_DATA_KEY": ""})
	path := filepath.Join(dir, dataKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("data key file mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(s.out.String(), path) {
		t.Fatalf("serve did not say where the data key is:\n%s", s.out.String())
	}
	b, _ := os.ReadFile(path)
	if _, err := mongo.ParseDataKey(string(b)); err != nil {
		t.Fatalf("the generated key does not parse: %v", err)
	}
}
