package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/linli/linli/configs"
	"github.com/linli/linli/geo"
)

// Config is every setting, typed. It is read from configs.Default, an
// optional --config file, LINLI_ environment variables and flags, in
// increasing priority, then validated.
type Config struct {
	HTTP struct {
		Addr            string        `mapstructure:"addr"`
		MaxBodyBytes    int64         `mapstructure:"max_body_bytes"`
		RequestTimeout  time.Duration `mapstructure:"request_timeout"`
		ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	} `mapstructure:"http"`
	RateLimit float64 `mapstructure:"rate_limit"`
	DataDir   string  `mapstructure:"data_dir"`
	MongoDB   struct {
		URI      string `mapstructure:"uri"`
		Database string `mapstructure:"database"`
	} `mapstructure:"mongodb"`
	Store struct {
		Listen string `mapstructure:"listen"`
	} `mapstructure:"store"`
	AdminKey    string   `mapstructure:"admin_key"`
	DataKey     string   `mapstructure:"data_key"`
	DataKeysOld []string `mapstructure:"data_keys_old"`
	Privacy     struct {
		KAnonymity     int           `mapstructure:"k_anonymity"`
		Retention      time.Duration `mapstructure:"retention"`
		RetentionEvery time.Duration `mapstructure:"retention_every"`
	} `mapstructure:"privacy"`
	Rules       string        `mapstructure:"rules"`
	RulesReload time.Duration `mapstructure:"rules_reload"`
	Geo         struct {
		Resolution       int     `mapstructure:"resolution"`
		CoarseResolution int     `mapstructure:"coarse_resolution"`
		WalkMinutes      float64 `mapstructure:"walk_minutes"`
		WalkKmh          float64 `mapstructure:"walk_kmh"`
		Detour           float64 `mapstructure:"detour"`
	} `mapstructure:"geo"`
	Catalog struct {
		Categories         []string `mapstructure:"categories"`
		CertificationTypes []string `mapstructure:"certification_types"`
		Disabilities       []string `mapstructure:"disabilities"`
	} `mapstructure:"catalog"`
	Claims struct {
		MaxActive     int                      `mapstructure:"max_active"`
		TTL           time.Duration            `mapstructure:"ttl"`
		TTLByCategory map[string]time.Duration `mapstructure:"ttl_by_category"`
		WarnBefore    time.Duration            `mapstructure:"warn_before"`
		ExpiryCheck   time.Duration            `mapstructure:"expiry_check"`
	} `mapstructure:"claims"`
	Idempotency struct {
		TTL time.Duration `mapstructure:"ttl"`
	} `mapstructure:"idempotency"`
	Sync struct {
		Interval time.Duration `mapstructure:"interval"`
		Skew     time.Duration `mapstructure:"skew"`
	} `mapstructure:"sync"`
	API struct {
		PageSize    int `mapstructure:"page_size"`
		MaxPageSize int `mapstructure:"max_page_size"`
	} `mapstructure:"api"`
	Log struct {
		Level string `mapstructure:"level"`
	} `mapstructure:"log"`
}

// flagKeys names the config key each serve flag sets.
var flagKeys = map[string]string{
	"addr":         "http.addr",
	"data":         "data_dir",
	"mongodb-uri":  "mongodb.uri",
	"rules":        "rules",
	"store-listen": "store.listen",
	"rate-limit":   "rate_limit",
}

// addConfigFlags declares the flags every command that reads config has.
func addConfigFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "a YAML config file with settings to override the defaults")
	fs.String("addr", "", "listen address (default 127.0.0.1:8080)")
	fs.String("data", "", "data folder of the embedded store (default ./data)")
	fs.String("mongodb-uri", "", "use this MongoDB instead of the embedded store")
	fs.String("rules", "", "rules files, comma-separated globs (default configs/rules/*.yaml)")
	fs.String("store-listen", "", "expose the embedded store on this TCP address")
	fs.Float64("rate-limit", 0, "requests a second per API key, burst 2x; 0 = off (default 50)")
}

// parseConfig parses a command's flags (the config flags and any the
// command adds with more) and reads the configuration. After --help it
// returns pflag.ErrHelp, and errUsage for flags that do not parse.
func parseConfig(name string, args []string, env map[string]string, stderr io.Writer, more ...func(*pflag.FlagSet)) (*Config, *pflag.FlagSet, error) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	addConfigFlags(fs)
	for _, m := range more {
		m(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, fs, err
		}
		fmt.Fprintf(stderr, "linli %s: %v (see linli %s --help)\n", name, err, name)
		return nil, fs, errUsage
	}
	cfg, err := loadConfig(fs, env)
	return cfg, fs, err
}

// loadConfig reads the configuration from the layers above.
func loadConfig(fs *pflag.FlagSet, env map[string]string) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(configs.Default)); err != nil {
		return nil, fmt.Errorf("read default config: %w", err)
	}
	if path, _ := fs.GetString("config"); path != "" {
		v.SetConfigFile(path)
		if err := v.MergeInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	fromEnv := map[string]any{}
	for _, key := range v.AllKeys() {
		name := "LINLI_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		if val, ok := env[name]; ok {
			setNested(fromEnv, key, envValue(v.Get(key), val))
		}
	}
	if err := v.MergeConfigMap(fromEnv); err != nil {
		return nil, fmt.Errorf("read environment: %w", err)
	}
	for name, key := range flagKeys {
		if f := fs.Lookup(name); f != nil && f.Changed {
			if err := v.BindPFlag(key, f); err != nil {
				return nil, err
			}
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.claimTTLsFromEnv(env); err != nil {
		return nil, err
	}
	return &c, c.Validate()
}

// envValue splits list settings given in the environment on commas.
func envValue(current any, val string) any {
	if _, ok := current.([]any); ok {
		parts := strings.Split(val, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	return val
}

func setNested(m map[string]any, key string, val any) {
	head, rest, nested := strings.Cut(key, ".")
	if !nested {
		m[head] = val
		return
	}
	sub, ok := m[head].(map[string]any)
	if !ok {
		sub = map[string]any{}
		m[head] = sub
	}
	setNested(sub, rest, val)
}

// Validate returns an error naming the first key with a wrong value.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...))
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", "%q is not host:port", c.HTTP.Addr)
	}
	if c.Store.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Store.Listen); err != nil {
			return bad("store.listen", "%q is not host:port", c.Store.Listen)
		}
	}
	switch {
	case c.HTTP.MaxBodyBytes < 1024 || c.HTTP.MaxBodyBytes > 64<<20:
		return bad("http.max_body_bytes", "must be between 1024 and 67108864")
	case c.HTTP.RequestTimeout <= 0:
		return bad("http.request_timeout", "must be positive, like 30s")
	case c.HTTP.ShutdownTimeout <= 0:
		return bad("http.shutdown_timeout", "must be positive, like 15s")
	case c.RateLimit < 0:
		return bad("rate_limit", "must be 0 (off) or positive")
	case c.MongoDB.URI == "" && c.DataDir == "":
		return bad("data_dir", "is required when mongodb.uri is empty")
	case c.MongoDB.URI != "" && !strings.HasPrefix(c.MongoDB.URI, "mongodb://") && !strings.HasPrefix(c.MongoDB.URI, "mongodb+srv://"):
		return bad("mongodb.uri", "must start with mongodb:// or mongodb+srv://")
	case c.MongoDB.URI != "" && c.Store.Listen != "":
		return bad("store.listen", "exposes the embedded store, which does not run when mongodb.uri is set")
	case c.MongoDB.Database == "" || strings.ContainsAny(c.MongoDB.Database, "/\\. \"$"):
		return bad("mongodb.database", "must be a plain name")
	case strings.TrimSpace(c.Rules) == "":
		return bad("rules", "is required")
	case c.RulesReload < 0:
		return bad("rules_reload", "must be 0 (never) or positive")
	case len(c.Catalog.Categories) == 0:
		return bad("catalog.categories", "needs at least one category")
	case len(c.Catalog.CertificationTypes) == 0:
		return bad("catalog.certification_types", "needs at least one type")
	case c.Privacy.KAnonymity < 1:
		return bad("privacy.k_anonymity", "must be at least 1")
	case c.Privacy.Retention < 24*time.Hour:
		return bad("privacy.retention", "must be at least 24h, like 4320h (180 days)")
	case c.Privacy.RetentionEvery < 0:
		return bad("privacy.retention_every", "must be 0 (never) or positive, like 1h")
	case c.Claims.MaxActive < 1:
		return bad("claims.max_active", "must be at least 1")
	case c.Claims.TTL <= 0:
		return bad("claims.ttl", "must be positive, like 72h")
	case c.Claims.WarnBefore < 0:
		return bad("claims.warn_before", "must be 0 or positive, like 12h")
	case c.Claims.ExpiryCheck <= 0:
		return bad("claims.expiry_check", "must be positive, like 5s")
	case c.Idempotency.TTL < 24*time.Hour:
		return bad("idempotency.ttl", "must be at least 24h")
	case c.Sync.Interval < 0 || c.Sync.Skew < 0:
		return bad("sync.interval", "and sync.skew must be 0 or positive")
	case c.API.PageSize < 1 || c.API.MaxPageSize < c.API.PageSize:
		return bad("api.page_size", "must be at least 1 and at most api.max_page_size")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "must be debug, info, warn or error")
	}
	if err := c.geo().Validate(); err != nil {
		return fmt.Errorf("config %w", err)
	}
	return nil
}

func (c *Config) geo() geo.Config {
	return geo.Config{
		Resolution:       c.Geo.Resolution,
		CoarseResolution: c.Geo.CoarseResolution,
		WalkMinutes:      c.Geo.WalkMinutes,
		WalkKmh:          c.Geo.WalkKmh,
		Detour:           c.Geo.Detour,
	}
}

// claimTTLsFromEnv reads LINLI_CLAIMS_TTL_BY_CATEGORY, such as
// "medical_escort=24h,repair=48h", over claims.ttl_by_category: a map has
// no keys for the generic environment lookup to find.
func (c *Config) claimTTLsFromEnv(env map[string]string) error {
	val, ok := env["LINLI_CLAIMS_TTL_BY_CATEGORY"]
	if !ok {
		return nil
	}
	m := map[string]time.Duration{}
	for _, part := range splitList(val) {
		cat, d, ok := strings.Cut(part, "=")
		ttl, err := time.ParseDuration(strings.TrimSpace(d))
		if !ok || err != nil || ttl <= 0 {
			return fmt.Errorf("config claims.ttl_by_category: %q is not category=duration", part)
		}
		m[strings.TrimSpace(cat)] = ttl
	}
	c.Claims.TTLByCategory = m
	return nil
}
