// Package matcher is Linli's domain: the people and things that are matched
// (volunteers, organisations, enterprises, resources, residents, wishes), the
// errors the service returns, the Service that runs the wish lifecycle, and
// the Store interface it needs. It knows nothing of bson, HTTP or go-kit.
package matcher

import (
	"errors"
	"fmt"
)

// Error codes. Transport maps each to one HTTP status in one table.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINELIGIBLE   = "ineligible"
	ERATELIMITED  = "rate_limited"
	EIDEMPOTENCY  = "idempotency_mismatch"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is a domain error: a code a client can act on, a message a person can
// read, and, where one input field or one rule is at fault, its name.
type Error struct {
	Code    string
	Message string
	Field   string
	Rule    string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for internal errors, whose details are only logged.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}

// Replayed is the answer to a request whose Idempotency-Key an earlier
// request with the same body used: it names what that request made, to be
// read again and answered as it is now.
type Replayed struct {
	Record *IdempotencyRecord
}

func (r *Replayed) Error() string { return "replayed: " + r.Record.Key }
