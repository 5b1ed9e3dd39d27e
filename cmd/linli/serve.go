package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/configs"
	"github.com/linli/linli/rules"
	"github.com/linli/linli/transport"
)

// serve runs the service until ctx is done: open the store, listen (the
// API answers 503 until the log is loaded), load the log, start the
// background jobs; then drain: /readyz says 503, requests in flight
// finish, every job stops, and the store closes.
func serve(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	var demo bool
	cfg, _, err := parseConfig("serve", args, env, stderr, serveFlags, func(fs *pflag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "on an empty store, seed the demo district first (see linli demo) and print its keys")
	})
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log.Level, cfg.Log.Format, stderr)
	a, rulesErr, err := openApp(ctx, cfg, stdout, logger)
	if err != nil {
		return err
	}
	defer a.close()
	if rulesErr != nil {
		logger.Error("the rules did not load: not ready, and nothing that needs rules is allowed, until they do", "err", rulesErr)
	}
	if demo {
		if err := a.serveDemo(ctx, stdout, stderr); err != nil {
			return err
		}
	}

	handler := transport.NewHandler(a.svc, handlerOptions(cfg, logger))
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.HTTP.RequestTimeout,
		WriteTimeout:      cfg.HTTP.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	if err := a.load(ctx); err != nil {
		_ = srv.Close()
		return err
	}
	generated, err := a.svc.Bootstrap(ctx, cfg.AdminKey)
	if err != nil {
		_ = srv.Close()
		return err
	}
	jobs, stopJobs := context.WithCancel(context.Background())
	var running sync.WaitGroup
	running.Go(func() { a.svc.Run(jobs, cfg.Privacy.RetentionEvery) })
	if cfg.RulesReload > 0 {
		running.Go(func() { a.engine.Watch(jobs, cfg.RulesReload) })
	}
	if cfg.PProf.Addr != "" {
		running.Go(func() { servePProf(jobs, cfg.PProf.Addr, logger) })
	}
	defer func() { stopJobs(); running.Wait() }() // before the store closes

	if generated != "" {
		fmt.Fprintf(stdout, "first start: admin API key (shown once, stored only hashed):\n  %s\n", generated)
	}
	fmt.Fprintf(stdout, "linli %s listening on http://%s\nstore: %s\nrules: %s\n", version, ln.Addr(), a.storeDesc, rulesLine(a.engine))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// /readyz answers 503 from now on; the listener stays open a while so
	// that a load balancer polling it sees that and stops sending requests.
	handler.Drain()
	if d := cfg.HTTP.DrainDelay; d > 0 {
		fmt.Fprintf(stdout, "shutting down: /readyz answers 503; closing the listener in %s\n", d)
		select {
		case <-time.After(d):
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		}
	}
	fmt.Fprintln(stdout, "shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// rulesLine says what rules are in force, for the start-up banner.
func rulesLine(e *rules.Engine) string {
	set := e.Current()
	if set == nil {
		return "none loaded (see the error above); not ready"
	}
	return fmt.Sprintf("%d loaded from %s", set.Len(), strings.Join(set.Files(), ", "))
}

// servePProf serves Go's profiles on a loopback address until ctx is done.
func servePProf(ctx context.Context, addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	logger.Info("pprof listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("pprof", "err", err)
	}
}

// loadRules loads the rules files the config names. When the setting is
// the default and no such file exists here (linli run from another
// folder), the rules built into the binary are used, from a private
// folder that cleanup removes. The engine is returned even when the files
// do not load (with no set in force), with the error.
func loadRules(cfg *Config, logger *slog.Logger) (engine *rules.Engine, cleanup func(), err error) {
	cleanup = func() {}
	paths := splitList(cfg.Rules)
	if cfg.Rules == defaultRules && !anyMatch(paths) {
		dir, err := builtinRules()
		if err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		logger.Info("no rules files here; using the built-in defaults", "setting", cfg.Rules)
		paths = []string{filepath.Join(dir, "*.yaml")}
	}
	var required []string
	for _, n := range cfg.RulesRequired {
		if n = strings.TrimSpace(n); n != "" {
			required = append(required, n)
		}
	}
	safeguards, err := builtinSafeguards(cfg.Catalog.Categories)
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	engine, err = rules.StartEngine(paths, logger.With("component", "rules"), rules.Require(required...), safeguards)
	if engine == nil {
		cleanup()
	}
	return engine, cleanup, err
}

const defaultRules = "configs/rules/*.yaml"

// builtinSafeguards is the engine option that holds every rule set to the
// rules and safeguarding cases built into the binary, over categories: a
// set that keeps a required rule's name but denies less than the built-in
// rule of that name is refused.
func builtinSafeguards(categories []string) (rules.EngineOption, error) {
	reference, err := configs.Rules.ReadFile("rules/default.yaml")
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	cases, err := configs.Rules.ReadFile("rules/cases/default.yaml")
	if err != nil {
		return nil, fmt.Errorf("built-in safeguarding cases: %w", err)
	}
	return rules.Safeguards(reference, cases, categories), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func anyMatch(globs []string) bool {
	for _, g := range globs {
		if m, _ := filepath.Glob(g); len(m) > 0 {
			return true
		}
	}
	return false
}

// builtinRules writes the embedded default rules to a new folder that
// only this user may enter (os.MkdirTemp makes it 0700, with a name
// nobody can guess beforehand), so the rules engine reads them like any
// other files and no other local user can put rules of their own in
// force by writing there first.
func builtinRules() (string, error) {
	dir, err := os.MkdirTemp("", "linli-builtin-rules-")
	if err != nil {
		return "", fmt.Errorf("built-in rules: %w", err)
	}
	err = fs.WalkDir(configs.Rules, "rules", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") || filepath.Dir(path) != "rules" {
			return err
		}
		b, err := configs.Rules.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o600)
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("built-in rules: %w", err)
	}
	return dir, nil
}

// newLogger returns the service's logger: text or JSON, at level, every
// record of a request carrying its request id.
func newLogger(level, format string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(transport.LogHandler{Handler: h})
}

// redactURI hides a password in a MongoDB URI before it is printed.
func redactURI(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
			return scheme + "://" + user + ":***" + rest[at:]
		}
	}
	return uri
}

// storeLogger passes on only the embedded store's errors: its warnings
// (such as every driver disconnect's unsupported endSessions) and
// per-connection notes would drown the service's own log.
func storeLogger(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler().WithAttrs([]slog.Attr{slog.String("component", "embedded-store")}), slog.LevelError})
}

// minLevel is a slog.Handler that drops records below a level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}

func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
