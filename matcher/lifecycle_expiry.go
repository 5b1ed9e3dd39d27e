package matcher

import (
	"context"
	"sync"
	"time"
)

// Run runs the Service's background jobs until ctx is done: releasing
// claims past their due time (and warning their claimants before),
// following the events other replicas append, and forgetting old
// idempotency keys. It returns when every job has stopped.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.expireClaims(ctx, s.cfg.ExpiryInterval) })
	if s.cfg.SyncInterval > 0 {
		wg.Go(func() { s.syncEvents(ctx, s.cfg.SyncInterval, s.cfg.SyncSkew, s.openedAt) })
	}
	wg.Go(func() { s.expireIdempotencyKeys(ctx, time.Hour) })
	wg.Wait()
}

// expireClaims checks the ledger's claimed wishes every interval until ctx
// is done. It reads no store to find them: the ledger knows every claim.
func (s *Service) expireClaims(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.ExpireDue(ctx)
		}
	}
}

// ExpireDue releases every claim past its due time with an expired event,
// gives an expiry warning to every claim close to it, and ends every open
// wish past its own due time with a wish_expired event. Replicas racing
// to do the same append the same seq, and only one wins.
func (s *Service) ExpireDue(ctx context.Context) {
	now := s.timestamp()
	for id, st := range s.wishes.claimedWishes() {
		var typ string
		switch {
		case !now.Before(st.dueAt):
			typ = EventExpired
		case !st.warned && !now.Before(st.dueAt.Add(-s.warnBefore(st.category))):
			typ = EventExpiryWarning
		default:
			continue
		}
		_, err := s.transition(ctx, id, func(cur *wishState) (*Event, error) {
			if cur.status != StatusClaimed || cur.claimID != st.claimID || cur.warned && typ == EventExpiryWarning {
				return nil, Errorf(ECONFLICT, "the claim changed meanwhile")
			}
			return cur.follow(id, typ, System, now), nil
		})
		if err != nil && ErrorCode(err) != ECONFLICT && ctx.Err() == nil {
			s.logger.Warn("expire claim", "wish", id, "event", typ, "err", err)
		}
	}
	s.expireWishes(ctx, now)
}

// expireWishes ends every open wish past its own due time with a
// wish_expired event, after which no claim can be made on it. The due
// times come from the index, which holds every wish; claimed wishes wait
// until their claim ends.
func (s *Service) expireWishes(ctx context.Context, now time.Time) {
	pastDue := func(id string) bool {
		w, ok := s.index.wish(id)
		return ok && !w.dueAt.IsZero() && !now.Before(w.dueAt)
	}
	for _, id := range s.index.wishIDs() {
		if ctx.Err() != nil {
			return
		}
		if st := s.wishes.state(id); st.status != StatusOpen || !pastDue(id) {
			continue
		}
		_, err := s.transition(ctx, id, func(cur *wishState) (*Event, error) {
			if cur.status != StatusOpen || !pastDue(id) {
				return nil, Errorf(ECONFLICT, "the wish changed meanwhile")
			}
			return &Event{WishID: id, Seq: cur.seq + 1, Type: EventWishExpired, Actor: System, At: now}, nil
		})
		if err != nil && ErrorCode(err) != ECONFLICT && ctx.Err() == nil {
			s.logger.Warn("expire wish", "wish", id, "err", err)
		}
	}
}

// warnBefore returns how long before its due time a claim of the category
// is warned: Config.WarnBefore, but at most half the claim's time, so a
// short claim is not warned as soon as it is made.
func (s *Service) warnBefore(category string) time.Duration {
	return min(s.cfg.WarnBefore, s.claimTTL(category)/2)
}

// claimDefaults fills the claim, sync and idempotency settings left zero.
func (c *Config) claimDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ClaimTTL, 72*time.Hour)
	def(&c.WarnBefore, 12*time.Hour)
	def(&c.ExpiryInterval, 5*time.Second)
	def(&c.SyncInterval, time.Second)
	def(&c.SyncSkew, 10*time.Second)
	def(&c.IdempotencyTTL, 24*time.Hour)
	def(&c.IdempotencyWait, 30*time.Second)
}
