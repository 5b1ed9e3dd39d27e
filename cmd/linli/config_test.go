package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestConfigLayers(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(*Config) bool
		wantErr string // a substring naming the key, "" for no error
	}{
		{"defaults", nil, nil, func(c *Config) bool {
			return c.HTTP.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.RateLimit == 50 && c.Geo.WalkMinutes == 15
		}, ""},
		{"environment", map[string]string{"LINLI_HTTP_ADDR": "127.0.0.1:9999", "LINLI_GEO_WALK_MINUTES": "10"}, nil,
			func(c *Config) bool { return c.HTTP.Addr == "127.0.0.1:9999" && c.Geo.WalkMinutes == 10 }, ""},
		{"flag beats environment", map[string]string{"LINLI_DATA_DIR": "/env"}, []string{"--data", "/flag"},
			func(c *Config) bool { return c.DataDir == "/flag" }, ""},
		{"list from environment", map[string]string{"LINLI_CATALOG_CATEGORIES": "repair, tutoring"}, nil,
			func(c *Config) bool { return len(c.Catalog.Categories) == 2 && c.Catalog.Categories[1] == "tutoring" }, ""},
		{"bad resolution", map[string]string{"LINLI_GEO_RESOLUTION": "20"}, nil, nil, "geo.resolution"},
		{"bad address", nil, []string{"--addr", "nowhere"}, nil, "http.addr"},
		{"negative rate limit", map[string]string{"LINLI_RATE_LIMIT": "-1"}, nil, nil, "rate_limit"},
		{"bad log level", map[string]string{"LINLI_LOG_LEVEL": "loud"}, nil, nil, "log.level"},
		{"bad uri", map[string]string{"LINLI_MONGODB_URI": "http://x"}, nil, nil, "mongodb.uri"},
		{"not a number", map[string]string{"LINLI_GEO_WALK_KMH": "fast"}, nil, nil, "walk_kmh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
			addConfigFlags(fs, serveFlags...)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			c, err := loadConfig(fs, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("unexpected config: %+v", c)
			}
		})
	}
}

// TestBuiltinRulesArePrivate: run away from configs/ (as the tests are),
// the rules built into the binary are read from a folder of this process
// alone — unguessable, mode 0700, removed at the end — so another local
// user cannot put rules of their own in force by writing there first.
func TestBuiltinRulesArePrivate(t *testing.T) {
	cfg, err := loadConfig(pflag.NewFlagSet("x", pflag.ContinueOnError), nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	e1, clean1, err := loadRules(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	e2, clean2, err := loadRules(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := filepath.Dir(e1.Current().Files()[0]), filepath.Dir(e2.Current().Files()[0])
	if d1 == d2 {
		t.Fatalf("two starts share the built-in rules folder %s", d1)
	}
	fi, err := os.Stat(d1)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the built-in rules folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	clean1()
	clean2()
	for _, d := range []string{d1, d2} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Fatalf("%s outlives its process's cleanup: %v", d, err)
		}
	}
}
