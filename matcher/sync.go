package matcher

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// catchUp reads the wish's events that follow the ledger's state from the
// store, applies them and returns the state they lead to. It is how a
// replica learns what other replicas did to one wish before deciding.
func (s *Service) catchUp(ctx context.Context, wishID string) (wishState, error) {
	st := s.wishes.state(wishID)
	for seq := st.seq + 1; ; seq++ {
		e, err := s.store.Events().Get(ctx, wishID, seq)
		if ErrorCode(err) == ENOTFOUND {
			break
		}
		if err != nil {
			return st, err
		}
		s.wishes.apply(e)
	}
	return s.wishes.state(wishID), nil
}

// syncEvents applies, every interval until ctx is done, the events stored
// since the previous poll, so that this replica's ledger follows what the
// others append. Each poll reaches skew further back than the previous one
// started, for events whose insert took long to show or whose replica's
// clock lags; applying an event twice changes nothing.
func (s *Service) syncEvents(ctx context.Context, every, skew time.Duration, from time.Time) {
	t := time.NewTicker(every)
	defer t.Stop()
	since := from.Add(-skew)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := s.now()
		if err := s.applySince(ctx, since); err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("sync wish events", "err", err)
			}
			continue
		}
		since = start.Add(-skew)
	}
}

// applySince applies every event stored at or after t, in each wish's
// order.
func (s *Service) applySince(ctx context.Context, t time.Time) error {
	var batch []*Event
	err := s.store.Events().Since(ctx, t, func(e *Event) error {
		batch = append(batch, e)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(batch, func(a, b *Event) int {
		return cmp.Or(cmp.Compare(a.WishID, b.WishID), cmp.Compare(a.Seq, b.Seq))
	})
	for _, e := range batch {
		s.wishes.apply(e)
	}
	return nil
}
