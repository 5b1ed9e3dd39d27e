package transport

import (
	"context"
	"net/http"
	"time"

	"github.com/linli/linli/matcher"
)

// crud builds the create, list, read and replace routes of a collection;
// the action names are its kind's.
func crud[In, Out any](
	name string, max int64, kind string,
	create func(context.Context, In) (*Out, error),
	list func(context.Context, matcher.PageRequest) (*matcher.Page[Out], error),
	read func(context.Context, string) (*Out, error),
	update func(context.Context, string, In) (*Out, error),
) []route {
	base := "/v1/" + name
	c := post(base, "Create one of "+name, matcher.Action(kind+".create"), max, create)
	c.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) { return read(ctx, rec.ID) }
	return []route{
		c,
		getList(base, "List "+name+" in the caller's scope", matcher.Action(kind+".list"), list),
		getOne(base+"/{id}", "id", "Read one of "+name, matcher.Action(kind+".read"), read),
		put(base+"/{id}", "Replace what may be set on one of "+name, matcher.Action(kind+".update"), max, update),
	}
}

// claimReplay answers again a request that returns the claim of the
// event it appended.
func (h *handler) claimReplay(_ context.Context, rec *matcher.IdempotencyRecord) (any, error) {
	return h.svc.ClaimOf(rec.ID)
}

// routes is Linli's whole API.
func (h *handler) routes() []route {
	s, max := h.svc, h.opts.MaxBody
	keyCreate := post("/v1/api-keys", "Create an API key (admin); the key is shown only in this response", matcher.KeyCreate, max, s.CreateAPIKey)
	keyCreate.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) {
		return nil, matcher.Errorf(matcher.ECONFLICT, "this Idempotency-Key made API key %s already; a key is shown only once", rec.ID)
	}
	rs := []route{
		{method: http.MethodGet, path: "/healthz", summary: "The process is up", status: http.StatusOK, out: typeOf[health](),
			decode: noRequest, serve: h.healthz},
		{method: http.MethodGet, path: "/readyz", summary: "The state is loaded, the store answers and rules are loaded (counts only)",
			status: http.StatusOK, out: typeOf[health](), decode: noRequest, serve: h.readyz},
		keyCreate,
		getList("/v1/api-keys", "List API keys by prefix: all for an admin, the key in use for others", matcher.KeyList, s.ListAPIKeys),
		withReplay(action("/v1/api-keys/{prefix}/revoke", "prefix", "Revoke an API key (admin, or the key's own holder)",
			matcher.KeyRevoke, http.StatusOK, max, true, func(ctx context.Context, prefix string, _ noInput) (*matcher.APIKey, error) {
				return s.RevokeAPIKey(ctx, prefix)
			}), func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) {
			return s.GetAPIKey(ctx, rec.ID)
		}),
		getOne("/v1/rules", "", "The rules in force, with their explanations and the engine's status (staff)", matcher.RulesStatus,
			func(ctx context.Context, _ string) (*matcher.RulesView, error) { return s.RulesInForce(ctx) }),
	}
	rs = append(rs, crud("volunteers", max, "volunteer", s.CreateVolunteer, s.ListVolunteers, s.GetVolunteer, s.UpdateVolunteer)...)
	rs = append(rs, crud("organisations", max, "organisation", s.CreateOrganisation, s.ListOrganisations, s.GetOrganisation, s.UpdateOrganisation)...)
	rs = append(rs, crud("enterprises", max, "enterprise", s.CreateEnterprise, s.ListEnterprises, s.GetEnterprise, s.UpdateEnterprise)...)
	rs = append(rs, crud("resources", max, "resource", s.CreateResource, s.ListResources, s.GetResource, s.UpdateResource)...)
	rs = append(rs, crud("residents", max, "resident", s.CreateResident, s.ListResidents, s.GetResident, s.UpdateResident)...)
	wishes := crud("wishes", max, "wish", s.CreateWish, nil, s.GetWish, s.UpdateWish)
	wishes[1] = op(http.MethodGet, "/v1/wishes",
		"List wishes: those in scope, whole, for staff; open ones in public form for suppliers (near a point with near=)",
		matcher.WishList, http.StatusOK, nil, append(append([]param(nil), pageParams...), wishParams...), decodeWishList,
		func(ctx context.Context, r wishList) (*matcher.Page[matcher.WishView], error) {
			return s.ListWishes(ctx, r.filter, r.page)
		})
	rs = append(rs, wishes...)
	rs = append(rs,
		getOne("/v1/volunteers/{id}/hours", "id", "A volunteer's hours from confirmed fulfilments, by month and category", matcher.VolunteerHours, s.VolunteerHours),
		getOne("/v1/enterprises/{id}/ratings", "id", "Ratings of an enterprise's confirmed fulfilments", matcher.EnterpriseRatings, s.EnterpriseRatings),
		getOne("/v1/organisations/{id}/ratings", "id", "Ratings of an organisation's confirmed fulfilments", matcher.OrganisationRatings, s.OrganisationRatings),
		withReplay(action("/v1/residents/{id}/consent/withdraw", "id",
			"Record that a resident withdrew consent: personal data hidden, open wishes closed (social worker)",
			matcher.ResidentWithdraw, http.StatusOK, max, true, func(ctx context.Context, id string, _ noInput) (*matcher.Resident, error) {
				return s.WithdrawConsent(ctx, id)
			}), func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) {
			return s.GetResident(ctx, rec.ID)
		}),
		getOne("/v1/wishes/{id}/address", "id",
			"The resident's name, phone, address and exact point, for the active claimant of an on-site wish; audited",
			matcher.WishAddress, s.WishAddress),
		op(http.MethodGet, "/v1/wishes/{id}/candidates",
			"Eligible suppliers inside an open wish's walking circle, nearest first, and how many each rule excluded (staff)",
			matcher.WishCandidates, http.StatusOK, nil, []param{{"limit", "how many candidates (default 20, capped by the server)"}},
			func(r *http.Request, q map[string]string) (candidatesRequest, error) {
				page, err := pageOf(q)
				return candidatesRequest{id: r.PathValue("id"), limit: page.Limit}, err
			},
			func(ctx context.Context, r candidatesRequest) (*matcher.CandidateList, error) {
				return s.WishCandidates(ctx, r.id, r.limit)
			}),
		getOne("/v1/wishes/{id}/events", "id", "The whole history of a wish, oldest first (staff in scope and its claimants)", matcher.WishEvents, s.WishEvents),
	)
	rs = append(rs, h.claimRoutes()...)
	rs = append(rs, h.roundRoutes()...)
	rs = append(rs, h.reportRoutes()...)
	rs = append(rs, h.importRoutes()...)
	rs = append(rs, h.consoleRoutes()...)
	return rs
}

// roundRoutes are the routes of matching rounds and their offers.
func (h *handler) roundRoutes() []route {
	s, max := h.svc, h.opts.MaxBody
	start := op(http.MethodPost, "/v1/match-runs",
		"Start a matching round over the open wishes in scope (coordinator); it runs in the background: poll GET /v1/match-runs/{id}",
		matcher.MatchStart, http.StatusAccepted, typeOf[matcher.MatchRunInput](), nil,
		func(r *http.Request, _ map[string]string) (matcher.MatchRunInput, error) {
			return decodeOptional[matcher.MatchRunInput](r, max, true)
		}, s.StartMatchRun)
	start.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) { return s.MatchRun(ctx, rec.ID) }
	approve := action("/v1/match-runs/{id}/approve", "id",
		"Turn a finished round's proposals into offers to the suppliers (coordinator); once per round",
		matcher.MatchApprove, http.StatusOK, max, true, func(ctx context.Context, id string, _ noInput) (*matcher.MatchRun, error) {
			return s.ApproveMatchRun(ctx, id)
		})
	approve.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) { return s.MatchRun(ctx, rec.ID) }
	accept := action("/v1/offers/{id}/accept", "id", "Accept an offer: claims its wish through the claim path (the offered supplier)",
		matcher.OfferAccept, http.StatusCreated, max, true, func(ctx context.Context, id string, _ noInput) (*matcher.Claim, error) {
			return s.AcceptOffer(ctx, id)
		})
	accept.replay = h.claimReplay
	decline := action("/v1/offers/{id}/decline", "id", "Decline an offer; the wish goes back to the next round (the offered supplier)",
		matcher.OfferDecline, http.StatusOK, max, true, s.DeclineOffer)
	decline.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) { return s.GetOffer(ctx, rec.ID) }
	return []route{
		start,
		getList("/v1/match-runs", "List matching rounds in scope, without their proposals", matcher.MatchList, s.MatchRuns),
		getOne("/v1/match-runs/{id}", "id", "A matching round: status and progress, proposals, statistics and why each unmatched wish was unmatched",
			matcher.MatchRead, s.MatchRun),
		approve,
		op(http.MethodGet, "/v1/offers", "Offers: a supplier's own, staff's in scope", matcher.OfferList, http.StatusOK, nil,
			append(append([]param(nil), pageParams...), param{"status", "pending, accepted, declined or lapsed"}, param{"run_id", "the round that made them"}),
			func(_ *http.Request, q map[string]string) (matcher.OfferQuery, error) {
				page, err := pageOf(q)
				return matcher.OfferQuery{PageRequest: page, Status: q["status"], RunID: q["run_id"]}, err
			}, s.Offers),
		getOne("/v1/offers/{id}", "id", "One offer (its supplier, staff in scope)", matcher.OfferRead, s.GetOffer),
		accept,
		decline,
	}
}

// claimRoutes are the routes of claims and the wish lifecycle.
func (h *handler) claimRoutes() []route {
	s, max := h.svc, h.opts.MaxBody
	withdraw := func(method, path string) route {
		return op(method, path, "Withdraw your claim; the wish is open again", matcher.WishWithdraw, http.StatusOK, typeOf[noInput](), nil,
			func(r *http.Request, _ map[string]string) (withdrawRequest, error) {
				_, err := decodeOptional[noInput](r, max, true)
				return withdrawRequest{wishID: r.PathValue("id"), claimID: r.PathValue("claim_id")}, err
			},
			func(ctx context.Context, r withdrawRequest) (*matcher.Claim, error) {
				return s.Withdraw(ctx, r.wishID, r.claimID)
			})
	}
	rs := []route{
		action("/v1/wishes/{id}/claims", "id", "Claim a wish (enterprise, organisation, volunteer); Idempotency-Key honoured",
			matcher.WishClaim, http.StatusCreated, max, true, func(ctx context.Context, id string, _ noInput) (*matcher.Claim, error) {
				return s.ClaimWish(ctx, id)
			}),
		withdraw(http.MethodPost, "/v1/wishes/{id}/claims/{claim_id}/withdraw"),
		withdraw(http.MethodDelete, "/v1/wishes/{id}/claims/{claim_id}"),
		action("/v1/wishes/{id}/reassign", "id", "Give a claimed wish to another eligible claimant (coordinator)",
			matcher.WishReassign, http.StatusCreated, max, false, s.Reassign),
		action("/v1/wishes/{id}/fulfilment", "id", "Report what was done and the hours given (the claimant)",
			matcher.WishFulfil, http.StatusCreated, max, false, s.Fulfil),
		action("/v1/wishes/{id}/confirmation", "id", "Confirm or dispute a fulfilment, with the resident's rating (social worker)",
			matcher.WishConfirm, http.StatusCreated, max, false, s.Confirm),
	}
	for i := range rs {
		rs[i].replay = h.claimReplay
	}
	cancel := action("/v1/wishes/{id}/cancel", "id", "Cancel an open or claimed wish (social worker)",
		matcher.WishCancel, http.StatusOK, max, true, s.Cancel)
	cancel.replay = func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) { return s.Event(ctx, rec.ID) }
	return append(rs, cancel)
}

// wishParams are the filters of the list of wishes.
var wishParams = []param{
	{"status", "staff: open, claimed, fulfilled, confirmed, cancelled, expired or withdrawn; suppliers: open"},
	{"category", "a category"},
	{"cell", "an H3 cell: wishes in it or in a cell below it (for suppliers, the cell a wish shows them)"},
	{"node", "staff: a node of the caller's subtree, whose subtree is listed"},
	{"due_before", "wishes due before this time (RFC 3339)"},
	{"due_after", "wishes due at or after this time (RFC 3339)"},
	{"near", "LAT,LNG: suppliers only; the open wishes whose walking circle holds this point and that the caller may serve, nearest first"},
}

// wishList is the request of the list of wishes.
type wishList struct {
	filter matcher.WishFilter
	page   matcher.PageRequest
}

func decodeWishList(_ *http.Request, q map[string]string) (wishList, error) {
	page, err := pageOf(q)
	if err != nil {
		return wishList{}, err
	}
	f := matcher.WishFilter{Status: q["status"], Category: q["category"], Cell: q["cell"], Node: q["node"], Near: q["near"]}
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"due_before", &f.DueBefore}, {"due_after", &f.DueAfter}} {
		if s, ok := q[t.name]; ok {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return wishList{}, matcher.Invalid(t.name, "must be a time like 2026-12-24T18:00:00+08:00 (RFC 3339)")
			}
			*t.to = v
		}
	}
	return wishList{filter: f, page: page}, nil
}

// candidatesRequest asks for the candidates of a wish.
type candidatesRequest struct {
	id    string
	limit int
}

// withdrawRequest names a claim of a wish.
type withdrawRequest struct{ wishID, claimID string }

// noRequest decodes the request of a route that takes nothing: no body is
// read, and any query parameter is refused, as on every route.
func noRequest(r *http.Request) (any, error) {
	_, err := query(r, nil)
	return nil, err
}

func withReplay(rt route, replay func(context.Context, *matcher.IdempotencyRecord) (any, error)) route {
	rt.replay = replay
	return rt
}
