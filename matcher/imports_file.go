package matcher

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// Encodings of import files.
const (
	EncodingUTF8    = "utf-8"
	EncodingGB18030 = "gb18030"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomGB18030 = []byte{0x84, 0x31, 0x95, 0x33}
)

// decodeText returns the file as UTF-8 text and the encoding it was read
// in: forced ("utf-8" or "gb18030"), or detected: a byte order mark, else
// UTF-8 when the whole file is valid UTF-8, else GB18030 (which Excel
// writes for a Chinese locale, and which holds GBK and GB2312).
func decodeText(raw []byte, forced string) (string, string, error) {
	switch strings.ToLower(strings.TrimSpace(forced)) {
	case "":
		switch {
		case bytes.HasPrefix(raw, bomUTF8):
			return string(raw[len(bomUTF8):]), EncodingUTF8, nil
		case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
			return "", "", Invalid("file", "is UTF-16; save it as CSV UTF-8 (or GB18030)")
		case bytes.HasPrefix(raw, bomGB18030):
			return gb18030(raw[len(bomGB18030):])
		case utf8.Valid(raw):
			return string(raw), EncodingUTF8, nil
		}
		return gb18030(raw)
	case "utf-8", "utf8":
		raw = bytes.TrimPrefix(raw, bomUTF8)
		if !utf8.Valid(raw) {
			return "", "", Invalid("encoding", "the file is not valid UTF-8 (at byte %d); it may be GB18030", invalidAt(raw))
		}
		return string(raw), EncodingUTF8, nil
	case "gb18030", "gbk", "gb2312":
		return gb18030(bytes.TrimPrefix(raw, bomGB18030))
	}
	return "", "", Invalid("encoding", "must be utf-8 or gb18030")
}

func gb18030(raw []byte) (string, string, error) {
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil {
		return "", "", Invalid("encoding", "the file is not valid GB18030 either")
	}
	return string(b), EncodingGB18030, nil
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// sheet is a file read as rows under its header.
type sheet struct {
	header []string
	rows   []tableRow
}

// tableRow is one row of a file: its number as a spreadsheet shows it
// (the header is row 1; an empty line is a row), its cells, and why it
// cannot be read, if it cannot.
type tableRow struct {
	n     int
	cells cells
	err   error
}

// cells are the values of one row by column.
type cells struct {
	col map[string]int
	v   []string
}

// get returns the value of the column name, trimmed ("" when absent).
func (c cells) get(name string) string {
	i, ok := c.col[name]
	if !ok || i >= len(c.v) {
		return ""
	}
	return strings.TrimSpace(c.v[i])
}

// readTable reads text as CSV under a header row naming kind's columns:
// an unknown column, a column named twice or a missing required one is
// an error naming them, before any row is read.
func readTable(text string, kind *importKind) (*sheet, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	rd := csv.NewReader(strings.NewReader(text))
	rd.FieldsPerRecord, rd.LazyQuotes = -1, true
	head, err := rd.Read()
	if errors.Is(err, io.EOF) {
		return nil, Invalid("file", "is empty: its first row must name the columns")
	}
	if err != nil {
		return nil, csvError(err)
	}
	headStart, _ := rd.FieldPos(0)
	headEnd, _ := rd.FieldPos(len(head) - 1)
	row, lastLine := headStart, headEnd+strings.Count(head[len(head)-1], "\n")
	t := &sheet{}
	col := map[string]int{}
	var unknown, twice []string
	for len(head) > 0 && strings.TrimSpace(head[len(head)-1]) == "" {
		head = head[:len(head)-1] // the empty columns a spreadsheet may add on the right
	}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(norm.NFKC.String(h)))
		switch {
		case name == "":
			return nil, Invalid("header", "column %d has no name", i+1)
		case !slices.ContainsFunc(kind.columns, func(c column) bool { return c.name == name }):
			unknown = append(unknown, name)
		case slices.Contains(t.header, name):
			twice = append(twice, name)
		}
		col[name] = i
		t.header = append(t.header, name)
	}
	var missing []string
	for _, c := range kind.columns {
		if _, ok := col[c.name]; c.required && !ok {
			missing = append(missing, c.name)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, Invalid("header", "unknown columns: %s; the columns of %s are %s", strings.Join(unknown, ", "), kind.name, kind.columnList())
	case len(twice) > 0:
		return nil, Invalid("header", "columns named twice: %s", strings.Join(twice, ", "))
	case len(missing) > 0:
		return nil, Invalid("header", "missing required columns: %s; the columns of %s are %s", strings.Join(missing, ", "), kind.name, kind.columnList())
	}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := rd.FieldPos(0)
		row += 1 + max(line-lastLine-1, 0) // empty lines are rows of a spreadsheet too
		endLine, _ := rd.FieldPos(len(rec) - 1)
		lastLine = endLine + strings.Count(rec[len(rec)-1], "\n")
		if !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue // a row of empty cells
		}
		r := tableRow{n: row, cells: cells{col: col, v: rec}}
		if len(rec) > len(head) && slices.ContainsFunc(rec[len(head):], func(s string) bool { return strings.TrimSpace(s) != "" }) {
			r.err = Errorf(EINVALID, "has %d cells, but the header names %d columns", len(rec), len(head))
		}
		t.rows = append(t.rows, r)
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Invalid("file", "is not CSV at line %d: %v", pe.Line, pe.Err)
	}
	return Invalid("file", "cannot be read as CSV")
}

// structured returns a cell that holds no free text (a number, a date, a
// list), NFKC-normalised: full-width digits and punctuation, which a
// Chinese input method types, read as ASCII.
func (c cells) structured(name string) string { return norm.NFKC.String(c.get(name)) }

// list reads a cell such as "repair;first_aid".
func (c cells) list(name string) []string {
	out := []string{}
	for _, s := range strings.Split(c.structured(name), ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// location reads the columns lat and lng: nil when both are empty.
func (c cells) location() (*Location, error) {
	lat, lng := c.structured("lat"), c.structured("lng")
	if lat == "" && lng == "" {
		return nil, nil
	}
	var l Location
	for _, f := range []struct {
		s, field string
		to       *float64
	}{{lat, "location.lat", &l.Lat}, {lng, "location.lng", &l.Lng}} {
		if f.s == "" {
			return nil, Invalid(f.field, "is required")
		}
		v, err := strconv.ParseFloat(f.s, 64)
		if err != nil {
			return nil, Invalid(f.field, "must be a number like 30.27")
		}
		*f.to = v
	}
	return &l, nil
}

// integer reads a whole number (0 when empty) for field.
func (c cells) integer(name, field string) (int, error) {
	s := c.structured(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, Invalid(field, "must be a whole number")
	}
	return n, nil
}

// boolean reads true/false, 1/0, yes/no or 是/否 (false when empty).
func (c cells) boolean(name, field string) (bool, error) {
	switch strings.ToLower(c.structured(name)) {
	case "", "false", "0", "no", "n", "否":
		return false, nil
	case "true", "1", "yes", "y", "是":
		return true, nil
	}
	return false, Invalid(field, "must be true or false")
}

// instant reads a time in RFC 3339, or a date (midnight UTC); zero when
// empty.
func (c cells) instant(name, field string) (time.Time, error) {
	return parseInstant(c.structured(name), field)
}

func parseInstant(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, Invalid(field, "must be a time like 2026-12-24T18:00:00+08:00 or a date like 2026-12-24")
}

// pairs reads "a:b;c:d" into its pairs, naming field[i] for one without
// a colon; form is what a pair looks like.
func (c cells) pairs(name, field, form string) ([][2]string, error) {
	var out [][2]string
	for i, item := range c.list(name) {
		k, v, ok := strings.Cut(item, ":")
		if !ok {
			return nil, Invalid(fieldIndex(field, i), "must be %s", form)
		}
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out, nil
}

// certifications reads "background_check:2027-12-31;driver:2028-06-30".
func (c cells) certifications() ([]Certification, error) {
	ps, err := c.pairs("certifications", "certifications", "type:expiry date, like background_check:2027-12-31")
	if err != nil || ps == nil {
		return nil, err
	}
	out := make([]Certification, len(ps))
	for i, p := range ps {
		f := fieldIndex("certifications", i) + ".expires_at"
		t, err := parseInstant(p[1], f)
		if err != nil {
			return nil, err
		}
		out[i] = Certification{Type: p[0], ExpiresAt: t}
	}
	return out, nil
}

// capacity reads "repair:3;tutoring:2".
func (c cells) capacity() (map[string]int, error) {
	ps, err := c.pairs("capacity", "capacity", "category:number, like repair:3")
	if err != nil || ps == nil {
		return nil, err
	}
	out := make(map[string]int, len(ps))
	for _, p := range ps {
		n, err := strconv.Atoi(p[1])
		if err != nil {
			return nil, Invalid("capacity."+p[0], "must be a whole number")
		}
		out[p[0]] = n
	}
	return out, nil
}

// sites reads "30.27:120.15;30.28:120.16".
func (c cells) sites() ([]Location, error) {
	ps, err := c.pairs("sites", "sites", "lat:lng, like 30.27:120.15")
	if err != nil {
		return nil, err
	}
	out := make([]Location, len(ps))
	for i, p := range ps {
		lat, err1 := strconv.ParseFloat(p[0], 64)
		lng, err2 := strconv.ParseFloat(p[1], 64)
		if err1 != nil || err2 != nil {
			return nil, Invalid(fieldIndex("sites", i), "must be lat:lng, like 30.27:120.15")
		}
		out[i] = Location{Lat: lat, Lng: lng}
	}
	return out, nil
}
