package matcher

import (
	"context"
	"time"
)

// Change is one entry of the store's log: everything one request changed,
// made durable by one insert, so that it happens whole or not at all. A
// crash can lose a change that was not answered yet, never half of one.
type Change struct {
	Seq   int64     // its place in the log, from 1; set by the store
	At    time.Time // when it was decided
	Actor Actor
	// Records are new versions of entities: *Volunteer, *Organisation,
	// *Enterprise, *Resource, *Resident, *Wish, *APIKey, *Programme,
	// *MatchRun, *Offer, *Import.
	Records    []any
	Events     []*Event // wish events, in order
	Audits     []*AuditRecord
	Aggregates []*Aggregate
	// Idempotency ties the change to the request that made it, so that a
	// retry with the same Idempotency-Key replays its answer.
	Idempotency *IdempotencyRecord
	// Answer, when set, is the record the request answers with, named in
	// its idempotency record; else the last event, or the first record.
	// It is not stored.
	Answer any
}

// Store is Linli's durable state: a log of changes whose entries have
// consecutive numbers, each claimed by a unique insert. Everything the
// service reads is the sum of the log, held in memory; the store is read
// by entry number only.
//
// The log is a serialisation point for every process sharing it: a change
// is inserted as entry n+1 only by a process that has applied entries 1..n,
// and a process that loses entry n+1 to another applies that one and
// decides again. So every change was decided on the whole log before it,
// on every store and across replicas, and races need no other lock.
type Store interface {
	// Load calls apply for every entry of the log, in order, and returns
	// when it has applied the last. It is called once, before any other
	// method; apply is then also what Commit and Follow call.
	Load(ctx context.Context, apply func(*Change)) error
	// Commit calls decide on the state the whole log adds up to and makes
	// the change it returns durable as the next entry, then applies it and
	// returns it. decide may be called more than once, when another process
	// took the entry first (that entry is applied before deciding again);
	// it runs under the store's lock and must only read memory. A nil
	// change from decide writes nothing and Commit returns nil, nil; an
	// error from decide is returned as it is.
	Commit(ctx context.Context, decide func() (*Change, error)) (*Change, error)
	// Sync applies the entries other processes committed since the last
	// one applied, and returns how many.
	Sync(ctx context.Context) (int, error)
	// Rewrite replaces what entry seq holds by edit's version of it, for
	// erasing personal data; edit returns false to leave it as it is. The
	// change is not applied again.
	Rewrite(ctx context.Context, seq int64, edit func(*Change) bool) error
	// Ping returns nil when the store answers.
	Ping(ctx context.Context) error
}

// follow syncs with the store every interval until ctx is done, logging
// failures, so that this process applies what others commit within about
// one interval.
func (s *Service) follow(ctx context.Context, every time.Duration) {
	s.every(ctx, every, func(ctx context.Context) {
		if _, err := s.store.Sync(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("follow the store's log", "err", err)
		}
	})
}
