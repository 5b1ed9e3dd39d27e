package matcher

import (
	"context"
	"time"
)

// ListOptions selects a page of a collection in id order.
type ListOptions struct {
	After    string // return ids greater than this cursor
	Limit    int    // page size, already capped by the service
	TenantID string // only this tenant's documents; "" for all
}

// Repo stores one kind of entity. Every entity has a unique string id.
type Repo[T any] interface {
	// Create inserts v. It returns ECONFLICT when the id is taken; that is
	// atomic on every store, so Create is how exclusivity is won.
	Create(ctx context.Context, v *T) error
	// Get returns ENOTFOUND when no entity has the id.
	Get(ctx context.Context, id string) (*T, error)
	// GetFor returns ENOTFOUND when no entity of tenant has the id. The
	// tenant is part of the store's query, not a check made afterwards.
	GetFor(ctx context.Context, id, tenant string) (*T, error)
	// Replace overwrites the entity with v's id. It returns ENOTFOUND when
	// there is none. It must never decide a race: last writer wins.
	Replace(ctx context.Context, v *T) error
	// Delete removes the entity with the id; a missing one is not an error.
	Delete(ctx context.Context, id string) error
	// List returns up to opts.Limit entities with ids after opts.After.
	List(ctx context.Context, opts ListOptions) ([]*T, error)
	// Each calls fn for every entity, for building in-memory indexes.
	Each(ctx context.Context, fn func(*T) error) error
}

// EventStore keeps the immutable history of every wish.
type EventStore interface {
	// Append inserts e. It returns ECONFLICT when the wish already has an
	// event with e.Seq: two transitions from the same state race on that key
	// and exactly one wins, on any store.
	Append(ctx context.Context, e *Event) error
	// Get returns the event seq of the wish, or ENOTFOUND.
	Get(ctx context.Context, wishID string, seq int) (*Event, error)
	// Since calls fn for every event recorded at or after t, in any order.
	Since(ctx context.Context, t time.Time, fn func(*Event) error) error
}

// Store is everything the Service keeps.
type Store interface {
	Volunteers() Repo[Volunteer]
	Organisations() Repo[Organisation]
	Enterprises() Repo[Enterprise]
	Resources() Repo[Resource]
	Residents() Repo[Resident]
	Wishes() Repo[Wish]
	Keys() Repo[APIKey]
	Events() EventStore
	Slots() SlotStore
	Idempotency() IdempotencyStore
	// Ping returns nil when the store answers.
	Ping(ctx context.Context) error
}

// SlotStore keeps volunteers' claim slots. A volunteer with a limit of n
// active claims has the keys "<volunteer>/slot/1".."<volunteer>/slot/n";
// each active claim holds one, taken by a unique insert, so the limit holds
// without counters.
type SlotStore interface {
	// Take inserts s. It returns ECONFLICT when the slot is held.
	Take(ctx context.Context, s *Slot) error
	// Get returns the slot with the id, or ENOTFOUND.
	Get(ctx context.Context, id string) (*Slot, error)
	// Free deletes the slot with the id if claimID still holds it; a slot
	// already free is not an error.
	Free(ctx context.Context, id, claimID string) error
}

// IdempotencyStore remembers requests made with an Idempotency-Key and
// the responses they got.
type IdempotencyStore interface {
	// Lock inserts r. It returns ECONFLICT when a request with r.ID is
	// already recorded: the first inserter does the work.
	Lock(ctx context.Context, r *IdempotentRequest) error
	// Get returns the request with the id, its response once saved, or
	// ENOTFOUND.
	Get(ctx context.Context, id string) (*IdempotentRequest, error)
	// Respond records the response of the request with the id.
	Respond(ctx context.Context, id string, resp *Response) error
	// Forget deletes the request with the id, and its response, if its
	// token is token.
	Forget(ctx context.Context, id, token string) error
	// Expire deletes every request that expired before t.
	Expire(ctx context.Context, t time.Time) error
}
