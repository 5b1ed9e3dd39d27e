package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-kit/kit/endpoint"

	"github.com/linli/linli/matcher"
)

// response carries an endpoint's result. A business error travels inside
// it and is exposed with Failed, so go-kit middlewares such as circuit
// breakers never count a 409 as a failure of the endpoint.
type response struct {
	v      any
	status int
	err    error
}

var _ endpoint.Failer = response{}

func (r response) Failed() error { return r.err }

// decodeJSON decodes a request body of at most max bytes into a T, with
// unknown fields refused, and names the field at fault when it can.
func decodeJSON[T any](r *http.Request, max int64) (T, error) {
	var v T
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return v, matcher.Invalid("body", "is larger than %d bytes", max)
		}
		return v, matcher.Invalid("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return v, matcher.Invalid("body", "is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonError(err)
	}
	if dec.More() {
		return v, matcher.Invalid("body", "has data after the JSON object")
	}
	return v, nil
}

// jsonError turns a decoding error into an EINVALID naming the field.
func jsonError(err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return matcher.Invalid("body", "is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return matcher.Invalid(field, "must be %s, not %s", jsonType(typeErr.Type.Kind().String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return matcher.Invalid(name, "is not a field this request accepts")
	case errors.Is(err, io.ErrUnexpectedEOF):
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

// encodeResponse writes a response, or its error through errorEncoder.
func encodeResponse(ctx context.Context, w http.ResponseWriter, resp any) error {
	if f, ok := resp.(endpoint.Failer); ok && f.Failed() != nil {
		errorEncoder(ctx, f.Failed(), w)
		return nil
	}
	r := resp.(response)
	return writeJSON(w, r.status, r.v)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if status == http.StatusNoContent {
		return nil
	}
	return json.NewEncoder(w).Encode(v)
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
	if errors.Is(err, context.DeadlineExceeded) && matcher.ErrorCode(err) == matcher.EINTERNAL {
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
	_ = writeJSON(w, status, errorBody{Error: d})
}

// pageRequest reads ?after= and ?limit= .
func pageRequest(r *http.Request) (matcher.PageRequest, error) {
	q := r.URL.Query()
	req := matcher.PageRequest{After: q.Get("after")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return req, matcher.Invalid("limit", "must be a positive whole number")
		}
		req.Limit = n
	}
	return req, nil
}

func errUnsupported(what string) error {
	return matcher.Invalid("body", "%s", fmt.Sprintf("%s is not supported", what))
}
