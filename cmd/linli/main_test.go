package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

func TestMain(m *testing.M) {
	if runChild() || runImportChild() {
		return
	}
	http.DefaultTransport = recording{next: http.DefaultTransport}
	mongotest.Main(m, func(code int) int {
		http.DefaultClient.CloseIdleConnections()
		if code == 0 {
			code = checkAgainstTheDocument(code)
		}
		return code
	})
}

// server is a whole `linli serve` started in-process on port 0.
type server struct {
	base  string
	admin string
	out   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rulesGlob is the repository's default rules, found from this test's file.
func rulesGlob(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "configs", "rules", "*.yaml")
}

// mustServe starts the service against a fresh test database and waits
// until it listens. Extra env entries override the defaults.
func mustServe(tb testing.TB, extra map[string]string) *server {
	tb.Helper()
	env := map[string]string{
		"LINLI_HTTP_ADDR":               "127.0.0.1:0",
		"LINLI_MONGODB_URI":             mongotest.URI(tb),
		"LINLI_MONGODB_DATABASE":        mongotest.DatabaseName(),
		"LINLI_ADMIN_KEY":               "lnl_test-admin-key-0123456789",
		"LINLI_RULES":                   rulesGlob(tb),
		"LINLI_RATE_LIMIT":              "0",
		"LINLI_LOG_LEVEL":               "warn",
		"LINLI_DATA_KEY":                "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
		"LINLI_HTTP_ADDRESS_RATE_LIMIT": "0",
	}
	for k, v := range extra {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, out, io.Discard) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve returned %v", err)
		}
	})
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return &server{base: m[1], admin: env["LINLI_ADMIN_KEY"], out: out}
		}
		select {
		case err := <-done:
			tb.Fatalf("serve stopped: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("serve did not start:\n%s", out.String())
	return nil
}

// call sends a request and decodes the JSON answer into a map.
func (s *server) call(tb testing.TB, method, path, key string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		tb.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, m
}

// mustCall is call that fails the test unless the status is want.
func (s *server) mustCall(tb testing.TB, want int, method, path, key string, body any) map[string]any {
	tb.Helper()
	status, m := s.call(tb, method, path, key, body)
	if status != want {
		tb.Fatalf("%s %s: status %d, want %d: %v", method, path, status, want, m)
	}
	return m
}

func (s *server) mustKey(tb testing.TB, role, subject string) string {
	tb.Helper()
	m := s.mustCall(tb, http.StatusCreated, "POST", "/v1/api-keys", s.admin, map[string]any{"role": role, "subject_id": subject})
	return m["key"].(string)
}

var _ = fmt.Sprintf
