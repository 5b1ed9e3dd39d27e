package matcher

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ImportInput says what a file of an import holds and where its rows go.
type ImportInput struct {
	// Kind is volunteers, organisations, enterprises, residents or wishes.
	Kind string `json:"kind"`
	// Encoding is utf-8 or gb18030; empty to detect it (a BOM, else valid
	// UTF-8, else GB18030).
	Encoding string `json:"encoding,omitempty"`
	// DryRun checks every row and reports what an import would do,
	// writing nothing.
	DryRun bool `json:"dry_run,omitempty"`
	// NodeID is the node the rows are registered under (a row may name
	// another in scope): the caller's own node unless one in their scope
	// is named; for an admin, the district's root when there is exactly
	// one. Residents and wishes need one.
	NodeID string `json:"node_id,omitempty"`
	// Batch is how many rows go into one change of the log (default
	// DefaultImportBatch): each batch is made durable whole or not at all.
	Batch int `json:"-"`
}

// DefaultImportBatch is how many rows of a file one change holds: enough
// that a bulk import is not one insert a row, few enough that one entry
// of the log stays small.
const DefaultImportBatch = 500

// maxImportBatch bounds a batch, so that one change of the log stays a
// few megabytes at most.
const maxImportBatch = 5000

// maxImportReport is how many lines of a report an import keeps; the
// counts are always whole.
const maxImportReport = 10_000

// Import statuses. An import cut short by a crash stays running, with
// the counts of the batches it made durable; running the file again
// completes it.
const (
	ImportRunning = "running"
	ImportDone    = "done"
)

// ImportCounts are the totals of an import.
type ImportCounts struct {
	Rows       int     `json:"rows"`
	Imported   int     `json:"imported"`
	Refused    int     `json:"refused"`
	Duplicates int     `json:"duplicates"`
	Seconds    float64 `json:"seconds"`
}

// Outcomes of a row that was not imported.
const (
	RowRefused   = "refused"
	RowDuplicate = "duplicate"
)

// ImportLine is one line of an import's report: a row refused or
// recognised as a duplicate, by its number as a spreadsheet shows it (the
// header is row 1). It holds field names and reasons, never the values of
// the row.
type ImportLine struct {
	Row     int    `json:"row"`
	Outcome string `json:"outcome"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// DuplicateOf is the earlier row ("row 12") or the record ("vol_…")
	// a duplicate repeats.
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// String is the line as the report prints it: "row 17: location.lat: must
// be between -90 and 90".
func (l ImportLine) String() string {
	if l.Field != "" {
		return fmt.Sprintf("row %d: %s: %s", l.Row, l.Field, l.Message)
	}
	return fmt.Sprintf("row %d: %s", l.Row, l.Message)
}

// Import is the record of one import of a file: what it held, what came
// of each row that was not imported, and the totals. It holds no personal
// data.
type Import struct {
	Record
	ImportInput
	Status string `json:"status"`
	ImportCounts
	Report []ImportLine `json:"report"`
	// ReportOmitted counts the lines past the first maxImportReport.
	ReportOmitted int       `json:"report_omitted,omitempty"`
	FinishedAt    time.Time `json:"finished_at,omitzero"`
}

func (i *Import) node() string { return i.NodeID }

// ImportSummary is an import without its report, as lists show it.
type ImportSummary struct {
	Record
	ImportInput
	Status string `json:"status"`
	ImportCounts
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// ImportRows ties the rows of one batch of an import to the records they
// made: a fingerprint of each row's cells (a truncated SHA-256, not the
// values) and the id made, so that an identical row is recognised again
// even when a field of its record was normalised or changed since.
type ImportRows struct {
	ImportID string   `json:"import_id"`
	Kind     string   `json:"kind"`
	Hashes   []string `json:"hashes"`
	IDs      []string `json:"ids"`
}

// Import reads a CSV file of one kind of record and registers every valid
// row that is not a duplicate, in batches: each batch is one change of
// the log, so a crash loses whole batches only, and running the same file
// again imports what is missing (every row already imported is a
// duplicate). Every row is validated exactly as the API validates one
// record, and placed as the create route places it. progress, when not
// nil, is called after each batch with the rows done and the total.
//
// It returns EINVALID for a file that cannot be read as a table (its
// encoding, its header: unknown or missing columns), before any row, and
// EFORBIDDEN for a role that may not create the file's kind of record.
// Rows refused are in the report, not errors.
func (s *Service) Import(ctx context.Context, in ImportInput, file io.Reader, progress func(done, total int)) (*Import, error) {
	start := time.Now()
	p, _, err := s.allow(ctx, ImportCreate, "")
	if err != nil {
		return nil, err
	}
	kind, ok := importKinds[in.Kind]
	if !ok {
		return nil, Invalid("kind", "must be one of %s", strings.Join(importKindNames(), ", "))
	}
	if _, may := policies[kind.create].policy[p.Role]; !may && p.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "role %s may not import %s", p.Role, kind.name)
	}
	switch {
	case in.Batch == 0:
		in.Batch = DefaultImportBatch
	case in.Batch < 0 || in.Batch > maxImportBatch:
		return nil, Invalid("batch", "must be between 1 and %d rows", maxImportBatch)
	}
	if in.NodeID, err = s.importNode(p, kind, in.NodeID); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(file)
	if err != nil {
		return nil, Invalid("file", "could not be read")
	}
	text, enc, err := decodeText(raw, in.Encoding)
	if err != nil {
		return nil, err
	}
	in.Encoding = enc
	tbl, err := readTable(text, kind)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	imp := &Import{Record: newRecord("imp", p, now), ImportInput: in, Status: ImportRunning, Report: []ImportLine{}}
	r := &importRun{s: s, p: p, kind: kind, imp: imp, now: now, seen: map[string]int{}, hashes: map[string]int{}}
	if err := r.ensureIndex(ctx); err != nil {
		return nil, err
	}
	quiet := WithoutIdempotency(ctx) // only the last change answers for the request
	for from := 0; from < len(tbl.rows); from += in.Batch {
		batch := r.prepare(tbl, from, min(from+in.Batch, len(tbl.rows)))
		if err := r.commit(quiet, batch); err != nil {
			return nil, fmt.Errorf("import %s, rows %d to %d: %w", kind.name, tbl.rows[from].n, tbl.rows[min(from+in.Batch, len(tbl.rows))-1].n, err)
		}
		if progress != nil {
			progress(min(from+in.Batch, len(tbl.rows)), len(tbl.rows))
		}
	}
	return r.finish(ctx, time.Since(start))
}

// importNode returns the node the rows of an import go under: the one
// named, which p must reach; else p's own; for an admin, the only root
// when there is exactly one (none is needed for volunteers, organisations
// and enterprises, as when an admin creates one).
func (s *Service) importNode(p Principal, kind *importKind, given string) (string, error) {
	if given != "" {
		if !s.reachableNode(p, given) {
			return "", Invalid("node_id", "no node in your scope has id %q", given)
		}
		return given, nil
	}
	if p.Role != RoleAdmin {
		return p.SubjectID, nil
	}
	if kind.needsNode {
		return "", Invalid("node_id", "is required for %s: name the community (or a node above it) the rows belong to", kind.name)
	}
	if roots := s.tree.roots(); len(roots) == 1 {
		return roots[0], nil
	}
	return "", nil
}

// importRun is one import under way.
type importRun struct {
	s    *Service
	p    Principal
	kind *importKind
	imp  *Import
	now  time.Time
	// seen maps the duplicate keys of the rows taken so far to their row;
	// hashes their fingerprints.
	seen   map[string]int
	hashes map[string]int
	lines  []ImportLine
	// stored is set once a version of the import is in the log.
	stored bool
}

// candidate is a valid row that is not a duplicate of an earlier row.
type candidate struct {
	row  int
	rec  any
	id   string
	hash string
}

// ensureIndex builds the index of the kind's duplicate keys, once a
// process, under the store's lock so that no change slips past it.
func (r *importRun) ensureIndex(ctx context.Context) error {
	if !r.kind.indexed || r.s.imports.indexed(r.kind.name) {
		return nil
	}
	_, err := r.s.store.Commit(ctx, func() (*Change, error) {
		r.s.buildDupIndex(r.kind)
		return nil, nil
	})
	return err
}

// prepare validates and builds the rows [from, to) of the table, and
// reports those refused and those that repeat an earlier row of the file.
func (r *importRun) prepare(tbl *sheet, from, to int) []candidate {
	var out []candidate
	for _, row := range tbl.rows[from:to] {
		r.imp.Rows++
		if row.err != nil {
			r.refuse(row.n, row.err)
			continue
		}
		rec, err := r.kind.build(r.s, r.p, r.imp.NodeID, row.cells, r.now)
		if err != nil {
			r.refuse(row.n, err)
			continue
		}
		h := rowHash(r.kind.name, tbl.header, row.cells)
		if first, ok := r.hashes[h]; ok {
			r.duplicate(row.n, fmt.Sprintf("row %d", first), "the same row")
			continue
		}
		var dup bool
		keys := r.kind.keysOf(rec)
		for _, k := range keys {
			if first, ok := r.seen[k.key]; ok {
				r.duplicate(row.n, fmt.Sprintf("row %d", first), k.what)
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		r.hashes[h] = row.n
		for _, k := range keys {
			r.seen[k.key] = row.n
		}
		_, id := recordRef(rec)
		out = append(out, candidate{row: row.n, rec: rec, id: id, hash: h})
	}
	return out
}

func (r *importRun) refuse(row int, err error) {
	r.imp.Refused++
	l := ImportLine{Row: row, Outcome: RowRefused, Message: "cannot be read"}
	if e, ok := err.(*Error); ok {
		l.Field, l.Message = e.Field, withoutValues(e.Message)
	}
	r.lines = append(r.lines, l)
}

func (r *importRun) duplicate(row int, of, what string) {
	r.imp.Duplicates++
	r.lines = append(r.lines, ImportLine{Row: row, Outcome: RowDuplicate, DuplicateOf: of,
		Message: fmt.Sprintf("duplicate of %s (%s)", of, what)})
}

// commit makes the candidates that repeat no record in scope durable as
// one change, with the import's counts so far; a dry run only counts
// them. The check against the records is made on the whole log, under the
// store's lock, so that a service importing or creating at the same time
// cannot slip a duplicate in between.
func (r *importRun) commit(ctx context.Context, batch []candidate) error {
	var made, dups []candidate
	var dupOf []dupFound
	var progress *Import
	decide := func() (*Change, error) {
		made, dups, dupOf = made[:0], dups[:0], dupOf[:0]
		for _, c := range batch {
			if d := r.s.existing(r.p, r.kind, c); d.id != "" {
				dups, dupOf = append(dups, c), append(dupOf, d)
				continue
			}
			made = append(made, c)
		}
		if len(made) == 0 || r.imp.DryRun {
			return nil, nil
		}
		rows := &ImportRows{ImportID: r.imp.ID, Kind: r.kind.name}
		recs := make([]any, 0, len(made)+2)
		for _, c := range made {
			recs = append(recs, c.rec)
			rows.Hashes, rows.IDs = append(rows.Hashes, c.hash), append(rows.IDs, c.id)
		}
		progress = r.version(r.imp.Imported+len(made), r.imp.Duplicates+len(dups))
		return &Change{Records: append(recs, rows, progress)}, nil
	}
	var err error
	if r.imp.DryRun {
		_, err = decide()
	} else {
		_, err = r.s.commit(ctx, r.p, decide)
	}
	if err != nil {
		return err
	}
	if progress != nil {
		r.imp.Record, r.stored = progress.Record, true
	}
	r.imp.Imported += len(made)
	for i, c := range dups {
		r.duplicate(c.row, dupOf[i].id, dupOf[i].what)
	}
	return nil
}

// version returns the import's next version to store, as it stands with
// imported and duplicates counted, without its report.
func (r *importRun) version(imported, duplicates int) *Import {
	v := *r.imp
	v.Imported, v.Duplicates, v.Report = imported, duplicates, []ImportLine{}
	if r.stored {
		v.Record = r.imp.Record.next(r.s.timestamp())
	}
	return &v
}

// finish records the import done, with its report: the last change, the
// one that answers the request (and its Idempotency-Key). A dry run
// records nothing.
func (r *importRun) finish(ctx context.Context, took time.Duration) (*Import, error) {
	slices.SortStableFunc(r.lines, func(a, b ImportLine) int { return a.Row - b.Row })
	imp := r.imp
	imp.Status, imp.Seconds, imp.FinishedAt = ImportDone, took.Seconds(), r.s.timestamp()
	imp.Report = r.lines
	if len(imp.Report) > maxImportReport {
		imp.ReportOmitted, imp.Report = len(imp.Report)-maxImportReport, imp.Report[:maxImportReport]
	}
	if imp.Report == nil {
		imp.Report = []ImportLine{}
	}
	if imp.DryRun {
		return imp, nil
	}
	final := *imp
	if r.stored {
		final.Record = imp.Record.next(imp.FinishedAt)
	}
	if _, err := r.s.commit(ctx, r.p, func() (*Change, error) {
		return &Change{Records: []any{&final}, Answer: &final}, nil
	}); err != nil {
		return nil, err
	}
	return &final, nil
}

// GetImport returns an import with its report, to staff in scope and
// admins.
func (s *Service) GetImport(ctx context.Context, id string) (*Import, error) {
	v, err := read(ctx, s, ImportRead, s.imports.table, id)
	if err != nil {
		return nil, err
	}
	v.Report = slices.Clone(v.Report)
	return v, nil
}

// ListImports pages through the imports in the caller's scope, without
// their reports.
func (s *Service) ListImports(ctx context.Context, req PageRequest) (*Page[ImportSummary], error) {
	pg, err := listInScope(ctx, s, ImportList, s.imports.list, s.imports.table, req)
	if err != nil {
		return nil, err
	}
	out := &Page[ImportSummary]{Items: make([]*ImportSummary, len(pg.Items)), Next: pg.Next}
	for i, v := range pg.Items {
		out.Items[i] = &ImportSummary{Record: v.Record, ImportInput: v.ImportInput, Status: v.Status,
			ImportCounts: v.ImportCounts, FinishedAt: v.FinishedAt}
	}
	return out, nil
}
