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
	// Ping returns nil when the store answers.
	Ping(ctx context.Context) error
}
