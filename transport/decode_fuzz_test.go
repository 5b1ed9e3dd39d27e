package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/linli/linli/matcher"
)

// hostileSeeds are bodies every decoder is seeded with: operators, dotted
// and prototype keys, wrong types, deep nesting, huge numbers, broken JSON.
var hostileSeeds = []string{
	``, `{}`, `null`, `[]`, `"x"`, `{"a":1}`, `{}{}`, `{} x`, `{"name":`,
	`{"name":{"$ne":""}}`, `{"name":{"$gt":""}}`, `{"name":{"$where":"sleep(1000)"}}`, `{"name":{"$regex":".*"}}`,
	`{"$where":"1"}`, `{"location.lat":1}`, `{"__proto__":{"admin":true}}`, `{"constructor":{"prototype":{}}}`,
	`{"id":"x"}`, `{"status":"open"}`, `{"tenant_id":"t"}`, `{"role":"admin"}`, `{"owner":{"id":"x"}}`,
	`{"claimed_by":"x"}`, `{"created_at":"2026-01-01T00:00:00Z"}`,
	`{"location":{"lat":1e400,"lng":0}}`, `{"location":{"lat":"NaN"}}`, `{"location":[1,2]}`,
	`{"due_at":"10000-01-01T00:00:00Z"}`, `{"due_at":"2026-13-01T00:00:00Z"}`, `{"quantity":1.5}`, `{"quantity":-9223372036854775809}`,
	`{"name":"\ud800"}`, `{"name":"a\u0000b"}`, `{"skills":[null]}`, `{"skills":{"$in":["a"]}}`,
	`{"a":` + string(bytes.Repeat([]byte(`[`), 10000)) + `}`,
}

// jsonRequest is a POST of body as JSON.
func jsonRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// fuzzDecoder fuzzes decodeJSON[T]: it must never panic; a body it refuses
// is an EINVALID answered with 400; a body it accepts must encode and
// decode again to the same value.
func fuzzDecoder[T any](f *testing.F, valid ...string) {
	for _, s := range append(valid, hostileSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeJSON[T](jsonRequest(body), 1<<16)
		if err != nil {
			if code := matcher.ErrorCode(err); code != matcher.EINVALID {
				t.Fatalf("refused with code %q (%v), want invalid", code, err)
			}
			rec := httptest.NewRecorder()
			errorEncoder(context.Background(), err, rec)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("refused with status %d, want 400", rec.Code)
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", body, err)
		}
		v2, err := decodeJSON[T](jsonRequest(again), 1<<20)
		if err != nil {
			t.Fatalf("accepted %q but not its own encoding %s: %v", body, again, err)
		}
		if third, _ := json.Marshal(v2); !bytes.Equal(third, again) {
			t.Fatalf("round trip changed the value:\n%s\n%s", again, third)
		}
	})
}

const (
	seedLocation = `{"lat":30.27,"lng":120.15}`
	seedConsent  = `{"given_by":"self","purpose":"matching","given_at":"2026-11-01T09:00:00Z"}`
)

func FuzzDecodeVolunteer(f *testing.F) {
	fuzzDecoder[matcher.VolunteerInput](f, `{"name":"Chen Jie","phone":"+86 138 1234 5678","birth_date":"1990-05-01","location":`+seedLocation+
		`,"skills":["repair"],"certifications":[{"type":"first_aid","expires_at":"2027-12-31T00:00:00Z"}],"max_active_claims":3}`)
}

func FuzzDecodeOrganisation(f *testing.F) {
	fuzzDecoder[matcher.OrganisationInput](f, `{"name":"Xiaohe","kind":"community","location":`+seedLocation+`,"categories":["repair"]}`)
}

func FuzzDecodeEnterprise(f *testing.F) {
	fuzzDecoder[matcher.EnterpriseInput](f, `{"name":"Repairs Ltd","location":`+seedLocation+`,"categories":["repair"],"sites":[`+seedLocation+`]}`)
}

func FuzzDecodeResource(f *testing.F) {
	fuzzDecoder[matcher.ResourceInput](f, `{"kind":"goods","category":"school_supplies","title":"bags","quantity":20,"location":`+seedLocation+`}`)
}

func FuzzDecodeResident(f *testing.F) {
	fuzzDecoder[matcher.ResidentInput](f, `{"name":"Wang Fang","phone":"13900001111","birth_date":"1948-03-02","disabilities":["wheelchair_user"],`+
		`"lives_alone":true,"address":"12 Xixi Road","location":`+seedLocation+`,"consent":`+seedConsent+`}`)
}

func FuzzDecodeWish(f *testing.F) {
	fuzzDecoder[matcher.WishInput](f, `{"resident_id":"rsd_1","category":"repair","title":"Repair","description":"left wheel",`+
		`"needs":{"skills":["repair"],"items":["tyre"]},"due_at":"2026-12-01T00:00:00Z","on_site":true}`)
}

func FuzzDecodeAPIKey(f *testing.F) {
	fuzzDecoder[matcher.APIKeyInput](f, `{"role":"enterprise","subject_id":"ent_1","expires_at":"2027-01-01T00:00:00Z"}`)
}

// FuzzPageRequest fuzzes the query decoder of every list: it never panics,
// refuses only with EINVALID, and never yields a negative limit.
func FuzzPageRequest(f *testing.F) {
	for _, s := range []string{"", "limit=10", "limit=-1", "limit=0", "limit=99999999999999999999", "after=vol_1&limit=2",
		"after=%7B%22%24ne%22%3A%22%22%7D", "limit=1e3", "limit=%00", "after=" + string(bytes.Repeat([]byte("a"), 1000))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/volunteers", nil)
		r.URL.RawQuery = raw
		if _, err := url.ParseQuery(raw); err != nil {
			r.URL.RawQuery = url.QueryEscape(raw)
		}
		q, err := query(r, pageParams)
		if err != nil {
			if matcher.ErrorCode(err) != matcher.EINVALID {
				t.Fatalf("refused with %v, want invalid", err)
			}
			return
		}
		p, err := pageOf(q)
		if err != nil {
			if matcher.ErrorCode(err) != matcher.EINVALID {
				t.Fatalf("refused with %v, want invalid", err)
			}
			return
		}
		if p.Limit < 0 {
			t.Fatalf("limit %d from %q", p.Limit, raw)
		}
	})
}
