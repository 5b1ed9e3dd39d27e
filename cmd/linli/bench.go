package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
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
	verb, args, err := verbOf(args, benchUsage, stderr)
	if verb == "" {
		return err
	}
	switch verb {
	case "candidates":
		return benchCandidatesCmd(args, stdout, stderr)
	case "startup":
		return benchStartupCmd(ctx, args, env, stdout, stderr)
	case "startup-load":
		return benchStartupLoad(ctx, args, env, stdout, stderr)
	case "scale":
		return benchScaleCmd(ctx, args, env, stdout, stderr)
	case "coverage":
		return benchCoverageCmd(ctx, args, env, stdout, stderr)
	case "assign":
		return benchAssignCmd(ctx, args, stdout, stderr)
	case "import":
		return benchImportCmd(ctx, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "linli bench: unknown benchmark %q\n\n%s", verb, benchUsage)
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

// startCPUProfile writes a CPU profile to path (none when path is empty)
// until the returned stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// verbOf splits the arguments of a command group (bench, keys, rules)
// into its verb and the verb's arguments. Without a verb, or asked for
// help, it prints the group's usage and returns no verb: with errUsage
// when there was no verb at all.
func verbOf(args []string, usage string, stderr io.Writer) (verb string, rest []string, err error) {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stderr, usage)
		if len(args) > 0 {
			return "", nil, nil
		}
		return "", nil, errUsage
	}
	return args[0], args[1:], nil
}
