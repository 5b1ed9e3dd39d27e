package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linli/linli/matcher"
)

// statusError is an error that carries its own HTTP status, for the few
// refusals that are about HTTP itself (an unsupported media type).
type statusError struct {
	status int
	err    *matcher.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// readBody reads a request body of at most max bytes, refusing one that
// is not JSON by its Content-Type: what a gateway in front validates as
// JSON must be what Linli reads as JSON.
func readBody(r *http.Request, max int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, matcher.Invalid("body", "is larger than %d bytes", max)
		}
		return nil, matcher.Invalid("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// checkContentType accepts application/json and application/*+json, in
// UTF-8 when a charset is named.
func checkContentType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	ok := err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
	if cs, has := params["charset"]; ok && has && !strings.EqualFold(cs, "utf-8") {
		ok = false
	}
	if ok {
		return nil
	}
	return &statusError{status: http.StatusUnsupportedMediaType, err: &matcher.Error{Code: matcher.EINVALID, Field: "Content-Type",
		Message: fmt.Sprintf("must be application/json, not %q", ct)}}
}

// decodeJSON decodes a request body of at most max bytes into a T,
// strictly: the body must be JSON (by its Content-Type), valid UTF-8, and
// every object key must be, exactly and once, a field T has. encoding/json
// alone would take the last of two equal keys and match keys in any case,
// so that what a gateway in front validated could differ from what is
// stored. Errors name the field at fault.
func decodeJSON[T any](r *http.Request, max int64) (T, error) {
	var v T
	body, err := readBody(r, max)
	if err != nil {
		return v, err
	}
	return v, unmarshalStrict(body, &v)
}

// unmarshalStrict is the body of decodeJSON.
func unmarshalStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return matcher.Invalid("body", "is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return matcher.Invalid("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := checkKeys(dec, reflect.TypeOf(v).Elem(), "", 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return matcher.Invalid("body", "has data after the JSON object")
	}
	strict := json.NewDecoder(bytes.NewReader(body))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

// maxDepth bounds the nesting of a body.
const maxDepth = 32

// checkKeys reads one JSON value from dec and checks its object keys
// against t: each must be a field of t, spelt exactly, and appear once.
func checkKeys(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	if depth > maxDepth {
		return matcher.Invalid(orBody(path), "is nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		s, isString := tok.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); !isString || err != nil {
			return matcher.Invalid(orBody(path), "must be a time like 2026-12-24T18:00:00+08:00 (RFC 3339)")
		}
		return nil
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct && t != timeType {
			fields = jsonFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return jsonError(err)
			}
			key, _ := kt.(string)
			field := joinPath(path, key)
			if seen[key] {
				return matcher.Invalid(field, "appears twice")
			}
			seen[key] = true
			var ft reflect.Type
			switch {
			case fields != nil:
				var ok bool
				if ft, ok = fields[key]; !ok {
					return matcher.Invalid(field, "is not a field this request accepts")
				}
			case t != nil && t.Kind() == reflect.Map:
				ft = t.Elem()
			}
			if err := checkKeys(dec, ft, field, depth+1); err != nil {
				return err
			}
		}
	case '[':
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := checkKeys(dec, et, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	if err != nil {
		return jsonError(err)
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// jsonFields returns the JSON names of t's fields, embedded ones included,
// with their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// jsonError turns a decoding error into an EINVALID naming the field.
func jsonError(err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		timeErr *time.ParseError
	)
	switch {
	case errors.As(err, &syntax):
		return matcher.Invalid("body", "is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		if typeErr.Type == timeType {
			return matcher.Invalid(field, "must be a time like 2026-12-24T18:00:00+08:00 (RFC 3339)")
		}
		return matcher.Invalid(field, "must be %s, not %s", jsonType(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &timeErr): // checkKeys names the field first; this is a fallback
		return matcher.Invalid("body", "holds a time that is not like 2026-12-24T18:00:00+08:00 (RFC 3339)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return matcher.Invalid(name, "is not a field this request accepts")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return matcher.Invalid("body", "ends before the JSON object does")
	default:
		return matcher.Invalid("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "float64", "float32", "uint64":
		return "a number"
	default:
		return kind
	}
}

// query reads the query parameters of a request, refusing a query string
// that is not well formed (a ";", a bad %-escape: r.URL.Query would drop
// such a pair silently, and the caller would get an answer to a question
// it did not ask), any parameter the route does not take, or one given
// twice.
func query(r *http.Request, allowed []param) (map[string]string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, matcher.Invalid("query", "is not a well-formed query string (name=value pairs joined by &, %%-escaped): %v", err)
	}
	out := make(map[string]string, len(q))
	for k, vs := range q {
		known := false
		for _, p := range allowed {
			known = known || p.name == k
		}
		switch {
		case k == "":
			return nil, matcher.Invalid("query", "has a value without a parameter name")
		case !known && len(allowed) == 0:
			return nil, matcher.Invalid(k, "is not a query parameter: %s takes none", r.Pattern)
		case !known:
			return nil, matcher.Invalid(k, "is not a query parameter of %s", r.Pattern)
		case len(vs) > 1:
			return nil, matcher.Invalid(k, "is given twice")
		case !utf8.ValidString(vs[0]):
			return nil, matcher.Invalid(k, "is not valid UTF-8")
		}
		out[k] = vs[0]
	}
	return out, nil
}

// pageOf reads ?after= and ?limit= .
func pageOf(q map[string]string) (matcher.PageRequest, error) {
	req := matcher.PageRequest{After: q["after"]}
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return req, matcher.Invalid("limit", "must be a positive whole number")
		}
		req.Limit = n
	}
	return req, nil
}
