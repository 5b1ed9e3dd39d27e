package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/assign"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// benchAssignCmd is `linli bench assign`: a matching round on a synthetic
// city, its eligible pairs found by the index under the default rules as
// a round finds them, solved exactly and by the nearest-first greedy, with
// the instance exportable for exact solvers (bench/assign/run.sh).
func benchAssignCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench assign", stderr)
	var c benchCity
	fs.IntVar(&c.wishes, "wishes", 10_000, "wishes")
	fs.IntVar(&c.volunteers, "volunteers", 100_000, "volunteers")
	capacity := fs.Int("capacity", 1, "wishes each volunteer may take")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the city")
	side := fs.Float64("side", 0, "side of the square in km (default 40 for 10,000 wishes, at that density for more)")
	rulesFile := fs.String("rules", defaultAssignRules, "the rules that decide eligibility")
	export := fs.String("export", "", "write edges.csv, assignment.csv and instance.json to this folder")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the solve to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if c.volunteers < 1 || c.wishes < 1 || *capacity < 1 || *side < 0 {
		return fmt.Errorf("bench assign: --volunteers, --wishes, --capacity and --side must be positive")
	}
	if *side == 0 {
		*side = 40 * math.Sqrt(max(1, float64(c.wishes)/10_000))
	}
	if *rulesFile == defaultAssignRules && !anyMatch([]string{*rulesFile}) {
		// Run from another folder: the defaults built into the binary.
		dir, err := builtinRules()
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*rulesFile = filepath.Join(dir, "default.yaml")
	}
	set, err := rules.Load(*rulesFile)
	if err != nil {
		return err
	}
	if c.grid, err = geo.New(geo.DefaultConfig()); err != nil {
		return err
	}
	c.side = *side * 1000
	return benchAssign(ctx, &c, set, *capacity, *export, stdout, stderr)
}

// defaultAssignRules is the rules file bench assign reads unless told;
// the same rules are built into the binary for when it is run elsewhere.
const defaultAssignRules = "configs/rules/default.yaml"

// assignResult is the last line of the output.
type assignResult struct {
	Wishes             int     `json:"wishes"`
	Volunteers         int     `json:"volunteers"`
	Capacity           int     `json:"capacity"`
	Edges              int     `json:"edges"`
	Matched            int     `json:"matched"`
	TotalMinutes       float64 `json:"total_minutes"`
	Seconds            float64 `json:"seconds"`
	WarmSeconds        float64 `json:"warm_seconds"`
	SearchSeconds      float64 `json:"search_seconds"`
	GreedyMatched      int     `json:"greedy_matched"`
	GreedyTotalMinutes float64 `json:"greedy_total_minutes"`
}

func benchAssign(ctx context.Context, c *benchCity, set *rules.Set, capacity int, export string, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "city: %d volunteers and %d wishes over %.0f x %.0f km around %.2f N %.2f E, capacity %d, seed %d\n",
		c.volunteers, c.wishes, c.side/1000, c.side/1000, benchLat, benchLng, capacity, c.seed)
	start := time.Now()
	c.buildVolunteers([]string{"background_check", "child_safeguarding", "first_aid", "disability_care", "driver"})
	wishes := c.assignWishes()
	fmt.Fprintf(stdout, "index: built in %s\n", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	bar := newPhaseBar(stderr)
	pairs, err := matcher.BuildPairs(ctx, c.index, wishes, index.Search{Rules: set, Now: benchNow},
		func(matcher.Slot) int { return capacity }, runtime.GOMAXPROCS(0), func(done, total int) { bar.report("searching", done, total) })
	bar.finish()
	if err != nil {
		return err
	}
	searched := time.Since(start)
	p := &pairs.Problem
	fmt.Fprintf(stdout, "eligible pairs: %d (%.1f a wish), found in %.2f s under the rules given\n",
		p.Edges(), float64(p.Edges())/float64(p.Wishes), searched.Seconds())

	stopProfile, err := c.startProfile()
	if err != nil {
		return err
	}
	start = time.Now()
	sol, err := assign.Solve(ctx, p, assign.Options{})
	took := time.Since(start)
	stopProfile()
	if err != nil {
		return err
	}
	// A warm start, as the next round has it: the same instance with one
	// wish in a hundred gone, from this round's prices and pairs.
	warmP, warm := dropEvery(p, sol, 100)
	start = time.Now()
	if _, err := assign.Solve(ctx, warmP, assign.Options{Warm: warm}); err != nil {
		return err
	}
	warmTook := time.Since(start)
	start = time.Now()
	g := assign.Greedy(p)
	greedyTook := time.Since(start)

	minutes := func(cost int64) float64 { return math.Round(float64(cost)) / 1e4 }
	fmt.Fprintf(stdout, "optimal: matched %d of %d, %.4f minutes walked (%.3f a wish), in %.3f s on %d cores\n",
		sol.Matched, p.Wishes, minutes(sol.Cost), minutes(sol.Cost)/float64(max(sol.Matched, 1)), took.Seconds(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "warm start (next round, 1 %% of wishes gone): %.3f s\n", warmTook.Seconds())
	fmt.Fprintf(stdout, "greedy nearest-first: matched %d (%+d), %.4f minutes (%+.2f %%), in %.3f s\n",
		g.Matched, g.Matched-sol.Matched, minutes(g.Cost), 100*(float64(g.Cost)/float64(max(sol.Cost, 1))-1), greedyTook.Seconds())
	if export != "" {
		if err := writeAssignFiles(export, pairs, sol, capacity); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported edges.csv, assignment.csv and instance.json to %s (replay: bench/assign/run.sh %s)\n", export, export)
	}
	return json.NewEncoder(stdout).Encode(assignResult{
		Wishes: p.Wishes, Volunteers: c.volunteers, Capacity: capacity, Edges: p.Edges(), Matched: sol.Matched,
		TotalMinutes: minutes(sol.Cost), Seconds: round4(took.Seconds()), WarmSeconds: round4(warmTook.Seconds()),
		SearchSeconds: round4(searched.Seconds()), GreedyMatched: g.Matched, GreedyTotalMinutes: minutes(g.Cost),
	})
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// assignWishes draws the wishes of the round: uniform over the square,
// of every default category, for residents of every age (a tenth minors,
// a third 60 or older), one in twenty with a disability.
func (c *benchCity) assignWishes() []matcher.PairWish {
	r := c.rng(2)
	cats := []string{"repair", "school_supplies", "companionship", "home_visit", "meal_delivery", "medical_escort",
		"elderly_care", "tutoring", "shopping"}
	out := make([]matcher.PairWish, c.wishes)
	c.wishPts = make([]geo.Point, c.wishes)
	for i := range out {
		pt := c.point(r)
		var age int
		switch x := r.Float64(); {
		case x < 0.1:
			age = 6 + r.IntN(12)
		case x < 0.67:
			age = 18 + r.IntN(42)
		default:
			age = 60 + r.IntN(36)
		}
		res := index.Resident{BirthDate: fmt.Sprintf("%d-01-01", benchNow.Year()-age)}
		if r.Float64() < 0.05 {
			res.Disabilities = []string{"mobility"}
		}
		id := benchWishID(i)
		c.index.PutResident("rsd_"+id, &res)
		cat := cats[r.IntN(len(cats))]
		c.index.PutWish(&index.Wish{ID: id, Resident: "rsd_" + id, Point: pt, Cell: c.grid.Cell(pt), Category: cat,
			DueAt: benchNow.Add(7 * 24 * time.Hour)})
		c.wishPts[i] = pt
		out[i] = matcher.PairWish{ID: id, Category: cat, Weight: 1}
	}
	return out
}

// dropEvery returns p without every n-th wish, and the warm start of sol
// mapped onto it.
func dropEvery(p *assign.Problem, sol *assign.Solution, n int) (*assign.Problem, *assign.Warm) {
	q := &assign.Problem{Suppliers: p.Suppliers, Capacity: p.Capacity, Start: []int32{0}}
	full := sol.Warm(p)
	warm := &assign.Warm{Price: full.Price}
	for w := range p.Wishes {
		if w%n == n-1 {
			continue
		}
		q.Supplier = append(q.Supplier, p.Supplier[p.Start[w]:p.Start[w+1]]...)
		q.Cost = append(q.Cost, p.Cost[p.Start[w]:p.Start[w+1]]...)
		q.Start = append(q.Start, int32(len(q.Supplier)))
		warm.Supplier = append(warm.Supplier, full.Supplier[w])
		q.Wishes++
	}
	return q, warm
}

// writeAssignFiles writes the instance for exact solvers: edges.csv (every
// eligible pair, walk minutes with four decimals, exactly the costs
// solved), assignment.csv (one line per matched wish; a volunteer with
// capacity above 1 repeats) and instance.json.
func writeAssignFiles(dir string, pairs *matcher.Pairs, sol *assign.Solution, capacity int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := &pairs.Problem
	meta, _ := json.Marshal(map[string]int{"wishes": p.Wishes, "volunteers": p.Suppliers, "capacity": capacity})
	if err := os.WriteFile(filepath.Join(dir, "instance.json"), append(meta, '\n'), 0o644); err != nil {
		return err
	}
	err := writeLines(filepath.Join(dir, "edges.csv"), "wish_id,volunteer_id,walk_minutes", func(w *bufio.Writer) {
		var b []byte
		for i := range p.Wishes {
			for e := p.Start[i]; e < p.Start[i+1]; e++ {
				b = append(b[:0], pairs.Wishes[i].ID...)
				b = append(b, ',')
				b = append(b, pairs.Slots[p.Supplier[e]].Party.ID...)
				b = append(b, ',')
				b = appendMinutes(b, p.Cost[e])
				b = append(b, '\n')
				_, _ = w.Write(b)
			}
		}
	})
	if err != nil {
		return err
	}
	return writeLines(filepath.Join(dir, "assignment.csv"), "wish_id,volunteer_id", func(w *bufio.Writer) {
		for i, e := range sol.Match {
			if e >= 0 {
				fmt.Fprintf(w, "%s,%s\n", pairs.Wishes[i].ID, pairs.Slots[p.Supplier[e]].Party.ID)
			}
		}
	})
}

// appendMinutes formats a cost in 1e-4 minutes with four decimals, exactly.
func appendMinutes(b []byte, cost int64) []byte {
	b = strconv.AppendInt(b, cost/10000, 10)
	frac := cost % 10000
	return append(b, '.', byte('0'+frac/1000), byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
}

// writeLines writes a header line and body to path.
func writeLines(path, header string, body func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString(header + "\n")
	body(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
