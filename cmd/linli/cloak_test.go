package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linli/linli/geo"
)

// TestNoProbeLocatesAResidentWithinTheirCell is the attack of the review,
// against residents placed anywhere in one cloaking cell (its centre and
// near three of its corners). A supplier probes the near= listing from a
// grid of points and from points on the rim of each resident's walking
// circle (where a listing built on the exact point would flip), and three
// colluding volunteers, moved by their coordinator, try to claim from
// points around the rim. Every observation — listed or not, the walking
// band, the order, the answer to a claim and its text — must be the same
// for every resident: then no sequence of probes, however long, can tell
// points of the cell apart, and the best any caller can recover is the
// cell itself (about 0.1 km² at resolution 9), never a point in it.
func TestNoProbeLocatesAResidentWithinTheirCell(t *testing.T) {
	w := mustWorld(t)
	grid, _ := geo.New(geo.DefaultConfig())
	cell := grid.Cell(geo.Point{Lat: 30.2705, Lng: 120.1502})
	center, corners := geo.CellCenter(cell), geo.CellBoundary(cell)
	homes := []geo.Point{center}
	for _, c := range corners[:3] {
		p := geo.Point{Lat: center.Lat + 0.95*(c.Lat-center.Lat), Lng: center.Lng + 0.95*(c.Lng-center.Lng)}
		if grid.Cell(p) != cell {
			t.Fatalf("%v is not in the cell", p)
		}
		homes = append(homes, p)
	}
	if spread := geo.Distance(homes[1], homes[2]); spread < 150 {
		t.Fatalf("the homes are only %.0f m apart", spread)
	}
	var wishes []string
	for _, h := range homes {
		body := residentBody()
		body["location"] = map[string]any{"lat": h.Lat, "lng": h.Lng}
		res := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, body)
		wishes = append(wishes, w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
			"resident_id": res["id"], "category": "repair", "title": "Fix the door", "needs": map[string]any{"skills": []string{}},
			"due_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)})["id"].(string))
	}
	prober := w.enterpriseKey
	rnd := rand.New(rand.NewPCG(7, 8))
	var probes []geo.Point
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	offset := func(p geo.Point, north, east float64) geo.Point {
		return geo.Point{Lat: p.Lat + north/mPerDeg, Lng: p.Lng + east/(mPerDeg*math.Cos(p.Lat*math.Pi/180))}
	}
	for i := -12; i <= 12; i++ {
		for j := -12; j <= 12; j++ {
			probes = append(probes, offset(center, float64(i)*110, float64(j)*110))
		}
	}
	r := grid.RadiusMeters()
	for _, h := range homes {
		for range 60 { // on the rim of the circle of the exact point, where a leak would show
			a := rnd.Float64() * 2 * math.Pi
			d := r + (rnd.Float64()-0.5)*40
			probes = append(probes, offset(h, d*math.Sin(a), d*math.Cos(a)))
		}
	}
	for _, q := range probes {
		m := w.mustCall(t, http.StatusOK, "GET", fmt.Sprintf("/v1/wishes?near=%.7f,%.7f&limit=200", q.Lat, q.Lng), prober, nil)
		seen := map[string]string{}
		var order []int
		for _, it := range m["items"].([]any) {
			item := it.(map[string]any)
			for i, id := range wishes {
				if item["id"] == id {
					seen[id] = item["walk_band"].(string)
					order = append(order, i)
				}
			}
		}
		first, firstBand := seen[wishes[0]]
		for _, id := range wishes[1:] {
			if band, ok := seen[id]; ok != firstBand || band != first {
				t.Fatalf("from %v the residents of one cell look different: %v", q, seen)
			}
		}
		for i := 1; i < len(order); i++ { // equal walks are ordered by id, which says nothing of the home
			if order[i] < order[i-1] {
				t.Fatalf("from %v the order %v depends on more than the ids", q, order)
			}
		}
	}

	// Colluding volunteers, moved between attempts by their coordinator.
	digits := regexp.MustCompile(`[0-9]`)
	var colluders []struct{ id, key string }
	for range 3 {
		v := w.mustCall(t, http.StatusCreated, "POST", "/v1/volunteers", w.coordinator, volunteerBody())["id"].(string)
		colluders = append(colluders, struct{ id, key string }{v, w.mustKey(t, "volunteer", v)})
	}
	for i := range 30 {
		v := colluders[i%len(colluders)]
		h := homes[i%len(homes)]
		a := rnd.Float64() * 2 * math.Pi
		d := r + (rnd.Float64()-0.5)*60
		q := offset(h, d*math.Sin(a), d*math.Cos(a))
		body := volunteerBody()
		body["location"] = map[string]any{"lat": q.Lat, "lng": q.Lng}
		w.mustCall(t, http.StatusOK, "PUT", "/v1/volunteers/"+v.id, w.coordinator, body)
		var answers []string
		for _, id := range wishes {
			status, m := w.call(t, "POST", "/v1/wishes/"+id+"/claims", v.key, nil)
			answer := fmt.Sprint(status)
			if e, ok := m["error"].(map[string]any); ok {
				answer += fmt.Sprintf(" %v %v %v", e["code"], e["rule"], e["message"])
				if digits.MatchString(e["message"].(string)) {
					t.Fatalf("a refusal states a number: %q", e["message"])
				}
			}
			if status == http.StatusCreated {
				w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+id+"/claims/"+m["id"].(string)+"/withdraw", v.key, nil)
			}
			answers = append(answers, answer)
		}
		for _, a := range answers[1:] {
			if a != answers[0] {
				t.Fatalf("a volunteer at %v is answered differently for residents of one cell: %s", q, strings.Join(answers, " | "))
			}
		}
	}
}

// TestNoWalkLocatesAVolunteerWithinTheirCell is the same attack turned on
// volunteers, whose location is their home too: a social worker of
// another community records residents wherever it likes and reads the
// candidates of their wishes, and a coordinator there runs dry rounds. A
// volunteer at the centre of a cell and volunteers near three of its
// corners must be answered alike from every probe — listed or not, the
// same walking minutes — so the walks shown to staff place a volunteer in
// their cloaking cell and nowhere more precisely.
func TestNoWalkLocatesAVolunteerWithinTheirCell(t *testing.T) {
	w := mustWorld(t)
	grid, _ := geo.New(geo.DefaultConfig())
	cell := grid.Cell(geo.Point{Lat: 30.2705, Lng: 120.1502})
	center, corners := geo.CellCenter(cell), geo.CellBoundary(cell)
	homes := []geo.Point{center}
	for _, c := range corners[:3] {
		homes = append(homes, geo.Point{Lat: center.Lat + 0.95*(c.Lat-center.Lat), Lng: center.Lng + 0.95*(c.Lng-center.Lng)})
	}
	var volunteers []string
	for i, h := range homes {
		body := volunteerBody()
		body["phone"] = fmt.Sprintf("+86 138 0000 %04d", i)
		body["location"] = map[string]any{"lat": h.Lat, "lng": h.Lng}
		volunteers = append(volunteers, w.mustCall(t, http.StatusCreated, "POST", "/v1/volunteers", w.coordinator, body)["id"].(string))
	}
	// The prober: another community, its own social worker and coordinator.
	other := w.mustCall(t, http.StatusCreated, "POST", "/v1/organisations", w.admin, map[string]any{
		"name": "Hemu Community", "kind": "community", "location": map[string]any{"lat": 30.28, "lng": 120.16}})["id"].(string)
	social, coord := w.mustKey(t, "social_worker", other), w.mustKey(t, "coordinator", other)
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	offset := func(p geo.Point, north, east float64) geo.Point {
		return geo.Point{Lat: p.Lat + north/mPerDeg, Lng: p.Lng + east/(mPerDeg*math.Cos(p.Lat*math.Pi/180))}
	}
	r := grid.RadiusMeters()
	var probes []geo.Point
	for i := -4; i <= 4; i++ {
		for j := -4; j <= 4; j++ {
			probes = append(probes, offset(center, float64(i)*230, float64(j)*230))
		}
	}
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, h := range homes[1:] {
		for range 8 { // on the rim of a circle around the exact home
			a := rnd.Float64() * 2 * math.Pi
			probes = append(probes, offset(h, r*math.Sin(a), r*math.Cos(a)))
		}
	}
	for _, q := range probes {
		body := residentBody()
		body["location"] = map[string]any{"lat": q.Lat, "lng": q.Lng}
		res := w.mustCall(t, http.StatusCreated, "POST", "/v1/residents", social, body)
		wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", social, map[string]any{
			"resident_id": res["id"], "category": "repair", "title": "Fix the door", "needs": map[string]any{"skills": []string{}},
			"due_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)})["id"].(string)
		m := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/candidates?limit=100", social, nil)
		walks := map[string]any{}
		for _, c := range m["candidates"].([]any) {
			c := c.(map[string]any)
			if slices.Contains(volunteers, c["id"].(string)) {
				walks[c["id"].(string)] = c["walk_minutes"]
			}
		}
		w0, listed := walks[volunteers[0]]
		for _, v := range volunteers[1:] {
			if wv, ok := walks[v]; ok != listed || wv != w0 {
				t.Fatalf("from a wish at %v volunteers of one cell look different: %v", q, walks)
			}
		}
	}
	// A dry round over the prober's wishes: every proposal of one of these
	// volunteers walks as far as it would for any of the others.
	run := w.mustCall(t, http.StatusAccepted, "POST", "/v1/match-runs", coord, map[string]any{"dry_run": true})
	var done map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		done = w.mustCall(t, http.StatusOK, "GET", "/v1/match-runs/"+run["id"].(string), coord, nil)
		if done["status"] != "running" || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range done["proposals"].([]any) {
		p := p.(map[string]any)
		sup := p["supplier"].(map[string]any)
		if !slices.Contains(volunteers, sup["id"].(string)) {
			continue
		}
		cands := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+p["wish_id"].(string)+"/candidates?limit=100", social, nil)
		for _, c := range cands["candidates"].([]any) {
			c := c.(map[string]any)
			if slices.Contains(volunteers, c["id"].(string)) && c["walk_minutes"] != p["walk_minutes"] {
				t.Fatalf("the round walks %v for %s, the candidates %v for %s", p["walk_minutes"], sup["id"], c["walk_minutes"], c["id"])
			}
		}
	}
}
