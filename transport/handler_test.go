package transport

import (
	"net/http"
	"strings"
	"testing"

	"github.com/linli/linli/matcher"
)

// TestRolesAreDecidedBeforeInput: a caller whose role may never call a
// route gets 403 whatever it sends (bad JSON, another media type, an
// unknown query parameter, a malformed Idempotency-Key), so that it
// learns nothing of what the route takes; a role that may call it gets
// the input's 400 or 415.
func TestRolesAreDecidedBeforeInput(t *testing.T) {
	h := stubHandler(t)
	inputs := []struct {
		name, query, contentType, body, idempotencyKey string
	}{
		{"bad JSON", "", "application/json", `{"name":`, ""},
		{"another media type", "", "text/plain", "name=x", ""},
		{"a multipart form", "", "multipart/form-data; boundary=x", "--x--", ""},
		{"an unknown query parameter", "?no_such_parameter=1", "", "", ""},
		{"a malformed query", "?a=1;b=2", "", "", ""},
		{"a malformed Idempotency-Key", "", "application/json", "{}", "\x01"},
	}
	roles := []string{matcher.RoleAdmin, matcher.RoleCoordinator, matcher.RoleSocialWorker,
		matcher.RoleEnterprise, matcher.RoleOrganisation, matcher.RoleVolunteer}
	table := (&handler{svc: stubService{}, opts: Options{MaxBody: 1 << 10, MaxImport: 1 << 10}}).routes()
	for _, rt := range table {
		if rt.public() {
			continue
		}
		target := strings.NewReplacer("{id}", "x", "{prefix}", "x", "{claim_id}", "x").Replace(rt.path)
		for _, role := range roles {
			if matcher.RoleMay(role, rt.action) == nil {
				continue
			}
			for _, in := range inputs {
				r := request(rt.method, target+in.query, role, in.contentType, in.body)
				if in.idempotencyKey != "" {
					r.Header.Set("Idempotency-Key", in.idempotencyKey)
				}
				status, code, _ := serve(h, r)
				if status != http.StatusForbidden || code != matcher.EFORBIDDEN {
					t.Errorf("%s %s as %s with %s: %d %s, want 403 forbidden", rt.method, target, role, in.name, status, code)
				}
			}
		}
	}

	// The examples a reviewer tried, and what a role that may call the
	// route gets for the same input.
	tests := []struct {
		method, target, key, contentType, body string
		wantStatus                             int
	}{
		{"POST", "/v1/residents", matcher.RoleVolunteer, "application/json", `{"name":`, http.StatusForbidden},
		{"POST", "/v1/residents", matcher.RoleVolunteer, "text/plain", "x", http.StatusForbidden},
		{"POST", "/v1/residents", matcher.RoleSocialWorker, "application/json", `{"name":`, http.StatusBadRequest},
		{"POST", "/v1/residents", matcher.RoleSocialWorker, "text/plain", "x", http.StatusUnsupportedMediaType},
		{"POST", "/v1/match-runs", matcher.RoleVolunteer, "text/plain", "x", http.StatusForbidden},
		{"POST", "/v1/match-runs", matcher.RoleCoordinator, "text/plain", "x", http.StatusUnsupportedMediaType},
		{"POST", "/v1/imports", matcher.RoleVolunteer, "application/json", "{}", http.StatusForbidden},
		{"POST", "/v1/imports", matcher.RoleCoordinator, "application/json", "{}", http.StatusUnsupportedMediaType},
		{"GET", "/v1/residents?no_such_parameter=1", matcher.RoleEnterprise, "", "", http.StatusForbidden},
		{"GET", "/v1/residents?no_such_parameter=1", matcher.RoleSocialWorker, "", "", http.StatusBadRequest},
		{"POST", "/v1/residents", "", "application/json", `{"name":`, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if status, _, _ := call(t, h, tt.method, tt.target, tt.key, tt.contentType, tt.body); status != tt.wantStatus {
			t.Errorf("%s %s as %q with %q %q: %d, want %d", tt.method, tt.target, tt.key, tt.contentType, tt.body, status, tt.wantStatus)
		}
	}
}
