// Command linli runs Linli: `linli serve` starts the service, and the other
// verbs are tools for the people who run it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `linli — pairs volunteers, organisations and enterprises with residents' micro-wishes

Usage:
  linli serve [flags]          start the service (linli serve --help for flags)
  linli rules check FILE...    check rules files; exit 1 with precise errors
  linli rules test FILE --cases CASES.yaml
                               run allow/deny cases against rules files
  linli rules impact FILE...   against the store: open wishes that would gain or lose
                               eligible suppliers under FILE... (a dry run)
  linli match [--dry-run] [--node ID] [--categories A,B] [--cells C,D]
                               a matching round against the store: progress, statistics, why
                               wishes stayed unmatched (a real round waits for approval)
  linli demo [--data DIR]      seed an empty store with a demo district (3 streets, 12 communities,
                               2,000 volunteers, 600 residents, 900 wishes, programmes); prints keys
  linli import volunteers|organisations|enterprises|residents|wishes FILE.csv [--dry-run]
               [--encoding utf-8|gb18030] [--node ID]
                               bulk import against the store: a report line per refused or
                               duplicate row, then {"rows","imported","refused","duplicates","seconds"}
  linli keys new-data-key      print a fresh data key for LINLI_DATA_KEY
  linli keys rotate-data-key   re-seal residents' data with data_key (see README)
  linli bench candidates|assign|startup|scale|coverage|import [flags]
                               benchmarks; linli bench --help lists them
  linli version                print the version
`

// errUsage is returned for a command line that does not parse; main exits 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], environ(), os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "linli:", err)
		os.Exit(1)
	}
}

func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// run executes one command line. It is main without the process: tests
// call it with their own arguments, environment and outputs.
func run(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], env, stdout, stderr)
	case "rules":
		return rulesCmd(ctx, args[1:], env, stdout, stderr)
	case "keys":
		return keysCmd(ctx, args[1:], env, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args[1:], env, stdout, stderr)
	case "match":
		return matchCmd(ctx, args[1:], env, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args[1:], env, stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], env, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "linli", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "linli: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}
