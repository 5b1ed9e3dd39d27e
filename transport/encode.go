package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-kit/kit/endpoint"

	"github.com/linli/linli/matcher"
)

// response carries an endpoint's result. A business error travels inside
// it and is exposed with Failed, so go-kit middlewares such as circuit
// breakers never count a 409 as a failure of the endpoint.
type response struct {
	v        any
	status   int
	err      error
	replayed bool   // the answer of an earlier request with the same Idempotency-Key
	format   string // csv or geojson: the answer in that form instead of JSON
}

var _ endpoint.Failer = response{}

func (r response) Failed() error { return r.err }

// encodeResponse writes a response, or its error through errorEncoder.
func encodeResponse(ctx context.Context, w http.ResponseWriter, resp any) error {
	if f, ok := resp.(endpoint.Failer); ok && f.Failed() != nil {
		errorEncoder(ctx, f.Failed(), w)
		return nil
	}
	r := resp.(response)
	if r.replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	switch r.format {
	case "csv":
		return writeCSV(w, r.v)
	case "geojson":
		if g, ok := r.v.(interface{ GeoJSON() any }); ok {
			w.Header().Set("Content-Type", "application/geo+json")
			w.WriteHeader(r.status)
			return json.NewEncoder(w).Encode(g.GeoJSON())
		}
	}
	return writeJSON(w, r.status, r.v)
}

// writeJSON writes v as JSON with the status. Lists that are empty are
// written as [], never null, whatever the Go value holds, so that the
// answer is what the API document says.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if status == http.StatusNoContent {
		return nil
	}
	return json.NewEncoder(w).Encode(emptyLists(reflect.ValueOf(v)).Interface())
}

// emptyLists returns v with every nil slice and map that JSON would write
// as null (a field without omitempty, an element) made empty. It copies
// what it changes and never writes to v, whose values may be shared.
func emptyLists(v reflect.Value) reflect.Value {
	if !v.IsValid() {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		e := emptyLists(v.Elem())
		p := reflect.New(e.Type())
		p.Elem().Set(e)
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		return emptyLists(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0)
		}
		if !needsWalk(v.Type().Elem()) {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(convert(emptyLists(v.Index(i)), v.Type().Elem()))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return reflect.MakeMap(v.Type())
		}
		return v
	case reflect.Struct:
		if !needsWalk(v.Type()) {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if strings.Contains(f.Tag.Get("json"), "omitempty") && (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				continue
			}
			out.Field(i).Set(convert(emptyLists(fv), f.Type))
		}
		return out
	}
	return v
}

// convert makes v assignable to t (an interface, typically).
func convert(v reflect.Value, t reflect.Type) reflect.Value {
	if !v.IsValid() {
		return reflect.Zero(t)
	}
	if v.Type() != t && v.Type().ConvertibleTo(t) {
		return v.Convert(t)
	}
	return v
}

// needsWalk reports whether values of t may hold a slice or map.
func needsWalk(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Pointer:
		return needsWalk(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return false
		}
		for f := range t.Fields() {
			if f.IsExported() && needsWalk(f.Type) {
				return true
			}
		}
	}
	return false
}

// statuses maps every domain error code to its HTTP status, in one place.
var statuses = map[string]int{
	matcher.EINVALID:      http.StatusBadRequest,
	matcher.EUNAUTHORIZED: http.StatusUnauthorized,
	matcher.EFORBIDDEN:    http.StatusForbidden,
	matcher.EINELIGIBLE:   http.StatusForbidden,
	matcher.ENOTFOUND:     http.StatusNotFound,
	matcher.ECONFLICT:     http.StatusConflict,
	matcher.EIDEMPOTENCY:  http.StatusUnprocessableEntity,
	matcher.ERATELIMITED:  http.StatusTooManyRequests,
	matcher.EUNAVAILABLE:  http.StatusServiceUnavailable,
	matcher.EINTERNAL:     http.StatusInternalServerError,
}

// wireCode is the code clients see. The contract's codes are invalid,
// not_found, conflict, forbidden, unauthorized, ineligible and rate_limited:
// an Idempotency-Key reused with another body is a conflict, told apart by
// its status, 422.
func wireCode(code string) string {
	if code == matcher.EIDEMPOTENCY {
		return matcher.ECONFLICT
	}
	return code
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
}

// errorEncoder writes err as {"error": {...}} with its mapped status.
// Internal errors show no detail; they are logged by the error handler.
func errorEncoder(_ context.Context, err error, w http.ResponseWriter) {
	if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) && matcher.ErrorCode(err) == matcher.EINTERNAL {
		err = matcher.Errorf(matcher.EUNAVAILABLE, "the request took longer than the server allows; try again")
	}
	code := matcher.ErrorCode(err)
	d := errorDetail{Code: wireCode(code), Message: matcher.ErrorMessage(err)}
	var e *matcher.Error
	if errors.As(err, &e) {
		d.Field, d.Rule = e.Field, e.Rule
	}
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	_ = writeJSON(w, status, errorBody{Error: d})
}
