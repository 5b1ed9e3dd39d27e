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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/configs"
	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/rules"
	"github.com/linli/linli/transport"
)

// serve runs the service until ctx is done, then shuts down gracefully:
// stop accepting, drain requests in flight, close the store.
func serve(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("serve", args, env, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log.Level, stderr)

	uri, storeDesc := cfg.MongoDB.URI, "mongodb "+redactURI(cfg.MongoDB.URI)
	if uri == "" {
		emb, err := mongo.StartEmbedded(cfg.DataDir, cfg.Store.Listen, storeLogger(logger))
		if err != nil {
			return err
		}
		defer emb.Close()
		uri = emb.URI()
		abs, _ := filepath.Abs(cfg.DataDir)
		storeDesc = "embedded store in " + abs
		if cfg.Store.Listen != "" {
			storeDesc += ", exposed at " + uri
		}
	}
	sealer, err := dataCipher(cfg, stdout)
	if err != nil {
		return err
	}
	store, err := mongo.Open(ctx, uri, cfg.MongoDB.Database, mongo.WithCipher(sealer))
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = store.Close(cctx)
	}()

	grid, err := geo.New(cfg.geo())
	if err != nil {
		return err
	}
	engine, err := loadRules(cfg.Rules, logger)
	if err != nil {
		return err
	}
	if cfg.RulesReload > 0 {
		go engine.Watch(ctx, cfg.RulesReload)
	}
	svc := matcher.NewService(store, grid, engine, matcher.Config{
		Catalog: matcher.Catalog{
			Categories:         cfg.Catalog.Categories,
			CertificationTypes: cfg.Catalog.CertificationTypes,
			Disabilities:       cfg.Catalog.Disabilities,
		},
		DefaultMaxActiveClaims: cfg.Claims.MaxActive,
		PageSize:               cfg.API.PageSize,
		MaxPageSize:            cfg.API.MaxPageSize,
		ClaimTTL:               cfg.Claims.TTL,
		ClaimTTLByCategory:     cfg.Claims.TTLByCategory,
		WarnBefore:             cfg.Claims.WarnBefore,
		ExpiryInterval:         cfg.Claims.ExpiryCheck,
		SyncInterval:           syncInterval(cfg),
		SyncSkew:               cfg.Sync.Skew,
		IdempotencyTTL:         cfg.Idempotency.TTL,
		KAnonymity:             cfg.Privacy.KAnonymity,
		Retention:              cfg.Privacy.Retention,
	}, matcher.WithLogger(logger))
	if err := svc.Open(ctx); err != nil {
		return err
	}
	jobs, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { svc.Run(jobs); close(jobsDone) }()
	defer func() { stopJobs(); <-jobsDone }() // before the store closes
	generated, err := svc.Bootstrap(ctx, cfg.AdminKey)
	if err != nil {
		return err
	}
	if cfg.Privacy.RetentionEvery > 0 {
		go svc.RunRetention(ctx, cfg.Privacy.RetentionEvery)
	}
	if generated != "" {
		fmt.Fprintf(stdout, "first start: admin API key (shown once, stored only hashed):\n  %s\n", generated)
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler: transport.NewHandler(svc, transport.Options{
			Logger: logger, Version: version, MaxBody: cfg.HTTP.MaxBodyBytes,
			RequestTimeout: cfg.HTTP.RequestTimeout, RateLimit: cfg.RateLimit,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.HTTP.RequestTimeout,
		WriteTimeout:      cfg.HTTP.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "linli %s listening on http://%s\nstore: %s\nrules: %d loaded from %s\n",
		version, ln.Addr(), storeDesc, len(engine.Current().Rules()), strings.Join(engine.Current().Files(), ", "))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// loadRules loads the rules files the setting names. When the setting is
// the default and no such file exists here (linli run from another
// folder), the rules built into the binary are used.
func loadRules(setting string, logger *slog.Logger) (*rules.Engine, error) {
	paths := splitList(setting)
	if setting == defaultRules && !anyMatch(paths) {
		dir, err := builtinRules()
		if err != nil {
			return nil, err
		}
		logger.Info("no rules files here; using the built-in defaults", "setting", setting)
		paths = []string{filepath.Join(dir, "*.yaml")}
	}
	return rules.NewEngine(paths, logger.With("component", "rules"))
}

const defaultRules = "configs/rules/*.yaml"

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

// builtinRules writes the embedded default rules to a folder of their
// own under the system's temporary folder, named after this binary's
// version, so the rules engine reads them like any other files and
// repeated starts reuse one folder.
func builtinRules() (string, error) {
	dir := filepath.Join(os.TempDir(), "linli-builtin-rules-"+version)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("built-in rules: %w", err)
	}
	err := fs.WalkDir(configs.Rules, "rules", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") || filepath.Dir(path) != "rules" {
			return err
		}
		b, err := configs.Rules.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o600)
	})
	return dir, err
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
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

// syncInterval maps the setting, where 0 means never, to the Service's,
// where 0 means the default and a negative value never. An embedded store
// that is not exposed has no other writer to follow, so there it is never:
// FerretDB reads the whole events collection for each poll, since it
// pushes no filter but one on _id down to SQLite.
func syncInterval(cfg *Config) time.Duration {
	if cfg.Sync.Interval == 0 || (cfg.MongoDB.URI == "" && cfg.Store.Listen == "") {
		return -1
	}
	return cfg.Sync.Interval
}

// storeLogger passes on only the embedded store's errors: its warnings
// (such as every driver disconnect's unsupported endSessions) and
// per-connection notes would drown the service's own log.
func storeLogger(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler().WithAttrs([]slog.Attr{slog.String("component", "store")}), slog.LevelError})
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
