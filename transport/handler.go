// Package transport serves Linli's HTTP API with go-kit: one route table,
// one generic JSON decoder, one response encoder and one error encoder,
// with authentication, rate limiting and request logging around them.
package transport

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-kit/kit/transport"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/linli/linli/matcher"
)

// Options tune the handler.
type Options struct {
	Logger         *slog.Logger
	Version        string
	MaxBody        int64         // bytes of a request body; default 1 MiB
	RequestTimeout time.Duration // default 30s
	RateLimit      float64       // requests per second per key, burst 2×; 0 = off
}

type handler struct {
	svc     *matcher.Service
	opts    Options
	mux     *http.ServeMux
	limiter *limiter
	table   []route
}

// NewHandler returns the HTTP handler of the whole API.
func NewHandler(svc *matcher.Service, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	h := &handler{svc: svc, opts: opts, mux: http.NewServeMux(), limiter: newLimiter(opts.RateLimit, time.Now)}
	h.table = h.routes()
	m := newMetrics(svc)
	errLog := transport.ErrorHandlerFunc(func(ctx context.Context, err error) {
		if matcher.ErrorCode(err) == matcher.EINTERNAL {
			opts.Logger.ErrorContext(ctx, "request failed", "err", err)
		}
	})
	for _, rt := range h.table {
		srv := httptransport.NewServer(
			rt.serve,
			func(_ context.Context, r *http.Request) (any, error) { return rt.decode(r) },
			encodeResponse,
			httptransport.ServerErrorEncoder(errorEncoder),
			httptransport.ServerErrorHandler(errLog),
		)
		var hh http.Handler = srv
		if rt.method == http.MethodPost && !rt.public {
			hh = h.idempotent(hh)
		}
		if !rt.public {
			hh = h.authenticate(hh)
		}
		h.mux.Handle(rt.method+" "+rt.path, m.instrument(rt.method+" "+rt.path, hh))
	}
	h.mux.Handle("GET /metrics", m.handler())
	doc := openAPI(h.table, opts.Version)
	h.mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) { _ = writeJSON(w, http.StatusOK, doc) })
	h.mux.HandleFunc("/", h.noRoute)
	return h.recoverer(h.logRequests(h.mux))
}

// authenticate reads the Bearer key, puts the caller in the context and
// applies the caller's rate limit.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		key, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || key == "" {
			errorEncoder(r.Context(), matcher.Errorf(matcher.EUNAUTHORIZED, "send Authorization: Bearer <API key>"), w)
			return
		}
		p, err := h.svc.Authenticate(r.Context(), strings.TrimSpace(key))
		if err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		if wait, ok := h.limiter.allow(p.KeyPrefix); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			errorEncoder(r.Context(), matcher.Errorf(matcher.ERATELIMITED, "too many requests for this key; retry in %s", wait.Round(time.Millisecond)), w)
			return
		}
		ctx, cancel := context.WithTimeout(matcher.WithPrincipal(r.Context(), p), h.opts.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusWriter remembers the status a handler wrote, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	w.status = s
	w.ResponseWriter.WriteHeader(s)
}

func (h *handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		h.opts.Logger.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "took", time.Since(start))
	})
}

// recoverer turns a panic in a handler into a logged 500, so one bad
// request cannot take the process down.
func (h *handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.opts.Logger.Error("panic serving request", "path", r.URL.Path, "panic", v)
				errorEncoder(r.Context(), matcher.Errorf(matcher.EINTERNAL, "internal error"), w)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// noRoute answers a request no route takes: 405 with Allow when the path
// has routes for other methods, else 404, both in the API's error shape.
func (h *handler) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		errorEncoder(r.Context(), matcher.Errorf(matcher.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path), w)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	_ = writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
		Code:    matcher.ENOTFOUND, // no route takes this method here; the status says 405
		Message: fmt.Sprintf("%s %s is not a route; this path takes %s", r.Method, r.URL.Path, strings.Join(allow, ", ")),
	}})
}
