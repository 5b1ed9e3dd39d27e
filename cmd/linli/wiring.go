package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/rules"
	"github.com/linli/linli/transport"
)

// app is Linli wired from a config: the store (and the embedded server,
// when no MongoDB URI is given), the grid, the rules and the service.
// Every command that needs the store builds it here, the one wiring path.
type app struct {
	cfg      *Config
	logger   *slog.Logger
	embedded *mongo.Embedded
	store    *mongo.Store
	grid     *geo.Grid
	engine   *rules.Engine
	// rulesCleanup removes the private folder of the built-in rules.
	rulesCleanup func()
	svc          *matcher.Service
	storeDesc    string
	// uri and opts open the store again: a second connection, as the demo
	// seeder's.
	uri  string
	opts []mongo.Option
	// keysFile is where the demo writes its keys ("": the default).
	keysFile string
}

// openApp opens the store cfg names and a service over it, without
// loading the log (call svc.Open): the embedded store is started on its
// data folder (exposed when store.listen is set), the data key read, the
// rules loaded. A rules load that fails leaves an engine with no set in
// force and is returned as rulesErr, so that serve can start not ready
// while other commands stop.
func openApp(ctx context.Context, cfg *Config, stdout io.Writer, logger *slog.Logger) (_ *app, rulesErr error, err error) {
	a := &app{cfg: cfg, logger: logger}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	uri := cfg.MongoDB.URI
	a.storeDesc = "mongodb " + redactURI(uri)
	opts := []mongo.Option{mongo.WithLogger(logger.With("component", "store"))}
	if uri == "" {
		a.embedded, err = mongo.StartEmbedded(cfg.DataDir, cfg.Store.Listen, storeLogger(logger))
		if err != nil {
			return nil, nil, err
		}
		uri = a.embedded.URI()
		abs, _ := filepath.Abs(cfg.DataDir)
		a.storeDesc = "embedded store in " + abs
		if cfg.Store.Listen != "" {
			a.storeDesc += ", exposed at " + uri
		}
		opts = append(opts, mongo.WithEmbedded(a.embedded))
	}
	sealer, err := dataCipher(cfg, stdout)
	if err != nil {
		return nil, nil, err
	}
	a.uri, a.opts = uri, append(opts, mongo.WithCipher(sealer))
	if a.store, err = mongo.Open(ctx, uri, cfg.MongoDB.Database, a.opts...); err != nil {
		return nil, nil, err
	}
	if a.grid, err = geo.New(cfg.geo()); err != nil {
		return nil, nil, err
	}
	a.engine, a.rulesCleanup, rulesErr = loadRules(cfg, logger)
	if a.engine == nil {
		return nil, nil, rulesErr
	}
	a.svc = matcher.NewService(a.store, a.grid, a.engine, serviceConfig(cfg), matcher.WithLogger(logger))
	return a, rulesErr, nil
}

// serviceConfig is the one place a matcher.Config is made from a Config.
func serviceConfig(cfg *Config) matcher.Config {
	return matcher.Config{
		Catalog: matcher.Catalog{
			Categories:         cfg.Catalog.Categories,
			CertificationTypes: cfg.Catalog.CertificationTypes,
			Disabilities:       cfg.Catalog.Disabilities,
		},
		DefaultMaxActiveClaims:   cfg.Claims.MaxActive,
		AddressWithdrawals:       noLimitIfZero(cfg.Claims.AddressWithdrawals),
		AddressWithdrawalsWindow: cfg.Claims.AddressWithdrawalsWindow,
		PageSize:                 cfg.API.PageSize,
		MaxPageSize:              cfg.API.MaxPageSize,
		ClaimTTL:                 cfg.Claims.TTL,
		ClaimTTLByCategory:       cfg.Claims.TTLByCategory,
		WarnBefore:               cfg.Claims.WarnBefore,
		ExpiryInterval:           cfg.Claims.ExpiryCheck,
		SyncInterval:             syncInterval(cfg),
		IdempotencyTTL:           cfg.Idempotency.TTL,
		KAnonymity:               cfg.Privacy.KAnonymity,
		CloakResolution:          cfg.Privacy.CloakResolution,
		Retention:                cfg.Privacy.Retention,
		Matching:                 cfg.matching(),
		Coverage: matcher.CoverageConfig{StrainedRatio: cfg.Coverage.StrainedRatio, StrainedMinOpen: cfg.Coverage.StrainedMinOpen,
			Window: cfg.Coverage.Window},
		Evaluation: matcher.EvaluationConfig{Satisfaction: cfg.Evaluation.Satisfaction, Fulfilment: cfg.Evaluation.Fulfilment,
			Timeliness: cfg.Evaluation.Timeliness},
	}
}

// handlerOptions is the one place transport.Options are made.
func handlerOptions(cfg *Config, logger *slog.Logger) transport.Options {
	return transport.Options{
		Logger: logger, Version: version, MaxBody: cfg.HTTP.MaxBodyBytes, RequestTimeout: cfg.HTTP.RequestTimeout,
		RateLimit: cfg.RateLimit, AddressRateLimit: cfg.HTTP.AddressRateLimit,
	}
}

// syncInterval maps the setting, where 0 means never, to the Service's,
// where 0 means the default and a negative value never.
func syncInterval(cfg *Config) time.Duration {
	if cfg.Sync.Interval == 0 {
		return -1
	}
	return cfg.Sync.Interval
}

// newStore opens another connection to the app's store.
func (a *app) newStore(ctx context.Context) (*mongo.Store, error) {
	return mongo.Open(ctx, a.uri, a.cfg.MongoDB.Database, a.opts...)
}

// close closes the store, then the embedded server.
func (a *app) close() {
	if a.store != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.store.Close(cctx)
	}
	if a.embedded != nil {
		a.embedded.Close()
	}
	if a.rulesCleanup != nil {
		a.rulesCleanup()
	}
}

// openLoaded is openApp for the commands other than serve: rules must load,
// and the log is loaded before it returns.
func openLoaded(ctx context.Context, cfg *Config, stdout io.Writer, logger *slog.Logger) (*app, error) {
	a, rulesErr, err := openApp(ctx, cfg, stdout, logger)
	if err == nil && rulesErr != nil {
		a.close()
		err = rulesErr
	}
	if err != nil {
		return nil, err
	}
	if err := a.load(ctx); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// load loads the log into memory. A load makes much short-lived garbage
// (every entry decoded, by FerretDB and then by the driver) beside a
// state that only grows, so the collector runs about three times as often
// meanwhile (GOGC 35), which keeps the peak memory of a start near what
// the state needs; the memory left over is given back after. Measured on
// 1,000,000 volunteers, 100,000 residents and 100,000 wishes: peak RSS
// 1,792–1,863 MiB and 20–25 s with 35, 1,944–2,010 MiB and 19–21 s with 50.
func (a *app) load(ctx context.Context) error {
	old := debug.SetGCPercent(35)
	err := a.svc.Open(ctx)
	debug.SetGCPercent(old)
	debug.FreeOSMemory()
	return err
}

// noLimitIfZero turns a config file's 0 ("no limit") into the Service's
// negative (its 0 is "the default").
func noLimitIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
