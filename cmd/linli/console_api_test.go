package main

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestConsoleRoutes calls the routes the console added, as it does: who a
// key is, the rules tester and impact preview, and the pictures; every
// answer is also checked against /openapi.json by TestMain.
func TestConsoleRoutes(t *testing.T) {
	s := mustServe(t, nil)
	d := mustConsoleDistrict(t, s)
	sw := d.keys["social_worker"]

	me := s.mustCall(t, http.StatusOK, "GET", "/v1/me", sw, nil)
	routes, _ := me["routes"].([]any)
	node, _ := me["node"].(map[string]any)
	if me["role"] != "social_worker" || me["subject_name"] != "Xiaohe" || node["kind"] != "community" ||
		!slices.Contains(routes, any("POST /v1/wishes")) || slices.Contains(routes, any("POST /v1/match-runs")) {
		t.Errorf("GET /v1/me as A's social worker: %v", me)
	}
	ent := s.mustCall(t, http.StatusOK, "GET", "/v1/me", d.keys["enterprise"], nil)
	if ent["node"] != nil || slices.Contains(ent["routes"].([]any), any("GET /v1/residents")) || ent["subject_name"] != "Xiaohe Repairs" {
		t.Errorf("GET /v1/me as an enterprise: %v", ent)
	}
	s.mustCall(t, http.StatusUnauthorized, "GET", "/v1/me", "", nil)

	facts := map[string]any{"wish": map[string]any{"category": "home_visit"}, "resident": map[string]any{"age": 80},
		"supplier": map[string]any{"kind": "volunteer", "age": 30, "certifications": []string{"background_check"}}, "walk_minutes": 9}
	ok := s.mustCall(t, http.StatusOK, "POST", "/v1/rules/test", sw, facts)
	if ok["allowed"] != true || len(ok["verdicts"].([]any)) < 5 {
		t.Errorf("an adult checked volunteer visiting an 80-year-old: %v", ok)
	}
	facts["supplier"] = map[string]any{"kind": "volunteer", "age": 17}
	no := s.mustCall(t, http.StatusOK, "POST", "/v1/rules/test", sw, facts)
	if no["allowed"] != false || no["rule"] != "elderly-home-visits-need-background-check" || !strings.Contains(no["explain"].(string), "background check") {
		t.Errorf("a 17-year-old visiting an 80-year-old: %v", no)
	}
	s.mustCall(t, http.StatusForbidden, "POST", "/v1/rules/test", d.keys["enterprise"], facts)
	facts["supplier"] = map[string]any{"kind": "robot"}
	if e := s.mustCall(t, http.StatusBadRequest, "POST", "/v1/rules/test", sw, facts)["error"].(map[string]any); e["field"] != "supplier.kind" {
		t.Errorf("a supplier of no kind: %v", e)
	}

	rules := s.mustCall(t, http.StatusOK, "GET", "/v1/rules", sw, nil)["rules"].([]any)
	def, err := os.ReadFile("../../configs/rules/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	nobody := map[string]any{"yaml": string(def) + "\n  - name: nobody\n    require: 'false'\n    explain: Nobody for now.\n"}
	impact := s.mustCall(t, http.StatusOK, "POST", "/v1/rules/impact", sw, nobody)
	totals := impact["totals"].(map[string]any)
	if impact["rules"] != 6.0 || totals["open_wishes"].(float64) < 4 || totals["nobody_after"] != totals["open_wishes"] {
		t.Errorf("a file that allows nobody, on A's open wishes: %v", totals)
	}
	// A coordinator may not read residents, so not the per-wish dry run
	// either; a file that drops a required rule is refused naming it.
	s.mustCall(t, http.StatusForbidden, "POST", "/v1/rules/impact", d.keys["coordinator"], nobody)
	alone := s.mustCall(t, http.StatusBadRequest, "POST", "/v1/rules/impact", sw, map[string]any{
		"yaml": "rules:\n  - name: nobody\n    require: 'false'\n    explain: Nobody for now.\n"})["error"].(map[string]any)
	if alone["field"] != "yaml" || alone["rule"] != "minors-need-safeguarding" {
		t.Errorf("a file without the required rules: %v", alone)
	}
	costly := s.mustCall(t, http.StatusBadRequest, "POST", "/v1/rules/impact", sw, map[string]any{
		"yaml": string(def) + "\n  - name: costly\n    require: 'all(1..1000000, # > 0)'\n    explain: x\n"})["error"].(map[string]any)
	if costly["rule"] != "costly" || !strings.Contains(costly["message"].(string), "ranges") {
		t.Errorf("a range of a million: %v", costly)
	}
	bad := s.mustCall(t, http.StatusBadRequest, "POST", "/v1/rules/impact", sw, map[string]any{
		"yaml": "rules:\n  - name: typo\n    require: supplier.vettd\n    explain: x\n"})["error"].(map[string]any)
	if bad["field"] != "yaml" || !strings.Contains(bad["message"].(string), "line 3") {
		t.Errorf("a typo on line 3: %v", bad)
	}
	if len(rules) < 5 {
		t.Errorf("GET /v1/rules: %v", rules)
	}

	weekly := s.mustCall(t, http.StatusOK, "GET", "/v1/stats/weekly?weeks=4", sw, nil)["weeks"].([]any)
	last := weekly[len(weekly)-1].(map[string]any)
	// A has 2 wishes of the matrix and 6 of the console's, 3 of them claimed and 2 fulfilled.
	if len(weekly) != 4 || last["created"].(float64) < 8 || last["claimed"].(float64) < 3 || last["fulfilled"].(float64) < 2 {
		t.Errorf("this week in A: %v", last)
	}
	s.mustCall(t, http.StatusBadRequest, "GET", "/v1/stats/weekly?weeks=x", sw, nil)
	s.mustCall(t, http.StatusForbidden, "GET", "/v1/stats/weekly", d.keys["volunteer"], nil)
	ratings := s.mustCall(t, http.StatusOK, "GET", "/v1/stats/ratings", sw, nil)["providers"].([]any)
	if len(ratings) != 1 || ratings[0].(map[string]any)["distribution"].(map[string]any)["4"] != 1.0 {
		t.Errorf("ratings in A: %v", ratings)
	}
}
