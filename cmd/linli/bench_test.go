package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// lastJSON runs a command and decodes the JSON object on its last line.
func lastJSON(t *testing.T, args ...string) map[string]float64 {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, map[string]string{}, &out, &errOut); err != nil {
		t.Fatalf("linli %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	m := map[string]float64{}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("linli %s: the last line is not one JSON object of figures: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return m
}

// The tests run in cmd/linli, where configs/rules/ is not: bench assign
// falls back to the rules built into the binary, as it must when an
// operator runs it from any other folder.
func TestBenchAssignRunsAnywhere(t *testing.T) {
	m := lastJSON(t, "bench", "assign", "--wishes", "200", "--volunteers", "2000", "--side", "4")
	if m["edges"] == 0 || m["matched"] == 0 || m["matched"] > 200 {
		t.Fatalf("bench assign: %v", m)
	}
	if m["greedy_matched"] > m["matched"] ||
		m["greedy_matched"] == m["matched"] && m["greedy_total_minutes"] < m["total_minutes"]-1e-6 {
		t.Fatalf("the greedy baseline beat the optimum: %v", m)
	}
}

// Both rates are measured even when the progress reports come a whole
// batch at a time (a batch of 1,000 rows here is larger than a tenth of the
// file, so the last tenth starts and ends within one report).
func TestBenchImportReportsBothRates(t *testing.T) {
	m := lastJSON(t, "bench", "import", "--rows", "2000", "--data", t.TempDir()+"/store")
	if m["rows_per_s_start"] <= 0 || m["rows_per_s_end"] <= 0 {
		t.Fatalf("rates at the start and the end: %v", m)
	}
	if m["refused"] != 20 || m["duplicates"] != 20 || m["imported"] != 1960 || m["second_imported"] != 0 {
		t.Fatalf("bench import: %v", m)
	}
}

// TestHelpNamesEveryBenchmark: linli --help names every benchmark that
// linli bench --help lists, and the README's command list does too.
func TestHelpNamesEveryBenchmark(t *testing.T) {
	var help, benchHelp bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, map[string]string{}, &help, &help); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"bench", "--help"}, map[string]string{}, &benchHelp, &benchHelp); err != nil {
		t.Fatal(err)
	}
	verbs := func(text, prefix string) []string {
		for _, line := range strings.Split(text, "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
				list, _, _ := strings.Cut(rest, " ")
				return strings.Split(list, "|")
			}
		}
		return nil
	}
	var listed []string
	for _, line := range strings.Split(benchHelp.String(), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "linli bench "); ok {
			verb, _, _ := strings.Cut(rest, " ")
			listed = append(listed, verb)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct{ name, text, prefix string }{
		{"linli --help", help.String(), "linli bench "},
		{"README", string(readme), "linli bench "},
	} {
		named := verbs(doc.text, doc.prefix)
		slices.Sort(named)
		want := slices.Sorted(slices.Values(listed))
		if len(want) == 0 || !slices.Equal(named, want) {
			t.Errorf("%s names the benchmarks %v; linli bench --help lists %v", doc.name, named, want)
		}
	}
}
