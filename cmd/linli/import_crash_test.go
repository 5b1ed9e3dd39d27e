package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
)

// importChildEnv names the variable that makes the test binary run `linli`
// with the arguments it holds (a JSON array) instead of the tests, so that
// a test can kill an import with SIGKILL.
const importChildEnv = "LINLI_TEST_IMPORT_CHILD"

// runImportChild runs the command line of importChildEnv when the test
// binary was started as such a child; it reports whether it did.
func runImportChild() bool {
	raw := os.Getenv(importChildEnv)
	if raw == "" {
		return false
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "linli test child:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), args, environ(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "linli:", err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

// crashVolunteers writes n distinct, valid volunteers and returns the file
// and the rows by phone.
func crashVolunteers(tb testing.TB, n int) (string, map[string][]string) {
	tb.Helper()
	var b strings.Builder
	b.WriteString("name,phone,birth_date,lat,lng,skills,certifications\n")
	rows := map[string][]string{}
	for i := range n {
		row := []string{fmt.Sprintf("志愿者 %05d", i), fmt.Sprintf("138%08d", i), fmt.Sprintf("%d-03-%02d", 1950+i%50, 1+i%28),
			strconv.FormatFloat(30.2+float64(i%1000)/10000, 'f', 4, 64), strconv.FormatFloat(120.1+float64(i/1000)/1000, 'f', 4, 64),
			[]string{"repair", "repair;first_aid", ""}[i%3], []string{"", "background_check:2030-06-30"}[i%2]}
		rows[row[1]] = row
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	return writeFile(tb, "volunteers.csv", b.String()), rows
}

// storeContents reads the log of the embedded store in dir: every
// volunteer, every import's last version, and for each change holding
// volunteers how many, and how many ids its rows' record names.
type storeContents struct {
	volunteers map[string]*matcher.Volunteer // by phone
	imports    map[string]*matcher.Import
	changes    [][2]int
}

func readStore(tb testing.TB, dir string) storeContents {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	emb, err := mongo.StartEmbedded(dir, "", slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	defer emb.Close()
	st, err := mongo.Open(ctx, emb.URI(), "linli", mongo.WithEmbedded(emb))
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close(ctx)
	out := storeContents{volunteers: map[string]*matcher.Volunteer{}, imports: map[string]*matcher.Import{}}
	err = st.Load(ctx, func(c *matcher.Change) {
		var vols, ids int
		for _, r := range c.Records {
			switch v := r.(type) {
			case *matcher.Volunteer:
				if _, twice := out.volunteers[v.Phone]; twice {
					tb.Errorf("phone %s registered twice", v.Phone)
				}
				out.volunteers[v.Phone] = v
				vols++
			case *matcher.ImportRows:
				ids += len(v.IDs)
			case *matcher.Import:
				out.imports[v.ID] = v
			}
		}
		if vols > 0 {
			out.changes = append(out.changes, [2]int{vols, ids})
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestImportKilledMidwayLeavesWholeBatches kills `linli import` with
// SIGKILL while it writes: the store must hold whole batches of whole
// records, each as the file has it, and running the file again must
// complete it to exactly the rows of the file.
func TestImportKilledMidwayLeavesWholeBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an import process")
	}
	const n, batch = 40_000, 40
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"LINLI_DATA_DIR": dir, "LINLI_MONGODB_URI": "", "LINLI_RULES": rulesGlob(t), "LINLI_DATA_KEY": "",
		"LINLI_LOG_LEVEL": "error"}
	district := writeFile(t, "district.csv", "name,kind,lat,lng\nGongshu District,district,30.27,120.15\n")
	if _, totals, err := runImport(t, env, "organisations", district); err != nil || totals.Imported != 1 {
		t.Fatalf("the district: %+v %v", totals, err)
	}
	file, rows := crashVolunteers(t, n)

	args, _ := json.Marshal([]string{"import", "volunteers", file, "--batch", strconv.Itoa(batch)})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), importChildEnv+"="+string(args), "LINLI_DATA_DIR="+dir, "LINLI_MONGODB_URI=",
		"LINLI_RULES="+rulesGlob(t), "LINLI_DATA_KEY=", "LINLI_LOG_LEVEL=error")
	cmd.Stdout = io.Discard
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	bar := regexp.MustCompile(`\((\d+)/(\d+),`)
	killedAt := 0
	sc := bufio.NewScanner(pipe)
	sc.Split(splitCR)
	for sc.Scan() {
		progress.WriteString(sc.Text() + "\n")
		if m := bar.FindStringSubmatch(sc.Text()); m != nil {
			if done, _ := strconv.Atoi(m[1]); done >= n/10 {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killedAt = done
				break
			}
		}
	}
	_, _ = io.Copy(io.Discard, pipe)
	werr := cmd.Wait()
	if killedAt == 0 {
		t.Fatalf("the import ended (%v) before it could be killed:\n%s", werr, progress.String())
	}

	after := readStore(t, dir)
	got := len(after.volunteers)
	t.Logf("killed after %d of %d rows were reported; %d volunteers in the store", killedAt, n, got)
	if got == 0 || got >= n || got%batch != 0 {
		t.Fatalf("%d volunteers after the kill: want whole batches of %d, some but not all", got, batch)
	}
	for _, c := range after.changes {
		if c[0] != batch || c[1] != batch {
			t.Fatalf("a change holds %d volunteers and the ids of %d rows; want %d and %d", c[0], c[1], batch, batch)
		}
	}
	for phone, v := range after.volunteers {
		row := rows[phone]
		skills := strings.Join(v.Skills, ";")
		var certs []string
		for _, c := range v.Certifications {
			certs = append(certs, c.Type+":"+c.ExpiresAt.Format(time.DateOnly))
		}
		if row == nil || v.Name != row[0] || v.BirthDate != row[2] || fmt.Sprintf("%.4f,%.4f", v.Location.Lat, v.Location.Lng) != row[3]+","+row[4] ||
			skills != row[5] || strings.Join(certs, ";") != row[6] || v.NodeID == "" || v.MaxActiveClaims == 0 {
			t.Fatalf("volunteer %s is not its row %q: %+v", v.ID, row, v.VolunteerInput)
		}
	}
	if len(after.imports) != 2 {
		t.Fatalf("%d imports recorded, want the district's and the one killed", len(after.imports))
	}
	for _, imp := range after.imports {
		if imp.Kind == "volunteers" && (imp.Status != matcher.ImportRunning || imp.Imported != got) {
			t.Fatalf("the import killed reads %s with %d imported; want running with %d", imp.Status, imp.Imported, got)
		}
	}

	_, totals, err := runImport(t, env, "volunteers", file)
	if err != nil || totals.Rows != n || totals.Imported != n-got || totals.Duplicates != got || totals.Refused != 0 {
		t.Fatalf("the run after the kill: %+v %v; want %d imported and %d duplicates", totals, err, n-got, got)
	}
	final := readStore(t, dir)
	if len(final.volunteers) != n {
		t.Fatalf("%d volunteers in the end, want %d", len(final.volunteers), n)
	}
	for phone := range rows {
		if final.volunteers[phone] == nil {
			t.Fatalf("the row of %s was never imported", phone)
		}
	}
}

// splitCR splits what a progress bar writes into its updates: lines ended
// by a carriage return or a new line.
func splitCR(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
