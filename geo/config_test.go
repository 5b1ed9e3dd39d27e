package geo

import (
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	with := func(change func(*Config)) Config {
		c := DefaultConfig()
		change(&c)
		return c
	}
	tests := []struct {
		name string
		give Config
		want string // prefix of the error, "" for none
	}{
		{"defaults", DefaultConfig(), ""},
		{"coarsest", with(func(c *Config) { c.Resolution, c.CoarseResolution = 0, 0 }), ""},
		{"coarse equals fine", with(func(c *Config) { c.CoarseResolution = 9 }), ""},
		{"straight-line walking", with(func(c *Config) { c.Detour = 1 }), ""},
		{"resolution negative", with(func(c *Config) { c.Resolution = -1 }), "geo.resolution: must be 0..15"},
		{"resolution too fine", with(func(c *Config) { c.Resolution = 16 }), "geo.resolution: must be 0..15"},
		{"coarse finer than fine", with(func(c *Config) { c.CoarseResolution = 10 }), "geo.coarse_resolution: must be 0..9"},
		{"coarse negative", with(func(c *Config) { c.CoarseResolution = -1 }), "geo.coarse_resolution:"},
		{"no minutes", with(func(c *Config) { c.WalkMinutes = 0 }), "geo.walk_minutes:"},
		{"negative minutes", with(func(c *Config) { c.WalkMinutes = -15 }), "geo.walk_minutes:"},
		{"nan minutes", with(func(c *Config) { c.WalkMinutes = math.NaN() }), "geo.walk_minutes:"},
		{"infinite minutes", with(func(c *Config) { c.WalkMinutes = math.Inf(1) }), "geo.walk_minutes:"},
		{"no speed", with(func(c *Config) { c.WalkKmh = 0 }), "geo.walk_kmh:"},
		{"nan speed", with(func(c *Config) { c.WalkKmh = math.NaN() }), "geo.walk_kmh:"},
		{"detour shortens", with(func(c *Config) { c.Detour = 0.9 }), "geo.detour:"},
		{"no detour", with(func(c *Config) { c.Detour = 0 }), "geo.detour:"},
		{"nan detour", with(func(c *Config) { c.Detour = math.NaN() }), "geo.detour:"},
		{"infinite detour", with(func(c *Config) { c.Detour = math.Inf(1) }), "geo.detour:"},
		{"disk too big", with(func(c *Config) { c.Resolution = 12 }), "geo.resolution: a 15-minute circle needs"},
		{"huge circle", with(func(c *Config) { c.WalkMinutes = 1e300 }), "geo.resolution:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			_, newErr := New(tt.give)
			if tt.want == "" {
				if err != nil || newErr != nil {
					t.Fatalf("Validate() = %v, New: %v; want no error", err, newErr)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error starting %q", err, tt.want)
			}
			if newErr == nil || newErr.Error() != err.Error() {
				t.Fatalf("New() error = %v, want %v", newErr, err)
			}
		})
	}
}

func TestNewKeepsConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WalkMinutes = 20
	g := mustGrid(t, cfg)
	if g.Config() != cfg {
		t.Errorf("Config() = %+v, want %+v", g.Config(), cfg)
	}
}
