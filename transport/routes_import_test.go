package transport

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linli/linli/matcher"
)

// TestImportFormDecoding: the form of an import is read as strictly as a
// JSON body: every part one the form has, once; kind and file required;
// the size bounded; another media type 415.
func TestImportFormDecoding(t *testing.T) {
	type part struct{ name, value string }
	form := func(parts ...part) (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, p := range parts {
			if p.name == "file" {
				w, _ := mw.CreateFormFile("file", "rows.csv")
				_, _ = w.Write([]byte(p.value))
				continue
			}
			_ = mw.WriteField(p.name, p.value)
		}
		_ = mw.Close()
		return b.String(), mw.FormDataContentType()
	}
	csv := part{"file", "name,birth_date,lat,lng\nLi Wei,1990-05-01,30.27,120.15\n"}
	kind := part{"kind", "volunteers"}
	tests := []struct {
		name       string
		parts      []part
		wantField  string // "" for accepted
		wantDryRun bool
	}{
		{"kind and file", []part{kind, csv}, "", false},
		{"a dry run", []part{kind, {"dry_run", "true"}, csv, {"encoding", "gb18030"}, {"node_id", "org_x"}}, "", true},
		{"an empty file", []part{kind, {"file", ""}}, "", false},
		{"no kind", []part{csv}, "kind", false},
		{"no file", []part{kind}, "file", false},
		{"a file twice", []part{kind, csv, csv}, "file", false},
		{"kind twice", []part{kind, kind, csv}, "kind", false},
		{"an unknown part", []part{kind, csv, {"owner", "me"}}, "owner", false},
		{"a long value", []part{{"kind", strings.Repeat("v", 300)}, csv}, "kind", false},
		{"dry_run not a boolean", []part{kind, csv, {"dry_run", "perhaps"}}, "dry_run", false},
		{"too large", []part{kind, {"file", strings.Repeat("x", 2000)}}, "body", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := form(tt.parts...)
			r := httptest.NewRequest(http.MethodPost, "/v1/imports", strings.NewReader(body))
			r.Header.Set("Content-Type", ct)
			req, err := decodeImport(r, 1500)
			var e *matcher.Error
			switch {
			case tt.wantField == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantField == "" && (req.in.Kind != "volunteers" || req.in.DryRun != tt.wantDryRun || req.file == nil):
				t.Fatalf("decoded %+v", req)
			case tt.wantField != "" && (!errors.As(err, &e) || e.Field != tt.wantField || e.Code != matcher.EINVALID):
				t.Fatalf("error %v, want one naming %s", err, tt.wantField)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/v1/imports", strings.NewReader(`{"kind":"volunteers"}`))
	r.Header.Set("Content-Type", "application/json")
	var se *statusError
	if _, err := decodeImport(r, 1500); !errors.As(err, &se) || se.status != http.StatusUnsupportedMediaType {
		t.Fatalf("JSON: %v, want 415", err)
	}
}
