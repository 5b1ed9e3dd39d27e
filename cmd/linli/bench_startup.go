package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// benchStartupCmd is `linli bench startup`: it fills a fresh embedded
// store through the bulk path (log entries of a thousand records, the
// documents the API writes, each wish with its events), then starts a new
// process on it, as a restart does, which reports how long it took to be
// ready and its peak memory.
func benchStartupCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench startup", stderr)
	var size districtSize
	size.flags(fs)
	dir := fs.String("data", "", "fill this data folder, which must not exist yet (default: a temporary one, removed after)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the restart to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if err := size.check(); err != nil {
		return err
	}
	data := *dir
	if data == "" {
		tmp, err := os.MkdirTemp("", "linli-bench-startup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		data = tmp + "/data"
	} else if _, err := os.Stat(data); err == nil {
		return fmt.Errorf("bench startup: --data %s exists; give a new folder", data)
	}
	fillStart := time.Now()
	written, err := size.fill(ctx, data, stdout, stderr)
	if err != nil {
		return err
	}
	fill := time.Since(fillStart)
	fmt.Fprintf(stdout, "filled in %s: %d records, %.0f a second\n", fill.Round(time.Millisecond), written, float64(written)/fill.Seconds())

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	childArgs := []string{"bench", "startup-load", "--data", data}
	if *profile != "" {
		childArgs = append(childArgs, "--cpuprofile", *profile)
	}
	cmd := exec.CommandContext(ctx, exe, childArgs...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench startup: the restart failed: %w\n%s", err, out.String())
	}
	var res struct {
		Seconds   float64 `json:"seconds"`
		PeakRSSMB float64 `json:"peak_rss_mb"`
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return fmt.Errorf("bench startup: the restart answered %q", out.String())
	}
	fmt.Fprint(stdout, out.String()[:len(out.String())-len(lines[len(lines)-1])-1])
	fmt.Fprintln(stdout)
	rate := float64(written) / res.Seconds
	fmt.Fprintf(stdout, "restart: ready in %.2f s (%.0f records a second), peak RSS %.0f MiB\n", res.Seconds, rate, res.PeakRSSMB)
	return json.NewEncoder(stdout).Encode(map[string]any{
		"records": written, "seconds": round2(res.Seconds), "records_per_s": math.Round(rate), "peak_rss_mb": math.Round(res.PeakRSSMB),
	})
}

// districtSize is the synthetic district of the benchmarks that fill a
// store.
type districtSize struct {
	volunteers, residents, wishes int
	seed                          uint64
}

func (d *districtSize) flags(fs *pflag.FlagSet) {
	fs.IntVar(&d.volunteers, "volunteers", 1_000_000, "volunteers in the district")
	fs.IntVar(&d.residents, "residents", 100_000, "residents")
	fs.IntVar(&d.wishes, "wishes", 100_000, "wishes, each with its events")
	fs.Uint64Var(&d.seed, "seed", 1, "seed of the district")
}

func (d *districtSize) check() error {
	if d.volunteers < 0 || d.residents < 1 || d.wishes < 0 {
		return fmt.Errorf("bench: --residents must be positive and the others not negative")
	}
	return nil
}

// fill writes the district into a new embedded store in data.
func (d *districtSize) fill(ctx context.Context, data string, stdout, stderr io.Writer) (int, error) {
	grid, err := geo.New(geo.DefaultConfig())
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "filling %s: %d volunteers, %d residents, %d wishes\n", data, d.volunteers, d.residents, d.wishes)
	return fillDistrict(ctx, data, grid, d.seed, d.volunteers, d.residents, d.wishes, stdout, stderr)
}

// fillDistrict writes a synthetic district into a new embedded store in
// dir and returns how many records and events it wrote.
func fillDistrict(ctx context.Context, dir string, grid *geo.Grid, seed uint64, volunteers, residents, wishes int, stdout, stderr io.Writer) (int, error) {
	emb, st, err := openBenchStore(ctx, dir, stderr)
	if err != nil {
		return 0, err
	}
	defer emb.Close()
	defer st.Close(context.WithoutCancel(ctx))
	if err := st.Load(ctx, func(*matcher.Change) {}); err != nil {
		return 0, err
	}
	d := newBenchDistrict(grid, seed, time.Now().UTC().Truncate(time.Millisecond))
	w := &benchWriter{ctx: ctx, store: st, out: stdout, started: time.Now(), last: time.Now()}
	for _, step := range []struct {
		what string
		fn   func() error
	}{
		{"district", func() error { return d.tree(w, 10, 10) }},
		{"volunteers", func() error { return d.volunteersOf(w, volunteers) }},
		{"residents", func() error { return d.residentsOf(w, residents) }},
		{"wishes", func() error { return d.wishesOf(w, wishes) }},
	} {
		w.what = step.what
		if err := step.fn(); err != nil {
			return w.written, err
		}
	}
	return w.written, w.flush()
}

// benchStartupLoad is the restart of `linli bench startup`: it starts the
// service's store and state on the data folder, exactly as serve does,
// and prints how long it took and its peak memory.
func benchStartupLoad(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("bench startup-load", stderr)
	dir := fs.String("data", "", "the data folder")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile, once loaded, to this file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg, err := loadConfig(newFlagSet("x", io.Discard), map[string]string{
		"LINLI_DATA_DIR": *dir, "LINLI_DATA_KEY": benchDataKey, "LINLI_LOG_LEVEL": "info", "LINLI_RULES": env["LINLI_RULES"]})
	if env["LINLI_RULES"] == "" {
		cfg, err = loadConfig(newFlagSet("x", io.Discard), map[string]string{
			"LINLI_DATA_DIR": *dir, "LINLI_DATA_KEY": benchDataKey, "LINLI_LOG_LEVEL": "info"})
	}
	if err != nil {
		return err
	}
	a, err := openLoaded(ctx, cfg, io.Discard, newLogger("info", "text", stdout))
	if err != nil {
		return err
	}
	took := time.Since(start)
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			return err
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
		f.Close()
	}
	a.close()
	return json.NewEncoder(stdout).Encode(map[string]any{"seconds": took.Seconds(), "peak_rss_mb": peakRSS()})
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
