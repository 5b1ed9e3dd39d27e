package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/transport"
)

// scaleOps are the requests `linli bench scale` times, in report order.
var scaleOps = []string{"add_wish", "read_late_wish", "claim", "withdraw", "list_first_page", "list_deep_page", "events", "candidates", "near"}

// benchScaleCmd is `linli bench scale`: one embedded store grown in steps
// (every step through the bulk path), and at each size every kind of
// request timed over loopback HTTP through the real handler.
func benchScaleCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench scale", stderr)
	sizesFlag := fs.String("sizes", "1000,10000,100000", "wishes (and as many residents) at each step, comma-separated, growing")
	volunteers := fs.Int("volunteers", 1_000_000, "volunteers, written before the first step")
	requests := fs.Int("requests", 200, "requests of each kind at each size")
	seed := fs.Uint64("seed", 1, "seed of the district")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var sizes []int
	for _, s := range splitList(*sizesFlag) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || len(sizes) > 0 && n <= sizes[len(sizes)-1] {
			return fmt.Errorf("bench scale: --sizes must be growing positive numbers, like 1000,10000,100000")
		}
		sizes = append(sizes, n)
	}
	if *requests < 10 {
		return fmt.Errorf("bench scale: --requests must be at least 10")
	}
	tmp, err := os.MkdirTemp("", "linli-bench-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b, err := newScaleBench(ctx, tmp, *seed, stdout, stderr)
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Fprintf(stdout, "writing %d volunteers\n", *volunteers)
	if err := b.grow(func(w *benchWriter) error {
		if err := b.d.tree(w, 10, 10); err != nil {
			return err
		}
		return b.d.volunteersOf(w, *volunteers)
	}); err != nil {
		return err
	}
	if err := b.keys(); err != nil {
		return err
	}
	results := map[string][][]time.Duration{}
	for _, size := range sizes {
		more := size - len(b.d.wishes)
		fmt.Fprintf(stdout, "growing to %d wishes and residents\n", size)
		if err := b.grow(func(w *benchWriter) error {
			if err := b.d.residentsOf(w, size-len(b.d.residents)); err != nil {
				return err
			}
			return b.d.wishesOf(w, more)
		}); err != nil {
			return err
		}
		lat, err := b.measure(*requests)
		if err != nil {
			return err
		}
		for _, op := range scaleOps {
			results[op] = append(results[op], lat[op])
		}
	}
	return reportScale(stdout, sizes, results)
}

// scaleBench is the service under `linli bench scale`.
type scaleBench struct {
	ctx    context.Context
	a      *app
	srv    *httptest.Server
	d      *benchDistrict
	out    io.Writer
	admin  context.Context
	social string // a social worker key of the district
	coord  string
	volKey string
}

func newScaleBench(ctx context.Context, dir string, seed uint64, stdout, stderr io.Writer) (*scaleBench, error) {
	cfg, err := loadConfig(newFlagSet("x", io.Discard), map[string]string{"LINLI_DATA_DIR": dir + "/data", "LINLI_DATA_KEY": benchDataKey,
		"LINLI_RATE_LIMIT": "0", "LINLI_HTTP_ADDRESS_RATE_LIMIT": "0", "LINLI_LOG_LEVEL": "error"})
	if err != nil {
		return nil, err
	}
	logger := newLogger("error", "text", stderr)
	a, err := openLoaded(ctx, cfg, io.Discard, logger)
	if err != nil {
		return nil, err
	}
	b := &scaleBench{ctx: ctx, a: a, out: stdout, d: newBenchDistrict(a.grid, seed, time.Now().UTC().Truncate(time.Millisecond))}
	b.srv = httptest.NewServer(transport.NewHandler(a.svc, handlerOptions(cfg, logger)))
	return b, nil
}

func (b *scaleBench) close() {
	b.srv.Close()
	b.a.close()
}

// grow writes through the bulk path; the service applies what is written.
func (b *scaleBench) grow(fill func(*benchWriter) error) error {
	w := &benchWriter{ctx: b.ctx, store: b.a.store, out: b.out, started: time.Now(), last: time.Now(), what: "records"}
	if err := fill(w); err != nil {
		return err
	}
	return w.flush()
}

// keys makes the keys the requests use.
func (b *scaleBench) keys() error {
	const admin = "lnl_bench-admin-key-0123456789abcdef"
	if _, err := b.a.svc.Bootstrap(b.ctx, admin); err != nil {
		return err
	}
	b.admin = matcher.WithPrincipal(b.ctx, matcher.Principal{Role: matcher.RoleAdmin, KeyPrefix: admin[:12]})
	key := func(role, subject string) (string, error) {
		k, err := b.a.svc.CreateAPIKey(b.admin, matcher.APIKeyInput{Role: role, SubjectID: subject})
		if err != nil {
			return "", err
		}
		return k.Key, nil
	}
	var err error
	if b.social, err = key(matcher.RoleSocialWorker, b.d.root); err != nil {
		return err
	}
	if b.coord, err = key(matcher.RoleCoordinator, b.d.root); err != nil {
		return err
	}
	b.volKey, err = key(matcher.RoleVolunteer, b.d.volunteers[0])
	return err
}

// call sends one request and returns its duration and answer.
func (b *scaleBench) call(method, path, key string, body any) (time.Duration, int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequestWithContext(b.ctx, method, b.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return took, resp.StatusCode, m, nil
}

// measure times n requests of every kind at the current size.
func (b *scaleBench) measure(n int) (map[string][]time.Duration, error) {
	lat := map[string][]time.Duration{}
	d := b.d
	must := func(op string, want int, method, path, key string, body any) (map[string]any, error) {
		took, status, m, err := b.call(method, path, key, body)
		if err != nil {
			return nil, err
		}
		if status != want {
			return nil, fmt.Errorf("bench scale: %s %s: %d, want %d: %v", method, path, status, want, m)
		}
		if op != "" {
			lat[op] = append(lat[op], took)
		}
		return m, nil
	}
	var added []string
	for range n {
		r := d.residents[d.rnd.IntN(len(d.residents))]
		m, err := must("add_wish", http.StatusCreated, "POST", "/v1/wishes", b.social, map[string]any{
			"resident_id": r.id, "category": "repair", "title": "Fix the door", "needs": map[string]any{"skills": []string{}},
			"due_at": time.Now().Add(240 * time.Hour).UTC().Format(time.RFC3339), "allow_duplicate": true})
		if err != nil {
			return nil, err
		}
		added = append(added, m["id"].(string))
	}
	for i := range n {
		if _, err := must("read_late_wish", http.StatusOK, "GET", "/v1/wishes/"+added[len(added)-1-i%len(added)], b.social, nil); err != nil {
			return nil, err
		}
	}
	for i := range n { // claim a fresh wish as a volunteer who may serve it, then give it back
		id := added[i]
		m, err := must("", http.StatusOK, "GET", "/v1/wishes/"+id+"/candidates?limit=1", b.coord, nil)
		if err != nil {
			return nil, err
		}
		cands := m["candidates"].([]any)
		if len(cands) == 0 {
			continue
		}
		v := cands[0].(map[string]any)
		k, err := b.a.svc.CreateAPIKey(b.admin, matcher.APIKeyInput{Role: v["kind"].(string), SubjectID: v["id"].(string)})
		if err != nil {
			return nil, err
		}
		claim, err := must("claim", http.StatusCreated, "POST", "/v1/wishes/"+id+"/claims", k.Key, nil)
		if err != nil {
			return nil, err
		}
		if _, err := must("withdraw", http.StatusOK, "POST", "/v1/wishes/"+id+"/claims/"+claim["id"].(string)+"/withdraw", k.Key, nil); err != nil {
			return nil, err
		}
	}
	middle := d.wishes[len(d.wishes)/2]
	for range n {
		if _, err := must("list_first_page", http.StatusOK, "GET", "/v1/wishes?limit=50", b.social, nil); err != nil {
			return nil, err
		}
		if _, err := must("list_deep_page", http.StatusOK, "GET", "/v1/wishes?limit=50&after="+middle, b.social, nil); err != nil {
			return nil, err
		}
	}
	for range n {
		id := d.wishes[d.rnd.IntN(len(d.wishes))]
		if _, err := must("events", http.StatusOK, "GET", "/v1/wishes/"+id+"/events", b.social, nil); err != nil {
			return nil, err
		}
	}
	for i := range n {
		if _, err := must("candidates", http.StatusOK, "GET", "/v1/wishes/"+added[i]+"/candidates?limit=20", b.coord, nil); err != nil {
			return nil, err
		}
	}
	for range n {
		r := d.residents[d.rnd.IntN(len(d.residents))]
		q := fmt.Sprintf("/v1/wishes?near=%.6f,%.6f&limit=20", r.loc.Lat, r.loc.Lng)
		if _, err := must("near", http.StatusOK, "GET", q, b.volKey, nil); err != nil {
			return nil, err
		}
	}
	return lat, nil
}

// quantile returns the q-quantile of ds in milliseconds.
func quantile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return math.NaN()
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / 1e6
}

func reportScale(w io.Writer, sizes []int, results map[string][][]time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "operation\t"
	for _, s := range sizes {
		head += fmt.Sprintf("p50 @%d\tp99 @%d\t", s, s)
	}
	fmt.Fprintln(tw, head+"p50 ratio\tp99 ratio\t")
	type opResult struct {
		P50   []float64 `json:"p50_ms"`
		P99   []float64 `json:"p99_ms"`
		Ratio float64   `json:"ratio_p99"`
		R50   float64   `json:"ratio_p50"`
	}
	ops := map[string]opResult{}
	for _, op := range scaleOps {
		var r opResult
		row := op + "\t"
		for _, lat := range results[op] {
			p50, p99 := quantile(lat, 0.5), quantile(lat, 0.99)
			r.P50, r.P99 = append(r.P50, round3(p50)), append(r.P99, round3(p99))
			row += fmt.Sprintf("%.2f ms\t%.2f ms\t", p50, p99)
		}
		r.Ratio = round3(r.P99[len(r.P99)-1] / r.P99[0])
		r.R50 = round3(r.P50[len(r.P50)-1] / r.P50[0])
		ops[op] = r
		fmt.Fprintln(tw, row+fmt.Sprintf("%.2f\t%.2f\t", r.R50, r.Ratio))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "ratios are largest size over smallest (%d / %d wishes)\n", sizes[len(sizes)-1], sizes[0])
	return json.NewEncoder(w).Encode(map[string]any{"sizes": sizes, "ops": ops})
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

var _ = geo.Point{}
var _ = strings.TrimSpace
