package matcher

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/assign"
	"github.com/linli/linli/matcher/index"
	"github.com/linli/linli/rules"
)

// roundWorkers is how many goroutines search and solve a round.
const roundWorkers = 2

// solveRound computes the round: the open wishes it covers, every
// eligible pair with a supplier that has room, the optimal assignment,
// why each wish left out was left out, and (unless a dry run) the circles
// it widens. It returns the run done.
func (s *Service) solveRound(ctx context.Context, run *MatchRun, p Principal, report func(string, int, int)) (*MatchRun, error) {
	set, err := s.ruleSet()
	if err != nil {
		return nil, err
	}
	now := s.now()
	report("collecting", 0, 0)
	wishes := s.roundWishes(run, now)
	busy := s.pendingOffers(now)
	report("searching", 0, len(wishes))
	start := time.Now()
	// Suppliers are searched as if free: their room is the slots'
	// capacity, so one at its limit is busy (no_capacity), not excluded.
	search := index.Search{Rules: set, Now: now}
	pairs, err := BuildPairs(ctx, s.index, wishes, search, func(sl Slot) int { return s.room(sl, busy) }, roundWorkers,
		func(done, total int) { report("searching", done, total) })
	if err != nil {
		return nil, err
	}
	searched := time.Since(start)
	report("solving", 0, len(wishes))
	start = time.Now()
	sol, err := assign.Solve(ctx, &pairs.Problem, assign.Options{Workers: roundWorkers, Warm: s.rounds.warm(pairs),
		Progress: func(done, total int) { report("solving", done, total) }})
	if err != nil {
		return nil, err
	}
	solved := time.Since(start)
	s.rounds.remember(pairs, sol)
	out := &MatchRun{Record: run.Record, MatchRunInput: run.MatchRunInput, Status: RunDone,
		Proposals: []Proposal{}, Unmatched: []Unmatched{}}
	out.Stats = s.roundStats(pairs, sol, searched, solved)
	for i, e := range sol.Match {
		if e >= 0 {
			out.Proposals = append(out.Proposals, s.proposal(pairs, i, e))
			continue
		}
		u := s.unmatched(pairs, i, set, now)
		out.Unmatched = append(out.Unmatched, u)
		out.Stats.ByReason[u.Reason]++
	}
	if !run.DryRun {
		n, err := s.widenCircles(ctx, p, out, now)
		if err != nil {
			return nil, err
		}
		out.Stats.Widened = n
	}
	slices.SortFunc(out.Proposals, func(a, b Proposal) int { return cmp.Compare(a.WishID, b.WishID) })
	slices.SortFunc(out.Unmatched, func(a, b Unmatched) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.WishID, b.WishID))
	})
	return out, nil
}

// roundWishes returns the wishes the round pairs: open, not past due, not
// offered to anyone, under the run's node and of its categories and cells,
// with their circles and priorities, in id order.
func (s *Service) roundWishes(run *MatchRun, now time.Time) []PairWish {
	var nodes []string
	if run.NodeID != "" {
		nodes = s.tree.subtree(run.NodeID)
	}
	cells := map[int]map[geo.Cell]bool{}
	for _, c := range run.Cells {
		cell, _ := geo.ParseCell(c)
		if cells[cell.Resolution()] == nil {
			cells[cell.Resolution()] = map[geo.Cell]bool{}
		}
		cells[cell.Resolution()][cell] = true
	}
	inCells := func(c geo.Cell) bool {
		if len(cells) == 0 {
			return true
		}
		for res, set := range cells {
			if set[geo.Parent(c, res)] {
				return true
			}
		}
		return false
	}
	var out []PairWish
	s.lists.open.Each(nodes, func(id string) bool {
		w, ok := s.wishes.Get(id)
		switch {
		case !ok || !now.Before(w.DueAt) || s.offers.pendingFor(id, now) != nil:
		case len(run.Categories) > 0 && !slices.Contains(run.Categories, w.Category):
		case !inCells(w.Cell) || s.ledger.status(id) != StatusOpen:
		default:
			out = append(out, PairWish{ID: id, Category: w.Category, Minutes: s.widened(id), Weight: s.priority(w, now)})
		}
		return true
	})
	return out
}

// priority returns a wish's weight: 1, plus the configured points for an
// urgent due date, an aged resident, one with a disability and one living
// alone.
func (s *Service) priority(w *Wish, now time.Time) int32 {
	pc := s.cfg.Matching.Priority
	weight := 1
	if w.DueAt.Sub(now) <= pc.UrgentWithin {
		weight += pc.Urgent
	}
	if r, ok := s.residents.Get(w.ResidentID); ok {
		if index.AgeAt(r.BirthDate, now) >= pc.AgedFrom {
			weight += pc.Aged
		}
		if len(r.Disabilities) > 0 {
			weight += pc.Disability
		}
		if r.LivesAlone {
			weight += pc.LivesAlone
		}
	}
	return int32(weight)
}

// pendingOffers counts the offers waiting for an answer at now, by slot:
// room they hold.
func (s *Service) pendingOffers(now time.Time) map[Slot]int {
	out := map[Slot]int{}
	s.offers.mu.RLock()
	defer s.offers.mu.RUnlock()
	for _, o := range s.offers.pending {
		if now.Before(o.ExpiresAt) {
			out[Slot{Party: o.Supplier}]++
			if w, ok := s.wishes.Get(o.WishID); ok {
				out[Slot{Party: o.Supplier, Category: w.Category}]++
			}
		}
	}
	return out
}

// room returns how many more wishes a slot may take: a volunteer's
// allowance of active claims (their own limit, else the default), a
// resource's quantity, an organisation's or enterprise's capacity in the
// category (1 unless configured), less its active claims and the offers
// waiting for it.
func (s *Service) room(sl Slot, pending map[Slot]int) int {
	p := sl.Party
	switch p.Kind {
	case index.Volunteer:
		v, ok := s.volunteers.Get(p.ID)
		if !ok {
			return 0
		}
		return s.allowance(v) - s.ledger.activeClaims(p) - pending[Slot{Party: p}]
	case index.Resource:
		r, ok := s.resources.Get(p.ID)
		if !ok {
			return 0
		}
		return r.Quantity - s.ledger.activeClaims(p) - pending[Slot{Party: p}]
	}
	return s.capacityIn(p, sl.Category) - s.ledger.activeInCategory(p, sl.Category) - pending[sl]
}

// capacityIn returns how many wishes of category an organisation or an
// enterprise may hold at once: its configured capacity, else 1.
func (s *Service) capacityIn(p Party, category string) int {
	var capacity map[string]int
	switch p.Kind {
	case index.Organisation:
		if o, ok := s.organisations.Get(p.ID); ok {
			capacity = o.Capacity
		}
	case index.Enterprise:
		if e, ok := s.enterprises.Get(p.ID); ok {
			capacity = e.Capacity
		}
	}
	if n, ok := capacity[category]; ok {
		return n
	}
	return 1
}

// circleMinutes returns the circle a wish was searched in, in minutes.
func (s *Service) circleMinutes(w *PairWish) float64 {
	return max(w.Minutes, s.grid.Config().WalkMinutes)
}

// proposal is wish i's pairing by edge e.
func (s *Service) proposal(pairs *Pairs, i int, e int32) Proposal {
	w := &pairs.Wishes[i]
	walk := pairs.Walks[e]
	return Proposal{WishID: w.ID, Category: w.Category, Supplier: pairs.Slots[pairs.Problem.Supplier[e]].Party,
		WalkMinutes: walk, CircleMinutes: s.circleMinutes(w), Priority: int(w.Weight),
		BeyondCircle: walk > s.grid.Config().WalkMinutes+1e-9}
}

// unmatched says why wish i was left out: it had eligible suppliers with
// room and lost them to better pairings; or all of them were busy; or the
// rules refused everyone inside its circle; or nobody is inside.
func (s *Service) unmatched(pairs *Pairs, i int, set *rules.Set, now time.Time) Unmatched {
	w := &pairs.Wishes[i]
	p := &pairs.Problem
	u := Unmatched{WishID: w.ID, Category: w.Category, CircleMinutes: s.circleMinutes(w), Priority: int(w.Weight),
		Eligible: int(p.Start[i+1] - p.Start[i]), Busy: int(pairs.Busy[i])}
	switch {
	case u.Eligible > 0:
		u.Reason = UnmatchedOutcompeted
		u.Message = fmt.Sprintf("%d eligible suppliers with room were each used by a better overall pairing.", u.Eligible)
		if u.Eligible == 1 {
			u.Message = "The one eligible supplier with room was used by a better overall pairing."
		}
	case u.Busy > 0:
		u.Reason = UnmatchedBusy
		u.Message = fmt.Sprintf("All %d eligible suppliers have no room left (active claims and offers up to their allowance).", u.Busy)
		if u.Busy == 1 {
			u.Message = "The one eligible supplier has no room left (active claims and offers up to its allowance)."
		}
	default:
		u.Excluded = map[string]int{}
		_, _, _ = s.index.Candidates(w.ID, index.Search{Rules: set, Now: now, Limit: 1, Excluded: u.Excluded,
			Minutes: w.Minutes}, nil)
		if len(u.Excluded) == 0 {
			u.Reason, u.Excluded = UnmatchedNobody, nil
			u.Message = fmt.Sprintf("No supplier is inside the %g-minute walking circle.", u.CircleMinutes)
		} else {
			u.Reason = UnmatchedExcluded
			u.Message = "Every supplier inside the walking circle is excluded by a rule (counts by rule)."
		}
	}
	return u
}

// roundStats sums the solution up.
func (s *Service) roundStats(pairs *Pairs, sol *assign.Solution, searched, solved time.Duration) *RunStats {
	p := &pairs.Problem
	st := &RunStats{Wishes: p.Wishes, Matched: sol.Matched, Unmatched: p.Wishes - sol.Matched,
		Suppliers: p.Suppliers, Edges: p.Edges(), ByCategory: map[string]*CategoryStats{}, ByReason: map[string]int{},
		SearchSeconds: searched.Seconds(), SolveSeconds: solved.Seconds()}
	for i, e := range sol.Match {
		w := &pairs.Wishes[i]
		cs := st.ByCategory[w.Category]
		if cs == nil {
			cs = &CategoryStats{}
			st.ByCategory[w.Category] = cs
		}
		cs.Wishes++
		if w.Weight > 1 {
			st.PriorityWishes++
		}
		if e < 0 {
			continue
		}
		cs.Matched++
		cs.TotalWalkMinutes += pairs.Walks[e]
		st.TotalWalkMinutes += pairs.Walks[e]
		if w.Weight > 1 {
			st.PriorityMatched++
		}
		if pairs.Walks[e] > s.grid.Config().WalkMinutes+1e-9 {
			st.BeyondCircle++
		}
	}
	if sol.Matched > 0 {
		st.MeanWalkMinutes = st.TotalWalkMinutes / float64(sol.Matched)
	}
	g := assign.Greedy(p)
	st.GreedyMatched = g.Matched
	for _, e := range g.Match {
		if e >= 0 {
			st.GreedyTotalWalkMinutes += pairs.Walks[e]
		}
	}
	return st
}

// widenCircles records a circle_widened event for each unmatched wish
// that nobody inside its circle could serve and that has waited
// WidenAfter since it was made or last widened, one step further out, in
// changes of at most maxEventsPerChange events. It returns how many it
// widened and notes each on the run.
func (s *Service) widenCircles(ctx context.Context, p Principal, run *MatchRun, now time.Time) (int, error) {
	mc := s.cfg.Matching
	due := map[string]float64{}
	for i := range run.Unmatched {
		u := &run.Unmatched[i]
		if u.Reason != UnmatchedNobody && u.Reason != UnmatchedExcluded {
			continue
		}
		next := 0.0
		for _, m := range mc.CircleSteps {
			if m > u.CircleMinutes+1e-9 {
				next = m
				break
			}
		}
		if next == 0 || now.Sub(s.widenedAt(u.WishID)) < mc.WidenAfter {
			continue
		}
		due[u.WishID] = next
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range due {
			if !yield(id) {
				return
			}
		}
	})
	widened := map[string]bool{}
	for lo := 0; lo < len(ids); lo += maxEventsPerChange {
		batch := ids[lo:min(lo+maxEventsPerChange, len(ids))]
		c, err := s.store.Commit(ctx, func() (*Change, error) {
			var events []*Event
			at := s.timestamp()
			for _, id := range batch {
				st := s.ledger.state(id)
				if st.status != StatusOpen {
					continue
				}
				e := st.follow(id, EventCircleWidened, p.Actor(), at)
				e.Minutes, e.Note = due[id], "matching round "+run.ID
				events = append(events, e)
			}
			if len(events) == 0 {
				return nil, nil
			}
			return &Change{Events: events, Actor: p.Actor()}, nil
		})
		if err != nil {
			return len(widened), err
		}
		if c != nil {
			for _, e := range c.Events {
				widened[e.WishID] = true
			}
		}
	}
	for i := range run.Unmatched {
		if u := &run.Unmatched[i]; widened[u.WishID] {
			u.WidenedTo = due[u.WishID]
		}
	}
	return len(widened), nil
}

// widenedAt returns when the wish's circle last widened, or when it was
// made.
func (s *Service) widenedAt(wishID string) time.Time {
	ev := s.ledger.events(wishID)
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Type == EventCircleWidened {
			return ev[i].At
		}
	}
	if w, ok := s.wishes.Get(wishID); ok {
		return w.CreatedAt
	}
	return time.Time{}
}

// warm maps the last round's prices and pairs onto pairs' indices.
func (r *rounds) warm(pairs *Pairs) *assign.Warm {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.prices) == 0 {
		return nil
	}
	w := &assign.Warm{Price: make([]int64, len(pairs.Slots)), Supplier: make([]int32, len(pairs.Wishes))}
	ix := make(map[Slot]int32, len(pairs.Slots))
	for i, sl := range pairs.Slots {
		w.Price[i] = r.prices[sl]
		ix[sl] = int32(i)
	}
	for i, pw := range pairs.Wishes {
		w.Supplier[i] = -1
		if sl, ok := r.hints[pw.ID]; ok {
			if j, ok := ix[sl]; ok {
				w.Supplier[i] = j
			}
		}
	}
	return w
}

// remember keeps a solved round's prices and pairs for the next.
func (r *rounds) remember(pairs *Pairs, sol *assign.Solution) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prices = make(map[Slot]int64, len(pairs.Slots))
	for i, sl := range pairs.Slots {
		if sol.Price[i] > 0 {
			r.prices[sl] = sol.Price[i]
		}
	}
	r.hints = make(map[string]Slot, sol.Matched)
	for i, e := range sol.Match {
		if e >= 0 {
			r.hints[pairs.Wishes[i].ID] = pairs.Slots[pairs.Problem.Supplier[e]]
		}
	}
}
