package transport

import (
	"context"
	"net/http"
)

// keyRoutes are the routes of API keys and of residents' privacy: listing
// and revoking keys, withdrawing consent, and the audited address of a
// claimed on-site wish.
func (h *handler) keyRoutes() []route {
	s := h.svc
	return []route{
		getList("/v1/api-keys", "List API keys by prefix: all for an admin, one's own for others", pages(s.ListAPIKeys)),
		action("/v1/api-keys/{prefix}", "prefix", "revoke", "Revoke an API key (admin, or the key's own holder)", s.RevokeAPIKey),
		action("/v1/residents/{id}", "id", "consent/withdraw",
			"Record that a resident withdrew consent: no new wishes, personal data hidden (social worker)", s.WithdrawConsent),
		getOne("/v1/wishes/{id}/address",
			"The resident's name, phone, address and exact point, for the active claimant of an on-site wish; audited",
			s.WishAddress),
	}
}

// action builds a bodiless POST that acts on the entity named by the path
// parameter param, answering 200 with what it became.
func action[Out any](base, param, verb, summary string, fn func(context.Context, string) (Out, error)) route {
	return route{
		method: http.MethodPost, path: base + "/" + verb, summary: summary, status: http.StatusOK, out: typeOf[Out](),
		decode: func(r *http.Request) (any, error) { return request{id: r.PathValue(param), r: r}, nil },
		serve: func(ctx context.Context, req any) (any, error) {
			v, err := fn(ctx, req.(request).id)
			return response{v: v, status: http.StatusOK, err: err}, nil
		},
	}
}
