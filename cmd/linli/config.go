package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/linli/linli/configs"
	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// Config is every setting, typed. It is read from configs.Default, an
// optional --config file, LINLI_ environment variables and flags, in
// increasing priority, then validated.
type Config struct {
	HTTP struct {
		Addr             string        `mapstructure:"addr"`
		MaxBodyBytes     int64         `mapstructure:"max_body_bytes"`
		RequestTimeout   time.Duration `mapstructure:"request_timeout"`
		ShutdownTimeout  time.Duration `mapstructure:"shutdown_timeout"`
		DrainDelay       time.Duration `mapstructure:"drain_delay"`
		AddressRateLimit float64       `mapstructure:"address_rate_limit"`
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
		KAnonymity      int           `mapstructure:"k_anonymity"`
		CloakResolution int           `mapstructure:"cloak_resolution"`
		Retention       time.Duration `mapstructure:"retention"`
		RetentionEvery  time.Duration `mapstructure:"retention_every"`
	} `mapstructure:"privacy"`
	Rules         string        `mapstructure:"rules"`
	RulesReload   time.Duration `mapstructure:"rules_reload"`
	RulesRequired []string      `mapstructure:"rules_required"`
	Geo           struct {
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
		MaxActive int `mapstructure:"max_active"`
		// AddressWithdrawals within AddressWithdrawalsWindow: see matcher.Config.
		AddressWithdrawals       int                      `mapstructure:"address_withdrawals"`
		AddressWithdrawalsWindow time.Duration            `mapstructure:"address_withdrawals_window"`
		TTL                      time.Duration            `mapstructure:"ttl"`
		TTLByCategory            map[string]time.Duration `mapstructure:"ttl_by_category"`
		WarnBefore               time.Duration            `mapstructure:"warn_before"`
		ExpiryCheck              time.Duration            `mapstructure:"expiry_check"`
	} `mapstructure:"claims"`
	Matching struct {
		OfferTTL    time.Duration `mapstructure:"offer_ttl"`
		WidenAfter  time.Duration `mapstructure:"widen_after"`
		CircleSteps []float64     `mapstructure:"circle_steps"`
		Priority    struct {
			UrgentWithin time.Duration `mapstructure:"urgent_within"`
			Urgent       int           `mapstructure:"urgent"`
			AgedFrom     int           `mapstructure:"aged_from"`
			Aged         int           `mapstructure:"aged"`
			Disability   int           `mapstructure:"disability"`
			LivesAlone   int           `mapstructure:"lives_alone"`
		} `mapstructure:"priority"`
	} `mapstructure:"matching"`
	Coverage struct {
		StrainedRatio   float64       `mapstructure:"strained_ratio"`
		StrainedMinOpen int           `mapstructure:"strained_min_open"`
		Window          time.Duration `mapstructure:"window"`
	} `mapstructure:"coverage"`
	Evaluation struct {
		Satisfaction float64 `mapstructure:"satisfaction"`
		Fulfilment   float64 `mapstructure:"fulfilment"`
		Timeliness   float64 `mapstructure:"timeliness"`
	} `mapstructure:"evaluation"`
	Idempotency struct {
		TTL time.Duration `mapstructure:"ttl"`
	} `mapstructure:"idempotency"`
	Sync struct {
		Interval time.Duration `mapstructure:"interval"`
	} `mapstructure:"sync"`
	API struct {
		PageSize    int `mapstructure:"page_size"`
		MaxPageSize int `mapstructure:"max_page_size"`
	} `mapstructure:"api"`
	Log struct {
		Level  string `mapstructure:"level"`
		Format string `mapstructure:"format"`
	} `mapstructure:"log"`
	PProf struct {
		Addr string `mapstructure:"addr"`
	} `mapstructure:"pprof"`
}

// configFlag is a flag that sets a config key.
type configFlag struct {
	key, usage string
	number     bool
}

// configFlags are the flags that set config keys, by name; --config names
// a file. A command declares only those it reads.
var configFlags = map[string]configFlag{
	"addr":         {"http.addr", "listen address (default 127.0.0.1:8080)", false},
	"data":         {"data_dir", "data folder of the embedded store (default ./data)", false},
	"mongodb-uri":  {"mongodb.uri", "use this MongoDB instead of the embedded store", false},
	"rules":        {"rules", "rules files, comma-separated globs (default configs/rules/*.yaml)", false},
	"store-listen": {"store.listen", "expose the embedded store on this TCP address, for more replicas", false},
	"rate-limit":   {"rate_limit", "requests a second per API key, burst 2x and at least 1; 0 = off (default 50)", true},
}

// storeFlags are the flags of every command that opens the store.
var storeFlags = []string{"config", "data", "mongodb-uri"}

// serveFlags are serve's.
var serveFlags = []string{"config", "addr", "data", "mongodb-uri", "rules", "store-listen", "rate-limit"}

// addConfigFlags declares the named flags on fs.
func addConfigFlags(fs *pflag.FlagSet, names ...string) {
	for _, n := range names {
		if n == "config" {
			fs.String("config", "", "a YAML config file with settings to override the defaults")
			continue
		}
		f := configFlags[n]
		if f.number {
			fs.Float64(n, 0, f.usage)
		} else {
			fs.String(n, "", f.usage)
		}
	}
}

// parseConfig parses a command's flags (the config flags named, and any
// the command adds with more) and reads the configuration. After --help
// it returns pflag.ErrHelp, and errUsage for flags that do not parse.
func parseConfig(name string, args []string, env map[string]string, stderr io.Writer, flags []string, more ...func(*pflag.FlagSet)) (*Config, *pflag.FlagSet, error) {
	fs := newFlagSet(name, stderr)
	addConfigFlags(fs, flags...)
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

// newFlagSet returns a flag set whose --help prints the command's usage
// and its flags.
func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: linli %s [flags]\n\nFlags:\n%s", name, fs.FlagUsages())
	}
	return fs
}

// loadConfig reads the configuration from the layers above.
func loadConfig(fs *pflag.FlagSet, env map[string]string) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(configs.Default)); err != nil {
		return nil, fmt.Errorf("read default config: %w", err)
	}
	if path, _ := fs.GetString("config"); fs.Lookup("config") != nil && path != "" {
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
	for name, f := range configFlags {
		if fl := fs.Lookup(name); fl != nil && fl.Changed {
			if err := v.BindPFlag(f.key, fl); err != nil {
				return nil, err
			}
		}
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return nil, fmt.Errorf("config: %s", exactError(err))
	}
	if err := c.claimTTLsFromEnv(env); err != nil {
		return nil, err
	}
	return &c, c.Validate()
}

// exactError names the unknown keys viper reports in words a person
// reads, each by its whole dotted name. mapstructure says
// "'matching.priority' has invalid keys: urgnt, agd" (with an empty name
// at the top), once for each section at fault.
func exactError(err error) string {
	msg := err.Error()
	const marker = " has invalid keys: "
	if !strings.Contains(msg, marker) {
		return msg
	}
	var keys []string
	for _, m := range invalidKeys.FindAllStringSubmatch(msg, -1) {
		for _, k := range strings.Split(m[2], ",") {
			k = strings.TrimSpace(k)
			if m[1] != "" {
				k = m[1] + "." + k
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return msg
	}
	word := "key"
	if len(keys) > 1 {
		word = "keys"
	}
	return "unknown " + word + " " + strings.Join(keys, ", ") + " (misspelt? see configs/config.yaml for every key)"
}

var invalidKeys = regexp.MustCompile(`'([^']*)' has invalid keys: ([^\n*]+?)(?:$|\n|\s*\*)`)

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
	for _, cat := range slices.Sorted(maps.Keys(c.Claims.TTLByCategory)) {
		switch ttl := c.Claims.TTLByCategory[cat]; {
		case !slices.Contains(c.Catalog.Categories, cat):
			return bad("claims.ttl_by_category."+cat, "%q is not a category (misspelt?); the categories are %v", cat, c.Catalog.Categories)
		case ttl <= 0:
			return bad("claims.ttl_by_category."+cat, "must be positive, like 24h")
		}
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
	case c.HTTP.DrainDelay < 0 || c.HTTP.DrainDelay > time.Minute:
		return bad("http.drain_delay", "must be between 0 (close at once) and 1m, like 2s")
	case c.RateLimit < 0:
		return bad("rate_limit", "must be 0 (off) or positive")
	case c.HTTP.AddressRateLimit < 0:
		return bad("http.address_rate_limit", "must be 0 (off) or positive")
	case c.PProf.Addr != "" && !loopback(c.PProf.Addr):
		return bad("pprof.addr", "%q must be a loopback address such as 127.0.0.1:6060", c.PProf.Addr)
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
	case c.Claims.AddressWithdrawals < 0:
		return bad("claims.address_withdrawals", "must be 0 (no limit) or positive, like 3")
	case c.Claims.AddressWithdrawals > 0 && c.Claims.AddressWithdrawalsWindow < time.Hour:
		return bad("claims.address_withdrawals_window", "must be at least 1h, like 720h")
	case c.Claims.TTL <= 0:
		return bad("claims.ttl", "must be positive, like 72h")
	case c.Claims.WarnBefore < 0:
		return bad("claims.warn_before", "must be 0 or positive, like 12h")
	case c.Claims.ExpiryCheck <= 0:
		return bad("claims.expiry_check", "must be positive, like 5s")
	case c.Matching.OfferTTL < time.Minute:
		return bad("matching.offer_ttl", "must be at least 1m, like 24h")
	case c.Matching.WidenAfter < 0:
		return bad("matching.widen_after", "must be 0 (at once) or positive, like 48h")
	case c.Matching.Priority.UrgentWithin <= 0:
		return bad("matching.priority.urgent_within", "must be positive, like 48h")
	case c.Matching.Priority.AgedFrom < 1 || c.Matching.Priority.AgedFrom > 130:
		return bad("matching.priority.aged_from", "must be an age from 1 to 130")
	case !(c.Coverage.StrainedRatio > 0):
		return bad("coverage.strained_ratio", "must be a positive number, like 0.5")
	case c.Coverage.StrainedMinOpen < 1:
		return bad("coverage.strained_min_open", "must be at least 1")
	case c.Coverage.Window < time.Hour:
		return bad("coverage.window", "must be at least 1h, like 2160h (90 days)")
	case c.Evaluation.Satisfaction < 0 || c.Evaluation.Fulfilment < 0 || c.Evaluation.Timeliness < 0 ||
		c.Evaluation.Satisfaction+c.Evaluation.Fulfilment+c.Evaluation.Timeliness <= 0:
		return bad("evaluation", "weights must not be negative, and not all 0")
	case c.Idempotency.TTL < 24*time.Hour:
		return bad("idempotency.ttl", "must be at least 24h")
	case c.Sync.Interval < 0:
		return bad("sync.interval", "must be 0 or positive, like 1s")
	case c.Privacy.CloakResolution < c.Geo.CoarseResolution || c.Privacy.CloakResolution > c.Geo.Resolution:
		return bad("privacy.cloak_resolution", "must be between geo.coarse_resolution (%d) and geo.resolution (%d)", c.Geo.CoarseResolution, c.Geo.Resolution)
	case c.API.PageSize < 1 || c.API.MaxPageSize < c.API.PageSize:
		return bad("api.page_size", "must be at least 1 and at most api.max_page_size")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "must be debug, info, warn or error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", "must be text or json")
	}
	if err := c.geo().Validate(); err != nil {
		return fmt.Errorf("config %w", err)
	}
	if err := c.matching().Validate(c.Geo.WalkMinutes); err != nil {
		return fmt.Errorf("config %w", err)
	}
	return nil
}

func (c *Config) matching() matcher.MatchingConfig {
	m, p := &c.Matching, &c.Matching.Priority
	return matcher.MatchingConfig{
		OfferTTL: m.OfferTTL, WidenAfter: max(m.WidenAfter, time.Nanosecond), CircleSteps: append([]float64{}, m.CircleSteps...),
		Priority: matcher.PriorityConfig{UrgentWithin: p.UrgentWithin, Urgent: p.Urgent, AgedFrom: p.AgedFrom,
			Aged: p.Aged, Disability: p.Disability, LivesAlone: p.LivesAlone},
	}
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

// loopback reports whether addr is host:port on a loopback host.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
