package matcher

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/linli/linli/geo"
)

// EvaluationConfig weighs the score of an evaluation. Zero values take
// the defaults: residents' satisfaction 0.5, fulfilment 0.3, timeliness
// 0.2.
type EvaluationConfig struct {
	Satisfaction, Fulfilment, Timeliness float64
}

func (c EvaluationConfig) withDefaults() EvaluationConfig {
	if c.Satisfaction <= 0 && c.Fulfilment <= 0 && c.Timeliness <= 0 {
		c.Satisfaction, c.Fulfilment, c.Timeliness = 0.5, 0.3, 0.2
	}
	return c
}

// Count is a count, or null when the caller may not see it: under k for
// a caller who may not read the residents behind it.
type Count = *int

// WishCounts counts distinct wishes by what happened to the provider's
// claims on them.
type WishCounts struct {
	// Claimed: wishes the provider claimed. Fulfilled: of those, with a
	// fulfilment reported on the provider's claim; Confirmed and Disputed:
	// with that fulfilment confirmed or disputed by the social worker;
	// ReleasedStale: whose claim by the provider expired unfulfilled;
	// Withdrawn: the provider withdrew; Cancelled: cancelled while the
	// provider held the claim.
	Claimed       Count `json:"claimed"`
	Fulfilled     Count `json:"fulfilled"`
	Confirmed     Count `json:"confirmed"`
	Disputed      Count `json:"disputed"`
	ReleasedStale Count `json:"released_stale"`
	Withdrawn     Count `json:"withdrawn"`
	Cancelled     Count `json:"cancelled"`
}

// Durations are the median and 90th percentile (nearest rank) of some
// hours, null when there are none (or the caller may not see them).
type Durations struct {
	Count  Count    `json:"count"`
	Median *float64 `json:"median"`
	P90    *float64 `json:"p90"`
}

// Satisfaction is the residents' ratings of confirmed fulfilments.
type Satisfaction struct {
	Mean         *float64         `json:"mean"`
	Count        Count            `json:"count"`
	Distribution map[string]Count `json:"distribution"`
}

// Evaluation is how well a provider served, by the residents' word first.
// A caller who may not read the residents behind it (a coordinator, the
// provider itself) sees no count under k (null) and no figure drawn from
// fewer than k residents, by the public figures' rules, and the figures
// withheld named in Suppressed.
type Evaluation struct {
	ProgrammeID string     `json:"programme_id,omitempty"`
	Provider    Party      `json:"provider"`
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Wishes      WishCounts `json:"wishes"`
	// TimeToClaim runs from a wish's creation to the provider's first
	// claim on it; TimeToFulfil from a claim to its fulfilment (done_at).
	TimeToClaim  Durations    `json:"time_to_claim_hours"`
	TimeToFulfil Durations    `json:"time_to_fulfil_hours"`
	Satisfaction Satisfaction `json:"satisfaction"`
	Hours        *float64     `json:"hours"`
	Budget       *float64     `json:"budget,omitempty"`
	// CostPerConfirmed is the budget over the confirmed wishes, null
	// without any.
	CostPerConfirmed *float64 `json:"cost_per_confirmed"`
	// Score, 0 to 100, weighs the mean rating ((mean − 1) / 4), the share
	// of claimed wishes confirmed, and the share of fulfilments reported
	// before their claim was due; null when nothing was claimed.
	Score      *float64           `json:"score"`
	Weights    map[string]float64 `json:"weights"`
	Suppressed []string           `json:"suppressed"`
}

// wishCounts counts distinct wishes, whole.
type wishCounts struct {
	Claimed, Fulfilled, Confirmed, Disputed, ReleasedStale, Withdrawn, Cancelled int
}

// durations are some hours' count, median and 90th percentile, whole.
type durations struct {
	Count       int
	Median, P90 *float64
}

// tally is an evaluation's figures, whole, before anyone is shown them.
type tally struct {
	ProgrammeID               string
	Provider                  Party
	From, To                  time.Time
	Wishes                    wishCounts
	TimeToClaim, TimeToFulfil durations
	Mean                      *float64
	Ratings                   int
	Distribution              map[string]int
	Hours                     float64
	Budget, CostPerConfirmed  *float64
	Score                     *float64
	Weights                   map[string]float64
	// people counts the distinct residents behind each figure, for the
	// thresholds.
	people map[string]int
}

// claimScope decides which claims an evaluation counts.
type claimScope struct {
	provider Party
	members  func(Party) bool // whether a claimant serves as the provider
	keep     func(w *Wish) bool
	from, to time.Time // claims made in [from, to)
	nodes    []string  // the wishes under these nodes (nil: all)
}

// ProgrammeEvaluation evaluates a programme: its provider's claims (its
// own, its member volunteers' and its resources') on wishes of the
// programme's category, in its area, for residents of its target group,
// claimed in its period.
func (s *Service) ProgrammeEvaluation(ctx context.Context, id string) (*Evaluation, error) {
	if _, _, err := s.allow(ctx, ProgrammeEvaluation, id); err != nil {
		return nil, err
	}
	pg, ok := s.programmes.Get(id)
	if !ok {
		return nil, notFound()
	}
	p, _ := PrincipalFrom(ctx)
	return s.shown(s.evaluateProgramme(pg), s.readsResidents(p, pg.NodeID)), nil
}

func (s *Service) evaluateProgramme(pg *Programme) *tally {
	pa := s.areas.get(pg.ID)
	now := s.now()
	res := s.grid.Config().Resolution
	var nodes []string
	if pg.NodeID != "" {
		nodes = s.tree.subtree(pg.NodeID)
	}
	sc := claimScope{provider: pg.Provider, members: s.memberOf(pg.Provider), from: pg.StartsAt, to: pg.EndsAt, nodes: nodes,
		keep: func(w *Wish) bool {
			if w.Category != pg.Category || pa == nil || !pa.cells[geo.Parent(w.Cell, res)] {
				return false
			}
			r, ok := s.residents.Get(w.ResidentID)
			if !ok {
				return false
			}
			if r.hidden() { // erased or withdrawn: the groups the claim recorded
				for _, e := range s.ledger.historyOf(w.ID) {
					if e.Type == EventClaimed && e.Groups != nil {
						return pg.inTargetByTags(e.Groups)
					}
				}
				return false
			}
			facts := residentFactsAt(r, now)
			return pg.inTarget(pa, &facts, now)
		}}
	ev := s.evaluate(sc)
	ev.ProgrammeID = pg.ID
	budget := pg.Budget
	ev.Budget = &budget
	if ev.Wishes.Confirmed > 0 {
		c := round2(budget / float64(ev.Wishes.Confirmed))
		ev.CostPerConfirmed = &c
	}
	return ev
}

// ProviderEvaluation evaluates an organisation or an enterprise over all
// its claims (and its member volunteers' and resources'): on the wishes in
// the caller's scope, all of them for the provider itself.
func (s *Service) ProviderEvaluation(ctx context.Context, id string) (*Evaluation, error) {
	p, reach, err := s.allow(ctx, ProviderEvaluation, id)
	if err != nil {
		return nil, err
	}
	var nodes []string
	whole := false // the provider itself reads no resident
	if reach != Itself {
		nodes = s.scopeNodes(p)
		whole = s.readsResidents(p, p.SubjectID)
	}
	kind := RoleEnterprise
	if _, ok := s.organisations.Get(id); ok {
		kind = RoleOrganisation
	}
	party := Party{Kind: kind, ID: id}
	return s.shown(s.evaluate(claimScope{provider: party, members: s.memberOf(party), keep: func(*Wish) bool { return true },
		to: s.now().Add(time.Minute), nodes: nodes}), whole), nil
}

// memberOf returns whether a claimant serves as the provider: the
// provider itself, or a volunteer who is a member of it.
func (s *Service) memberOf(provider Party) func(Party) bool {
	return func(c Party) bool {
		if c == provider {
			return true
		}
		if c.Kind != RoleVolunteer || provider.Kind != RoleOrganisation {
			return false
		}
		v, ok := s.volunteers.Get(c.ID)
		return ok && v.OrganisationID == provider.ID
	}
}

// evaluate folds the histories of the wishes sc keeps.
func (s *Service) evaluate(sc claimScope) *tally {
	w := s.cfg.Evaluation
	ev := &tally{Provider: sc.provider, From: sc.from, To: sc.to,
		Distribution: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
		Weights:      map[string]float64{"satisfaction": w.Satisfaction, "fulfilment": w.Fulfilment, "timeliness": w.Timeliness}}
	var toClaim, toFulfil []float64
	ratings, onTime, ended := 0, 0, 0
	sum := 0
	people := map[string]map[string]bool{} // figure → the residents it counts
	counted := func(figure, resident string) {
		if people[figure] == nil {
			people[figure] = map[string]bool{}
		}
		people[figure][resident] = true
	}
	s.lists.wishes.Each(sc.nodes, func(id string) bool {
		wish, ok := s.wishes.Get(id)
		if !ok || !sc.keep(wish) {
			return true
		}
		var o struct{ claimed, fulfilled, confirmed, disputed, stale, withdrawn, cancelled bool }
		mine := map[string]bool{} // the provider's claims of the wish
		for _, e := range s.ledger.historyOf(id) {
			if e.Type == EventClaimed {
				if e.Claimant == nil || !sc.members(*e.Claimant) || e.At.Before(sc.from) || !e.At.Before(sc.to) {
					continue
				}
				mine[e.ClaimID] = true
				if !o.claimed {
					toClaim = append(toClaim, e.At.Sub(wish.CreatedAt).Hours())
				}
				o.claimed = true
				continue
			}
			if !mine[e.ClaimID] {
				continue
			}
			switch e.Type {
			case EventFulfilled:
				o.fulfilled = true
				done := e.DoneAt
				if done.IsZero() {
					done = e.At
				}
				if claimedAt := s.claimedAt(id, e.ClaimID); !claimedAt.IsZero() {
					toFulfil = append(toFulfil, done.Sub(claimedAt).Hours())
				}
				ended++
				if !e.At.After(e.DueAt) { // reported, not claimed done, in time
					onTime++
				}
			case EventConfirmed:
				o.confirmed = true
				for _, h := range e.Hours {
					ev.Hours += h.Hours
				}
				if e.Rating >= 1 && e.Rating <= 5 {
					ratings++
					sum += e.Rating
					bucket := string(rune('0' + e.Rating))
					ev.Distribution[bucket]++
					counted("distribution."+bucket, wish.ResidentID)
					counted("ratings", wish.ResidentID)
				}
			case EventDisputed:
				o.disputed = true
			case EventExpired:
				o.stale = true
				ended++
			case EventWithdrawn:
				o.withdrawn = true
			case EventCancelled, EventConsentWithdrawn:
				o.cancelled = true
			}
		}
		for figure, yes := range map[string]bool{"claimed": o.claimed, "fulfilled": o.fulfilled, "confirmed": o.confirmed,
			"disputed": o.disputed, "released_stale": o.stale, "withdrawn": o.withdrawn, "cancelled": o.cancelled} {
			if yes {
				counted(figure, wish.ResidentID)
			}
		}
		c := &ev.Wishes
		c.Claimed += b2i(o.claimed)
		c.Fulfilled += b2i(o.fulfilled)
		c.Confirmed += b2i(o.confirmed)
		c.Disputed += b2i(o.disputed)
		c.ReleasedStale += b2i(o.stale)
		c.Withdrawn += b2i(o.withdrawn)
		c.Cancelled += b2i(o.cancelled)
		return true
	})
	ev.people = map[string]int{}
	for f, set := range people {
		ev.people[f] = len(set)
	}
	ev.Hours = round2(ev.Hours)
	ev.TimeToClaim, ev.TimeToFulfil = durationsOf(toClaim), durationsOf(toFulfil)
	ev.Ratings = ratings
	if ratings > 0 {
		m := round2(float64(sum) / float64(ratings))
		ev.Mean = &m
	}
	if ev.Wishes.Claimed > 0 {
		sat := 0.0
		if ratings > 0 {
			sat = (float64(sum)/float64(ratings) - 1) / 4
		}
		ful := float64(ev.Wishes.Confirmed) / float64(ev.Wishes.Claimed)
		tim := 0.0
		if ended > 0 {
			tim = float64(onTime) / float64(ended)
		}
		total := w.Satisfaction + w.Fulfilment + w.Timeliness
		score := round2(100 * (w.Satisfaction*sat + w.Fulfilment*ful + w.Timeliness*tim) / total)
		ev.Score = &score
	}
	return ev
}

// claimedAt returns when the claim was made.
func (s *Service) claimedAt(wishID, claimID string) time.Time {
	for _, e := range s.ledger.historyOf(wishID) {
		if e.Type == EventClaimed && e.ClaimID == claimID {
			return e.At
		}
	}
	return time.Time{}
}

// durations returns the count, median and 90th percentile (nearest rank)
// of hours, rounded to 2 decimals.
func durationsOf(hours []float64) durations {
	d := durations{Count: len(hours)}
	if len(hours) == 0 {
		return d
	}
	slices.Sort(hours)
	rank := func(p float64) *float64 {
		v := round2(hours[max(0, int(math.Ceil(p*float64(len(hours))))-1)])
		return &v
	}
	d.Median, d.P90 = rank(0.5), rank(0.9)
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// evaluationCounts are the counts of an evaluation, by name.
var evaluationCounts = []string{"claimed", "fulfilled", "confirmed", "disputed", "released_stale", "withdrawn", "cancelled"}

// ratingBuckets are the ratings' names.
var ratingBuckets = []string{"1", "2", "3", "4", "5"}

// withheld decides which of ev's figures are withheld from whoever may
// not read the residents behind them — the public, coordinators, the
// provider itself: every count of fewer than k distinct residents, and
// every figure drawn from fewer than k, so that nothing shown singles a
// resident out. Nothing shown lets a withheld count be worked out: when
// one rating is withheld a second is too, and the ratings' total, their
// mean and the score (which holds the mean) go whenever any rating is
// withheld; the medians need k wishes, hours and the cost per wish k
// confirmed residents. Fewer than k residents claimed ("all") withholds
// everything. The figures are the counts, "distribution.N", "ratings"
// (with the mean and score), "time_to_claim", "time_to_fulfil" and
// "hours" (with the cost per confirmed wish).
func withheld(ev *tally, k int) map[string]bool {
	no := map[string]bool{}
	enough := func(figure string) bool { return ev.people[figure] >= k }
	if !enough("claimed") {
		no["all"] = true
		for _, c := range evaluationCounts {
			no[c] = true
		}
		for _, r := range ratingBuckets {
			no["distribution."+r] = true
		}
		for _, f := range []string{"ratings", "time_to_claim", "time_to_fulfil", "hours"} {
			no[f] = true
		}
		return no
	}
	for _, c := range evaluationCounts {
		no[c] = !enough(c)
	}
	hidden := 0
	for _, r := range ratingBuckets {
		if !enough("distribution." + r) {
			no["distribution."+r] = true
			hidden++
		}
	}
	if hidden == 1 { // a second one, the smallest shown, so that neither can be worked out
		next := ""
		for _, r := range ratingBuckets {
			if !no["distribution."+r] && (next == "" || ev.Distribution[r] < ev.Distribution[next]) {
				next = r
			}
		}
		no["distribution."+next] = true
		hidden++
	}
	no["ratings"] = hidden > 0 || !enough("ratings")
	no["time_to_claim"] = ev.TimeToClaim.Count < k
	no["time_to_fulfil"] = no["fulfilled"] || ev.TimeToFulfil.Count < k
	no["hours"] = no["confirmed"]
	return no
}

// shown is the evaluation a caller sees: whole for one who may read the
// residents behind it, else with the figures withheld null and named in
// Suppressed, and every count shown rounded to the nearest multiple of k
// as the public figures are, so that two programmes a coordinator makes
// alike but for a small group do not tell that group's count by their
// difference.
func (s *Service) shown(t *tally, whole bool) *Evaluation {
	no := map[string]bool{}
	if !whole {
		no = withheld(t, s.cfg.KAnonymity)
	}
	ev := &Evaluation{ProgrammeID: t.ProgrammeID, Provider: t.Provider, From: t.From, To: t.To, Budget: t.Budget,
		Weights: t.Weights, Satisfaction: Satisfaction{Distribution: map[string]Count{}}, Suppressed: []string{}}
	if no["all"] {
		ev.Suppressed = append(ev.Suppressed, "all: fewer than k residents served")
	}
	k := s.cfg.KAnonymity
	count := func(figure, name string, n int) Count {
		if no[figure] {
			ev.Suppressed = append(ev.Suppressed, name)
			return nil
		}
		if !whole {
			n = roundTo(n, k)
		}
		return &n
	}
	w := t.Wishes
	ev.Wishes = WishCounts{Claimed: count("claimed", "wishes.claimed", w.Claimed),
		Fulfilled: count("fulfilled", "wishes.fulfilled", w.Fulfilled), Confirmed: count("confirmed", "wishes.confirmed", w.Confirmed),
		Disputed: count("disputed", "wishes.disputed", w.Disputed), ReleasedStale: count("released_stale", "wishes.released_stale", w.ReleasedStale),
		Withdrawn: count("withdrawn", "wishes.withdrawn", w.Withdrawn), Cancelled: count("cancelled", "wishes.cancelled", w.Cancelled)}
	hours := func(figure, name string, d durations) Durations {
		if no[figure] {
			ev.Suppressed = append(ev.Suppressed, name)
			return Durations{}
		}
		n := d.Count
		if !whole {
			n = roundTo(n, k)
		}
		return Durations{Count: &n, Median: d.Median, P90: d.P90}
	}
	ev.TimeToClaim = hours("time_to_claim", "time_to_claim_hours", t.TimeToClaim)
	ev.TimeToFulfil = hours("time_to_fulfil", "time_to_fulfil_hours", t.TimeToFulfil)
	for _, r := range ratingBuckets {
		ev.Satisfaction.Distribution[r] = count("distribution."+r, "satisfaction.distribution."+r, t.Distribution[r])
	}
	if no["ratings"] {
		ev.Suppressed = append(ev.Suppressed, "satisfaction.count", "satisfaction.mean", "score")
	} else {
		n := t.Ratings
		if !whole {
			n = roundTo(n, k)
		}
		ev.Satisfaction.Count, ev.Satisfaction.Mean, ev.Score = &n, t.Mean, t.Score
	}
	if no["hours"] {
		ev.Suppressed = append(ev.Suppressed, "hours", "cost_per_confirmed")
	} else {
		h := t.Hours
		ev.Hours, ev.CostPerConfirmed = &h, t.CostPerConfirmed
		if !whole && t.Budget != nil && ev.Wishes.Confirmed != nil && *ev.Wishes.Confirmed > 0 {
			// the budget is known: an exact cost would give the count back
			c := round2(*t.Budget / float64(*ev.Wishes.Confirmed))
			ev.CostPerConfirmed = &c
		}
	}
	return ev
}
