// Command gen writes the assignment benchmark's instance as CSV files and
// solves it with Linli's matcher/assign, so that the peers in bench/assign
// can be run and checked before `linli bench assign --export` exists.
//
//	go run ./bench/assign/gen -out DIR [-wishes 10000] [-volunteers 100000] [-capacity 1] [-seed 1]
//	go run ./bench/assign/gen -in DIR
//
// With -out it generates the city (wishes and volunteers uniform over a
// square, 40 km a side for 100,000 volunteers and growing with their number
// at the same density), writes DIR/edges.csv, DIR/instance.json and, after
// solving, DIR/assignment.csv. With -in it reads DIR/edges.csv and
// DIR/instance.json as the peers do and solves them. Either way the last
// line is one JSON object, like the peers':
//
//	{"solver":"linli","matched":..,"total_minutes":..,"seconds":..,"greedy_matched":..,"greedy_total_minutes":..}
//
// seconds times Solve alone, on GOMAXPROCS workers.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/linli/linli/matcher/assign"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run is main without the process.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "generate the city, solve it and write its files to this folder")
	in := fs.String("in", "", "read edges.csv and instance.json from this folder and solve them")
	var c city
	fs.IntVar(&c.wishes, "wishes", 10_000, "wishes")
	fs.IntVar(&c.volunteers, "volunteers", 100_000, "volunteers")
	fs.IntVar(&c.capacity, "capacity", 1, "wishes each volunteer may take")
	fs.Float64Var(&c.side, "side", 0, "side of the square in metres (0: 40 km per 100,000 volunteers, at that density)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the city")
	workers := fs.Int("workers", 0, "workers for Solve (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var inst *instance
	switch {
	case *out != "" && *in == "":
		inst = c.build()
		fmt.Fprintf(stdout, "city: %d wishes, %d volunteers over %.1f km square, capacity %d, seed %d: %d edges\n",
			c.wishes, c.volunteers, c.sideMeters()/1000, c.capacity, c.seed, inst.p.Edges())
		if err := inst.write(*out); err != nil {
			return err
		}
	case *in != "" && *out == "":
		var err error
		if inst, err = read(*in); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "read %s: %d wishes, %d volunteers, %d edges\n", *in, inst.p.Wishes, inst.p.Suppliers, inst.p.Edges())
	default:
		return fmt.Errorf("give one of -out DIR or -in DIR")
	}
	start := time.Now()
	s, err := assign.Solve(context.Background(), inst.p, assign.Options{Workers: *workers})
	if err != nil {
		return err
	}
	took := time.Since(start)
	g := assign.Greedy(inst.p)
	fmt.Fprintf(stdout, "linli: matched %d, total %.4f minutes in %.3f s; greedy: matched %d (%+d), total %.4f minutes (%+.4f)\n",
		s.Matched, minutes(s.Cost), took.Seconds(), g.Matched, g.Matched-s.Matched, minutes(g.Cost), minutes(g.Cost-s.Cost))
	if *out != "" {
		if err := inst.writeAssignment(*out, s); err != nil {
			return err
		}
	}
	return json.NewEncoder(stdout).Encode(result{
		Solver: "linli", Matched: s.Matched, TotalMinutes: minutes(s.Cost), Seconds: took.Seconds(),
		GreedyMatched: g.Matched, GreedyTotalMinutes: minutes(g.Cost),
	})
}

// result is the last line of the output, in the peers' shape.
type result struct {
	Solver             string  `json:"solver"`
	Matched            int     `json:"matched"`
	TotalMinutes       float64 `json:"total_minutes"`
	Seconds            float64 `json:"seconds"`
	GreedyMatched      int     `json:"greedy_matched"`
	GreedyTotalMinutes float64 `json:"greedy_total_minutes"`
}

// minutes converts a cost in 1e-4 minutes.
func minutes(cost int64) float64 { return float64(cost) / 1e4 }
