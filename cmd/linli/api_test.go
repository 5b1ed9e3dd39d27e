package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// world is a small district: a community, its coordinator and social
// worker, an enterprise with its key.
type world struct {
	*server
	community, coordinator, socialWorker string
	enterprise, enterpriseKey            string
}

func mustWorld(tb testing.TB) *world {
	tb.Helper()
	return mustWorldEnv(tb, nil)
}

// mustWorldEnv is mustWorld with the server's environment overridden.
func mustWorldEnv(tb testing.TB, env map[string]string) *world {
	tb.Helper()
	s := mustServe(tb, env)
	w := &world{server: s}
	org := s.mustCall(tb, http.StatusCreated, "POST", "/v1/organisations", s.admin, map[string]any{
		"name": "Xiaohe Community", "kind": "community", "location": map[string]any{"lat": 30.27, "lng": 120.15},
	})
	w.community = org["id"].(string)
	w.coordinator = s.mustKey(tb, "coordinator", w.community)
	w.socialWorker = s.mustKey(tb, "social_worker", w.community)
	ent := s.mustCall(tb, http.StatusCreated, "POST", "/v1/enterprises", w.coordinator, map[string]any{
		"name": "Hangzhou Repairs Ltd", "location": map[string]any{"lat": 30.271, "lng": 120.151}, "categories": []string{"repair"},
	})
	w.enterprise = ent["id"].(string)
	w.enterpriseKey = s.mustKey(tb, "enterprise", w.enterprise)
	return w
}

func volunteerBody() map[string]any {
	return map[string]any{
		"name": "Chen Jie", "phone": "+86 138 1234 5678", "birth_date": "1990-05-01",
		"location": map[string]any{"lat": 30.272, "lng": 120.152}, "skills": []string{"repair"},
		"certifications": []map[string]any{{"type": "background_check", "expires_at": "2027-12-31T00:00:00Z"}},
	}
}

func residentBody() map[string]any {
	return map[string]any{
		"name": "Wang Fang", "phone": "13900001111", "birth_date": "1948-03-02",
		"disabilities": []string{"wheelchair_user"}, "location": map[string]any{"lat": 30.2705, "lng": 120.1502},
		"consent": map[string]any{"given_by": "self", "purpose": "micro-wish matching", "given_at": "2026-11-01T09:00:00Z"},
	}
}

func TestHealthWithoutKey(t *testing.T) {
	s := mustServe(t, nil)
	s.mustCall(t, http.StatusOK, "GET", "/healthz", "", nil)
	m := s.mustCall(t, http.StatusOK, "GET", "/readyz", "", nil)
	if m["status"] != "ready" {
		t.Fatalf("readyz: %v", m)
	}
}

func TestCreateReadListEveryEntity(t *testing.T) {
	w := mustWorld(t)
	due := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		collection string
		key        string
		body       map[string]any
		check      string // a field whose value must read back
	}{
		{"volunteers", w.coordinator, volunteerBody(), "name"},
		{"organisations", w.coordinator, map[string]any{"name": "Sunshine Social Work", "kind": "social_org",
			"location": map[string]any{"lat": 30.26, "lng": 120.14}, "categories": []string{"elderly_care"}}, "kind"},
		{"enterprises", w.coordinator, map[string]any{"name": "Good Books Co", "location": map[string]any{"lat": 30.28, "lng": 120.16}}, "name"},
		{"resources", w.enterpriseKey, map[string]any{"kind": "goods", "category": "school_supplies", "title": "20 school bags",
			"quantity": 20, "location": map[string]any{"lat": 30.271, "lng": 120.151}}, "title"},
		{"residents", w.socialWorker, residentBody(), "birth_date"},
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			created := w.mustCall(t, http.StatusCreated, "POST", "/v1/"+tt.collection, tt.key, tt.body)
			id, _ := created["id"].(string)
			if id == "" {
				t.Fatalf("no id in %v", created)
			}
			got := w.mustCall(t, http.StatusOK, "GET", "/v1/"+tt.collection+"/"+id, tt.key, nil)
			if got[tt.check] != tt.body[tt.check] {
				t.Fatalf("%s read back %v, want %v", tt.check, got[tt.check], tt.body[tt.check])
			}
			list := w.mustCall(t, http.StatusOK, "GET", "/v1/"+tt.collection, tt.key, nil)
			if !listHas(list, id) {
				t.Fatalf("list does not have %s: %v", id, list)
			}
		})
	}
	t.Run("wishes", func(t *testing.T) {
		res := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, residentBody())
		wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
			"resident_id": res["id"], "category": "repair", "title": "Repair my wheelchair",
			"needs": map[string]any{"skills": []string{"repair"}}, "due_at": due,
		})
		if wish["status"] != "open" || wish["location"] == nil {
			t.Fatalf("staff view of a new wish: %v", wish)
		}
		id := wish["id"].(string)
		public := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+id, w.enterpriseKey, nil)
		for _, private := range []string{"location", "resident_id", "description", "node_id", "created_by"} {
			if _, ok := public[private]; ok {
				t.Errorf("enterprise sees %q of an unclaimed wish: %v", private, public)
			}
		}
		list := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes?status=open", w.socialWorker, nil)
		if !listHas(list, id) {
			t.Fatalf("open wishes do not list %s", id)
		}
	})
}

func listHas(list map[string]any, id string) bool {
	items, _ := list["items"].([]any)
	for _, it := range items {
		if it.(map[string]any)["id"] == id {
			return true
		}
	}
	return false
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	w := mustWorld(t)
	withField := func(field string, v any) map[string]any {
		b := volunteerBody()
		b[field] = v
		return b
	}
	tests := []struct {
		name      string
		give      any
		wantField string
	}{
		{"missing name", withField("name", ""), "name"},
		{"latitude 95", withField("location", map[string]any{"lat": 95, "lng": 120.15}), "location.lat"},
		{"unknown field", withField("favourite_colour", "blue"), "favourite_colour"},
		{"status is not settable", withField("status", "vetted"), "status"},
		{"id is not settable", withField("id", "vol_mine"), "id"},
		{"operator object in a string", withField("name", map[string]any{"$ne": ""}), "name"},
		{"wrong type", withField("skills", "repair"), "skills"},
		{"dotted key", withField("location.lat", 1), "location.lat"},
		{"malformed JSON", `{"name": "x",`, "body"},
		{"ten megabytes", `{"name": "` + strings.Repeat("x", 10<<20) + `"}`, "body"},
		{"unknown certification", withField("certifications", []map[string]any{{"type": "wizard", "expires_at": "2027-01-01T00:00:00Z"}}), "certifications[0].type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := w.call(t, "POST", "/v1/volunteers", w.coordinator, tt.give)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %v", status, m)
			}
			e, _ := m["error"].(map[string]any)
			if e["code"] != "invalid" || e["field"] != tt.wantField {
				t.Fatalf("error %v, want code invalid and field %q", e, tt.wantField)
			}
		})
	}
	list := w.mustCall(t, http.StatusOK, "GET", "/v1/volunteers", w.coordinator, nil)
	if items := list["items"].([]any); len(items) != 0 {
		t.Fatalf("bad requests wrote %d volunteers", len(items))
	}
}

func TestAuth(t *testing.T) {
	w := mustWorld(t)
	tests := []struct {
		name       string
		method     string
		path       string
		key        string
		body       any
		wantStatus int
	}{
		{"no key", "GET", "/v1/volunteers", "", nil, http.StatusUnauthorized},
		{"unknown key", "GET", "/v1/volunteers", "lnl_not-a-real-key", nil, http.StatusUnauthorized},
		{"enterprise creates a volunteer", "POST", "/v1/volunteers", w.enterpriseKey, volunteerBody(), http.StatusForbidden},
		{"coordinator records a resident", "POST", "/v1/residents", w.coordinator, residentBody(), http.StatusForbidden},
		{"social worker makes a key", "POST", "/v1/api-keys", w.socialWorker, map[string]any{"role": "admin"}, http.StatusForbidden},
		{"enterprise lists residents", "GET", "/v1/residents", w.enterpriseKey, nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := w.call(t, tt.method, tt.path, tt.key, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, m)
			}
		})
	}
}

// TestOpenAPIDescribesEveryRoute checks the document against the server:
// every documented operation is routed (not 404 for a missing route or
// 405), and the routes the issues name are documented.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	w := mustWorld(t)
	doc := w.mustCall(t, http.StatusOK, "GET", "/openapi.json", "", nil)
	paths := doc["paths"].(map[string]any)
	for path, ops := range paths {
		if path == "/metrics" {
			continue // Prometheus text, not JSON: TestMetrics reads it
		}
		for method := range ops.(map[string]any) {
			concrete := strings.ReplaceAll(path, "{id}", "no_such_id")
			status, m := w.call(t, strings.ToUpper(method), concrete, w.admin, "{}")
			if status == http.StatusMethodNotAllowed {
				t.Errorf("%s %s is documented but not routed", method, path)
			}
			if e, ok := m["error"].(map[string]any); ok && strings.HasPrefix(e["message"].(string), "no route") {
				t.Errorf("%s %s is documented but not routed", method, path)
			}
		}
	}
	for _, want := range []string{"/v1/api-keys", "/v1/volunteers", "/v1/organisations", "/v1/enterprises",
		"/v1/resources", "/v1/residents", "/v1/wishes", "/v1/wishes/{id}", "/healthz", "/readyz"} {
		if _, ok := paths[want]; !ok {
			t.Errorf("%s is not documented", want)
		}
	}
}

func TestMetrics(t *testing.T) {
	w := mustWorld(t)
	w.mustCall(t, http.StatusOK, "GET", "/v1/volunteers", w.coordinator, nil)
	resp, err := http.Get(w.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`linli_http_requests_total{code="201",route="POST /v1/organisations"} 1`,
		`linli_http_requests_total{code="200",route="GET /v1/volunteers"} 1`,
		"linli_rules_loaded ",
		"linli_rules_reload_failures_total 0",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	s := mustServe(t, nil)
	tests := []struct {
		method, path string
		wantStatus   int
		wantAllow    string
	}{
		{"DELETE", "/v1/volunteers", http.StatusMethodNotAllowed, "GET, POST"},
		{"PATCH", "/v1/wishes/wsh_x", http.StatusMethodNotAllowed, "GET, PUT"},
		{"GET", "/v1/nothing", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, s.base+tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+s.admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || resp.Header.Get("Allow") != tt.wantAllow || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s %s: %d, Allow %q, %s; want %d, Allow %q and a JSON error",
				tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), body, tt.wantStatus, tt.wantAllow)
		}
	}
}
