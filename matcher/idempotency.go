package matcher

import (
	"context"
	"sync"
	"time"
	"unicode"
)

// IdempotencyRecord ties a change to the request that made it: the
// caller's key prefix and Idempotency-Key, a hash of the request, and what
// the request made, so that a retry replays its answer (read again, as
// the caller may see it now) and a reuse with another request is refused.
// It is part of the change itself, so the request's effect and its
// key are one fact: after a crash, a retry finds either both or neither.
type IdempotencyRecord struct {
	Key  string    // "<key prefix>/<Idempotency-Key>"
	Hash string    // of the method, path and body
	At   time.Time // when the change was made
	// Kind and ID name what the request made: an entity kind and id, or
	// "event" and the id of the last event it appended.
	Kind string
	ID   string
}

// IdempotentRequest is what the transport learns of a request that
// carries an Idempotency-Key.
type IdempotentRequest struct {
	Key  string // as the client sent it
	Hash string
}

type idempotencyKey struct{}

// WithIdempotency returns ctx carrying the request's Idempotency-Key and
// hash: a change the request makes records them.
func WithIdempotency(ctx context.Context, r IdempotentRequest) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, r)
}

// CheckIdempotencyKey returns EINVALID unless key is 1 to 200 printable
// ASCII characters.
func CheckIdempotencyKey(key string) error {
	if key == "" || len(key) > 200 {
		return Invalid("Idempotency-Key", "must be 1 to 200 characters")
	}
	for _, r := range key {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return Invalid("Idempotency-Key", "must be printable ASCII")
		}
	}
	return nil
}

// idempotencyIndex holds the records of the changes made with an
// Idempotency-Key, for as long as keys are remembered.
type idempotencyIndex struct {
	mu sync.RWMutex
	m  map[string]*IdempotencyRecord
}

func newIdempotencyIndex() *idempotencyIndex {
	return &idempotencyIndex{m: make(map[string]*IdempotencyRecord)}
}

func (x *idempotencyIndex) put(r *IdempotencyRecord) {
	x.mu.Lock()
	x.m[r.Key] = r
	x.mu.Unlock()
}

func (x *idempotencyIndex) get(key string) (*IdempotencyRecord, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r, ok := x.m[key]
	return r, ok
}

// forget drops the records made before t.
func (x *idempotencyIndex) forget(t time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, r := range x.m {
		if r.At.Before(t) {
			delete(x.m, k)
		}
	}
}

// Replay returns, for a request with an Idempotency-Key that was answered
// already, its record: EIDEMPOTENCY when the key was used with another
// request, and ok false when the key is new (or forgotten).
func (s *Service) Replay(ctx context.Context) (rec *IdempotencyRecord, ok bool, err error) {
	p, okp := PrincipalFrom(ctx)
	req, okr := ctx.Value(idempotencyKey{}).(IdempotentRequest)
	if !okp || !okr {
		return nil, false, nil
	}
	return s.replayable(p, req)
}

func (s *Service) replayable(p Principal, req IdempotentRequest) (*IdempotencyRecord, bool, error) {
	rec, ok := s.idem.get(p.KeyPrefix + "/" + req.Key)
	if !ok || rec.At.Before(s.now().Add(-s.cfg.IdempotencyTTL)) {
		return nil, false, nil
	}
	if rec.Hash != req.Hash {
		return nil, false, Errorf(EIDEMPOTENCY, "this Idempotency-Key was used with a different request")
	}
	return rec, true, nil
}

// commit decides one change with decide, on the whole log (Store.Commit),
// stamps it with its time and actor p, and, when the request carries an
// Idempotency-Key, records the key in it; a request whose key made a
// change already is answered with *Replayed instead, decided under the
// same lock, so two racing retries make one change.
func (s *Service) commit(ctx context.Context, p Principal, decide func() (*Change, error)) (*Change, error) {
	req, idem := ctx.Value(idempotencyKey{}).(IdempotentRequest)
	return s.store.Commit(ctx, func() (*Change, error) {
		if idem {
			rec, ok, err := s.replayable(p, req)
			if err != nil {
				return nil, err
			}
			if ok {
				return nil, &Replayed{Record: rec}
			}
		}
		c, err := decide()
		if err != nil || c == nil {
			return c, err
		}
		if c.At.IsZero() {
			c.At = s.timestamp()
		}
		if c.Actor == (Actor{}) {
			c.Actor = p.Actor()
		}
		if idem {
			kind, id := c.result()
			c.Idempotency = &IdempotencyRecord{Key: p.KeyPrefix + "/" + req.Key, Hash: req.Hash, At: c.At, Kind: kind, ID: id}
		}
		return c, nil
	})
}

// result names what a change made, for its idempotency record: the last
// event it appended, or else its first record.
func (c *Change) result() (kind, id string) {
	if c.Answer != nil {
		return recordRef(c.Answer)
	}
	if n := len(c.Events); n > 0 {
		return "event", c.Events[n-1].ID
	}
	if len(c.Records) > 0 {
		return recordRef(c.Records[0])
	}
	return "", ""
}

// WithoutIdempotency returns ctx without the Idempotency-Key of its
// request: for reading again what a replayed request made.
func WithoutIdempotency(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, nil)
}
