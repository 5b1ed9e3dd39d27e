package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

// candidateWorld is mustWorld with an elderly resident's repair wish and
// three volunteers: one eligible, one without the skill, one too far.
type candidateWorld struct {
	*world
	wish                      string
	fixer, unskilled, faraway string
}

func mustCandidateWorld(tb testing.TB) *candidateWorld {
	tb.Helper()
	w := &candidateWorld{world: mustWorld(tb)}
	volunteer := func(lat, lng float64, skills ...string) string {
		body := volunteerBody()
		body["location"] = map[string]any{"lat": lat, "lng": lng}
		body["skills"] = skills
		return w.mustCall(tb, http.StatusCreated, "POST", "/v1/volunteers", w.coordinator, body)["id"].(string)
	}
	w.fixer = volunteer(30.272, 120.152, "repair")
	w.unskilled = volunteer(30.2702, 120.1501, "cooking")
	w.faraway = volunteer(30.30, 120.15, "repair")
	res := w.mustCall(tb, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, residentBody())
	w.wish = w.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
		"resident_id": res["id"], "category": "repair", "title": "Fix my wheelchair",
		"needs": map[string]any{"skills": []string{"repair"}}, "due_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339),
	})["id"].(string)
	return w
}

func TestWishCandidates(t *testing.T) {
	w := mustCandidateWorld(t)
	path := "/v1/wishes/" + w.wish + "/candidates"
	for _, key := range []string{w.coordinator, w.socialWorker, w.admin} {
		got := w.mustCall(t, http.StatusOK, "GET", path+"?limit=5", key, nil)
		cands := got["candidates"].([]any)
		if len(cands) != 1 {
			t.Fatalf("candidates = %v, want only the fixer", got)
		}
		c := cands[0].(map[string]any)
		if c["kind"] != "volunteer" || c["id"] != w.fixer || c["walk_minutes"].(float64) <= 0 || c["walk_minutes"].(float64) > 15 {
			t.Fatalf("candidate = %v, want the fixer", c)
		}
		// The unskilled volunteer and the enterprise have no repair skill;
		// the far volunteer is outside the circle, and the community offers
		// no category: it is no supplier.
		if ex := got["excluded"].(map[string]any); ex["has-needed-skills"] != 2.0 || len(ex) != 1 {
			t.Fatalf("excluded = %v, want has-needed-skills: 2", ex)
		}
	}
	other := w.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", w.admin, map[string]any{
		"name": "Other Community", "kind": "community", "location": map[string]any{"lat": 30.2, "lng": 120.1},
	})["id"].(string)
	tests := []struct {
		name, path, key string
		want            int
	}{
		{"enterprise", path, w.enterpriseKey, http.StatusForbidden},
		{"no key", path, "", http.StatusUnauthorized},
		{"bad limit", path + "?limit=many", w.coordinator, http.StatusBadRequest},
		{"unknown wish", "/v1/wishes/wsh_missing/candidates", w.coordinator, http.StatusNotFound},
		{"other community", path, w.mustKey(t, "social_worker", other), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.mustCall(t, tt.want, "GET", tt.path, tt.key, nil)
		})
	}
}

func TestWishesNear(t *testing.T) {
	w := mustCandidateWorld(t)
	near := "/v1/wishes?status=open&near=30.272,120.152"
	got := w.mustCall(t, http.StatusOK, "GET", near, w.mustKey(t, "volunteer", w.fixer), nil)
	items := got["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items = %v, want the wish", got)
	}
	item := items[0].(map[string]any)
	if item["id"] != w.wish || item["walk_band"] != "0-5" || item["status"] != "open" || item["resident_id"] != nil || item["location"] != nil {
		t.Fatalf("item = %v, want the public wish with its walk band", item)
	}
	tests := []struct {
		name, path, key string
		want            int
		items           int
	}{
		{"not eligible", near, w.mustKey(t, "volunteer", w.unskilled), http.StatusOK, 0},
		{"too far", "/v1/wishes?near=30.30,120.15", w.mustKey(t, "volunteer", w.faraway), http.StatusOK, 0},
		{"bad near", "/v1/wishes?near=north", w.enterpriseKey, http.StatusBadRequest, -1},
		{"out of range", "/v1/wishes?near=95,120", w.enterpriseKey, http.StatusBadRequest, -1},
		{"closed status", near[:len("/v1/wishes?")] + "status=claimed&near=30.272,120.152", w.enterpriseKey, http.StatusBadRequest, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := w.call(t, "GET", tt.path, tt.key, nil)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %v", status, tt.want, m)
			}
			if tt.items >= 0 && len(m["items"].([]any)) != tt.items {
				t.Fatalf("items = %v, want %d", m["items"], tt.items)
			}
			if tt.want == http.StatusBadRequest && m["error"].(map[string]any)["field"] == "" {
				t.Fatalf("error names no field: %v", m)
			}
		})
	}
}

func TestRulesImpact(t *testing.T) {
	env := map[string]string{
		"LINLI_MONGODB_URI":      mongotest.URI(t),
		"LINLI_MONGODB_DATABASE": mongotest.DatabaseName(),
		"LINLI_RULES":            rulesGlob(t),
		"LINLI_DATA_KEY":         "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
	}
	s := mustServe(t, env)
	org := s.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", s.admin, map[string]any{
		"name": "Xiaohe Community", "kind": "community", "location": map[string]any{"lat": 30.27, "lng": 120.15},
	})["id"].(string)
	coordinator, social := s.mustKey(t, "coordinator", org), s.mustKey(t, "social_worker", org)
	for _, skills := range [][]string{{"repair"}, {"cooking"}} {
		body := volunteerBody()
		body["skills"] = skills
		s.mustCall(t, http.StatusCreated, "POST", "/v1/volunteers", coordinator, body)
	}
	res := s.mustCall(t, http.StatusCreated, "POST", "/v1/residents", social, residentBody())
	wish := s.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", social, map[string]any{
		"resident_id": res["id"], "category": "repair", "title": "Fix my wheelchair",
		"needs": map[string]any{"skills": []string{"repair"}}, "due_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339),
	})["id"].(string)

	// The proposal drops the skills rule: the cooking volunteer becomes
	// eligible (the community offers no category; it serves nothing).
	proposed := filepath.Join(t.TempDir(), "proposed.yaml")
	if err := os.WriteFile(proposed, []byte("rules:\n  - name: adults-only\n    require: supplier.kind != \"volunteer\" || supplier.age >= 18\n    explain: Adults only.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"rules", "impact", proposed}, env, &out, &errOut); err != nil {
		t.Fatalf("impact: %v\n%s", err, errOut.String())
	}
	text := out.String()
	for _, want := range []string{wish, "+1", "1 gain eligible suppliers, 0 lose some", "eligible wish-supplier pairs: 1 now, 2 proposed (+1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("impact output lacks %q:\n%s", want, text)
		}
	}
}
