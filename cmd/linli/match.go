package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/linli/linli/matcher"
)

// matchCmd is `linli match`: one matching round against the configured
// store, with a progress bar, printing its statistics and why each
// unmatched wish was unmatched. A real round (not --dry-run) records its
// proposals for a coordinator to approve, and widens the circles that are
// due, exactly as POST /v1/match-runs.
func matchCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	var dryRun bool
	var node, categories, cells string
	var listAll bool
	cfg, _, err := parseConfig("match", args, env, stderr, append(storeFlags, "rules"), func(fs *pflag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "compute the round without recording it for approval or widening any circle")
		fs.StringVar(&node, "node", "", "the organisation whose subtree's wishes the round pairs (default: the whole district)")
		fs.StringVar(&categories, "categories", "", "only wishes of these categories, comma-separated")
		fs.StringVar(&cells, "cells", "", "only wishes in these H3 cells, comma-separated")
		fs.BoolVar(&listAll, "all", false, "list every unmatched wish, not only the first 20")
	})
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	a, err := openLoaded(ctx, cfg, stdout, newLogger("warn", cfg.Log.Format, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	in := matcher.MatchRunInput{NodeID: node, DryRun: dryRun, Categories: splitList(categories), Cells: splitList(cells)}
	ctx = matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleAdmin, KeyPrefix: "linli-match"})
	bar := newPhaseBar(stderr)
	run, err := a.svc.MatchRound(ctx, in, bar.report)
	bar.finish()
	if err != nil {
		return err
	}
	printRound(stdout, run, listAll)
	if run.Status != matcher.RunDone {
		return fmt.Errorf("the round failed: %s", run.Error)
	}
	return nil
}

// phaseBar shows a progress bar per phase of a long job on a terminal.
type phaseBar struct {
	w     io.Writer
	phase string
	bar   *progressbar.ProgressBar
}

func newPhaseBar(w io.Writer) *phaseBar { return &phaseBar{w: w} }

// report moves the bar of phase to done of total, starting a new bar
// when the phase changes.
func (b *phaseBar) report(phase string, done, total int) {
	if phase != b.phase {
		b.finish()
		b.phase = phase
		if total <= 0 {
			fmt.Fprintf(b.w, "%s…\n", phase)
			return
		}
		b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription(fmt.Sprintf("%-10s", phase)),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"),
			progressbar.OptionThrottle(100e6), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
	}
	if b.bar != nil {
		_ = b.bar.Set(done)
	}
}

func (b *phaseBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
		b.bar = nil
	}
}

// printRound prints a round's statistics and its unmatched wishes.
func printRound(w io.Writer, run *matcher.MatchRun, all bool) {
	kind := "round"
	if run.DryRun {
		kind = "dry run"
	}
	fmt.Fprintf(w, "%s %s: %s\n", kind, run.ID, run.Status)
	st := run.Stats
	if st == nil {
		return
	}
	pct := func(n, of int) float64 { return 100 * float64(n) / float64(max(of, 1)) }
	fmt.Fprintf(w, "wishes %d, matched %d (%.1f %%), unmatched %d\n", st.Wishes, st.Matched, pct(st.Matched, st.Wishes), st.Unmatched)
	fmt.Fprintf(w, "priority wishes %d, matched %d\n", st.PriorityWishes, st.PriorityMatched)
	fmt.Fprintf(w, "walking: %.1f minutes in total, %.2f a wish; %d beyond the 15-minute circle\n", st.TotalWalkMinutes, st.MeanWalkMinutes, st.BeyondCircle)
	fmt.Fprintf(w, "nearest-first greedy on the same pairs: matched %d, %.1f minutes\n", st.GreedyMatched, st.GreedyTotalWalkMinutes)
	fmt.Fprintf(w, "eligible pairs %d, suppliers with room %d; search %.3f s, solve %.3f s\n", st.Edges, st.Suppliers, st.SearchSeconds, st.SolveSeconds)
	if st.Widened > 0 {
		fmt.Fprintf(w, "circles widened for later rounds: %d\n", st.Widened)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCATEGORY\tWISHES\tMATCHED\tWALK MIN")
	for _, c := range slices.Sorted(maps.Keys(st.ByCategory)) {
		cs := st.ByCategory[c]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\n", c, cs.Wishes, cs.Matched, cs.TotalWalkMinutes)
	}
	_ = tw.Flush()
	if len(run.Unmatched) == 0 {
		return
	}
	fmt.Fprintln(w, "\nunmatched, by reason:")
	for _, r := range slices.SortedFunc(maps.Keys(st.ByReason), func(a, b string) int {
		return cmp.Or(cmp.Compare(st.ByReason[b], st.ByReason[a]), cmp.Compare(a, b))
	}) {
		fmt.Fprintf(w, "  %-18s %d\n", r, st.ByReason[r])
	}
	excluded := map[string]int{}
	for _, u := range run.Unmatched {
		for rule, n := range u.Excluded {
			excluded[rule] += n
		}
	}
	if len(excluded) > 0 {
		fmt.Fprintln(w, "rules that excluded every supplier of some wish (suppliers refused, summed):")
		for _, r := range slices.Sorted(maps.Keys(excluded)) {
			fmt.Fprintf(w, "  %-44s %d\n", r, excluded[r])
		}
	}
	n := len(run.Unmatched)
	if !all {
		n = min(n, 20)
	}
	fmt.Fprintf(w, "\nunmatched wishes (%d of %d, most urgent first):\n", n, len(run.Unmatched))
	for _, u := range run.Unmatched[:n] {
		fmt.Fprintf(w, "  %s  %-14s priority %d  %s: %s\n", u.WishID, u.Category, u.Priority, u.Reason, u.Message)
	}
}
