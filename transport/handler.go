// Package transport serves Linli's HTTP API with go-kit: one route table,
// one strict JSON decoder, one response encoder and one error encoder,
// with request ids, rate limits, authentication and request logging
// around them, and the console's static files at /.
package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
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
	RateLimit      float64       // requests a second per API key, burst 2× (at least 1); 0 = off
	// AddressRateLimit is requests a second per client address, burst 2×,
	// counted before authentication, so that guessing keys is bounded
	// too; 0 = off.
	AddressRateLimit float64
	MaxImport        int64 // bytes of an import's form, its file included; default 32 MiB
}

// Handler is the HTTP handler of the whole API.
type Handler struct {
	http.Handler
	draining atomic.Bool
}

// Drain makes /readyz answer 503 from now on, for a load balancer to stop
// sending requests before the server shuts down.
func (h *Handler) Drain() { h.draining.Store(true) }

type handler struct {
	svc       Service
	opts      Options
	mux       *http.ServeMux
	keys      *limiter
	addresses *limiter
	table     []route
	top       *Handler
}

// NewHandler returns the HTTP handler of the whole API over svc.
func NewHandler(svc Service, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.MaxImport <= 0 {
		opts.MaxImport = 32 << 20
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	top := &Handler{}
	h := &handler{svc: svc, opts: opts, mux: http.NewServeMux(), top: top,
		keys: newLimiter(opts.RateLimit, time.Now), addresses: newLimiter(opts.AddressRateLimit, time.Now)}
	h.table = h.routes()
	m := newMetrics(svc)
	errLog := transport.ErrorHandlerFunc(func(ctx context.Context, err error) {
		if matcher.ErrorCode(err) == matcher.EINTERNAL {
			opts.Logger.ErrorContext(ctx, "request failed", "err", err)
		}
	})
	for i := range h.table {
		rt := &h.table[i]
		srv := httptransport.NewServer(
			h.replaying(rt),
			func(_ context.Context, r *http.Request) (any, error) { return rt.decode(r) },
			encodeResponse,
			httptransport.ServerErrorEncoder(errorEncoder),
			httptransport.ServerErrorHandler(errLog),
		)
		var hh http.Handler = srv
		if rt.method == http.MethodPost && !rt.public() {
			hh = h.idempotent(rt, hh)
		}
		if !rt.public() {
			hh = h.authenticate(permitted(rt, hh))
		}
		h.mux.Handle(rt.method+" "+rt.path, m.instrument(rt.method+" "+rt.path, hh))
	}
	h.mux.Handle("GET /metrics", withoutQuery(m.handler()))
	doc := openAPI(h.table, opts.Version)
	h.mux.Handle("GET /openapi.json", withoutQuery(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = writeJSON(w, http.StatusOK, doc)
	})))
	h.serveDocs()
	h.serveConsole()
	h.mux.HandleFunc("/", h.noRoute)
	top.Handler = h.recoverer(h.withRequestID(h.logRequests(h.limitAddresses(h.mux))))
	return top
}

// withoutQuery refuses a request with query parameters to a route that
// takes none and is not in the table (/metrics, /openapi.json), as the
// table's routes refuse those they do not take.
func withoutQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := query(r, nil); err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// replaying serves rt, answering a request whose Idempotency-Key already
// made a change with what that change made, as it is now.
func (h *handler) replaying(rt *route) func(ctx context.Context, req any) (any, error) {
	return func(ctx context.Context, req any) (any, error) {
		resp, err := rt.serve(ctx, req)
		if err != nil {
			return resp, err
		}
		var rp *matcher.Replayed
		if r := resp.(response); rt.replay != nil && errors.As(r.err, &rp) {
			return h.replayResponse(ctx, rt, rp.Record), nil
		}
		return resp, nil
	}
}

func (h *handler) replayResponse(ctx context.Context, rt *route, rec *matcher.IdempotencyRecord) response {
	v, err := rt.replay(matcher.WithoutIdempotency(ctx), rec)
	return response{v: v, status: rt.status, err: err, replayed: err == nil}
}

// authenticate reads the Bearer key, puts the caller in the context and
// applies the caller's rate limit.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.svc.Opened() {
			errorEncoder(r.Context(), matcher.Errorf(matcher.EUNAVAILABLE, "the service is loading its state; try again shortly"), w)
			return
		}
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
		if wait, ok := h.keys.allow(p.KeyPrefix); !ok {
			tooMany(w, r, wait, "this key")
			return
		}
		ctx, cancel := context.WithTimeout(matcher.WithPrincipal(r.Context(), p), h.opts.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// permitted refuses, before anything of the request is read (its query,
// its body, its Idempotency-Key), a caller whose role may never do rt's
// action, so that it learns nothing of what the route takes. Which
// objects the caller may reach is decided by the service, from the same
// table, after decoding and before anything is read.
func permitted(rt *route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := matcher.PrincipalFrom(r.Context())
		if err := matcher.RoleMay(p.Role, rt.action); err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitAddresses applies the per-address rate limit to every request,
// before anything else is done for it.
func (h *handler) limitAddresses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if wait, ok := h.addresses.allow(host); !ok {
			tooMany(w, r, wait, "this address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, who string) {
	w.Header().Set("Retry-After", retryAfter(wait))
	errorEncoder(r.Context(), matcher.Errorf(matcher.ERATELIMITED, "too many requests from %s; retry in %s", who, wait.Round(time.Millisecond)), w)
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
		switch {
		case sw.status == http.StatusServiceUnavailable && (r.URL.Path == "/readyz" || r.URL.Path == "/healthz"):
			level = slog.LevelInfo // loading, draining or no rules: said on the health routes by design
		case sw.status >= 500:
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
				h.opts.Logger.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", v)
				errorEncoder(r.Context(), matcher.Errorf(matcher.EINTERNAL, "internal error"), w)
			}
		}()
		securityHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

// securityHeaders are set once, on every response.
func securityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
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
