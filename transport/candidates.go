package transport

import (
	"context"
	"net/http"

	"github.com/linli/linli/matcher"
)

// candidateRoutes are the routes of the candidate search.
func (h *handler) candidateRoutes() []route {
	return []route{{
		method: http.MethodGet, path: "/v1/wishes/{id}/candidates",
		summary: "Eligible suppliers inside an open wish's walking circle, nearest first, and how many each rule excluded (staff)",
		status:  http.StatusOK, out: typeOf[matcher.CandidateList](),
		query: []param{{"limit", "how many candidates (default 20, capped by the server)"}},
		decode: func(r *http.Request) (any, error) {
			page, err := pageRequest(r)
			return request{id: r.PathValue("id"), page: page, r: r}, err
		},
		serve: func(ctx context.Context, req any) (any, error) {
			rq := req.(request)
			v, err := h.svc.WishCandidates(ctx, rq.id, rq.page.Limit)
			return response{v: v, status: http.StatusOK, err: err}, nil
		},
	}}
}

// nearParam documents ?near= on the list of wishes.
var nearParam = param{"near", "LAT,LNG: suppliers only; the open wishes whose walking circle holds this point and that the caller may serve, nearest first"}
