package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

// TestConsoleOnTheDemoDistrict opens the console on `linli demo`'s
// district (900 wishes, 2,000 volunteers, programmes with a duplicate) as
// its district coordinator, a social worker and an enterprise: every page
// each is offered is loaded afresh and timed (logged, not asserted), the
// map draws every cell of the coverage GeoJSON, and the enterprise's page
// holds no resident's name. Screenshots are saved as <page>-<role>-demo-*.
func TestConsoleOnTheDemoDistrict(t *testing.T) {
	b := mustBrowser(t)
	db := mongotest.DatabaseName()
	keysFile := filepath.Join(t.TempDir(), "demo-keys.txt")
	env := map[string]string{
		"LINLI_MONGODB_URI": mongotest.URI(t), "LINLI_MONGODB_DATABASE": db, "LINLI_RULES": rulesGlob(t),
		"LINLI_DATA_KEY": "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--keys", keysFile}, env, &out, &errOut); err != nil {
		t.Fatalf("linli demo: %v\n%s", err, errOut.String())
	}
	s := mustServe(t, map[string]string{"LINLI_MONGODB_DATABASE": db})
	base := strings.Replace(s.base, "localhost", "127.0.0.1", 1)
	keys := demoKeys(t, keysFile)

	var timings []string
	for _, role := range []string{"coordinator", "social_worker", "enterprise"} {
		for _, lang := range []string{"zh-CN", "en"} {
			ctx := b.signIn(t, base, keys[role], lang)
			for _, page := range nav(t, ctx) {
				took := b.load(t, ctx, page, "")
				timings = append(timings, fmt.Sprintf("%s %s %s: %v", role, lang, page, took.Round(time.Millisecond)))
				b.shoot(t, ctx, fmt.Sprintf("%s-%s-demo-%s", page, role, lang))
				if page == "map" && lang == "zh-CN" {
					features := s.mustCall(t, http.StatusOK, "GET", "/v1/coverage?resolution=8&format=geojson", keys[role], nil)["features"].([]any)
					if n := eval[int](t, ctx, `document.querySelectorAll('g.cell').length`); n != len(features) || n == 0 {
						t.Errorf("%s's map draws %d cells; the GeoJSON has %d", role, n, len(features))
					}
				}
			}
			if role == "enterprise" {
				page := eval[string](t, ctx, `document.documentElement.outerHTML`)
				for _, r := range getAll(t, s, "/v1/residents", s.admin) {
					if name, _ := r["name"].(string); name != "" && strings.Contains(page, name) {
						t.Errorf("the enterprise's console shows the resident %q", name)
					}
				}
			}
		}
	}
	t.Logf("fresh page loads on the demo district:\n  %s", strings.Join(timings, "\n  "))
	b.check(t)
}

// demoKeys reads the first key of each role from linli demo's keys file.
func demoKeys(tb testing.TB, path string) map[string]string {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	keys := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasPrefix(f[1], "lnl_") && keys[f[0]] == "" {
			keys[f[0]] = f[1]
		}
	}
	for _, role := range []string{"coordinator", "social_worker", "enterprise"} {
		if keys[role] == "" {
			tb.Fatalf("no %s key in %s:\n%s", role, path, raw)
		}
	}
	return keys
}
