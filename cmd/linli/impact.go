package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

// rulesImpact is `linli rules impact FILE...`: against the current store,
// how many open wishes would gain or lose eligible suppliers if FILE...
// replaced the rules in force. It changes nothing.
func rulesImpact(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	cfg, fs, err := parseConfig("rules impact", args, env, stderr, append(storeFlags, "rules"))
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: linli rules impact FILE... [--config FILE] [--data DIR | --mongodb-uri URI] [--rules GLOBS]")
		return errUsage
	}
	proposed, err := rules.Load(fs.Args()...)
	if err != nil {
		return err
	}
	a, err := openLoaded(ctx, cfg, stdout, newLogger("warn", cfg.Log.Format, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	printImpact(stdout, a.svc.RulesImpact(proposed), cfg.Rules, fs.Args())
	return nil
}

// printImpact prints the wishes whose eligible suppliers change, most
// lost first, then the totals.
func printImpact(w io.Writer, rows []matcher.RuleImpact, current string, proposed []string) {
	matcher.SortImpact(rows)
	fmt.Fprintf(w, "rules in force: %s\nproposed:       %v\n\n", current, proposed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "WISH\tCATEGORY\tNOW\tPROPOSED\tCHANGE\t")
	for _, r := range rows {
		if r.Before != r.After {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%+d\t\n", r.WishID, r.Category, r.Before, r.After, r.After-r.Before)
		}
	}
	_ = tw.Flush()
	t := matcher.TotalImpact(rows)
	fmt.Fprintf(w, "\nopen wishes: %d; %d gain eligible suppliers, %d lose some, %d unchanged\n",
		t.OpenWishes, t.Gain, t.Lose, t.Unchanged)
	fmt.Fprintf(w, "eligible wish-supplier pairs: %d now, %d proposed (%+d)\n", t.PairsBefore, t.PairsAfter, t.PairsAfter-t.PairsBefore)
	fmt.Fprintf(w, "open wishes nobody may serve: %d now, %d proposed\n", t.NobodyBefore, t.NobodyAfter)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
