package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

const benchUsage = `Usage:
  linli bench candidates [--volunteers N] [--wishes N] [--seed N] [--export DIR]
                                   the candidate search on a synthetic city, in process
  linli bench startup [--volunteers N] [--residents N] [--wishes N] [--data DIR]
                                   fill an embedded store through the bulk path, restart on it:
                                   time to ready, records a second, peak memory
  linli bench scale [--sizes 1000,10000,100000] [--volunteers N] [--requests N]
                                   every request kind over HTTP at growing sizes: p50/p99 and their ratio
  linli bench assign [--wishes N] [--volunteers N] [--capacity N] [--seed N] [--export DIR]
                                   an optimal matching round against the nearest-first greedy
  linli bench coverage [--volunteers N] [--wishes N]
                                   coverage of a district at resolution 8, every category
  linli bench import [--rows N] [--batch N] [--data DIR]
                                   import a CSV file of volunteers (1 % malformed, 1 % duplicates) into a
                                   fresh embedded store, twice: rows a second at the start and the end
Each prints its figures for people, then one JSON line. --help after a verb lists its flags.
`

// benchCmd is `linli bench VERB`.
func benchCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stderr, benchUsage)
		if len(args) > 0 {
			return nil
		}
		return errUsage
	}
	switch args[0] {
	case "candidates":
		return benchCandidatesCmd(args[1:], stdout, stderr)
	case "startup":
		return benchStartupCmd(ctx, args[1:], env, stdout, stderr)
	case "startup-load":
		return benchStartupLoad(ctx, args[1:], env, stdout, stderr)
	case "scale":
		return benchScaleCmd(ctx, args[1:], env, stdout, stderr)
	case "coverage":
		return benchCoverageCmd(ctx, args[1:], env, stdout, stderr)
	case "assign":
		return benchAssignCmd(ctx, args[1:], stdout, stderr)
	case "import":
		return benchImportCmd(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "linli bench: unknown benchmark %q\n\n%s", args[0], benchUsage)
		return errUsage
	}
}

// peakRSS returns this process's peak resident memory in MiB, from
// /proc/self/status (0 where there is none).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
