package matcher

import (
	"context"
	"time"
	"unicode"
)

// IdempotentRequest is a request made with an Idempotency-Key: the first
// one with its id does the work, and every later one gets its response.
type IdempotentRequest struct {
	ID        string // "<caller's key prefix>/<Idempotency-Key>"
	Hash      string // of the method, path and body
	Token     string // tells this attempt from a later one with the same id
	CreatedAt time.Time
	ExpiresAt time.Time
	Response  *Response // nil until the first attempt has answered
}

// Response is what a request answered, kept to be replayed.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// checkIdempotencyKey returns EINVALID unless key is 1 to 200 printable
// ASCII characters.
func checkIdempotencyKey(key string) error {
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

// Idempotent runs do at most once per caller and key. The first request
// with a key runs do and records its response; a later one with the same
// hash gets that response (replayed is true), waiting while the first is
// still running; one with another hash gets EIDEMPOTENCY. A response with
// a 5xx status is not kept, so the request may be retried. Keys are
// remembered for Config.IdempotencyTTL.
func (s *Service) Idempotent(ctx context.Context, key, hash string, do func() *Response) (resp *Response, replayed bool, err error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return nil, false, Errorf(EUNAUTHORIZED, "an API key is required")
	}
	if err := checkIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	id := p.KeyPrefix + "/" + key
	for range 5 {
		now := s.timestamp()
		req := &IdempotentRequest{ID: id, Hash: hash, Token: NewID("idk"), CreatedAt: now, ExpiresAt: now.Add(s.cfg.IdempotencyTTL)}
		err := s.store.Idempotency().Lock(ctx, req)
		if err == nil {
			return s.runOnce(ctx, req, do), false, nil
		}
		if ErrorCode(err) != ECONFLICT {
			return nil, false, err
		}
		resp, err := s.awaitResponse(ctx, id, hash)
		if resp != nil || err != nil {
			return resp, true, err
		}
	}
	return nil, false, Errorf(ECONFLICT, "a request with this Idempotency-Key is still being processed; retry later")
}

// runOnce runs do for the request that won the key and records what it
// answered; a 5xx answer or one that cannot be recorded frees the key.
func (s *Service) runOnce(ctx context.Context, req *IdempotentRequest, do func() *Response) *Response {
	resp := do()
	bg := context.WithoutCancel(ctx)
	idem := s.store.Idempotency()
	if resp.Status < 500 {
		err := idem.Respond(bg, req.ID, resp)
		if err == nil {
			return resp
		}
		s.logger.Error("record idempotent response", "err", err)
	}
	if err := idem.Forget(bg, req.ID, req.Token); err != nil {
		s.logger.Error("forget idempotency key", "err", err)
	}
	return resp
}

// awaitResponse polls the request recorded under id until its response is
// there. It returns nil, nil when the key is free again (the first attempt
// was forgotten, expired or abandoned) and the caller should try to win it.
func (s *Service) awaitResponse(ctx context.Context, id, hash string) (*Response, error) {
	idem := s.store.Idempotency()
	deadline := time.Now().Add(s.cfg.IdempotencyWait)
	pause := 5 * time.Millisecond
	for {
		r, err := idem.Get(ctx, id)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			return nil, nil
		case err != nil:
			return nil, err
		case r.Hash != hash:
			return nil, Errorf(EIDEMPOTENCY, "this Idempotency-Key was used with a different request")
		case r.Response != nil:
			return r.Response, nil
		}
		now := s.now()
		if now.After(r.ExpiresAt) || now.Sub(r.CreatedAt) > s.cfg.IdempotencyWait+time.Minute {
			// Expired, or its first attempt stopped without answering.
			return nil, idem.Forget(ctx, id, r.Token)
		}
		if time.Now().After(deadline) {
			return nil, Errorf(ECONFLICT, "a request with this Idempotency-Key is still being processed; retry later")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// expireIdempotencyKeys forgets the keys older than their TTL, every
// interval until ctx is done.
func (s *Service) expireIdempotencyKeys(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.store.Idempotency().Expire(ctx, s.now()); err != nil && ctx.Err() == nil {
				s.logger.Warn("expire idempotency keys", "err", err)
			}
		}
	}
}
