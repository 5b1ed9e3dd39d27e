package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

// TestDemo seeds the demo district with `linli demo` into a fresh
// database, serves it, and checks it as the acceptance does.
func TestDemo(t *testing.T) {
	db := mongotest.DatabaseName()
	keys := filepath.Join(t.TempDir(), "demo-keys.txt")
	env := map[string]string{
		"LINLI_MONGODB_URI": mongotest.URI(t), "LINLI_MONGODB_DATABASE": db, "LINLI_RULES": rulesGlob(t),
		"LINLI_DATA_KEY": "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--keys", keys}, env, &out, &errOut); err != nil {
		t.Fatalf("linli demo: %v\n%s", err, errOut.String())
	}
	if err := run(context.Background(), []string{"demo", "--keys", keys}, env, &out, &errOut); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second linli demo on the same store: %v; want a refusal", err)
	}
	s := mustServe(t, map[string]string{"LINLI_MONGODB_DATABASE": db})
	t.Run("district", func(t *testing.T) { testDemoDistrict(t, s, out.String()) })
	t.Run("coverage", func(t *testing.T) { testDemoCoverage(t, s) })
	t.Run("evaluation", func(t *testing.T) { testDemoEvaluation(t, s) })
	t.Run("public", func(t *testing.T) { testDemoPublic(t, s) })
}

// getAll pages through a list.
func getAll(t *testing.T, s *server, path, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for after := ""; ; {
		p := path + sep + "limit=200"
		if after != "" {
			p += "&after=" + after
		}
		page := s.mustCall(t, http.StatusOK, "GET", p, key, nil)
		for _, it := range page["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		if after, _ = page["next"].(string); after == "" {
			return out
		}
	}
}

func testDemoDistrict(t *testing.T, s *server, keys string) {
	for _, role := range []string{"coordinator", "social_worker", "volunteer", "organisation", "enterprise"} {
		if !strings.Contains(keys, role) {
			t.Fatalf("linli demo printed no %s key:\n%s", role, keys)
		}
	}
	orgs := getAll(t, s, "/v1/organisations", s.admin)
	kinds := map[string]int{}
	for _, o := range orgs {
		kinds[o["kind"].(string)]++
	}
	if kinds["district"] != 1 || kinds["street"] != 3 || kinds["community"] != 12 || kinds["social_org"]+kinds["volunteer_team"] != 40 {
		t.Fatalf("the demo's tree: %v", kinds)
	}
	for path, want := range map[string]int{"/v1/volunteers": 2000, "/v1/enterprises": 30, "/v1/residents": 600, "/v1/wishes": 900} {
		if n := len(getAll(t, s, path, s.admin)); n != want {
			t.Fatalf("%s: %d; want %d", path, n, want)
		}
	}
	statuses := map[string]int{}
	for _, w := range getAll(t, s, "/v1/wishes", s.admin) {
		statuses[w["status"].(string)]++
	}
	for _, st := range []string{"open", "claimed", "fulfilled", "confirmed", "cancelled", "expired"} {
		if statuses[st] == 0 {
			t.Fatalf("no wish is %s: %v", st, statuses)
		}
	}
}

// testDemoCoverage: the demo district's coverage flags a gap, a duplicate
// and a strained cell, each consistent with what is behind it, and its
// duplicate pairs name the right programmes and departments.
func testDemoCoverage(t *testing.T, s *server) {
	cov := s.mustCall(t, http.StatusOK, "GET", "/v1/coverage?resolution=8", s.admin, nil)
	progs := map[string]map[string]any{}
	for _, p := range getAll(t, s, "/v1/programmes", s.admin) {
		progs[p["id"].(string)] = p
	}
	if len(progs) < 3 {
		t.Fatalf("%d programmes", len(progs))
	}
	depts := map[string]bool{}
	for _, p := range progs {
		depts[p["department"].(string)] = true
	}
	if len(depts) < 3 {
		t.Fatalf("programmes of %d departments; want 3", len(depts))
	}
	// Every open wish, counted independently by cell and category.
	open := map[string]int{}
	for _, w := range getAll(t, s, "/v1/wishes?status=open", s.admin) {
		loc := w["location"].(map[string]any)
		c := geo.Parent(mustGridCell(t, loc["lat"].(float64), loc["lng"].(float64)), 8)
		open[c.String()+"/"+w["category"].(string)]++
	}
	flags := map[string]int{}
	items := map[string]map[string]any{}
	for _, raw := range cov["items"].([]any) {
		it := raw.(map[string]any)
		key := it["cell"].(string) + "/" + it["category"].(string)
		items[key] = it
		d, sup := it["demand"].(map[string]any), it["supply"].(map[string]any)
		o, n := int(d["open"].(float64)), int(sup["suppliers"].(float64))
		if o != open[key] {
			t.Errorf("%s: coverage counts %d open wishes, the wishes say %d", key, o, open[key])
		}
		pr := it["programmes"].([]any)
		for _, f := range it["flags"].([]any) {
			flags[f.(string)]++
			switch f {
			case "gap":
				if o == 0 || n != 0 || len(pr) != 0 {
					t.Errorf("gap %s: open %d, suppliers %d, programmes %v", key, o, n, pr)
				}
			case "strained":
				if o < 3 || float64(o) <= 0.5*float64(n) {
					t.Errorf("strained %s: open %d, suppliers %d", key, o, n)
				}
			case "duplicate":
				if len(pr) < 2 {
					t.Errorf("duplicate %s with programmes %v", key, pr)
				}
			}
		}
		for _, id := range pr {
			p := progs[id.(string)]
			if p == nil || p["category"] != it["category"] {
				t.Errorf("%s names programme %v of another category", key, id)
			}
		}
	}
	for _, f := range []string{"gap", "duplicate", "strained"} {
		if flags[f] == 0 {
			t.Fatalf("no %s cell in the demo's coverage: %v", f, flags)
		}
	}
	sum := cov["summary"].(map[string]any)
	for _, raw := range sum["duplicates"].([]any) {
		dp := raw.(map[string]any)
		ids, names, ds := dp["programmes"].([]any), dp["names"].([]any), dp["departments"].([]any)
		a, b := progs[ids[0].(string)], progs[ids[1].(string)]
		if a["name"] != names[0] || b["name"] != names[1] || a["department"] != ds[0] || b["department"] != ds[1] {
			t.Fatalf("duplicate pair %v does not name its programmes' names and departments", dp)
		}
		if ds[0] == ds[1] || a["category"] != b["category"] || a["category"] != dp["category"] {
			t.Fatalf("duplicate pair %v: same department or another category", dp)
		}
		for _, c := range dp["cells"].([]any) {
			it := items[c.(string)+"/"+dp["category"].(string)]
			if it == nil || !slices.Contains(it["flags"].([]any), any("duplicate")) ||
				!slices.Contains(it["programmes"].([]any), ids[0]) || !slices.Contains(it["programmes"].([]any), ids[1]) {
				t.Fatalf("duplicate pair cell %v: %v", c, it)
			}
		}
	}
	if len(cov["suggestions"].([]any)) == 0 {
		t.Fatal("no purchase suggestions")
	}
	// The report as CSV opens in a spreadsheet: BOM, header, one row per item.
	req, _ := http.NewRequest("GET", s.base+"/v1/coverage?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+s.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	lines := strings.Split(strings.TrimSpace(body.String()), "\r\n")
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(body.String(), "\ufeffcell,category,") ||
		len(lines) != len(items)+1 {
		t.Fatalf("CSV: %s, %d lines for %d items: %.200q", resp.Header.Get("Content-Type"), len(lines), len(items), body.String())
	}
	geojson := s.mustCall(t, http.StatusOK, "GET", "/v1/coverage?format=geojson", s.admin, nil)
	if geojson["type"] != "FeatureCollection" || len(geojson["features"].([]any)) == 0 {
		t.Fatalf("GeoJSON: %.300v", geojson)
	}
}

func mustGridCell(t *testing.T, lat, lng float64) geo.Cell {
	g, err := geo.New(geo.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return g.Cell(geo.Point{Lat: lat, Lng: lng})
}

// testDemoEvaluation recomputes every programme's
// figures from the wishes' event histories, read through the API, and
// compares.
func testDemoEvaluation(t *testing.T, s *server) {
	members := map[string]string{} // volunteer → organisation
	for _, v := range getAll(t, s, "/v1/volunteers", s.admin) {
		if o, ok := v["organisation_id"].(string); ok {
			members[v["id"].(string)] = o
		}
	}
	residents := map[string]map[string]any{}
	for _, r := range getAll(t, s, "/v1/residents", s.admin) {
		residents[r["id"].(string)] = r
	}
	wishes := getAll(t, s, "/v1/wishes", s.admin)
	histories := map[string][]any{}
	for _, w := range wishes {
		id := w["id"].(string)
		histories[id] = s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+id+"/events", s.admin, nil)["items"].([]any)
	}
	now := time.Now()
	checked := 0
	for _, p := range getAll(t, s, "/v1/programmes", s.admin) {
		ev := s.mustCall(t, http.StatusOK, "GET", "/v1/programmes/"+p["id"].(string)+"/evaluation", s.admin, nil)
		provider := p["provider_id"].(string)
		cells := map[string]bool{}
		for _, c := range p["cells"].([]any) {
			cells[c.(string)] = true
		}
		starts, _ := time.Parse(time.RFC3339, p["starts_at"].(string))
		ends, _ := time.Parse(time.RFC3339, p["ends_at"].(string))
		tags := p["target_group"].(map[string]any)["tags"].([]any)
		var claimed, fulfilled, confirmed, ratings, sum int
		for _, w := range wishes {
			loc := w["location"].(map[string]any)
			if w["category"] != p["category"] || !cells[mustGridCell(t, loc["lat"].(float64), loc["lng"].(float64)).String()] {
				continue
			}
			r := residents[w["resident_id"].(string)]
			if !inGroup(r, tags, now) {
				continue
			}
			mine := map[string]bool{}
			var c, f, cf bool
			for _, raw := range histories[w["id"].(string)] {
				e := raw.(map[string]any)
				claimID, _ := e["claim_id"].(string)
				if e["type"] == "claimed" {
					cl := e["claimant"].(map[string]any)["id"].(string)
					at, _ := time.Parse(time.RFC3339, e["at"].(string))
					if (cl == provider || members[cl] == provider) && !at.Before(starts) && at.Before(ends) {
						mine[claimID], c = true, true
					}
					continue
				}
				if !mine[claimID] {
					continue
				}
				switch e["type"] {
				case "fulfilled":
					f = true
				case "confirmed":
					cf = true
					if rt, ok := e["rating"].(float64); ok {
						ratings++
						sum += int(rt)
					}
				}
			}
			claimed, fulfilled, confirmed = claimed+b2i(c), fulfilled+b2i(f), confirmed+b2i(cf)
		}
		got := ev["wishes"].(map[string]any)
		sat := ev["satisfaction"].(map[string]any)
		if int(got["claimed"].(float64)) != claimed || int(got["fulfilled"].(float64)) != fulfilled ||
			int(got["confirmed"].(float64)) != confirmed || int(sat["count"].(float64)) != ratings {
			t.Fatalf("%s: evaluation %v, ratings %v; the histories give claimed %d, fulfilled %d, confirmed %d, ratings %d",
				p["name"], got, sat["count"], claimed, fulfilled, confirmed, ratings)
		}
		if ratings > 0 {
			mean := float64(int(float64(sum)/float64(ratings)*100+0.5)) / 100
			if sat["mean"].(float64) != mean {
				t.Fatalf("%s: mean rating %v; the histories give %v", p["name"], sat["mean"], mean)
			}
		}
		checked += claimed
	}
	if checked == 0 {
		t.Fatal("no programme of the demo has a claimed wish to check")
	}
}

// inGroup is a programme's target group by its tags, as documented.
func inGroup(r map[string]any, tags []any, now time.Time) bool {
	if len(tags) == 0 {
		return true
	}
	born, _ := time.Parse(time.DateOnly, r["birth_date"].(string))
	age := now.Year() - born.Year()
	if now.YearDay() < born.YearDay() {
		age--
	}
	dis, _ := r["disabilities"].([]any)
	alone, _ := r["lives_alone"].(bool)
	for _, tg := range tags {
		switch tg {
		case "elderly":
			if age >= 60 {
				return true
			}
		case "aged":
			if age >= 80 {
				return true
			}
		case "minor":
			if age < 18 {
				return true
			}
		case "child":
			if age < 14 {
				return true
			}
		case "disabled":
			if len(dis) > 0 {
				return true
			}
		case "lives_alone":
			if alone {
				return true
			}
		}
	}
	return false
}

// testDemoPublic: the public figures of every demo programme and provider
// hold no resident field, no cell finer than the coarse resolution, no
// count under k, and every count rounded to a multiple of k.
func testDemoPublic(t *testing.T, s *server) {
	var secrets []string
	for _, r := range getAll(t, s, "/v1/residents", s.admin) {
		secrets = append(secrets, r["name"].(string), r["phone"].(string))
	}
	for _, path := range []string{"/v1/public/programmes", "/v1/public/providers"} {
		st, body := s.call(t, "GET", path, "", nil)
		if st != http.StatusOK {
			t.Fatalf("%s without a key: %d %v", path, st, body)
		}
		raw, _ := json.Marshal(body)
		for _, sec := range secrets {
			if strings.Contains(string(raw), sec) {
				t.Fatalf("%s shows a resident's %q", path, sec)
			}
		}
		checkPublic(t, path, body, "")
	}
	// Each programme's public counts are its whole counts (the admin's
	// evaluation, recomputed from the histories above) rounded to the
	// nearest multiple of k, or null; the cost per confirmed wish is the
	// budget over the rounded count; the CSV says the same.
	csvRows := map[string][]string{}
	for i, row := range csvOf(t, s, "/v1/public/programmes?format=csv&limit=200") {
		if i > 0 {
			csvRows[row[0]] = row
		}
	}
	shown := 0
	for _, raw := range s.mustCall(t, http.StatusOK, "GET", "/v1/public/programmes?limit=200", "", nil)["items"].([]any) {
		p := raw.(map[string]any)
		f := p["figures"].(map[string]any)
		whole := s.mustCall(t, http.StatusOK, "GET", "/v1/programmes/"+p["id"].(string)+"/evaluation", s.admin, nil)["wishes"].(map[string]any)
		for i, name := range []string{"claimed", "fulfilled", "confirmed", "disputed", "released_stale"} {
			n := int(whole[name].(float64))
			rounded := (n + 2) / 5 * 5
			cell := csvRows[p["id"].(string)][8+i]
			switch v := f[name].(type) {
			case nil:
				if cell != "" {
					t.Errorf("%s %s: null in JSON, %q in CSV", p["name"], name, cell)
				}
			case float64:
				shown++
				if n < 5 || int(v) != rounded || cell != strconv.Itoa(rounded) {
					t.Errorf("%s %s: published %v (CSV %q); whole %d, rounded to k %d", p["name"], name, v, cell, n, rounded)
				}
			}
		}
		if c, ok := f["cost_per_confirmed"].(float64); ok {
			want := math.Round(p["budget"].(float64)/f["confirmed"].(float64)*100) / 100
			if c != want {
				t.Errorf("%s: cost per confirmed %v; budget over the published confirmed is %v", p["name"], c, want)
			}
		}
	}
	if shown == 0 {
		t.Fatal("no demo programme publishes a count to check")
	}
}

// csvOf reads a report as CSV.
func csvOf(t *testing.T, s *server, path string) [][]string {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// checkPublic walks a public answer: no key naming resident data, every
// cell of resolution 7 or coarser, every count at least k = 5.
func checkPublic(t *testing.T, path string, v any, key string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "resident_id", "resident", "birth_date", "phone", "address", "location", "disabilities", "description":
				t.Fatalf("%s: a public answer has %q", path, k)
			}
			checkPublic(t, path, val, k)
		}
	case []any:
		for _, e := range x {
			checkPublic(t, path, e, key)
		}
	case string:
		if key == "cells" || key == "cell" {
			c, err := geo.ParseCell(x)
			if err != nil || c.Resolution() > 7 {
				t.Fatalf("%s: cell %q finer than resolution 7", path, x)
			}
		}
	case float64:
		counts := []string{"claimed", "fulfilled", "confirmed", "disputed", "released_stale", "ratings", "1", "2", "3", "4", "5"}
		if slices.Contains(counts, key) && (x < 5 || int(x)%5 != 0) {
			t.Fatalf("%s: count %s = %v, under k or not rounded to a multiple of k", path, key, x)
		}
	}
}
