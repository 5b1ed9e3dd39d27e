package transport

import (
	"context"
	"net/http"
	"reflect"

	"github.com/go-kit/kit/endpoint"

	"github.com/linli/linli/matcher"
)

// route is one line of the route table: the HTTP method and path, the
// endpoint that serves it, and what the OpenAPI document says of it.
type route struct {
	method  string
	path    string
	summary string
	public  bool // no API key needed
	status  int  // status of success
	in      reflect.Type
	out     reflect.Type
	query   []param
	decode  func(*http.Request) (any, error)
	serve   endpoint.Endpoint
}

type param struct {
	name, desc string
}

// request is what every decoder produces: the path id, the query and the
// decoded body.
type request struct {
	id   string
	page matcher.PageRequest
	r    *http.Request
	body any
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// post builds a route whose body is an In, creating an Out.
func post[In, Out any](path, summary string, maxBody int64, fn func(context.Context, In) (Out, error)) route {
	return route{
		method: http.MethodPost, path: path, summary: summary, status: http.StatusCreated,
		in: typeOf[In](), out: typeOf[Out](),
		decode: func(r *http.Request) (any, error) {
			in, err := decodeJSON[In](r, maxBody)
			return request{body: in, r: r}, err
		},
		serve: func(ctx context.Context, req any) (any, error) {
			v, err := fn(ctx, req.(request).body.(In))
			return response{v: v, status: http.StatusCreated, err: err}, nil
		},
	}
}

// put builds a route that replaces the entity {id} with an In.
func put[In, Out any](path, summary string, maxBody int64, fn func(context.Context, string, In) (Out, error)) route {
	return route{
		method: http.MethodPut, path: path, summary: summary, status: http.StatusOK,
		in: typeOf[In](), out: typeOf[Out](),
		decode: func(r *http.Request) (any, error) {
			in, err := decodeJSON[In](r, maxBody)
			return request{id: r.PathValue("id"), body: in, r: r}, err
		},
		serve: func(ctx context.Context, req any) (any, error) {
			rq := req.(request)
			v, err := fn(ctx, rq.id, rq.body.(In))
			return response{v: v, status: http.StatusOK, err: err}, nil
		},
	}
}

// getOne builds a route that reads the entity {id}.
func getOne[Out any](path, summary string, fn func(context.Context, string) (Out, error)) route {
	return route{
		method: http.MethodGet, path: path, summary: summary, status: http.StatusOK, out: typeOf[Out](),
		decode: func(r *http.Request) (any, error) { return request{id: r.PathValue("id"), r: r}, nil },
		serve: func(ctx context.Context, req any) (any, error) {
			v, err := fn(ctx, req.(request).id)
			return response{v: v, status: http.StatusOK, err: err}, nil
		},
	}
}

// getList builds a route that pages through a collection.
func getList[Out any](path, summary string, fn func(context.Context, *http.Request, matcher.PageRequest) (Out, error), query ...param) route {
	return route{
		method: http.MethodGet, path: path, summary: summary, status: http.StatusOK, out: typeOf[Out](),
		query: append([]param{
			{"limit", "page size (capped by the server)"},
			{"after", "the cursor `next` of the previous page"},
		}, query...),
		decode: func(r *http.Request) (any, error) {
			page, err := pageRequest(r)
			return request{page: page, r: r}, err
		},
		serve: func(ctx context.Context, req any) (any, error) {
			rq := req.(request)
			v, err := fn(ctx, rq.r, rq.page)
			return response{v: v, status: http.StatusOK, err: err}, nil
		},
	}
}

// pages adapts a service list method that needs no query parameters.
func pages[T any](fn func(context.Context, matcher.PageRequest) (*matcher.Page[T], error)) func(context.Context, *http.Request, matcher.PageRequest) (*matcher.Page[T], error) {
	return func(ctx context.Context, _ *http.Request, p matcher.PageRequest) (*matcher.Page[T], error) {
		return fn(ctx, p)
	}
}

// crud builds the create, list, read and replace routes of a collection.
func crud[In, Out any](
	name string, maxBody int64,
	create func(context.Context, In) (*Out, error),
	list func(context.Context, matcher.PageRequest) (*matcher.Page[Out], error),
	read func(context.Context, string) (*Out, error),
	update func(context.Context, string, In) (*Out, error),
) []route {
	base := "/v1/" + name
	return []route{
		post(base, "Create one of "+name, maxBody, create),
		getList(base, "List "+name, pages(list)),
		getOne(base+"/{id}", "Read one of "+name, read),
		put(base+"/{id}", "Replace what may be set on one of "+name, maxBody, update),
	}
}

// routes is Linli's whole API.
func (h *handler) routes() []route {
	s, max := h.svc, h.opts.MaxBody
	rs := []route{
		{method: http.MethodGet, path: "/healthz", summary: "The process is up", public: true, status: http.StatusOK, out: typeOf[health](),
			decode: noBody, serve: h.healthz},
		{method: http.MethodGet, path: "/readyz", summary: "The store answers and rules are loaded", public: true, status: http.StatusOK, out: typeOf[health](),
			decode: noBody, serve: h.readyz},
		post("/v1/api-keys", "Create an API key (admin); the key is shown only in this response", max, s.CreateAPIKey),
	}
	rs = append(rs, crud("volunteers", max, s.CreateVolunteer, s.ListVolunteers, s.GetVolunteer, s.UpdateVolunteer)...)
	rs = append(rs, crud("organisations", max, s.CreateOrganisation, s.ListOrganisations, s.GetOrganisation, s.UpdateOrganisation)...)
	rs = append(rs, crud("enterprises", max, s.CreateEnterprise, s.ListEnterprises, s.GetEnterprise, s.UpdateEnterprise)...)
	rs = append(rs, crud("resources", max, s.CreateResource, s.ListResources, s.GetResource, s.UpdateResource)...)
	rs = append(rs, crud("residents", max, s.CreateResident, s.ListResidents, s.GetResident, s.UpdateResident)...)
	rs = append(rs,
		post("/v1/wishes", "Record a resident's wish (social worker)", max, s.CreateWish),
		getList("/v1/wishes", "List wishes: whole for staff, public and open-only for suppliers", h.listWishes,
			param{"status", "open, claimed, fulfilled, confirmed, cancelled or expired"}, nearParam),
		getOne("/v1/wishes/{id}", "Read a wish: whole for staff and its claimant, public otherwise", s.GetWish),
		put("/v1/wishes/{id}", "Change an open wish (social worker)", max, s.UpdateWish),
	)
	rs = append(rs, h.claimRoutes()...)
	rs = append(rs, h.keyRoutes()...)
	rs = append(rs, h.candidateRoutes()...)
	return rs
}

func noBody(r *http.Request) (any, error) { return request{r: r}, nil }

func (h *handler) listWishes(ctx context.Context, r *http.Request, p matcher.PageRequest) (any, error) {
	if near := r.URL.Query().Get("near"); near != "" {
		return h.svc.NearWishes(ctx, near, r.URL.Query().Get("status"), p)
	}
	return h.svc.ListWishes(ctx, matcher.WishFilter{Status: r.URL.Query().Get("status")}, p)
}

type health struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
	Rules   any    `json:"rules,omitempty"`
}

func (h *handler) healthz(context.Context, any) (any, error) {
	return response{v: health{Status: "ok", Version: h.opts.Version}, status: http.StatusOK}, nil
}

func (h *handler) readyz(ctx context.Context, _ any) (any, error) {
	hl := health{Status: "ready", Version: h.opts.Version}
	status := http.StatusOK
	if err := h.svc.Ready(ctx); err != nil {
		hl.Status, hl.Error, status = "unavailable", err.Error(), http.StatusServiceUnavailable
	}
	if e := h.svc.Rules(); e != nil {
		hl.Rules = e.Status()
	}
	return response{v: hl, status: status}, nil
}
