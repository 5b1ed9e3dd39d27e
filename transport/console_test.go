package transport

import (
	"encoding/json"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestConsoleCataloguesAgree checks that both message catalogues have the
// same keys and that every key the scripts name is in them.
func TestConsoleCataloguesAgree(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := fs.ReadFile(consoleFiles, "console/i18n/"+name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	zh, en := read("zh-CN.json"), read("en.json")
	if a, b := slices.Sorted(maps.Keys(zh)), slices.Sorted(maps.Keys(en)); !slices.Equal(a, b) {
		t.Fatalf("the catalogues differ: %d keys in Chinese, %d in English", len(a), len(b))
	}
	key := regexp.MustCompile(`\bt\('([a-zA-Z]+\.[a-zA-Z]+)'\s*[,)]`) // not prefixes: t('nav.' + id)
	used := 0
	err := fs.WalkDir(consoleFiles, "console", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") || strings.Contains(path, "vendor/") {
			return err
		}
		b, _ := fs.ReadFile(consoleFiles, path)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			used++
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s names %q, which the catalogues lack", path, m[1])
			}
		}
		return nil
	})
	if err != nil || used < 100 {
		t.Fatalf("%d keys used, %v", used, err)
	}
}

// TestConsoleIsServedBesideTheAPI checks the console's files, their
// Content-Security-Policy, and that the API's answers for paths it does
// not have stay JSON.
func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	h := &handler{mux: http.NewServeMux()}
	h.serveConsole()
	h.mux.HandleFunc("/", h.noRoute)
	tests := []struct {
		method, path string
		status       int
		ctype        string
		csp          bool
	}{
		{"GET", "/", http.StatusOK, "text/html; charset=utf-8", true},
		{"GET", "/console/app.js", http.StatusOK, "text/javascript; charset=utf-8", true},
		{"GET", "/console/vendor/htm-preact-standalone.js", http.StatusOK, "text/javascript; charset=utf-8", true},
		{"GET", "/console/i18n/zh-CN.json", http.StatusOK, "application/json", true},
		{"GET", "/console/", http.StatusNotFound, "application/json; charset=utf-8", false},
		{"GET", "/console/vendor/", http.StatusNotFound, "application/json; charset=utf-8", false},
		{"GET", "/console/nothing.js", http.StatusNotFound, "application/json; charset=utf-8", false},
		{"GET", "/v1/nothing", http.StatusNotFound, "application/json; charset=utf-8", false},
		{"POST", "/", http.StatusMethodNotAllowed, "application/json; charset=utf-8", false},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.status || rec.Header().Get("Content-Type") != tt.ctype {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.status, tt.ctype)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); tt.csp && (!strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe")) {
			t.Errorf("%s %s: Content-Security-Policy %q", tt.method, tt.path, csp)
		}
	}
}
