package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// benchImportCmd is `linli bench import`: it writes a CSV file of
// volunteers (1 % of the rows malformed, 1 % repeating an earlier row's
// phone or the whole row), imports it into a fresh embedded store through
// the path `linli import` takes, and imports it again, which must import
// nothing. It reports the rows a second over the first and the last tenth
// of the file, to show that the cost of a row stays flat as the store
// grows.
func benchImportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench import", stderr)
	rows := fs.Int("rows", 100_000, "volunteers in the file")
	seed := fs.Uint64("seed", 1, "seed of the file")
	batch := fs.Int("batch", matcher.DefaultImportBatch, "rows a change of the log holds")
	dir := fs.String("data", "", "import into this data folder, which must not exist yet (default: a temporary one, removed after)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *rows < 100 {
		return fmt.Errorf("bench import: --rows must be at least 100")
	}
	tmp, err := os.MkdirTemp("", "linli-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	data := *dir
	if data == "" {
		data = filepath.Join(tmp, "data")
	} else if _, err := os.Stat(data); err == nil {
		return fmt.Errorf("bench import: --data %s exists; give a new folder", data)
	}
	file := filepath.Join(tmp, "volunteers.csv")
	want, err := writeBenchVolunteers(file, *rows, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "file: %d volunteers, %d malformed, %d duplicates (%s)\n", *rows, want.Refused, want.Duplicates, file)

	emb, st, err := openBenchStore(ctx, data, stderr)
	if err != nil {
		return err
	}
	defer emb.Close()
	defer st.Close(context.WithoutCancel(ctx))
	cfg, err := loadConfig(newFlagSet("bench import", io.Discard), map[string]string{})
	if err != nil {
		return err
	}
	grid, err := geo.New(cfg.geo())
	if err != nil {
		return err
	}
	svc := matcher.NewService(st, grid, nil, serviceConfig(cfg), matcher.WithLogger(slog.New(slog.DiscardHandler)))
	if err := svc.Open(ctx); err != nil {
		return err
	}
	admin := matcher.WithPrincipal(ctx, importPrincipal)
	if _, err := svc.CreateOrganisation(admin, matcher.OrganisationInput{Name: "Bench District", Kind: matcher.KindDistrict,
		Location: &matcher.Location{Lat: benchLat, Lng: benchLng}}); err != nil {
		return err
	}
	var runs []benchImportRun
	for i := range 2 {
		r, err := benchImportOnce(ctx, svc, file, *batch, stderr)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		fmt.Fprintf(stdout, "run %d: %d rows in %.2f s (%.0f rows/s): %d imported, %d refused, %d duplicates; "+
			"first tenth %.0f rows/s, last tenth %.0f rows/s\n",
			i+1, r.totals.Rows, r.totals.Seconds, float64(r.totals.Rows)/r.totals.Seconds, r.totals.Imported,
			r.totals.Refused, r.totals.Duplicates, r.startRate, r.endRate)
	}
	first, second := runs[0].totals, runs[1].totals
	if first.Imported != want.Imported || first.Refused != want.Refused || first.Duplicates != want.Duplicates {
		return fmt.Errorf("bench import: the first run imported %d, refused %d, found %d duplicates; the file holds %d, %d and %d",
			first.Imported, first.Refused, first.Duplicates, want.Imported, want.Refused, want.Duplicates)
	}
	if second.Imported != 0 {
		return fmt.Errorf("bench import: the second run imported %d rows, want 0", second.Imported)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"rows": first.Rows, "imported": first.Imported, "refused": first.Refused, "duplicates": first.Duplicates,
		"seconds": round3(first.Seconds), "rows_per_s": round3(float64(first.Rows) / first.Seconds),
		"rows_per_s_start": round3(runs[0].startRate), "rows_per_s_end": round3(runs[0].endRate),
		"second_imported": second.Imported, "second_seconds": round3(second.Seconds),
	})
}

type benchImportRun struct {
	totals             importTotals
	startRate, endRate float64
}

// benchImportOnce imports the file as `linli import volunteers` does and
// times the first and the last tenth of its rows.
func benchImportOnce(ctx context.Context, svc *matcher.Service, file string, batch int, stderr io.Writer) (benchImportRun, error) {
	f, err := os.Open(file)
	if err != nil {
		return benchImportRun{}, err
	}
	defer f.Close()
	var run benchImportRun
	start := time.Now()
	// Progress comes a batch at a time: the first tenth is timed up to the
	// first report past it, the last from the last report before it.
	type mark struct {
		done int
		at   time.Time
	}
	var marks []mark
	tick := func(done, total int) { marks = append(marks, mark{done, time.Now()}) }
	var out strings.Builder
	err = importFile(ctx, svc, matcher.ImportInput{Kind: "volunteers", Batch: batch}, f, &out, stderr, tick)
	if err != nil && !strings.Contains(err.Error(), "were refused") {
		return run, err
	}
	if len(marks) > 0 {
		total, last := marks[len(marks)-1].done, marks[len(marks)-1]
		from := mark{0, start}
		for _, m := range marks {
			if m.done >= total/10 && run.startRate == 0 && m.at.After(start) {
				run.startRate = float64(m.done) / m.at.Sub(start).Seconds()
			}
			if m.done <= total-total/10 {
				from = m
			}
		}
		if last.done > from.done && last.at.After(from.at) {
			run.endRate = float64(last.done-from.done) / last.at.Sub(from.at).Seconds()
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &run.totals); err != nil {
		return run, fmt.Errorf("bench import: the last line is not the totals: %w", err)
	}
	return run, nil
}

// writeBenchVolunteers writes n volunteers to path: Chinese names, unique
// mobile numbers, ages 16–80 over the bench city, some skills and
// certifications; every 100th row malformed in one field, and every
// 100th (offset by 50) a duplicate of an earlier good row, by its phone
// or whole. It returns what an import of it must find.
func writeBenchVolunteers(path string, n int, seed uint64) (importTotals, error) {
	f, err := os.Create(path)
	if err != nil {
		return importTotals{}, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	rnd := rand.New(rand.NewPCG(seed, 0x696d706f7274))
	d := newBenchDistrict(nil, seed, time.Now())
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("芳伟娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")
	skills := []string{"repair", "first_aid", "cooking", "tutoring", "driving"}
	certs := []string{"background_check", "child_safeguarding", "first_aid", "disability_care", "driver"}
	_ = w.Write([]string{"name", "phone", "birth_date", "lat", "lng", "skills", "certifications", "max_active_claims"})
	var want importTotals
	var good [][]string
	people := map[string]bool{}
	for i := range n {
		loc := d.point()
		var sk, ce []string
		for _, s := range skills {
			if rnd.Float64() < 0.3 {
				sk = append(sk, s)
			}
		}
		for _, c := range certs {
			if rnd.Float64() < 0.3 {
				ce = append(ce, c+":"+time.Now().AddDate(1, 0, 0).Format(time.DateOnly))
			}
		}
		var name, born string
		for name == "" || people[name+born] { // one person per name and birth date: those are duplicates
			name = string(surnames[rnd.IntN(len(surnames))]) + string(given[rnd.IntN(len(given))]) + string(given[rnd.IntN(len(given))])
			born = fmt.Sprintf("%d-%02d-%02d", time.Now().Year()-16-rnd.IntN(65), 1+rnd.IntN(12), 1+rnd.IntN(28))
		}
		people[name+born] = true
		row := []string{
			name, fmt.Sprintf("1%02d%08d", 30+rnd.IntN(60), i), born,
			strconv.FormatFloat(loc.Lat, 'f', 6, 64), strconv.FormatFloat(loc.Lng, 'f', 6, 64),
			strings.Join(sk, ";"), strings.Join(ce, ";"), strconv.Itoa(1 + rnd.IntN(5)),
		}
		switch {
		case i%100 == 99:
			switch rnd.IntN(4) {
			case 0:
				row[3] = "95.5" // latitude out of range
			case 1:
				row[2] = "1990-13-45"
			case 2:
				row[1] = "call me"
			default:
				row[6] = "astronaut:2030-01-01"
			}
			want.Refused++
		case i%100 == 49 && len(good) > 0:
			src := good[rnd.IntN(len(good))]
			if rnd.IntN(2) == 0 {
				row = src // the whole row again
			} else {
				row[1] = src[1] // another name, the same phone
			}
			want.Duplicates++
		default:
			good = append(good, row)
			want.Imported++
		}
		if err := w.Write(row); err != nil {
			return want, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return want, err
	}
	return want, bw.Flush()
}
