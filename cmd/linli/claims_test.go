package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// claimWorld is a world with a resident and the server's env overridden.
type claimWorld struct {
	*world
	resident string
}

func mustClaimWorld(tb testing.TB, env map[string]string) *claimWorld {
	tb.Helper()
	w := mustWorldEnv(tb, env)
	res := w.mustCall(tb, http.StatusCreated, "POST", "/v1/residents", w.socialWorker, residentBody())
	return &claimWorld{world: w, resident: res["id"].(string)}
}

// mustEnterprise registers an enterprise next to the resident and returns
// its id and key.
func mustEnterprise(tb testing.TB, w *world, name string) (id, key string) {
	tb.Helper()
	ent := w.mustCall(tb, http.StatusCreated, "POST", "/v1/enterprises", w.coordinator, map[string]any{
		"name": name, "location": map[string]any{"lat": 30.271, "lng": 120.151}, "categories": []string{"repair", "home_visit"},
	})
	id = ent["id"].(string)
	return id, w.mustKey(tb, "enterprise", id)
}

func (w *claimWorld) mustWish(tb testing.TB, category string) string {
	tb.Helper()
	wish := w.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
		"resident_id": w.resident, "category": category, "title": "Fix the door",
		"needs": map[string]any{"skills": []string{}}, "due_at": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339),
		"allow_duplicate": true,
	})
	return wish["id"].(string)
}

// mustOnSiteWish records a repair wish at the resident's home, whose
// claimant may read the address.
func (w *claimWorld) mustOnSiteWish(tb testing.TB) string {
	tb.Helper()
	return w.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
		"resident_id": w.resident, "category": "repair", "title": "Fix the door", "on_site": true,
		"needs": map[string]any{"skills": []string{}}, "due_at": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339),
		"allow_duplicate": true})["id"].(string)
}

// eventTypes returns the types of a wish's events, oldest first.
func (w *claimWorld) eventTypes(tb testing.TB, wishID string) []string {
	tb.Helper()
	m := w.mustCall(tb, http.StatusOK, "GET", "/v1/wishes/"+wishID+"/events", w.coordinator, nil)
	var types []string
	for _, it := range m["items"].([]any) {
		types = append(types, it.(map[string]any)["type"].(string))
	}
	return types
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// post sends a POST with an optional Idempotency-Key and returns the
// status and raw body.
func post(tb testing.TB, c *http.Client, url, key, idem string, body any) (int, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest("POST", url, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Errorf("POST %s: %v", url, err)
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// raceEnv gives queued requests time: under -race the in-process store is
// several times slower, and all 1,000 requests arrive at once.
var raceEnv = map[string]string{"LINLI_HTTP_REQUEST_TIMEOUT": "2m"}

// parallel calls fn(0..n-1) from width goroutines.
func parallel(width, n int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range width {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func TestClaimRace(t *testing.T) {
	const wishes, enterprises, racers = 100, 50, 10
	w := mustClaimWorld(t, raceEnv)
	keys, ids := make([]string, enterprises), make([]string, wishes)
	parallel(8, enterprises, func(i int) { _, keys[i] = mustEnterprise(t, w.world, fmt.Sprintf("Enterprise %d", i)) })
	parallel(8, wishes, func(i int) { ids[i] = w.mustWish(t, "repair") })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	statuses := map[int]int{}
	winners := map[string]string{} // wish → claimant of its 201
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for r := range racers {
		for i, id := range ids {
			key := keys[(i*racers+r)%enterprises]
			wg.Go(func() {
				<-start
				status, raw := post(t, client, w.base+"/v1/wishes/"+id+"/claims", key, "", nil)
				mu.Lock()
				defer mu.Unlock()
				statuses[status]++
				if status == http.StatusCreated {
					var c struct{ Claimant struct{ ID string } }
					_ = json.Unmarshal(raw, &c)
					winners[id] = c.Claimant.ID
				} else if status != http.StatusConflict {
					t.Errorf("claim %s: %d %s", id, status, raw)
				}
			})
		}
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d claims in %s: %v", wishes*racers, time.Since(began).Round(time.Millisecond), statuses)
	if statuses[http.StatusCreated] != wishes || statuses[http.StatusConflict] != wishes*(racers-1) {
		t.Fatalf("statuses %v, want %d×201 and %d×409", statuses, wishes, wishes*(racers-1))
	}
	for _, id := range ids {
		if n := count(w.eventTypes(t, id), "claimed"); n != 1 {
			t.Errorf("wish %s has %d claimed events", id, n)
		}
		m := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+id, w.coordinator, nil)
		if m["status"] != "claimed" || winners[id] == "" {
			t.Errorf("wish %s: status %v, winner %q", id, m["status"], winners[id])
		}
	}
}

func TestClaimIdempotencyKey(t *testing.T) {
	w := mustClaimWorld(t, nil)
	wish, other := w.mustWish(t, "repair"), w.mustWish(t, "repair")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 20}}
	bodies := make([]string, 10)
	codes := make([]int, 10)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() {
			code, raw := post(t, client, w.base+"/v1/wishes/"+wish+"/claims", w.enterpriseKey, "claim-once-1", nil)
			codes[i], bodies[i] = code, string(raw)
		})
	}
	wg.Wait()
	for i := range bodies {
		if codes[i] != http.StatusCreated || bodies[i] != bodies[0] {
			t.Fatalf("response %d: %d %s, want 201 %s", i, codes[i], bodies[i], bodies[0])
		}
	}
	if n := count(w.eventTypes(t, wish), "claimed"); n != 1 {
		t.Fatalf("%d claimed events, want 1", n)
	}
	code, raw := post(t, client, w.base+"/v1/wishes/"+other+"/claims", w.enterpriseKey, "claim-once-1", nil)
	if code != http.StatusUnprocessableEntity || !bytes.Contains(raw, []byte(`"code":"conflict"`)) {
		t.Fatalf("same key, other request: %d %s, want 422 with code conflict", code, raw)
	}
	body := map[string]any{"name": "Once Ltd", "location": map[string]any{"lat": 30.271, "lng": 120.151}}
	c1, first := post(t, client, w.base+"/v1/enterprises", w.coordinator, "ent-1", body)
	c2, again := post(t, client, w.base+"/v1/enterprises", w.coordinator, "ent-1", body)
	if c1 != http.StatusCreated || c2 != http.StatusCreated || !bytes.Equal(first, again) {
		t.Fatalf("entity replay: %d %s / %d %s", c1, first, c2, again)
	}
}

// TestClaimReplayIsTheClaimAsItIsNow retries a claim with its
// Idempotency-Key after the claim ended: the enterprise withdrew one, and
// the resident withdrew consent, closing the wish of the other. Each
// replay is the claim as it is now, never the active claim it once was.
func TestClaimReplayIsTheClaimAsItIsNow(t *testing.T) {
	w := mustClaimWorld(t, nil)
	given, kept := w.mustWish(t, "repair"), w.mustWish(t, "repair")
	claim := func(wish, idem string) (int, map[string]any) {
		t.Helper()
		code, raw := post(t, http.DefaultClient, w.base+"/v1/wishes/"+wish+"/claims", w.enterpriseKey, idem, nil)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("claim: %d %s", code, raw)
		}
		return code, m
	}
	for _, wish := range []string{given, kept} {
		if code, m := claim(wish, "claim-"+wish); code != http.StatusCreated || m["status"] != "active" {
			t.Fatalf("claim: %d %v", code, m)
		}
	}
	first, _ := claim(given, "claim-"+given)
	_, m := claim(given, "claim-"+given)
	w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+given+"/claims/"+m["id"].(string)+"/withdraw", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusOK, "POST", "/v1/residents/"+w.resident+"/consent/withdraw", w.socialWorker, nil)
	for wish, want := range map[string]string{given: "withdrawn", kept: "cancelled"} {
		code, m := claim(wish, "claim-"+wish)
		if code != first || m["status"] != want {
			t.Errorf("the replay of a claim since %s: %d %v; want %d, status %s", want, code, m, first, want)
		}
	}
}

func TestClaimExpiresWithoutRequests(t *testing.T) {
	w := mustClaimWorld(t, map[string]string{
		"LINLI_CLAIMS_TTL_BY_CATEGORY": "repair=2s",
		"LINLI_CLAIMS_EXPIRY_CHECK":    "100ms",
	})
	wish := w.mustWish(t, "repair")
	claim := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
	due, _ := time.Parse(time.RFC3339, claim["due_at"].(string))
	if left := time.Until(due); left > 3*time.Second || left < time.Second {
		t.Fatalf("due_at %s is %s away, want about 2s", due, left)
	}
	_, otherKey := mustEnterprise(t, w.world, "Late Comer Ltd")
	w.mustCall(t, http.StatusConflict, "POST", "/v1/wishes/"+wish+"/claims", otherKey, nil)
	deadline := time.Now().Add(15 * time.Second)
	for count(w.eventTypes(t, wish), "expired") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not expired: %v", w.eventTypes(t, wish))
		}
		time.Sleep(100 * time.Millisecond)
	}
	types := w.eventTypes(t, wish)
	if want := []string{"created", "claimed", "expiry_warning", "expired"}; fmt.Sprint(types) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", otherKey, nil)
}

func TestWishLifecycle(t *testing.T) {
	w := mustClaimWorld(t, nil)
	vol := w.mustCall(t, http.StatusCreated, "POST", "/v1/volunteers", w.coordinator, func() map[string]any {
		b := volunteerBody()
		b["max_active_claims"] = 2
		return b
	}())
	volID := vol["id"].(string)
	volKey := w.mustKey(t, "volunteer", volID)
	wish := w.mustWish(t, "repair")
	claims := "/v1/wishes/" + wish + "/claims"

	claim := w.mustCall(t, http.StatusCreated, "POST", claims, volKey, nil)
	w.mustCall(t, http.StatusConflict, "POST", "/v1/wishes/"+wish+"/confirmation", w.socialWorker,
		map[string]any{"outcome": "confirmed", "rating": 5}) // not fulfilled yet
	w.mustCall(t, http.StatusNotFound, "POST", "/v1/wishes/"+wish+"/fulfilment", w.enterpriseKey, map[string]any{"note": "x"})
	fulfil := map[string]any{"note": "Replaced the hinge", "done_at": time.Now().UTC().Format(time.RFC3339),
		"hours": []map[string]any{{"volunteer_id": volID, "hours": 2.5}}}
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/fulfilment", volKey, fulfil)
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/confirmation", w.socialWorker,
		map[string]any{"outcome": "disputed", "comment": "The door still sticks"})
	if h := w.mustCall(t, http.StatusOK, "GET", "/v1/volunteers/"+volID+"/hours", volKey, nil); h["total"] != 0.0 {
		t.Fatalf("hours credited before confirmation: %v", h)
	}
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/fulfilment", volKey, fulfil)
	done := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/confirmation", w.socialWorker,
		map[string]any{"outcome": "confirmed", "rating": 4, "comment": "Thank you"})
	if done["status"] != "confirmed" || done["id"] != claim["id"] {
		t.Fatalf("confirmation: %v", done)
	}
	w.mustCall(t, http.StatusConflict, "POST", "/v1/wishes/"+wish+"/cancel", w.socialWorker, nil)
	w.mustCall(t, http.StatusConflict, "POST", claims, w.enterpriseKey, nil)
	h := w.mustCall(t, http.StatusOK, "GET", "/v1/volunteers/"+volID+"/hours", w.coordinator, nil)
	month := time.Now().UTC().Format("2006-01")
	if h["total"] != 2.5 || h["by_month"].(map[string]any)[month] != 2.5 || h["by_category"].(map[string]any)["repair"] != 2.5 {
		t.Fatalf("hours: %v", h)
	}
	want := "[created claimed fulfilled disputed fulfilled confirmed]"
	if got := fmt.Sprint(w.eventTypes(t, wish)); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/events", volKey, nil) // a past claimant
	w.mustCall(t, http.StatusNotFound, "GET", "/v1/wishes/"+wish+"/events", w.enterpriseKey, nil)

	t.Run("withdraw, reassign, cancel", func(t *testing.T) {
		wish := w.mustWish(t, "repair")
		c := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
		w.mustCall(t, http.StatusOK, "DELETE", "/v1/wishes/"+wish+"/claims/"+c["id"].(string), w.enterpriseKey, nil)
		w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
		r := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/reassign", w.coordinator,
			map[string]any{"claimant": map[string]any{"kind": "volunteer", "id": volID}})
		if r["claimant"].(map[string]any)["id"] != volID {
			t.Fatalf("reassigned to %v", r)
		}
		w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+wish+"/cancel", w.socialWorker, map[string]any{"reason": "moved away"})
		want := "[created claimed withdrawn claimed released claimed cancelled]"
		if got := fmt.Sprint(w.eventTypes(t, wish)); got != want {
			t.Fatalf("events %s, want %s", got, want)
		}
	})

	t.Run("volunteer limit", func(t *testing.T) {
		ids := []string{w.mustWish(t, "repair"), w.mustWish(t, "repair"), w.mustWish(t, "repair")}
		codes := make([]int, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() { codes[i], _ = post(t, http.DefaultClient, w.base+"/v1/wishes/"+id+"/claims", volKey, "", nil) })
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			if c == http.StatusCreated {
				created++
			} else if c != http.StatusForbidden {
				t.Fatalf("codes %v", codes)
			}
		}
		if created != 2 {
			t.Fatalf("codes %v: %d claims, want the limit of 2", codes, created)
		}
	})
}

// TestPastClaimantSeesHistoryUpToItsOwnEnd: a supplier that let a claim
// go keeps the history of what it did, but not who claimed next, nor their
// fulfilment, rating and hours.
func TestPastClaimantSeesHistoryUpToItsOwnEnd(t *testing.T) {
	w := mustClaimWorld(t, nil)
	wish := w.mustWish(t, "repair")
	first := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+wish+"/claims/"+first["id"].(string)+"/withdraw", w.enterpriseKey, nil)
	_, nextKey := mustEnterprise(t, w.world, "Next Repairs Ltd")
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", nextKey, nil)
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/fulfilment", nextKey, map[string]any{"note": "fixed"})
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/confirmation", w.socialWorker, map[string]any{"outcome": "confirmed", "rating": 2})
	types := func(key string) []string {
		var out []string
		for _, e := range w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/events", key, nil)["items"].([]any) {
			out = append(out, e.(map[string]any)["type"].(string))
		}
		return out
	}
	if got := types(w.socialWorker); len(got) < 6 {
		t.Fatalf("staff see %v", got)
	}
	if got, want := types(w.enterpriseKey), []string{"created", "claimed", "withdrawn"}; !slices.Equal(got, want) {
		t.Fatalf("the supplier that withdrew sees %v, want %v", got, want)
	}
	if got := types(nextKey); !slices.Contains(got, "confirmed") {
		t.Fatalf("the supplier that served sees %v, without its confirmation", got)
	}
}

// TestClaimingToHarvestAddressesIsStopped: a supplier that claims wishes
// only to read their residents' names, phones and homes and then lets go
// is refused its own claims after claims.address_withdrawals (3) such
// withdrawals; claims it withdrew without reading the address do not
// count, and neither does another supplier's history.
func TestClaimingToHarvestAddressesIsStopped(t *testing.T) {
	w := mustClaimWorld(t, nil)
	onSite := func() string { return w.mustOnSiteWish(t) }
	grab := func(key, wish string, read bool) {
		t.Helper()
		c := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", key, nil)
		if read {
			w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/address", key, nil)
		}
		w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+wish+"/claims/"+c["id"].(string)+"/withdraw", key, nil)
	}
	_, honestKey := mustEnterprise(t, w.world, "Honest Repairs Ltd")
	for range 5 { // changing one's mind before going is not harvesting
		grab(honestKey, onSite(), false)
	}
	for range 3 {
		grab(w.enterpriseKey, onSite(), true)
	}
	next := onSite()
	status, m := w.call(t, "POST", "/v1/wishes/"+next+"/claims", w.enterpriseKey, nil)
	e, _ := m["error"].(map[string]any)
	if status != http.StatusForbidden || e["rule"] != "address-withdrawals" {
		t.Fatalf("a fourth claim after three address reads and withdrawals: %d %v", status, m)
	}
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+next+"/claims", honestKey, nil)
}

// TestClaimsLeftToExpireAfterTheAddressCountToo: holding claims until they
// run out of time, after reading the addresses, is letting go as a
// withdrawal is.
func TestClaimsLeftToExpireAfterTheAddressCountToo(t *testing.T) {
	w := mustClaimWorld(t, map[string]string{"LINLI_CLAIMS_TTL_BY_CATEGORY": "repair=2s", "LINLI_CLAIMS_EXPIRY_CHECK": "100ms"})
	onSite := func() string { return w.mustOnSiteWish(t) }
	var held []string
	for range 3 {
		wish := onSite()
		w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
		w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/address", w.enterpriseKey, nil)
		held = append(held, wish)
	}
	for _, wish := range held {
		eventually(t, func() bool { return slices.Contains(w.eventTypes(t, wish), "expired") })
	}
	status, m := w.call(t, "POST", "/v1/wishes/"+onSite()+"/claims", w.enterpriseKey, nil)
	if e, _ := m["error"].(map[string]any); status != http.StatusForbidden || e["rule"] != "address-withdrawals" {
		t.Fatalf("a claim after three read addresses left to expire: %d %v", status, m)
	}
}

// TestFulfilmentDoesNotLaunderAReadAddress: the address is shared while a
// claim is active and not yet fulfilled, and a fulfilment the resident
// disputes counts as letting go, so claim, read, "fulfil" cannot harvest
// addresses past the limit either.
func TestFulfilmentDoesNotLaunderAReadAddress(t *testing.T) {
	w := mustClaimWorld(t, nil)
	onSite := func() string { return w.mustOnSiteWish(t) }
	wish := onSite()
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/fulfilment", w.enterpriseKey, map[string]any{"note": "done"})
	if status, m := w.call(t, "GET", "/v1/wishes/"+wish+"/address", w.enterpriseKey, nil); status != http.StatusForbidden {
		t.Fatalf("the address after the fulfilment: %d %v", status, m)
	}
	for range 3 {
		wish := onSite()
		w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
		w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish+"/address", w.enterpriseKey, nil)
		w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/fulfilment", w.enterpriseKey, map[string]any{"note": "done"})
		w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+wish+"/confirmation", w.socialWorker, map[string]any{"outcome": "disputed", "comment": "nobody came"})
	}
	status, m := w.call(t, "POST", "/v1/wishes/"+onSite()+"/claims", w.enterpriseKey, nil)
	if e, _ := m["error"].(map[string]any); status != http.StatusForbidden || e["rule"] != "address-withdrawals" {
		t.Fatalf("a claim after three read addresses and disputed fulfilments: %d %v", status, m)
	}
}

// TestALetGoClaimCountsOnce: a claim whose fulfilment is disputed and
// which its holder then withdraws was let go once, not twice.
func TestALetGoClaimCountsOnce(t *testing.T) {
	w := mustClaimWorld(t, nil)
	onSite := func() string { return w.mustOnSiteWish(t) }
	a := onSite()
	c := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+a+"/claims", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+a+"/address", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+a+"/fulfilment", w.enterpriseKey, map[string]any{"note": "done"})
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+a+"/confirmation", w.socialWorker, map[string]any{"outcome": "disputed", "comment": "nobody came"})
	w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+a+"/address", w.enterpriseKey, nil) // active again
	w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+a+"/claims/"+c["id"].(string)+"/withdraw", w.enterpriseKey, nil)
	b := onSite()
	c = w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+b+"/claims", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+b+"/address", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusOK, "POST", "/v1/wishes/"+b+"/claims/"+c["id"].(string)+"/withdraw", w.enterpriseKey, nil)
	w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes/"+onSite()+"/claims", w.enterpriseKey, nil) // two let go, of three
}
