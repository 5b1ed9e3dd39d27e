package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/linli/linli/rules"
)

// rulesCmd is `linli rules check|test|impact`: tools for social workers to try
// rules files before they are published.
func rulesCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	verb, args, err := verbOf(args, rulesUsage, stderr)
	if verb == "" {
		return err
	}
	switch verb {
	case "check":
		return rulesCheck(args, stdout, stderr)
	case "test":
		return rulesTest(args, stdout, stderr)
	case "impact":
		return rulesImpact(ctx, args, env, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "linli rules: unknown command %q\n\n%s", verb, rulesUsage)
		return errUsage
	}
}

const rulesUsage = `Usage:
  linli rules check FILE...                  check rules files; exit 1 with every problem, located
  linli rules test FILE... --cases CASES     run allow/deny cases against rules files
  linli rules impact FILE... [flags]         against the store: open wishes that would gain or lose
                                             eligible suppliers under FILE... (a dry run; --help for flags)
`

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

func rulesCheck(files []string, stdout, stderr io.Writer) error {
	if len(files) == 0 || isHelp(files[0]) {
		fmt.Fprintln(stderr, "usage: linli rules check FILE...")
		if len(files) > 0 {
			return nil
		}
		return errUsage
	}
	if err := rules.Check(files...); err != nil {
		return err
	}
	set, err := rules.Load(files...)
	if err != nil {
		return err
	}
	// As the service will judge the files: the required safeguarding rules
	// of the default settings, held to the built-in ones.
	cfg, err := loadConfig(newFlagSet("rules check", io.Discard), map[string]string{})
	if err != nil {
		return err
	}
	safeguards, err := builtinSafeguards(cfg.Catalog.Categories)
	if err != nil {
		return err
	}
	if _, err := rules.NewEngine(files, nil, rules.Require(cfg.RulesRequired...), safeguards); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %d rules in %d file(s); the safeguarding rules kept: %s\n", len(set.Rules()), len(files),
		strings.Join(cfg.RulesRequired, ", "))
	return nil
}

func rulesTest(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rules test FILE...", stderr)
	cases := fs.String("cases", "", "a YAML file of cases: facts and the expected allow/deny")
	if err := fs.Parse(args); errors.Is(err, pflag.ErrHelp) {
		return nil
	} else if err != nil || fs.NArg() == 0 || *cases == "" {
		fmt.Fprintln(stderr, "usage: linli rules test FILE... --cases CASES.yaml")
		return errUsage
	}
	set, err := rules.Load(fs.Args()...)
	if err != nil {
		return err
	}
	failed, err := rules.RunCases(set, *cases, stdout)
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d case(s) failed", failed)
	}
	return nil
}
