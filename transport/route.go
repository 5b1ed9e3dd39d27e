package transport

import (
	"bytes"
	"context"
	"net/http"
	"reflect"

	"github.com/go-kit/kit/endpoint"

	"github.com/linli/linli/matcher"
)

// route is one line of the route table: the HTTP method and path, the
// action it does (whose policy decides who may), how its request is
// decoded and served, and what the OpenAPI document says of it.
type route struct {
	method  string
	path    string
	summary string
	action  matcher.Action // "" for public routes
	status  int            // status of success
	in      reflect.Type   // the body, nil for none
	out     reflect.Type
	query   []param
	decode  func(*http.Request) (any, error)
	serve   endpoint.Endpoint
	// replay answers again a request whose Idempotency-Key made a change
	// already, from what the change made; nil for routes that change
	// nothing.
	replay func(context.Context, *matcher.IdempotencyRecord) (any, error)
	// formats are the other forms the answer may take (csv, geojson), by
	// ?format= or Accept.
	formats []string
	// form, when set, is the schema of a multipart/form-data body, which
	// the route reads instead of JSON (an import's file); also lists the
	// statuses of success besides status (a dry run's 200).
	form map[string]any
	also []int
}

func (rt *route) public() bool { return rt.action == "" }

type param struct {
	name, desc string
}

// pageParams are the query parameters of every list.
var pageParams = []param{
	{"limit", "page size (capped by the server)"},
	{"after", "the cursor `next` of the previous page"},
}

// op builds a route from its typed request: decode turns the HTTP request
// (its path values, its query parameters params, already checked, and,
// for routes with a body, the body In) into a Req, and fn serves it. It is
// the one place a *http.Request is read; endpoints see only Req.
func op[Req, Out any](method, path, summary string, a matcher.Action, status int, in reflect.Type, params []param,
	decode func(r *http.Request, q map[string]string) (Req, error), fn func(context.Context, Req) (Out, error)) route {
	return route{
		method: method, path: path, summary: summary, action: a, status: status, in: in, out: typeOf[Out](), query: params,
		decode: func(r *http.Request) (any, error) {
			q, err := query(r, params)
			if err != nil {
				return nil, err
			}
			return decode(r, q)
		},
		serve: func(ctx context.Context, req any) (any, error) {
			v, err := fn(ctx, req.(Req))
			return response{v: v, status: status, err: err}, nil
		},
	}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// idBody is the request of a route on the object {id} with a body.
type idBody[In any] struct {
	id   string
	body In
}

// post builds a route whose body is an In, creating an Out (201).
func post[In, Out any](path, summary string, a matcher.Action, max int64, fn func(context.Context, In) (Out, error)) route {
	return op(http.MethodPost, path, summary, a, http.StatusCreated, typeOf[In](), nil,
		func(r *http.Request, _ map[string]string) (In, error) { return decodeJSON[In](r, max) }, fn)
}

// put builds a route that replaces the object {id} with an In.
func put[In, Out any](path, summary string, a matcher.Action, max int64, fn func(context.Context, string, In) (Out, error)) route {
	return op(http.MethodPut, path, summary, a, http.StatusOK, typeOf[In](), nil,
		func(r *http.Request, _ map[string]string) (idBody[In], error) {
			in, err := decodeJSON[In](r, max)
			return idBody[In]{id: r.PathValue("id"), body: in}, err
		},
		func(ctx context.Context, req idBody[In]) (Out, error) { return fn(ctx, req.id, req.body) })
}

// getOne builds a route that reads the object named by the path
// parameter param.
func getOne[Out any](path, param, summary string, a matcher.Action, fn func(context.Context, string) (Out, error)) route {
	return op(http.MethodGet, path, summary, a, http.StatusOK, nil, nil,
		func(r *http.Request, _ map[string]string) (string, error) { return r.PathValue(param), nil }, fn)
}

// getList builds a route that pages through a collection with the list's
// page parameters.
func getList[T any](path, summary string, a matcher.Action, fn func(context.Context, matcher.PageRequest) (*matcher.Page[T], error)) route {
	return op(http.MethodGet, path, summary, a, http.StatusOK, nil, pageParams,
		func(_ *http.Request, q map[string]string) (matcher.PageRequest, error) { return pageOf(q) }, fn)
}

// action builds a POST on the object {param} with an In body (optional:
// an empty body is a zero In), answering status with an Out.
func action[In, Out any](path, param, summary string, a matcher.Action, status int, max int64, optional bool,
	fn func(context.Context, string, In) (Out, error)) route {
	return op(http.MethodPost, path, summary, a, status, typeOf[In](), nil,
		func(r *http.Request, _ map[string]string) (idBody[In], error) {
			in, err := decodeOptional[In](r, max, optional)
			return idBody[In]{id: r.PathValue(param), body: in}, err
		},
		func(ctx context.Context, req idBody[In]) (Out, error) { return fn(ctx, req.id, req.body) })
}

// decodeOptional is decodeJSON that, when optional, takes a missing or
// empty body for a zero In.
func decodeOptional[In any](r *http.Request, max int64, optional bool) (In, error) {
	var zero In
	if !optional {
		return decodeJSON[In](r, max)
	}
	body, err := readBody(r, max)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return zero, err
	}
	return zero, unmarshalStrict(body, &zero)
}

// noInput is the body of actions that need none; an empty body is fine.
type noInput struct{}
