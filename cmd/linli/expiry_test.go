package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestWishExpiresWithoutRequests: an open wish past its due_at is ended by
// the expiry job with a wish_expired event; then it is expired and cannot
// be claimed.
func TestWishExpiresWithoutRequests(t *testing.T) {
	w := mustClaimWorld(t, map[string]string{"LINLI_CLAIMS_EXPIRY_CHECK": "100ms"})
	wish := w.mustCall(t, http.StatusCreated, "POST", "/v1/wishes", w.socialWorker, map[string]any{
		"resident_id": w.resident, "category": "repair", "title": "Fix the door",
		"needs": map[string]any{"skills": []string{}}, "due_at": time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339),
		"allow_duplicate": true,
	})["id"].(string)
	deadline := time.Now().Add(15 * time.Second)
	for count(w.eventTypes(t, wish), "wish_expired") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not expired: %v", w.eventTypes(t, wish))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if types, want := w.eventTypes(t, wish), []string{"created", "wish_expired"}; fmt.Sprint(types) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	got := w.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+wish, w.coordinator, nil)
	if got["status"] != "expired" {
		t.Fatalf("status %v, want expired", got["status"])
	}
	w.mustCall(t, http.StatusConflict, "POST", "/v1/wishes/"+wish+"/claims", w.enterpriseKey, nil)
	// A stranger to the wish is refused its history.
	w.mustCall(t, http.StatusNotFound, "GET", "/v1/wishes/"+wish+"/events", w.enterpriseKey, nil)
}
