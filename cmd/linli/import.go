package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/linli/linli/matcher"
)

const importUsage = "usage: linli import volunteers|organisations|enterprises|residents|wishes FILE.csv " +
	"[--dry-run] [--encoding utf-8|gb18030] [--node ID] [--config FILE] [--data DIR | --mongodb-uri URI]"

// importCmd is `linli import KIND FILE.csv`: every row of the file
// validated as the API validates one record, the valid ones that repeat
// no record registered in batches (one change of the log each), a report
// line for each row refused or recognised as a duplicate, and as the last
// line of stdout the totals as JSON. It acts as an admin; the exit status
// is 1 when a row was refused.
func importCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	var in matcher.ImportInput
	cfg, fs, err := parseConfig("import", args, env, stderr, append(storeFlags, "rules"), func(fs *pflag.FlagSet) {
		fs.BoolVar(&in.DryRun, "dry-run", false, "check every row and report, writing nothing")
		fs.StringVar(&in.Encoding, "encoding", "", "utf-8 or gb18030 (default: detected)")
		fs.StringVar(&in.NodeID, "node", "", "the node the rows are registered under (required for residents and wishes; "+
			"default for the others: the district's root when there is exactly one)")
		fs.IntVar(&in.Batch, "batch", matcher.DefaultImportBatch, "rows a change of the log holds")
	})
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	in.Kind = fs.Arg(0)
	f, err := os.Open(fs.Arg(1))
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := openLoaded(ctx, cfg, stdout, newLogger("warn", cfg.Log.Format, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	return importFile(ctx, a.svc, in, f, stdout, stderr, nil)
}

// importPrincipal is who the command line imports as.
var importPrincipal = matcher.Principal{Role: matcher.RoleAdmin, KeyPrefix: "linli-import"}

// importFile imports file through svc as an admin, with a progress bar on
// stderr for long files, and prints the report and the totals; tick, when
// not nil, is also told the progress. It returns an error when a row was
// refused.
func importFile(ctx context.Context, svc *matcher.Service, in matcher.ImportInput, file io.Reader, stdout, stderr io.Writer,
	tick func(done, total int)) error {
	ctx = matcher.WithPrincipal(ctx, importPrincipal)
	bar := &rowBar{w: stderr}
	imp, err := svc.Import(ctx, in, file, func(done, total int) {
		bar.report(done, total)
		if tick != nil {
			tick(done, total)
		}
	})
	bar.finish()
	if err != nil {
		return err
	}
	printImport(stdout, imp)
	if imp.Refused > 0 {
		return fmt.Errorf("%d of %d rows were refused (see the report above)", imp.Refused, imp.Rows)
	}
	return nil
}

// printImport prints an import's report, then its totals as one JSON line.
func printImport(w io.Writer, imp *matcher.Import) {
	for _, l := range imp.Report {
		fmt.Fprintln(w, l.String())
	}
	if imp.ReportOmitted > 0 {
		fmt.Fprintf(w, "… and %d more lines (the report keeps the first %d)\n", imp.ReportOmitted, len(imp.Report))
	}
	if imp.DryRun {
		fmt.Fprintf(w, "dry run: nothing was written; %d rows would be imported\n", imp.Imported)
	} else {
		fmt.Fprintf(w, "import %s: %d rows, %d imported, %d refused, %d duplicates\n", imp.ID, imp.Rows, imp.Imported, imp.Refused, imp.Duplicates)
	}
	line, _ := json.Marshal(importTotals{Rows: imp.Rows, Imported: imp.Imported, Refused: imp.Refused,
		Duplicates: imp.Duplicates, Seconds: round3(imp.Seconds)})
	fmt.Fprintln(w, string(line))
}

// importTotals is the last line an import prints, in the contract's order.
type importTotals struct {
	Rows       int     `json:"rows"`
	Imported   int     `json:"imported"`
	Refused    int     `json:"refused"`
	Duplicates int     `json:"duplicates"`
	Seconds    float64 `json:"seconds"`
}

// rowBar is the progress bar of an import: rows and rows a second, shown
// once a file has more rows than one batch.
type rowBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (b *rowBar) report(done, total int) {
	if b.bar == nil {
		if total <= matcher.DefaultImportBatch {
			return
		}
		b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
	}
	_ = b.bar.Set(done)
}

func (b *rowBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}
