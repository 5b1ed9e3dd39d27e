package transport

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/linli/linli/matcher"
)

// ConsoleService is what the console needs of the service besides the
// rest of the API: who a key is, trying rules, and the pictures.
type ConsoleService interface {
	Me(ctx context.Context) (*matcher.Me, error)
	TestRules(ctx context.Context, in matcher.RulesTestInput) (*matcher.RulesTestResult, error)
	PreviewRules(ctx context.Context, in matcher.RulesImpactInput) (*matcher.RulesImpactReport, error)
	WeeklyStats(ctx context.Context, weeks int) (*matcher.WeeklyStats, error)
	RatingStats(ctx context.Context) (*matcher.RatingStats, error)
}

// me is who a key is, and the routes of this API its role may call: what
// the console offers follows them, so the table alone decides.
type me struct {
	matcher.Me
	Routes []string `json:"routes"` // "METHOD /path", as /openapi.json names them
}

// consoleRoutes are the routes the console added to the API.
func (h *handler) consoleRoutes() []route {
	s, max := h.svc, h.opts.MaxBody
	return []route{
		op(http.MethodGet, "/v1/me", "Who the key in use stands for: role, subject, staff's node, and the routes the role may call",
			matcher.MeRead, http.StatusOK, nil, nil, func(*http.Request, map[string]string) (noInput, error) { return noInput{}, nil },
			func(ctx context.Context, _ noInput) (*me, error) {
				m, err := s.Me(ctx)
				if err != nil {
					return nil, err
				}
				return &me{Me: *m, Routes: h.routesOf(m.Role)}, nil
			}),
		op(http.MethodPost, "/v1/rules/test",
			"Evaluate the rules in force (or a rules file given as yaml) on typed facts: allowed, the deciding rule and its explanation, every rule's verdict (staff)",
			matcher.RulesTest, http.StatusOK, typeOf[matcher.RulesTestInput](), nil,
			func(r *http.Request, _ map[string]string) (matcher.RulesTestInput, error) {
				return decodeJSON[matcher.RulesTestInput](r, max)
			}, s.TestRules),
		op(http.MethodPost, "/v1/rules/impact",
			"A dry run of a proposed rules file on the open wishes in scope: eligible suppliers now and proposed, per wish, and totals (staff); a file that does not compile is 400 naming its lines",
			matcher.RulesPreview, http.StatusOK, typeOf[matcher.RulesImpactInput](), nil,
			func(r *http.Request, _ map[string]string) (matcher.RulesImpactInput, error) {
				return decodeJSON[matcher.RulesImpactInput](r, max)
			}, s.PreviewRules),
		op(http.MethodGet, "/v1/stats/weekly", "Wishes in scope created, claimed and fulfilled per ISO week (UTC), the current week last (staff)",
			matcher.StatsWeekly, http.StatusOK, nil, []param{{"weeks", "how many weeks (default 12, at most 104)"}},
			func(_ *http.Request, q map[string]string) (int, error) {
				v, ok := q["weeks"]
				if !ok {
					return 12, nil
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					return 0, matcher.Invalid("weeks", "must be a whole number from 1 to %d", matcher.MaxStatsWeeks)
				}
				return n, nil
			}, s.WeeklyStats),
		op(http.MethodGet, "/v1/stats/ratings", "Satisfaction ratings of confirmed wishes in scope per provider: count, mean and distribution 1–5 (staff)",
			matcher.StatsRatings, http.StatusOK, nil, nil, func(*http.Request, map[string]string) (noInput, error) { return noInput{}, nil },
			func(ctx context.Context, _ noInput) (*matcher.RatingStats, error) { return s.RatingStats(ctx) }),
	}
}

// routesOf returns the routes of the table that role may call on some
// object, as "METHOD /path", sorted.
func (h *handler) routesOf(role string) []string {
	var out []string
	for _, rt := range h.table {
		if rt.public() {
			continue
		}
		if matcher.RoleMay(role, rt.action) == nil {
			out = append(out, rt.method+" "+rt.path)
		}
	}
	slices.Sort(out)
	return out
}
