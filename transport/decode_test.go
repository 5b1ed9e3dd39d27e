package transport

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linli/linli/matcher"
)

func TestStrictDecoding(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantField   string // "" for accepted
		wantStatus  int
	}{
		{"a valid body", "application/json", `{"name":"Wang","birth_date":"1950-01-01"}`, "", 0},
		{"charset utf-8", "application/json; charset=utf-8", `{"name":"Wang"}`, "", 0},
		{"a +json type", "application/merge-patch+json", `{"name":"Wang"}`, "", 0},
		{"text/plain", "text/plain", `{"name":"Wang"}`, "Content-Type", http.StatusUnsupportedMediaType},
		{"a form", "application/x-www-form-urlencoded", `name=Wang`, "Content-Type", http.StatusUnsupportedMediaType},
		{"no content type", "", `{"name":"Wang"}`, "Content-Type", http.StatusUnsupportedMediaType},
		{"latin-1", "application/json; charset=iso-8859-1", `{"name":"Wang"}`, "Content-Type", http.StatusUnsupportedMediaType},
		{"a key twice", "application/json", `{"name":"a","name":"b"}`, "name", 400},
		{"a key in another case", "application/json", `{"NAME":"Wang"}`, "NAME", 400},
		{"a nested key in another case", "application/json", `{"name":"W","consent":{"Given_By":"self"}}`, "consent.Given_By", 400},
		{"a nested key twice", "application/json", `{"consent":{"purpose":"a","purpose":"b"}}`, "consent.purpose", 400},
		{"a key twice in a list's object", "application/json", `{"name":"W","location":{"lat":1,"lat":2}}`, "location.lat", 400},
		{"invalid UTF-8", "application/json", "{\"name\":\"\xff\"}", "body", 400},
		{"an operator", "application/json", `{"name":{"$ne":""}}`, "name", 400},
		{"a bad time", "application/json", `{"consent":{"given_at":"tomorrow"}}`, "consent.given_at", 400},
		{"data after the object", "application/json", `{"name":"a"} {}`, "body", 400},
		{"a time that is a number", "application/json", `{"consent":{"given_at":5}}`, "consent.given_at", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(tt.body)))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			_, err := decodeJSON[matcher.ResidentInput](r, 1<<16)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var me *matcher.Error
			switch v := err.(type) {
			case *matcher.Error:
				me = v
			case *statusError:
				me = v.err
			default:
				t.Fatalf("got %T %v, want an error naming %s", err, err, tt.wantField)
			}
			if me.Field != tt.wantField {
				t.Fatalf("error %v names %q, want %q", err, me.Field, tt.wantField)
			}
			rec := httptest.NewRecorder()
			errorEncoder(r.Context(), err, rec)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
		})
	}
}

func TestUnknownQueryParametersAreRefused(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/v1/wishes?tenant_id=x&limit=2", nil)
	if _, err := query(r, pageParams); err == nil || err.(*matcher.Error).Field != "tenant_id" {
		t.Fatalf("query(tenant_id=) = %v, want an error naming tenant_id", err)
	}
	r = httptest.NewRequest(http.MethodGet, "/v1/wishes?limit=2&limit=3", nil)
	if _, err := query(r, pageParams); err == nil || err.(*matcher.Error).Field != "limit" {
		t.Fatalf("a parameter twice: %v", err)
	}
}

func TestEmptyListsAreWrittenAsEmpty(t *testing.T) {
	type inner struct {
		Tags []string `json:"tags"`
	}
	type outer struct {
		List   []string       `json:"list"`
		Skip   []string       `json:"skip,omitempty"`
		Map    map[string]int `json:"map"`
		Inner  inner          `json:"inner"`
		Ptr    *inner         `json:"ptr"`
		Items  []*inner       `json:"items"`
		Nested [][]string     `json:"nested"`
	}
	shared := &inner{}
	v := &outer{Ptr: shared, Items: []*inner{{}}, Nested: [][]string{nil}}
	rec := httptest.NewRecorder()
	if err := writeJSON(rec, 200, v); err != nil {
		t.Fatal(err)
	}
	want := `{"list":[],"map":{},"inner":{"tags":[]},"ptr":{"tags":[]},"items":[{"tags":[]}],"nested":[[]]}` + "\n"
	if rec.Body.String() != want {
		t.Fatalf("wrote %s\nwant  %s", rec.Body.String(), want)
	}
	if shared.Tags != nil || v.List != nil {
		t.Fatal("writing changed the value written")
	}
}

// TestQueryStringsAreStrict: a query string is read whole or refused, and
// every route refuses a parameter it does not take, the health routes,
// /metrics, /openapi.json and the import included.
func TestQueryStringsAreStrict(t *testing.T) {
	h := stubHandler(t)
	tests := []struct {
		method, target, key string
		wantStatus          int
		wantField           string
	}{
		{"GET", "/healthz", "", http.StatusOK, ""},
		{"GET", "/readyz", "", http.StatusOK, ""},
		{"GET", "/healthz?x=1", "", http.StatusBadRequest, "x"},
		{"GET", "/readyz?x=1", "", http.StatusBadRequest, "x"},
		{"GET", "/readyz?verbose", "", http.StatusBadRequest, "verbose"},
		{"GET", "/metrics?x=1", "", http.StatusBadRequest, "x"},
		{"GET", "/openapi.json?x=1", "", http.StatusBadRequest, "x"},
		{"GET", "/v1/wishes?status=open;x=1", matcher.RoleEnterprise, http.StatusBadRequest, "query"},
		{"GET", "/v1/wishes?status=open;category=repair", matcher.RoleEnterprise, http.StatusBadRequest, "query"},
		{"GET", "/v1/wishes?status=%zz", matcher.RoleEnterprise, http.StatusBadRequest, "query"},
		{"GET", "/v1/wishes?=open", matcher.RoleEnterprise, http.StatusBadRequest, "query"},
		{"POST", "/v1/imports?dry_run=true", matcher.RoleCoordinator, http.StatusBadRequest, "dry_run"},
	}
	for _, tt := range tests {
		status, _, field := call(t, h, tt.method, tt.target, tt.key, "", "")
		if status != tt.wantStatus || field != tt.wantField {
			t.Errorf("%s %s: %d naming %q, want %d naming %q", tt.method, tt.target, status, field, tt.wantStatus, tt.wantField)
		}
	}

	// Every route of the table, called by a role that may call it.
	table := (&handler{svc: stubService{}, opts: Options{MaxBody: 1 << 10, MaxImport: 1 << 10}}).routes()
	for _, rt := range table {
		key := ""
		if !rt.public() {
			_, p, _ := matcher.PolicyOf(rt.action)
			for role := range p {
				key = role
				break
			}
		}
		target := strings.NewReplacer("{id}", "x", "{prefix}", "x", "{claim_id}", "x").Replace(rt.path) + "?no_such_parameter=1"
		if status, code, field := call(t, h, rt.method, target, key, "", ""); status != http.StatusBadRequest ||
			code != matcher.EINVALID || field != "no_such_parameter" {
			t.Errorf("%s %s as %q: %d %s naming %q, want 400 naming no_such_parameter", rt.method, target, key, status, code, field)
		}
	}
}
