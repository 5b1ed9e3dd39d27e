package main

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestConsentWithdrawalErasesWithinSeconds withdraws a resident's consent
// on a service whose retention job runs hourly: the resident and their
// wish read as erased within seconds, not at the job's next run.
func TestConsentWithdrawalErasesWithinSeconds(t *testing.T) {
	w := mustWorldEnv(t, map[string]string{"LINLI_PRIVACY_RETENTION_EVERY": "1h"})
	resident := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, residentBody())["id"].(string)
	wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, wishBody(resident))["id"].(string)
	w.mustCall(t, http.StatusOK, "POST", "/v1/residents/"+resident+"/consent/withdraw", w.socialWorker, nil)
	withdrawn := time.Now()
	for {
		r := w.mustCall(t, http.StatusOK, "GET", "/v1/residents/"+resident, w.socialWorker, nil)
		v := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish, w.socialWorker, nil)
		if r["erased_at"] != nil && v["erased_at"] != nil {
			t.Logf("erased %s after the withdrawal", time.Since(withdrawn).Round(time.Millisecond))
			return
		}
		if time.Since(withdrawn) > 5*time.Second {
			t.Fatalf("5 s after the withdrawal: resident %v, wish %v; want both erased", r, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
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

// TestAReplayShowsOnlyWhatMayBeSeenNow replays the creation of a resident
// after they withdrew consent: the answer is the resident as they read
// now, without their personal data.
func TestAReplayShowsOnlyWhatMayBeSeenNow(t *testing.T) {
	w := mustWorld(t)
	c := &child{base: w.base}
	status, id, _ := c.send("/v1/residents", w.socialWorker, "resident-1", residentBody())
	if status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	w.mustCall(t, http.StatusOK, "POST", "/v1/residents/"+id+"/consent/withdraw", w.socialWorker, nil)
	req, _ := http.NewRequest("POST", w.base+"/v1/residents", strings.NewReader(mustJSON(residentBody())))
	req.Header.Set("Authorization", "Bearer "+w.socialWorker)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "resident-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", resp.StatusCode, raw)
	}
	for _, secret := range []string{"Wang Fang", "13900001111", "1948-03-02", "wheelchair_user", "30.2705"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the replay after withdrawal shows %q: %s", secret, raw)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestReadinessSaysCountsOnly breaks a rule at run time with residents'
// data in its error, and reads /readyz without a key: no rule text, file
// or data; staff read the details at /v1/rules.
func TestReadinessSaysCountsOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(`rules:
  - name: fails-with-data
    require: 'int(string(resident.disabilities) + "/age=" + string(resident.age)) > 0'
    explain: breaks at run time, quoting the resident.
`), 0o600); err != nil {
		t.Fatal(err)
	}
	w := mustWorldEnv(t, map[string]string{"LINLI_RULES": path, "LINLI_RULES_REQUIRED": ""})
	res := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, residentBody())
	wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, wishBody(res["id"].(string)))["id"].(string)
	w.call(t, "GET", "/v1/wishes/"+wish+"/candidates", w.coordinator, nil)
	status, m := w.call(t, "GET", "/readyz", "", nil)
	raw := fmt.Sprint(m)
	for _, leak := range []string{"wheelchair", "age=", path, "fails-with-data", "int("} {
		if strings.Contains(raw, leak) {
			t.Fatalf("/readyz (%d) shows %q: %s", status, leak, raw)
		}
	}
	if m["rules"].(map[string]any)["eval_errors"].(float64) < 1 {
		t.Fatalf("/readyz does not count the failed evaluation: %s", raw)
	}
	staff := w.mustCall(t, http.StatusOK, "GET", "/v1/rules", w.coordinator, nil)
	if !strings.Contains(fmt.Sprint(staff), "fails-with-data") {
		t.Fatalf("/v1/rules does not name the rule for staff: %v", staff)
	}
	w.mustCall(t, http.StatusForbidden, "GET", "/v1/rules", w.enterpriseKey, nil)
}

// TestRulesThatLoseTheSafeguardsAreRefused replaces the rules file with an
// empty rule set, with one cut at a rule boundary, and with one whose
// minors rule keeps its name but applies to nobody: all are refused,
// the last good set keeps serving, and a child's wish stays guarded. A
// start with such a file serves, not ready, and allows nothing the rules
// guard.
func TestRulesThatLoseTheSafeguardsAreRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "default.yaml")
	good, err := os.ReadFile(filepath.Join(filepath.Dir(rulesGlob(t)), "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	w := mustWorldEnv(t, map[string]string{"LINLI_RULES": path, "LINLI_RULES_RELOAD": "50ms"})
	cut := string(good[:strings.Index(string(good), "  - name: elderly-home-visits")])
	// The rule's name kept, its teeth pulled: refused as a loss.
	neutered := strings.Replace(string(good), "    when: resident.age < 18\n", "    when: resident.age < 0\n", 1)
	if neutered == string(good) {
		t.Fatal("the minors rule is not where the test looks for it")
	}
	for _, bad := range []string{"rules: []\n", cut, neutered} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			m := w.mustCall(t, http.StatusOK, "GET", "/readyz", "", nil)
			if m["rules"].(map[string]any)["reload_failing"] == true {
				if m["rules"].(map[string]any)["rules"].(float64) != 5 {
					t.Fatalf("the last good set is not serving: %v", m)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a rule set without the safeguards was not refused: %v", m)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	child := residentBody()
	child["birth_date"] = time.Now().AddDate(-10, 0, 0).Format(time.DateOnly)
	child["consent"] = map[string]any{"given_by": "guardian", "guardian_name": "Wang Li", "purpose": "p", "given_at": "2026-11-01T09:00:00Z"}
	res := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, child)
	wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, wishBody(res["id"].(string)))["id"].(string)
	unvetted := w.mustCall(t, http.StatusCreated, "POST", "/v1/enterprises", w.coordinator, map[string]any{"name": "Unvetted",
		"location": map[string]any{"lat": 30.2705, "lng": 120.1502}, "categories": []string{"repair"}})["id"].(string)
	status, m := w.call(t, "POST", "/v1/wishes/"+wish+"/claims", w.mustKey(t, "enterprise", unvetted), nil)
	if status != http.StatusForbidden || m["error"].(map[string]any)["rule"] != "minors-need-safeguarding" {
		t.Fatalf("an unvetted enterprise claimed a child's wish: %d %v", status, m)
	}

	// Starting on a file without the safeguards: serving, not ready, and
	// refusing what needs rules.
	if err := os.WriteFile(path, []byte("rules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w2 := mustWorldEnv(t, map[string]string{"LINLI_RULES": path})
	if status, m := w2.call(t, "GET", "/readyz", "", nil); status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with no rule set ever loaded: %d %v", status, m)
	}
	res2 := w2.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w2.socialWorker, residentBody())
	wish2 := w2.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w2.socialWorker, wishBody(res2["id"].(string)))["id"].(string)
	if status, m := w2.call(t, "POST", "/v1/wishes/"+wish2+"/claims", w2.enterpriseKey, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("a claim with no rules in force: %d %v, want 503", status, m)
	}
}
