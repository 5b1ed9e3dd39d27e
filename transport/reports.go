package transport

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/linli/linli/matcher"
)

// formatTypes are the media types of the forms a report may take besides
// JSON.
var formatTypes = map[string]string{"csv": "text/csv", "geojson": "application/geo+json"}

// tabular is an answer that is also a table, for ?format=csv.
type tabular interface {
	Table() (header []string, rows [][]string)
}

// writeCSV writes a table as CSV that spreadsheets open with Chinese text
// intact: UTF-8 with a byte order mark, CRLF line ends.
func writeCSV(w http.ResponseWriter, v any) error {
	t, ok := v.(tabular)
	if !ok {
		return writeJSON(w, http.StatusNotAcceptable, map[string]any{"error": map[string]any{
			"code": matcher.EINVALID, "field": "format", "message": "this answer has no CSV form"}})
	}
	header, rows := t.Table()
	if header == nil {
		return writeJSON(w, http.StatusNotAcceptable, map[string]any{"error": map[string]any{
			"code": matcher.EINVALID, "field": "format", "message": "this answer has no CSV form"}})
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="linli-report.csv"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write(header)
	for _, row := range rows {
		for i, cell := range row {
			row[i] = inert(cell)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// inert keeps a spreadsheet from running a cell as a formula: text that
// begins as a formula does (=, +, -, @, a tab or a carriage return) and is
// not a number gets a leading apostrophe.
func inert(cell string) string {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return cell
	}
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return cell
	}
	return "'" + cell
}

// formatParam is the query parameter naming the form of a report.
var formatParam = param{"format", "json (default), csv (UTF-8 with BOM), or geojson where offered; or ask with Accept"}

// formatOf returns the form r asks for among formats: ?format=, else its
// Accept header; "" for JSON.
func formatOf(r *http.Request, q map[string]string, formats []string) (string, error) {
	if f, ok := q["format"]; ok {
		if f == "json" {
			return "", nil
		}
		for _, x := range formats {
			if f == x {
				return f, nil
			}
		}
		return "", matcher.Invalid("format", "must be json or one of %s", strings.Join(formats, ", "))
	}
	accept := r.Header.Get("Accept")
	for _, x := range formats {
		if strings.Contains(accept, formatTypes[x]) {
			return x, nil
		}
	}
	return "", nil
}

// report builds a GET route whose answer may also take the forms given.
func report[Req, Out any](path, summary string, a matcher.Action, params []param, formats []string,
	decode func(r *http.Request, q map[string]string) (Req, error), fn func(context.Context, Req) (Out, error)) route {
	type formatted struct {
		req    Req
		format string
	}
	rt := op(http.MethodGet, path, summary, a, http.StatusOK, nil, append(append([]param(nil), params...), formatParam),
		func(r *http.Request, q map[string]string) (formatted, error) {
			f, err := formatOf(r, q, formats)
			if err != nil {
				return formatted{}, err
			}
			req, err := decode(r, q)
			return formatted{req, f}, err
		},
		func(ctx context.Context, f formatted) (Out, error) { return fn(ctx, f.req) })
	serve := rt.serve
	rt.serve = func(ctx context.Context, req any) (any, error) {
		resp, err := serve(ctx, req)
		if r, ok := resp.(response); ok && err == nil {
			r.format = req.(formatted).format
			return r, nil
		}
		return resp, err
	}
	rt.formats = formats
	return rt
}

// reportParams are the parameters of coverage and demand.
var reportParams = []param{
	{"resolution", "H3 resolution of the cells (default 8)"},
	{"category", "one category (default: all)"},
	{"period", "FROM/TO, two RFC 3339 times or dates (default: the last 90 days)"},
	{"lang", "zh (default) or en: the language of suggestions"},
}

func decodeReport(_ *http.Request, q map[string]string) (matcher.ReportQuery, error) {
	rq := matcher.ReportQuery{Category: q["category"], Lang: q["lang"]}
	if s, ok := q["resolution"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 { // 0 would read as "not given", the default
			return rq, matcher.Invalid("resolution", "must be a whole number from 5 up, like 8")
		}
		rq.Resolution = n
	}
	if s, ok := q["period"]; ok {
		from, to, found := strings.Cut(s, "/")
		var err1, err2 error
		rq.From, err1 = parseWhen(from)
		rq.To, err2 = parseWhen(to)
		if !found || err1 != nil || err2 != nil {
			return rq, matcher.Invalid("period", "must be FROM/TO, like 2026-01-01/2026-12-31 or two RFC 3339 times")
		}
		if _, err := time.Parse(time.DateOnly, to); err == nil {
			rq.To = rq.To.AddDate(0, 0, 1) // a date as the end: the whole of that day
		}
	}
	return rq, nil
}

// parseWhen reads an RFC 3339 time or a date (midnight UTC).
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// reportRoutes are the routes of the district's picture: the catalogue
// of programmes, their evaluation, coverage, demand and the public
// figures.
func (h *handler) reportRoutes() []route {
	s, max := h.svc, h.opts.MaxBody
	create := post("/v1/programmes", "Add a purchased-service programme to the catalogue (coordinator)", matcher.ProgrammeCreate, max, s.CreateProgramme)
	create.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) {
		return s.GetProgramme(ctx, rec.ID)
	}
	csvOnly := []string{"csv"}
	return []route{
		create,
		report("/v1/programmes", "The purchase catalogue in scope: by department, category, area (cell) and period",
			matcher.ProgrammeList, append(append([]param(nil), pageParams...), param{"department", "a department"},
				param{"category", "a category"}, param{"cell", "an H3 cell the area meets"}, param{"period", "FROM/TO the programme runs in"}),
			csvOnly, func(r *http.Request, q map[string]string) (matcher.ProgrammeQuery, error) {
				page, err := pageOf(q)
				pq := matcher.ProgrammeQuery{PageRequest: page, Department: q["department"], Category: q["category"], Cell: q["cell"]}
				if err != nil {
					return pq, err
				}
				if p, ok := q["period"]; ok {
					rq, err := decodeReport(r, map[string]string{"period": p})
					if err != nil {
						return pq, err
					}
					pq.ActiveFrom, pq.ActiveTo = rq.From, rq.To
				}
				return pq, nil
			}, s.ListProgrammes),
		getOne("/v1/programmes/{id}", "id", "One programme of the catalogue", matcher.ProgrammeRead, s.GetProgramme),
		put("/v1/programmes/{id}", "Replace what may be set on a programme (coordinator)", matcher.ProgrammeUpdate, max, s.UpdateProgramme),
		report("/v1/programmes/{id}/evaluation", "A programme's evaluation, residents' satisfaction first (staff in scope)",
			matcher.ProgrammeEvaluation, nil, csvOnly, pathID, s.ProgrammeEvaluation),
		report("/v1/organisations/{id}/evaluation", "An organisation's evaluation over all its claims", matcher.ProviderEvaluation,
			nil, csvOnly, pathID, s.ProviderEvaluation),
		report("/v1/enterprises/{id}/evaluation", "An enterprise's evaluation over all its claims", matcher.ProviderEvaluation,
			nil, csvOnly, pathID, s.ProviderEvaluation),
		report("/v1/coverage", "Per cell and category: demand, supply, programmes, and gap, duplicate and strained flags, with purchase suggestions (staff)",
			matcher.CoverageRead, reportParams, []string{"csv", "geojson"}, decodeReport, s.Coverage),
		report("/v1/demand", "One list of needs: open and recent wishes by cell, category and group (staff)",
			matcher.DemandRead, reportParams, csvOnly, decodeReport, s.Demand),
		report("/v1/public/programmes", "Public: every programme, its budget and its k-anonymous figures (no key)", "",
			pageParams, csvOnly, func(_ *http.Request, q map[string]string) (matcher.PageRequest, error) { return pageOf(q) },
			s.PublicProgrammes),
		report("/v1/public/programmes/{id}", "Public: one programme's k-anonymous figures (no key)", "", nil, nil, pathID, s.PublicProgramme),
		report("/v1/public/providers", "Public: every provider of a programme and its k-anonymous figures (no key)", "", nil, csvOnly,
			func(*http.Request, map[string]string) (struct{}, error) { return struct{}{}, nil },
			func(ctx context.Context, _ struct{}) (*matcher.Page[matcher.PublicProviderFigures], error) {
				return s.PublicProviders(ctx)
			}),
	}
}

func pathID(r *http.Request, _ map[string]string) (string, error) { return r.PathValue("id"), nil }
