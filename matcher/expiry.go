package matcher

import (
	"context"
	"time"
)

// maxEventsPerChange bounds how many wishes one change of a background job
// moves, so that a log entry stays small.
const maxEventsPerChange = 500

// ExpireDue releases every claim past its due time with an expired event,
// warns every claimant close to it, ends every open wish past its own due
// time with a wish_expired event, and lapses offers nobody answered. Each
// batch is one change decided on the whole log, so replicas doing the same
// at once move each wish once.
func (s *Service) ExpireDue(ctx context.Context) {
	s.expire(ctx, func(now time.Time) []*Event {
		var out []*Event
		for id, st := range s.ledger.claimedWishes() {
			var typ string
			switch {
			case !now.Before(st.dueAt):
				typ = EventExpired
			case !st.warned && !now.Before(st.dueAt.Add(-s.warnBefore(st.category))):
				typ = EventExpiryWarning
			default:
				continue
			}
			out = append(out, st.follow(id, typ, System, now))
			if len(out) == maxEventsPerChange {
				break
			}
		}
		return out
	})
	s.expire(ctx, func(now time.Time) []*Event {
		var out []*Event
		s.lists.open.Each(nil, func(id string) bool {
			w, ok := s.wishes.Get(id)
			if ok && !now.Before(w.DueAt) {
				out = append(out, s.closing(id, s.ledger.state(id), EventWishExpired, System, now)...)
			}
			return len(out) < maxEventsPerChange
		})
		return out
	})
	s.expire(ctx, s.lapsedOffers)
}

// expire commits, until there are none or ctx is done, the events due
// returns from the state the whole log adds up to.
func (s *Service) expire(ctx context.Context, due func(now time.Time) []*Event) {
	for ctx.Err() == nil {
		c, err := s.store.Commit(ctx, func() (*Change, error) {
			now := s.timestamp()
			events := due(now)
			if len(events) == 0 {
				return nil, nil
			}
			return &Change{At: now, Actor: System, Events: events}, nil
		})
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("expire", "err", err)
			}
			return
		}
		if c == nil || len(c.Events) < maxEventsPerChange {
			return
		}
	}
}

// warnBefore returns how long before its due time a claim of the category
// is warned: Config.WarnBefore, but at most half the claim's time, so a
// short claim is not warned as soon as it is made.
func (s *Service) warnBefore(category string) time.Duration {
	return min(s.cfg.WarnBefore, s.claimTTL(category)/2)
}
