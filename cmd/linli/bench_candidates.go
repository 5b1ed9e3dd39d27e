package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// benchCandidatesCmd is `linli bench candidates`: the candidate search on
// a synthetic city, in process, with its data set exportable for a peer.
func benchCandidatesCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench candidates", stderr)
	var c benchCity
	fs.IntVar(&c.volunteers, "volunteers", 1_000_000, "volunteers in the city")
	fs.IntVar(&c.wishes, "wishes", 10_000, "wishes, one query each")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the city")
	export := fs.String("export", "", "write volunteers.csv, wishes.csv and answers.csv to this folder")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed queries to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if c.volunteers < 1 || c.wishes < 1 {
		return fmt.Errorf("bench: --volunteers and --wishes must be positive")
	}
	return benchCandidates(&c, *export, stdout)
}

// benchNow is the bench's clock: ages and expiries are relative to it.
var benchNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// Bench city: API-CONTRACT.md, "Benchmarks".
const (
	benchLat, benchLng = 30.27, 120.15
	benchSideMeters    = 40_000
	benchLimit         = 20
)

// benchRules is eligibility as the benchmark defines it, as a rules file.
const benchRules = `rules:
  - name: adults-only
    require: supplier.age >= 18
    explain: Only adults serve in the benchmark.
  - name: minors-need-safeguarding
    when: resident.age < 18
    require: '"child_safeguarding" in supplier.certifications'
    explain: A minor is served only by a volunteer with a valid child-safeguarding check.
`

var benchSkills = []string{"repair", "cooking", "tutoring", "driving", "listening"}

type benchCity struct {
	volunteers, wishes int
	seed               uint64
	side               float64 // metres; 0: benchSideMeters
	grid               *geo.Grid
	index              *index.Index
	vols               []benchVolunteer
	wishPts            []geo.Point
	cpuProfile         string
}

// benchVolunteer is what the export needs of a volunteer.
type benchVolunteer struct {
	lat, lng float64
	age      int
	certs    []string
}

func benchVolID(i int) string  { return fmt.Sprintf("vol_%07d", i) }
func benchWishID(i int) string { return fmt.Sprintf("wsh_%06d", i) }

// point draws a point uniformly over the city's square.
func (c *benchCity) point(r *rand.Rand) geo.Point {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	side := c.side
	if side == 0 {
		side = benchSideMeters
	}
	dy := (r.Float64() - 0.5) * side
	dx := (r.Float64() - 0.5) * side
	return geo.Point{Lat: benchLat + dy/mPerDeg, Lng: benchLng + dx/(mPerDeg*math.Cos(benchLat*math.Pi/180))}
}

// build generates the city and indexes it as the service does.
func (c *benchCity) build(certTypes []string) {
	r := c.buildVolunteers(certTypes)
	c.wishPts = make([]geo.Point, c.wishes)
	for i := range c.wishPts {
		p := c.point(r)
		age := 6 + r.IntN(12)
		res := fmt.Sprintf("rsd_%06d", i)
		c.index.PutResident(res, &index.Resident{BirthDate: fmt.Sprintf("%d-01-01", benchNow.Year()-age)})
		c.index.PutWish(&index.Wish{ID: benchWishID(i), Resident: res, Point: p, Cell: c.grid.Cell(p),
			Category: "tutoring", DueAt: benchNow.Add(7 * 24 * time.Hour)})
		c.wishPts[i] = p
	}
}

// rng returns the city's k-th random source.
func (c *benchCity) rng(k uint64) *rand.Rand { return rand.New(rand.NewPCG(c.seed, 0x6c696e6c69+k)) }

// buildVolunteers makes the index and the volunteers, and returns the
// random source the wishes are drawn from next.
func (c *benchCity) buildVolunteers(certTypes []string) *rand.Rand {
	r := rand.New(rand.NewPCG(c.seed, 0x6c696e6c69))
	c.index = index.New(c.grid)
	c.vols = make([]benchVolunteer, c.volunteers)
	for i := range c.vols {
		p := c.point(r)
		bv := benchVolunteer{lat: p.Lat, lng: p.Lng, age: 16 + r.IntN(65)}
		v := &index.Supplier{Party: index.Party{Kind: index.Volunteer, ID: benchVolID(i)}, AnyCategory: true,
			Points: []geo.Point{p}, Cells: []geo.Cell{c.grid.Cell(p)}, BirthDate: fmt.Sprintf("%d-01-01", benchNow.Year()-bv.age)}
		for _, t := range certTypes {
			if r.Float64() < 0.3 {
				bv.certs = append(bv.certs, t)
				v.Certs = append(v.Certs, index.Cert{Type: t, Until: benchNow.AddDate(1, 0, 0)})
			}
		}
		for _, s := range benchSkills {
			if r.Float64() < 0.3 {
				v.Skills = append(v.Skills, s)
			}
		}
		c.index.PutSupplier(v)
		c.vols[i] = bv
	}
	return r
}

// benchRun is the outcome of one pass over every wish.
type benchRun struct {
	answers   [][]index.Candidate
	latencies []time.Duration
	total     time.Duration
	scanned   int
	evaluated int
	reused    int
	deciding  time.Duration
}

// run queries every wish once, on one goroutine.
func (c *benchCity) run(set *rules.Set, timed bool) (*benchRun, error) {
	br := &benchRun{answers: make([][]index.Candidate, c.wishes), latencies: make([]time.Duration, c.wishes)}
	search := index.Search{Rules: set, Now: benchNow, Limit: benchLimit, Timed: timed}
	out := make([]index.Candidate, 0, benchLimit)
	runtime.GC()
	start := time.Now()
	for i := range c.wishes {
		t0 := time.Now()
		got, st, err := c.index.Candidates(benchWishID(i), search, out[:0])
		br.latencies[i] = time.Since(t0)
		if err != nil {
			return nil, err
		}
		br.answers[i] = slices.Clone(got)
		br.scanned += st.Scanned
		br.evaluated += st.Evaluated
		br.reused += st.Reused
		br.deciding += st.Deciding
	}
	br.total = time.Since(start)
	return br, nil
}

// runParallel queries every wish once from GOMAXPROCS goroutines and
// returns the wall time.
func (c *benchCity) runParallel(set *rules.Set) time.Duration {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			out := make([]index.Candidate, 0, benchLimit)
			search := index.Search{Rules: set, Now: benchNow, Limit: benchLimit}
			for i := w; i < c.wishes; i += workers {
				out, _, _ = c.index.Candidates(benchWishID(i), search, out[:0])
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

func benchCandidates(c *benchCity, export string, stdout io.Writer) error {
	grid, err := geo.New(geo.DefaultConfig())
	if err != nil {
		return err
	}
	c.grid = grid
	set, err := loadBenchRules()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "city: %d volunteers over %d x %d km around %.2f N %.2f E, %d wishes, seed %d\n",
		c.volunteers, benchSideMeters/1000, benchSideMeters/1000, benchLat, benchLng, c.wishes, c.seed)
	start := time.Now()
	c.build([]string{"background_check", "child_safeguarding", "first_aid", "disability_care", "driver"})
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "index: built in %s, heap %d MiB (%s)\n", time.Since(start).Round(time.Millisecond), ms.HeapAlloc>>20, grid)

	if _, err := c.run(set, false); err != nil { // warm up
		return err
	}
	stopProfile, err := c.startProfile()
	if err != nil {
		return err
	}
	br, err := c.run(set, false)
	stopProfile()
	if err != nil {
		return err
	}
	timed, err := c.run(set, true)
	if err != nil {
		return err
	}
	parallel := c.runParallel(set)
	res := br.report(stdout, timed, parallel, c.wishes)
	if export != "" {
		if err := c.export(export, br.answers); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported volunteers.csv, wishes.csv and answers.csv to %s\n", export)
	}
	return json.NewEncoder(stdout).Encode(res)
}

// startProfile starts the CPU profile asked for, if any.
func (c *benchCity) startProfile() (stop func(), err error) { return startCPUProfile(c.cpuProfile) }

func loadBenchRules() (*rules.Set, error) {
	dir, err := os.MkdirTemp("", "linli-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(path, []byte(benchRules), 0o600); err != nil {
		return nil, err
	}
	return rules.Load(path)
}

// benchResult is the last line of the output.
type benchResult struct {
	Queries int     `json:"queries"`
	Seconds float64 `json:"seconds"`
	QPS     float64 `json:"qps"`
	P50     float64 `json:"p50_us"`
	P99     float64 `json:"p99_us"`
}

// report prints the figures for people and returns the line for machines.
func (br *benchRun) report(w io.Writer, timed *benchRun, parallel time.Duration, n int) benchResult {
	lat := slices.Clone(br.latencies)
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	us := func(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)*10) / 10 }
	found := 0
	for _, a := range br.answers {
		found += len(a)
	}
	fmt.Fprintf(w, "queries: %d, top %d eligible each (%.1f found on average)\n", n, benchLimit, float64(found)/float64(n))
	fmt.Fprintf(w, "latency, one goroutine: mean %.1f µs, p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs\n",
		us(br.total/time.Duration(n)), us(q(0.5)), us(q(0.9)), us(q(0.99)), us(lat[len(lat)-1]))
	fmt.Fprintf(w, "throughput: %.0f queries/s on one goroutine, %.0f queries/s on %d goroutines\n",
		float64(n)/br.total.Seconds(), float64(n)/parallel.Seconds(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "work per query: %.0f suppliers measured, %.1f evaluated by rules, %.1f decided by a verdict reused\n",
		float64(br.scanned)/float64(n), float64(br.evaluated)/float64(n), float64(br.reused)/float64(n))
	share := timed.deciding.Seconds() / timed.total.Seconds()
	fmt.Fprintf(w, "time split (timed pass, clock reads included in rules): rules %.1f%%, geometry, index and reused verdicts %.1f%%\n",
		100*share, 100*(1-share))
	return benchResult{Queries: n, Seconds: math.Round(br.total.Seconds()*1e4) / 1e4,
		QPS: math.Round(float64(n) / br.total.Seconds()), P50: us(q(0.5)), P99: us(q(0.99))}
}

// export writes the data set and the answers as CSV for a peer to replay.
func (c *benchCity) export(dir string, answers [][]index.Candidate) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err := writeCSV(filepath.Join(dir, "volunteers.csv"), []string{"id", "lat", "lng", "age", "certs"}, len(c.vols), func(i int) []string {
		v := &c.vols[i]
		return []string{benchVolID(i), ftoa(v.lat), ftoa(v.lng), strconv.Itoa(v.age), "{" + strings.Join(v.certs, ",") + "}"}
	})
	if err != nil {
		return err
	}
	err = writeCSV(filepath.Join(dir, "wishes.csv"), []string{"id", "lat", "lng"}, len(c.wishPts), func(i int) []string {
		return []string{benchWishID(i), ftoa(c.wishPts[i].Lat), ftoa(c.wishPts[i].Lng)}
	})
	if err != nil {
		return err
	}
	var rows [][]string
	for i, a := range answers {
		for rank, cand := range a {
			rows = append(rows, []string{benchWishID(i), strconv.Itoa(rank + 1), cand.ID, strconv.FormatFloat(cand.WalkMinutes, 'f', 6, 64)})
		}
	}
	return writeCSV(filepath.Join(dir, "answers.csv"), []string{"wish_id", "rank", "volunteer_id", "walk_minutes"}, len(rows), func(i int) []string { return rows[i] })
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// writeCSV writes a header and n rows to path.
func writeCSV(path string, header []string, n int, row func(int) []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	for i := range n {
		_ = w.Write(row(i))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
