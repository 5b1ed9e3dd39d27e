package transport

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/linli/linli/matcher"
)

// noInput is the body of actions that need none; an empty body is fine.
type noInput struct{}

// wishAction builds a route that acts on the wish {id} with an In, which may be
// an empty body when optional is set.
func wishAction[In, Out any](method, path, summary string, status int, maxBody int64, optional bool,
	fn func(ctx context.Context, r *http.Request, in In) (Out, error)) route {
	return route{
		method: method, path: path, summary: summary, status: status, in: typeOf[In](), out: typeOf[Out](),
		decode: func(r *http.Request) (any, error) {
			in, err := decodeBody[In](r, maxBody, optional)
			return request{id: r.PathValue("id"), body: in, r: r}, err
		},
		serve: func(ctx context.Context, req any) (any, error) {
			rq := req.(request)
			v, err := fn(ctx, rq.r, rq.body.(In))
			return response{v: v, status: status, err: err}, nil
		},
	}
}

// decodeBody is decodeJSON that, when optional, takes a missing or empty
// body for a zero In.
func decodeBody[In any](r *http.Request, maxBody int64, optional bool) (In, error) {
	var zero In
	if !optional || r.Body == nil || r.Body == http.NoBody {
		if optional {
			return zero, nil
		}
		return decodeJSON[In](r, maxBody)
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return zero, matcher.Invalid("body", "is larger than %d bytes", maxBody)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return zero, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return decodeJSON[In](r, maxBody)
}

// claimRoutes are the routes of claims and the wish lifecycle: claiming,
// withdrawing, reassigning, fulfilment, confirmation, cancelling, history,
// and the totals computed from it.
func (h *handler) claimRoutes() []route {
	s, max := h.svc, h.opts.MaxBody
	withdraw := func(ctx context.Context, r *http.Request, _ noInput) (*matcher.Claim, error) {
		return s.Withdraw(ctx, r.PathValue("id"), r.PathValue("claim_id"))
	}
	return []route{
		wishAction(http.MethodPost, "/v1/wishes/{id}/claims", "Claim a wish (enterprise, organisation, volunteer); Idempotency-Key honoured",
			http.StatusCreated, max, true, func(ctx context.Context, r *http.Request, _ noInput) (*matcher.Claim, error) {
				return s.ClaimWish(ctx, r.PathValue("id"))
			}),
		wishAction(http.MethodPost, "/v1/wishes/{id}/claims/{claim_id}/withdraw", "Withdraw your claim; the wish is open again",
			http.StatusOK, max, true, withdraw),
		wishAction(http.MethodDelete, "/v1/wishes/{id}/claims/{claim_id}", "Withdraw your claim; the wish is open again",
			http.StatusOK, max, true, withdraw),
		wishAction(http.MethodPost, "/v1/wishes/{id}/reassign", "Give a claimed wish to another eligible claimant (coordinator)",
			http.StatusCreated, max, false, func(ctx context.Context, r *http.Request, in matcher.ReassignInput) (*matcher.Claim, error) {
				return s.Reassign(ctx, r.PathValue("id"), in)
			}),
		wishAction(http.MethodPost, "/v1/wishes/{id}/fulfilment", "Report what was done and the hours given (the claimant)",
			http.StatusCreated, max, false, func(ctx context.Context, r *http.Request, in matcher.FulfilmentInput) (*matcher.Claim, error) {
				return s.Fulfil(ctx, r.PathValue("id"), in)
			}),
		wishAction(http.MethodPost, "/v1/wishes/{id}/confirmation", "Confirm or dispute a fulfilment, with the resident's rating (social worker)",
			http.StatusCreated, max, false, func(ctx context.Context, r *http.Request, in matcher.ConfirmationInput) (*matcher.Claim, error) {
				return s.Confirm(ctx, r.PathValue("id"), in)
			}),
		wishAction(http.MethodPost, "/v1/wishes/{id}/cancel", "Cancel an open or claimed wish (social worker)",
			http.StatusOK, max, true, func(ctx context.Context, r *http.Request, in matcher.CancelInput) (*matcher.Event, error) {
				return s.Cancel(ctx, r.PathValue("id"), in)
			}),
		getOne("/v1/wishes/{id}/events", "The whole history of a wish, oldest first (staff and its claimants)", s.WishEvents),
		getOne("/v1/volunteers/{id}/hours", "A volunteer's hours from confirmed fulfilments, by month and category", s.VolunteerHours),
		getOne("/v1/enterprises/{id}/ratings", "Ratings of an enterprise's confirmed fulfilments", s.EnterpriseRatings),
		getOne("/v1/organisations/{id}/ratings", "Ratings of an organisation's confirmed fulfilments", s.OrganisationRatings),
	}
}
