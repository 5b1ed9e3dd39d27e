package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

// roundDistrict is D → S1 → {C1, C2}, D → S2 → C3 over HTTP: a social
// worker per community with a wish each, volunteers near every wish.
type roundDistrict struct {
	s               *server
	d, s1, s2       string
	coordD, coordS1 string
	social          map[string]string // community → social worker key
	wishes          map[string]string // community → wish id
	communities     []string
	volunteerKeys   map[string]string // volunteer id → key
	env             map[string]string
}

func mustRoundDistrict(t *testing.T) *roundDistrict {
	env := map[string]string{"LINLI_MONGODB_DATABASE": mongotest.DatabaseName()}
	s := mustServe(t, env)
	rd := &roundDistrict{s: s, social: map[string]string{}, wishes: map[string]string{}, volunteerKeys: map[string]string{}, env: env}
	org := func(key, name, kind string, lat float64) string {
		return s.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", key, map[string]any{
			"name": name, "kind": kind, "location": map[string]any{"lat": lat, "lng": 120.15}})["id"].(string)
	}
	rd.d = org(s.admin, "拱墅区", "district", 30.27)
	rd.coordD = s.mustKey(t, "coordinator", rd.d)
	rd.s1, rd.s2 = org(rd.coordD, "湖墅街道", "street", 30.27), org(rd.coordD, "小河街道", "street", 30.30)
	rd.coordS1 = s.mustKey(t, "coordinator", rd.s1)
	coordS2 := s.mustKey(t, "coordinator", rd.s2)
	for i, c := range []struct {
		key string
		lat float64
	}{{rd.coordS1, 30.25}, {rd.coordS1, 30.27}, {coordS2, 30.30}} {
		id := org(c.key, fmt.Sprintf("社区 %d", i+1), "community", c.lat)
		rd.communities = append(rd.communities, id)
		rd.social[id] = s.mustKey(t, "social_worker", id)
		r := residentBody()
		r["location"] = map[string]any{"lat": c.lat, "lng": 120.15}
		res := s.mustCall(t, http.StatusCreated, "POST", "/v1/residents", rd.social[id], r)["id"].(string)
		rd.wishes[id] = s.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", rd.social[id], wishBody(res))["id"].(string)
		v := volunteerBody()
		v["location"] = map[string]any{"lat": c.lat + 0.001, "lng": 120.15}
		vid := s.mustCall(t, http.StatusCreated, "POST", "/v1/volunteers", rd.coordD, v)["id"].(string)
		rd.volunteerKeys[vid] = s.mustKey(t, "volunteer", vid)
	}
	return rd
}

// finish polls a round until it is no longer running.
func (rd *roundDistrict) finish(t *testing.T, key string, run map[string]any) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); run["status"] == "running"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("round still running: %v", run)
		}
		run = rd.s.mustCall(t, http.StatusOK, "GET", "/v1/match-runs/"+run["id"].(string), key, nil)
	}
	return run
}

func proposedWishes(run map[string]any) []string {
	var out []string
	for _, p := range run["proposals"].([]any) {
		out = append(out, p.(map[string]any)["wish_id"].(string))
	}
	return out
}

// TestMatchRunsOverHTTP: a street's coordinator starts a round (202,
// running), which pairs only that street's two communities' wishes;
// approved, its offers reach the volunteers, who accept one through the
// claim path and decline the other; the history shows each step. A
// social worker cannot start a round, over the district or anything.
func TestMatchRunsOverHTTP(t *testing.T) {
	rd := mustRoundDistrict(t)
	s := rd.s
	for _, c := range rd.communities {
		if st, body := s.call(t, "POST", "/v1/match-runs", rd.social[c], map[string]any{"node_id": rd.d}); st != http.StatusForbidden {
			t.Fatalf("a social worker starting a round over the district: %d %v; want 403", st, body)
		}
	}
	if st, body := s.call(t, "POST", "/v1/match-runs", rd.coordS1, map[string]any{"node_id": rd.s2}); st != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "node_id" {
		t.Fatalf("street 1's coordinator naming street 2: %d %v; want 400 naming node_id", st, body)
	}
	if st, body := s.call(t, "POST", "/v1/match-runs", rd.coordS1, map[string]any{"categories": []string{"knitting"}}); st != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "categories[0]" {
		t.Fatalf("an unknown category: %d %v; want 400 naming categories[0]", st, body)
	}
	started := s.mustCall(t, http.StatusAccepted, "POST", "/v1/match-runs", rd.coordS1, nil)
	run := rd.finish(t, rd.coordS1, started)
	if run["status"] != "done" {
		t.Fatalf("round: %v", run)
	}
	got := proposedWishes(run)
	want := []string{rd.wishes[rd.communities[0]], rd.wishes[rd.communities[1]]}
	if len(got) != 2 || !(got[0] == want[0] && got[1] == want[1] || got[0] == want[1] && got[1] == want[0]) {
		t.Fatalf("street 1's round proposed %v; want exactly its two communities' wishes %v", got, want)
	}
	stats := run["stats"].(map[string]any)
	if stats["wishes"].(float64) != 2 || stats["matched"].(float64) != 2 {
		t.Fatalf("stats %v", stats)
	}
	// Street 2's coordinator neither reads nor lists it.
	coordS2 := s.mustKey(t, "coordinator", rd.s2)
	if st, _ := s.call(t, "GET", "/v1/match-runs/"+run["id"].(string), coordS2, nil); st != http.StatusNotFound {
		t.Fatalf("street 2 reading street 1's round: %d; want 404", st)
	}
	if l := s.mustCall(t, http.StatusOK, "GET", "/v1/match-runs", coordS2, nil); len(l["items"].([]any)) != 0 {
		t.Fatalf("street 2 lists %v", l)
	}
	approved := s.mustCall(t, http.StatusOK, "POST", "/v1/match-runs/"+run["id"].(string)+"/approve", rd.coordS1, nil)
	if approved["approval"].(map[string]any)["offered"].(float64) != 2 {
		t.Fatalf("approval: %v", approved["approval"])
	}
	s.mustCall(t, http.StatusConflict, "POST", "/v1/match-runs/"+run["id"].(string)+"/approve", rd.coordS1, nil)

	answered := 0
	for vid, key := range rd.volunteerKeys {
		offers := s.mustCall(t, http.StatusOK, "GET", "/v1/offers?status=pending", key, nil)["items"].([]any)
		if len(offers) == 0 {
			continue
		}
		o := offers[0].(map[string]any)
		for _, k := range []string{"resident_id", "location", "description", "node_id"} {
			if _, ok := o[k]; ok {
				t.Fatalf("volunteer %s's offer shows %s: %v", vid, k, o)
			}
		}
		if answered == 0 {
			claim := s.mustCall(t, http.StatusCreated, "POST", "/v1/offers/"+o["id"].(string)+"/accept", key, nil)
			if claim["claimant"].(map[string]any)["id"] != vid {
				t.Fatalf("claim %v", claim)
			}
		} else {
			s.mustCall(t, http.StatusOK, "POST", "/v1/offers/"+o["id"].(string)+"/decline", key, map[string]any{"reason": "出差"})
		}
		events := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+o["wish_id"].(string)+"/events", rd.coordD, nil)["items"].([]any)
		var types []string
		for _, e := range events {
			types = append(types, e.(map[string]any)["type"].(string))
		}
		wantTypes := map[int]string{0: "created offered claimed", 1: "created offered offer_declined"}[answered]
		if strings.Join(types, " ") != wantTypes {
			t.Fatalf("history %v; want %s", types, wantTypes)
		}
		answered++
	}
	if answered != 2 {
		t.Fatalf("%d volunteers had offers; want 2", answered)
	}
}

// TestMatchCLI runs `linli match` against the store a serving process
// uses: a dry run prints its statistics and reasons; a real round is seen
// by the service and approved over HTTP.
func TestMatchCLI(t *testing.T) {
	rd := mustRoundDistrict(t)
	env := map[string]string{
		"LINLI_MONGODB_URI": mongotest.URI(t), "LINLI_MONGODB_DATABASE": rd.env["LINLI_MONGODB_DATABASE"],
		"LINLI_RULES": rulesGlob(t), "LINLI_DATA_KEY": "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"match", "--dry-run", "--node", rd.s1}, env, &out, &errOut); err != nil {
		t.Fatalf("match --dry-run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"dry run run_", "wishes 2, matched 2 (100.0 %), unmatched 0", "nearest-first greedy", "CATEGORY"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("match output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"match"}, env, &out, &errOut); err != nil {
		t.Fatalf("match: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "wishes 3, matched 3") {
		t.Fatalf("the district's round:\n%s", out.String())
	}
	id := strings.TrimSuffix(strings.Fields(out.String())[1], ":")
	var st int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if st, _ = rd.s.call(t, "GET", "/v1/match-runs/"+id, rd.coordD, nil); st == http.StatusOK {
			break
		}
	}
	if st != http.StatusOK {
		t.Fatalf("the service does not see round %s the CLI made: %d", id, st)
	}
	rd.s.mustCall(t, http.StatusOK, "POST", "/v1/match-runs/"+id+"/approve", rd.coordD, nil)
	if err := run(context.Background(), []string{"match", "--node", "org_nope"}, env, &out, &errOut); err == nil || !strings.Contains(err.Error(), "node_id") {
		t.Fatalf("match --node org_nope: %v; want an error naming node_id", err)
	}
}
