package main

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestThreeProcessesShareOneEmbeddedStore runs one `linli serve` that
// exposes its embedded store and two more that use it as their MongoDB:
// what is written through any of them is read through the others within
// 2 s, and 1,000 claims racing over the three give each of 100 wishes
// exactly one claimant.
func TestThreeProcessesShareOneEmbeddedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	storeAddr := ln.Addr().String()
	ln.Close()
	const key = "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE="
	dir := t.TempDir()
	a := startChild(t, dir, "LINLI_STORE_LISTEN="+storeAddr, "LINLI_DATA_KEY="+key, "LINLI_SYNC_INTERVAL=200ms")
	replica := func() *child {
		return startChild(t, t.TempDir(), "LINLI_MONGODB_URI=mongodb://"+storeAddr+"/", "LINLI_DATA_KEY="+key, "LINLI_SYNC_INTERVAL=200ms")
	}
	b, c := replica(), replica()
	servers := []*child{a, b, c}

	community := a.must(t, "POST", "/v1/organisations", childAdmin, map[string]any{
		"name": "Xiaohe", "kind": "community", "location": map[string]any{"lat": 30.27, "lng": 120.15}})["id"].(string)
	var social string
	eventually(t, func() bool { // the key is made on a; b must know it to use it
		status, m := (&server{base: b.base}).call(t, "POST", "/v1/api-keys", childAdmin, map[string]any{"role": "social_worker", "subject_id": community})
		if status == http.StatusCreated {
			social = m["key"].(string)
		}
		return status == http.StatusCreated
	})
	resident := b.must(t, "POST", "/v1/residents", social, residentBody())["id"].(string)
	// Written through b, read through a and c within 2 s.
	for _, s := range []*child{a, c} {
		start := time.Now()
		eventually(t, func() bool {
			status, _ := (&server{base: s.base}).call(t, "GET", "/v1/residents/"+resident, social, nil)
			return status == http.StatusOK
		})
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("a write through one replica took %s to read through another", took)
		}
	}
	coord := c.must(t, "POST", "/v1/api-keys", childAdmin, map[string]any{"role": "coordinator", "subject_id": community})["key"].(string)
	var keys []string
	for i := range 50 {
		s := servers[i%3]
		e := s.must(t, "POST", "/v1/enterprises", childAdmin, map[string]any{"name": fmt.Sprint("E", i),
			"location": map[string]any{"lat": 30.2705, "lng": 120.1502}, "categories": []string{"repair"}})["id"].(string)
		keys = append(keys, s.must(t, "POST", "/v1/api-keys", childAdmin, map[string]any{"role": "enterprise", "subject_id": e})["key"].(string))
	}
	var wishes []string
	for i := range 100 {
		wishes = append(wishes, servers[i%3].must(t, "POST", "/v1/wishes", social, wishBody(resident))["id"].(string))
	}
	// Every replica must see every wish (in its list) and every key.
	for _, s := range servers {
		eventually(t, func() bool {
			m := (&server{base: s.base}).mustCall(t, http.StatusOK, "GET", "/v1/wishes?limit=200", coord, nil)
			return len(m["items"].([]any)) == 100
		})
		for _, k := range keys {
			eventually(t, func() bool {
				status, _ := (&server{base: s.base}).call(t, "GET", "/v1/api-keys", k, nil)
				return status == http.StatusOK
			})
		}
	}
	statuses := map[int]int{}
	var mu sync.Mutex
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	parallel(24, 1000, func(i int) {
		s := servers[i%3]
		status, _ := post(t, client, s.base+"/v1/wishes/"+wishes[i%100]+"/claims", keys[(i*7)%len(keys)], "", nil)
		mu.Lock()
		statuses[status]++
		mu.Unlock()
	})
	if statuses[http.StatusCreated] != 100 || statuses[http.StatusCreated]+statuses[http.StatusConflict] != 1000 {
		t.Fatalf("1000 claims over 3 replicas: %v, want 100×201 and 900×409", statuses)
	}
	for _, id := range wishes {
		h := (&server{base: a.base}).mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+id+"/events", coord, nil)
		claims := 0
		for _, e := range h["items"].([]any) {
			if e.(map[string]any)["type"] == "claimed" {
				claims++
			}
		}
		if claims != 1 {
			t.Fatalf("wish %s has %d claimed events", id, claims)
		}
	}
}

// eventually waits up to 5 s for ok.
func eventually(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("not within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
