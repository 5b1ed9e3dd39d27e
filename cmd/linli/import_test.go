package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

// importEnv is the environment of `linli import` against a fresh test
// database.
func importEnv(tb testing.TB) map[string]string {
	tb.Helper()
	return map[string]string{
		"LINLI_MONGODB_URI":      mongotest.URI(tb),
		"LINLI_MONGODB_DATABASE": mongotest.DatabaseName(),
		"LINLI_RULES":            rulesGlob(tb),
		"LINLI_DATA_KEY":         "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
		"LINLI_LOG_LEVEL":        "warn",
	}
}

// runImport runs `linli import ARGS...` and returns what it printed, its
// last line read as the totals, and its error.
func runImport(tb testing.TB, env map[string]string, args ...string) (string, importTotals, error) {
	tb.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), append([]string{"import"}, args...), env, &out, &errs)
	var totals importTotals
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &totals); jerr != nil && err == nil {
		tb.Fatalf("linli import %v: the last line is not the totals:\n%s\n%s", args, out.String(), errs.String())
	}
	return out.String(), totals, err
}

func writeFile(tb testing.TB, name, body string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestImportCommand imports as `linli import` does: a report line per row
// refused or duplicate, the totals as the last line, exit status 1 when a
// row was refused; a second run imports nothing; GB18030 is read.
func TestImportCommand(t *testing.T) {
	env := importEnv(t)
	orgs := writeFile(t, "organisations.csv", "name,kind,lat,lng\nGongshu District,district,30.27,120.15\n")
	if _, totals, err := runImport(t, env, "organisations", orgs); err != nil || totals.Imported != 1 {
		t.Fatalf("the district: %+v %v", totals, err)
	}
	vols := writeFile(t, "volunteers.csv", "\ufeffname,phone,birth_date,lat,lng,skills,certifications\n"+
		"王芳,+86 138 0000 0001,1990-05-01,30.27,120.15,repair;first_aid,background_check:2027-12-31\n"+
		"Li Lei,13800000002,1985-01-02,95,120.15,,\n"+
		"李雷,13800000001,1985-01-02,30.27,120.15,,driver:2028-06-30\n")
	out, totals, err := runImport(t, env, "volunteers", vols, "--dry-run")
	if err == nil || totals != (importTotals{Rows: 3, Imported: 1, Refused: 1, Duplicates: 1, Seconds: totals.Seconds}) ||
		!strings.Contains(out, "row 3: location.lat: must be between -90 and 90\nrow 4: duplicate of row 2 (same phone)\n") {
		t.Fatalf("a dry run: %v %+v\n%s", err, totals, out)
	}
	if _, again, _ := runImport(t, env, "volunteers", vols, "--dry-run"); again.Imported != 1 {
		t.Fatalf("a dry run wrote: the next one would import %d", again.Imported)
	}
	out, totals, err = runImport(t, env, "volunteers", vols)
	if err == nil || totals.Imported != 1 || totals.Refused != 1 || totals.Duplicates != 1 {
		t.Fatalf("the import: %v %+v\n%s", err, totals, out)
	}
	out, totals, _ = runImport(t, env, "volunteers", vols)
	if totals.Imported != 0 || totals.Duplicates != 2 || !strings.Contains(out, "row 2: duplicate of vol_") {
		t.Fatalf("a second run: %+v\n%s", totals, out)
	}
	good := writeFile(t, "good.csv", "name,birth_date,lat,lng\nZhao Lei,1980-02-02,30.27,120.15\n")
	if _, totals, err := runImport(t, env, "volunteers", good); err != nil || totals.Imported != 1 {
		t.Fatalf("a file without a refusal: %+v %v (exit 0 wanted)", totals, err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("name,birth_date,lat,lng\n张伟,1980-02-02,30.27,120.15\n")
	gbFile := writeFile(t, "gb.csv", gb)
	if _, _, err := runImport(t, env, "volunteers", gbFile, "--encoding", "utf-8"); err == nil || !strings.Contains(err.Error(), "encoding") {
		t.Fatalf("GB18030 forced as UTF-8: %v", err)
	}
	if _, totals, err := runImport(t, env, "volunteers", gbFile); err != nil || totals.Imported != 1 {
		t.Fatalf("GB18030: %+v %v", totals, err)
	}
	residents := writeFile(t, "residents.csv", "name,birth_date,lat,lng,consent_given_by,consent_purpose,consent_given_at\n"+
		"Wang Fang,1948-03-02,30.27,120.15,self,matching,2026-11-01\n")
	if _, _, err := runImport(t, env, "residents", residents); err == nil || !strings.Contains(err.Error(), "node_id") {
		t.Fatalf("residents without --node: %v", err)
	}
	unknown := writeFile(t, "unknown.csv", "name,birth_date,lat,lng,shoe_size\n")
	if _, _, err := runImport(t, env, "volunteers", unknown); err == nil || !strings.Contains(err.Error(), "unknown columns: shoe_size") {
		t.Fatalf("an unknown column: %v", err)
	}
	if err := run(context.Background(), []string{"import", "volunteers"}, env, io.Discard, io.Discard); err != errUsage {
		t.Fatalf("without a file: %v", err)
	}
}

// importForm is a multipart body of the fields, with the file when file
// is not nil, and its Content-Type.
func importForm(fields map[string]string, file *string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "rows.csv")
		_, _ = io.WriteString(fw, *file)
	}
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// postImport posts a form to /v1/imports.
func (s *server) postImport(tb testing.TB, key string, body []byte, contentType string, header ...string) (int, map[string]any, http.Header) {
	tb.Helper()
	req, _ := http.NewRequest("POST", s.base+"/v1/imports", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		tb.Fatalf("POST /v1/imports: not JSON: %v", err)
	}
	return resp.StatusCode, m, resp.Header
}

// mustImportAs imports file of kind as key and returns the report.
func (s *server) mustImportAs(tb testing.TB, want int, key, kind, file string, fields ...string) map[string]any {
	tb.Helper()
	f := map[string]string{"kind": kind}
	for i := 0; i+1 < len(fields); i += 2 {
		f[fields[i]] = fields[i+1]
	}
	body, ct := importForm(f, &file)
	status, m, _ := s.postImport(tb, key, body, ct)
	if status != want {
		tb.Fatalf("POST /v1/imports %s: %d, want %d: %v", kind, status, want, m)
	}
	return m
}

func errorField(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// TestImportOverHTTP: the console's route, its report and its errors.
func TestImportOverHTTP(t *testing.T) {
	s := mustServe(t, nil)
	doc := s.mustCall(t, http.StatusOK, "GET", "/openapi.json", "", nil) // so that TestMain checks the answers against it
	form := doc["paths"].(map[string]any)["/v1/imports"].(map[string]any)["post"].(map[string]any)["requestBody"].(map[string]any)
	if _, ok := form["content"].(map[string]any)["multipart/form-data"]; !ok {
		t.Fatalf("the document does not describe the form: %v", form)
	}
	loc := map[string]any{"lat": 30.27, "lng": 120.15}
	a := s.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", s.admin, map[string]any{"name": "Xiaohe", "kind": "community", "location": loc})["id"].(string)
	b := s.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", s.admin, map[string]any{"name": "Daguan", "kind": "community", "location": loc})["id"].(string)
	coord, social := s.mustKey(t, "coordinator", a), s.mustKey(t, "social_worker", a)
	file := "name,phone,birth_date,lat,lng,skills\n" +
		"Chen Jie,13812345678,1990-05-01,30.27,120.15,repair\n" +
		"Chen Jie,13812345678,1990-05-01,30.27,120.15,repair\n" +
		"Bad Lat,,1990-05-01,-91,120.15,\n"

	dry := s.mustImportAs(t, http.StatusOK, coord, "volunteers", file, "dry_run", "true")
	if dry["dry_run"] != true || dry["imported"] != 1.0 || dry["id"] == nil {
		t.Fatalf("a dry run: %v", dry)
	}
	imp := s.mustImportAs(t, http.StatusCreated, coord, "volunteers", file)
	report, _ := imp["report"].([]any)
	if imp["imported"] != 1.0 || imp["refused"] != 1.0 || imp["duplicates"] != 1.0 || imp["node_id"] != a || len(report) != 2 {
		t.Fatalf("the import: %v", imp)
	}
	if l := report[1].(map[string]any); l["row"] != 4.0 || l["field"] != "location.lat" || l["outcome"] != "refused" {
		t.Fatalf("row 4's line: %v", l)
	}
	if strings.Contains(fmt.Sprint(imp), "Chen Jie") || strings.Contains(fmt.Sprint(imp), "13812345678") {
		t.Fatalf("the report holds a row's values: %v", imp)
	}
	id := imp["id"].(string)
	got := s.mustCall(t, http.StatusOK, "GET", "/v1/imports/"+id, coord, nil)
	if got["status"] != "done" || len(got["report"].([]any)) != 2 {
		t.Fatalf("GET the import: %v", got)
	}
	s.mustCall(t, http.StatusOK, "GET", "/v1/imports/"+id, social, nil)
	s.mustCall(t, http.StatusNotFound, "GET", "/v1/imports/"+id, s.mustKey(t, "coordinator", b), nil)
	list := s.mustCall(t, http.StatusOK, "GET", "/v1/imports", coord, nil)
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["report"] != nil {
		t.Fatalf("the list: %v", list)
	}
	vols := s.mustCall(t, http.StatusOK, "GET", "/v1/volunteers", coord, nil)["items"].([]any)
	if len(vols) != 1 || vols[0].(map[string]any)["name"] != "Chen Jie" {
		t.Fatalf("volunteers: %v", vols)
	}

	// An Idempotency-Key replays the import it made.
	body, ct := importForm(map[string]string{"kind": "volunteers"}, &file)
	status, first, _ := s.postImport(t, coord, body, ct, "Idempotency-Key", "import-1")
	status2, second, h := s.postImport(t, coord, body, ct, "Idempotency-Key", "import-1")
	if status != http.StatusCreated || status2 != http.StatusCreated || first["id"] != second["id"] || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a retry: %d %v, then %d %v %v", status, first["id"], status2, second["id"], h)
	}

	// Errors name the field; roles are the create routes'.
	for _, c := range []struct {
		name   string
		fields map[string]string
		file   *string
		field  string
	}{
		{"no file", map[string]string{"kind": "volunteers"}, nil, "file"},
		{"no kind", map[string]string{}, &file, "kind"},
		{"an unknown kind", map[string]string{"kind": "pets"}, &file, "kind"},
		{"an unknown field", map[string]string{"kind": "volunteers", "colour": "red"}, &file, "colour"},
		{"a bad dry_run", map[string]string{"kind": "volunteers", "dry_run": "perhaps"}, &file, "dry_run"},
		{"a node out of scope", map[string]string{"kind": "volunteers", "node_id": b}, &file, "node_id"},
	} {
		body, ct := importForm(c.fields, c.file)
		status, m, _ := s.postImport(t, coord, body, ct)
		if status != http.StatusBadRequest || errorField(m) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %s", c.name, status, m, c.field)
		}
	}
	hdr := "name,lat\nunknown,1\n"
	body, ct = importForm(map[string]string{"kind": "organisations"}, &hdr)
	if status, m, _ := s.postImport(t, coord, body, ct); status != http.StatusBadRequest || errorField(m) != "header" {
		t.Errorf("a header without the columns: %d %v", status, m)
	}
	if status, m, _ := s.postImport(t, coord, []byte(`{"kind":"volunteers"}`), "application/json"); status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON: %d %v, want 415", status, m)
	}
	s.mustImportAs(t, http.StatusForbidden, social, "volunteers", file)
	s.mustImportAs(t, http.StatusForbidden, coord, "residents", "name\n")
	vol := s.mustKey(t, "volunteer", vols[0].(map[string]any)["id"].(string))
	s.mustImportAs(t, http.StatusForbidden, vol, "volunteers", file)
	s.mustCall(t, http.StatusForbidden, "GET", "/v1/imports", vol, nil)
	s.mustCall(t, http.StatusForbidden, "GET", "/v1/imports/"+id, vol, nil)

	// A social worker imports residents into their community, then wishes.
	residents := "name,phone,birth_date,lat,lng,consent_given_by,consent_purpose,consent_given_at\n" +
		"Wang Fang,13900001111,1948-03-02,30.2705,120.1502,self,micro-wish matching,2026-11-01T09:00:00Z\n"
	r := s.mustImportAs(t, http.StatusCreated, social, "residents", residents)
	if r["imported"] != 1.0 {
		t.Fatalf("residents: %v", r)
	}
	rid := s.mustCall(t, http.StatusOK, "GET", "/v1/residents", social, nil)["items"].([]any)[0].(map[string]any)["id"].(string)
	due := wishBody(rid)["due_at"].(string)
	w := s.mustImportAs(t, http.StatusCreated, social, "wishes", "resident_id,category,title,due_at,on_site\n"+rid+",repair,Fix the wheelchair,"+due+",true\n")
	if w["imported"] != 1.0 {
		t.Fatalf("wishes: %v", w)
	}
}
