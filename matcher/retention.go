package matcher

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/linli/linli/geo"
)

// Aggregate is what remains of a wish once the retention job erased its
// personal data: enough for reports to count it, nothing that names anyone.
type Aggregate struct {
	WishID   string   `json:"wish_id"`
	NodeID   string   `json:"node_id,omitempty"`
	Category string   `json:"category"`
	Cell     geo.Cell `json:"cell"`    // the coarse cell
	Month    string   `json:"month"`   // month the wish was made, "2026-05"
	Outcome  string   `json:"outcome"` // its closing status
	Rating   int      `json:"rating,omitempty"`
}

// RetentionReport counts what one run of the retention job erased.
type RetentionReport struct {
	Wishes     int `json:"wishes"`     // wishes whose free text and point were erased
	Residents  int `json:"residents"`  // residents whose personal data was erased
	Aggregates int `json:"aggregates"` // aggregates recorded for reports
	Rewritten  int `json:"rewritten"`  // older log entries rewritten without the data
}

// runRetention runs PurgeExpired now and then every interval until ctx is
// done.
func (s *Service) runRetention(ctx context.Context, every time.Duration) {
	job := func(ctx context.Context) {
		rep, err := s.PurgeExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Error("retention job", "err", err)
		case rep != RetentionReport{}:
			s.logger.Info("retention job erased personal data", "wishes", rep.Wishes, "residents", rep.Residents,
				"aggregates", rep.Aggregates, "log_entries_rewritten", rep.Rewritten)
		}
	}
	job(ctx)
	s.every(ctx, every, job)
}

// erasures holds the residents whose consent was withdrawn and whose data
// waits to be erased, for the job that erases it at once.
type erasures struct {
	mu   sync.Mutex
	ids  map[string]bool
	kick chan struct{} // holds one value while ids has some
}

func newErasures() *erasures { return &erasures{ids: map[string]bool{}, kick: make(chan struct{}, 1)} }

// add queues the resident's erasure and wakes the job, without waiting.
func (e *erasures) add(id string) {
	e.keep(id)
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// keep queues the resident's erasure for the job's next waking.
func (e *erasures) keep(id string) {
	e.mu.Lock()
	e.ids[id] = true
	e.mu.Unlock()
}

// take returns the residents queued, and empties the queue.
func (e *erasures) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := slices.Sorted(maps.Keys(e.ids))
	clear(e.ids)
	return ids
}

// runErasures erases the data of every resident who withdrew consent as
// soon as the withdrawal is applied (WithdrawConsent queues them), until
// ctx is done: the retention job's work for that resident alone, in the
// background, so that no request waits for it. It starts with those a
// stopped process left withdrawn and not erased.
func (s *Service) runErasures(ctx context.Context) {
	s.residents.Each(func(r *Resident) bool {
		if !r.ConsentWithdrawnAt.IsZero() && r.ErasedAt.IsZero() {
			s.erasures.add(r.ID)
		}
		return true
	})
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.erasures.kick:
		}
		for _, id := range s.erasures.take() {
			rep, err := s.purge(ctx, id)
			switch {
			case err != nil && ctx.Err() == nil:
				s.logger.Error("erase a resident who withdrew consent", "resident", id, "err", err)
				s.erasures.keep(id) // tried again at the next withdrawal, or the next start
			case err == nil:
				s.logger.Info("erased the personal data of a resident who withdrew consent", "resident", id,
					"wishes", rep.Wishes, "log_entries_rewritten", rep.Rewritten)
			}
		}
	}
}

// PurgeExpired erases the personal data of wishes closed longer than
// Config.Retention ago (at once, when their resident withdrew consent):
// the wish's free text and exact point, and the resident's personal data
// once none of their wishes is open or within retention. An anonymous Aggregate
// of each purged wish is recorded in the same change. Then every older log
// entry that held a version of an erased wish or resident is rewritten
// without its personal data, so that it is gone from the store too.
func (s *Service) PurgeExpired(ctx context.Context) (RetentionReport, error) { return s.purge(ctx, "") }

// purge is PurgeExpired over every resident (only "") or over one.
func (s *Service) purge(ctx context.Context, only string) (RetentionReport, error) {
	var rep RetentionReport
	var erased []string
	for {
		c, err := s.store.Commit(ctx, func() (*Change, error) {
			c := s.purgeBatch(s.now().UTC(), only)
			if c == nil {
				return nil, nil
			}
			return c, nil
		})
		if err != nil {
			return rep, err
		}
		if c == nil {
			break
		}
		rep.Aggregates += len(c.Aggregates)
		for _, r := range c.Records {
			switch v := r.(type) {
			case *Wish:
				rep.Wishes++
				erased = append(erased, v.ID)
			case *Resident:
				rep.Residents++
				erased = append(erased, v.ID)
			}
		}
		if len(c.Records) < maxEventsPerChange {
			break
		}
	}
	for _, id := range erased {
		n, err := s.rewriteHistory(ctx, id)
		rep.Rewritten += n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// purgeBatch returns the change that erases up to maxEventsPerChange wishes
// and residents past retention (of the resident only, unless ""), or nil
// when there are none; it runs under the store's lock.
func (s *Service) purgeBatch(now time.Time, only string) *Change {
	cutoff := now.Add(-s.cfg.Retention)
	c := &Change{At: now, Actor: System}
	needed := map[string]bool{} // residents some wish still needs
	purged := map[string]bool{}
	eachWish, eachResident := s.wishes.Each, s.residents.Each
	if only != "" {
		eachWish = func(fn func(*Wish) bool) {
			for _, id := range s.byResident.of(only) {
				if w, ok := s.wishes.Get(id); ok && !fn(w) {
					return
				}
			}
		}
		eachResident = func(fn func(*Resident) bool) {
			if r, ok := s.residents.Get(only); ok {
				fn(r)
			}
		}
	}
	eachWish(func(w *Wish) bool {
		st := s.ledger.state(w.ID)
		r, _ := s.residents.Get(w.ResidentID)
		withdrawn := r != nil && !r.ConsentWithdrawnAt.IsZero()
		expired := st.terminal() && (withdrawn || s.lastEventAt(w).Before(cutoff))
		switch {
		case !expired:
			needed[w.ResidentID] = true
		case w.ErasedAt.IsZero() && len(c.Records) < maxEventsPerChange:
			agg := &Aggregate{WishID: w.ID, NodeID: w.NodeID, Category: w.Category,
				Cell: geo.Parent(w.Cell, s.cells.Resolution()), Month: w.CreatedAt.Format("2006-01"), Outcome: st.status}
			if st.status == StatusConfirmed {
				agg.Rating = s.lastRating(w.ID)
			}
			e := *w
			e.Record = e.Record.next(now)
			eraseWish(&e, now)
			c.Records = append(c.Records, &e)
			c.Aggregates = append(c.Aggregates, agg)
			purged[w.ResidentID] = true
		default:
			purged[w.ResidentID] = true
		}
		return true
	})
	eachResident(func(r *Resident) bool {
		if len(c.Records) >= maxEventsPerChange {
			return false
		}
		withdrawn := !r.ConsentWithdrawnAt.IsZero()
		if r.ErasedAt.IsZero() && !needed[r.ID] && (purged[r.ID] || withdrawn) {
			e := *r
			e.Record = e.Record.next(now)
			eraseResident(&e, s.cells.Resolution(), now)
			c.Records = append(c.Records, &e)
		}
		return true
	})
	if len(c.Records) == 0 {
		return nil
	}
	return c
}

// lastEventAt returns when the wish last changed. Moving with its
// resident to another node is no change of the wish: a wish closed long
// ago is not kept longer for it.
func (s *Service) lastEventAt(w *Wish) time.Time {
	ev := s.ledger.historyOf(w.ID)
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Type != EventMoved {
			return ev[i].At
		}
	}
	return w.CreatedAt
}

// lastRating returns the rating of the wish's confirmation.
func (s *Service) lastRating(wishID string) int {
	ev := s.ledger.events(wishID)
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Type == EventConfirmed {
			return ev[i].Rating
		}
	}
	return 0
}

// eraseWish keeps of w only what names nobody.
func eraseWish(w *Wish, now time.Time) {
	w.Title, w.Description, w.Needs.Items, w.Location = "", "", nil, nil
	w.ErasedAt = now
}

// eraseResident keeps of r only what names nobody: the record, node,
// coarse cell, when and why consent was given (not by whom), and the dates.
func eraseResident(r *Resident, coarse int, now time.Time) {
	r.ResidentInput = ResidentInput{Disabilities: []string{}, Consent: r.Consent.record(), NodeID: r.NodeID}
	r.Cell = geo.Parent(r.Cell, coarse)
	r.ErasedAt = now
}

// rewriteHistory rewrites every log entry before the last that holds a
// version of the erased wish or resident id, putting the erased version in
// its place, and returns how many it rewrote.
func (s *Service) rewriteHistory(ctx context.Context, id string) (int, error) {
	seqs := s.versions.of(id)
	if len(seqs) < 2 {
		return 0, nil
	}
	last := seqs[len(seqs)-1]
	n := 0
	for _, seq := range slices.Clone(seqs[:len(seqs)-1]) {
		err := s.store.Rewrite(ctx, seq, func(c *Change) bool {
			changed := false
			for i, r := range c.Records {
				switch v := r.(type) {
				case *Wish:
					if v.ID == id && v.ErasedAt.IsZero() {
						e := *v
						eraseWish(&e, c.At)
						c.Records[i], changed = &e, true
					}
				case *Resident:
					if v.ID == id && v.ErasedAt.IsZero() {
						e := *v
						eraseResident(&e, s.cells.Resolution(), c.At)
						c.Records[i], changed = &e, true
					}
				}
			}
			return changed
		})
		if err != nil {
			return n, err
		}
		n++
	}
	_ = last
	return n, nil
}

// Aggregate returns what remains of an erased wish, for reports.
func (s *Service) Aggregate(wishID string) (*Aggregate, bool) { return s.aggregates.Get(wishID) }
