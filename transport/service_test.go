package transport

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

// stubService is a Service that knows its keys and nothing else: any
// other method panics (a 500 by the handler's recoverer), so a test
// through it shows what the handler decides before the service is asked.
type stubService struct {
	Service
}

// stubKeys are the keys stubService knows, by role: the key is the role.
func (stubService) Authenticate(_ context.Context, key string) (matcher.Principal, error) {
	for _, role := range []string{matcher.RoleAdmin, matcher.RoleCoordinator, matcher.RoleSocialWorker,
		matcher.RoleEnterprise, matcher.RoleOrganisation, matcher.RoleVolunteer} {
		if key == role {
			return matcher.Principal{Role: role, SubjectID: "sub_" + role, KeyPrefix: "lnl_" + role}, nil
		}
	}
	return matcher.Principal{}, matcher.Errorf(matcher.EUNAUTHORIZED, "unknown key")
}

func (stubService) Opened() bool                            { return true }
func (stubService) Ready(context.Context) error             { return nil }
func (stubService) Rules() *rules.Engine                    { return nil }
func (stubService) Me(context.Context) (*matcher.Me, error) { return &matcher.Me{}, nil }

// stubHandler is the whole HTTP handler over a stubService.
func stubHandler(t *testing.T) http.Handler {
	t.Helper()
	return NewHandler(stubService{}, Options{Logger: slog.New(slog.DiscardHandler), MaxBody: 1 << 10})
}

// call makes one request of h with the key (none when ""), a body of
// contentType when contentType is not "", and returns the status and the
// error's code and field.
func call(t *testing.T, h http.Handler, method, target, key, contentType, body string) (status int, code, field string) {
	t.Helper()
	return serve(h, request(method, target, key, contentType, body))
}

// request is a request with the key (none when "") and a body of
// contentType (none when "").
func request(method, target, key, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// serve serves r by h and returns the status and the error's code and
// field.
func serve(h http.Handler, r *http.Request) (status int, code, field string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var e errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return rec.Code, e.Error.Code, e.Error.Field
}
