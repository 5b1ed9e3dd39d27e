package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/linli/linli/matcher"
)

func TestErrorEncoder(t *testing.T) {
	tests := []struct {
		name       string
		give       error
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"invalid names the field", matcher.Invalid("location.lat", "must be between -90 and 90"), http.StatusBadRequest, "invalid", "location.lat"},
		{"wrapped conflict", fmt.Errorf("claim: %w", matcher.Errorf(matcher.ECONFLICT, "taken")), http.StatusConflict, "conflict", ""},
		{"idempotency mismatch is a conflict with 422", matcher.Errorf(matcher.EIDEMPOTENCY, "other body"), http.StatusUnprocessableEntity, "conflict", ""},
		{"a request timeout is 503, not 500", fmt.Errorf("get wish: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "unavailable", ""},
		{"anything else is 500 without details", fmt.Errorf("socket: secret detail"), http.StatusInternalServerError, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			errorEncoder(context.Background(), tt.give, rec)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.wantStatus || body.Error.Code != tt.wantCode || body.Error.Field != tt.wantField {
				t.Fatalf("got %d %+v, want %d %s field %q", rec.Code, body.Error, tt.wantStatus, tt.wantCode, tt.wantField)
			}
			if tt.wantCode == "internal" && body.Error.Message != "internal error" {
				t.Fatalf("internal error leaked %q", body.Error.Message)
			}
		})
	}
}
