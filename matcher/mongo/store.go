// Package mongo is Linli's store on MongoDB, through the official driver: a
// real MongoDB replica set or sharded cluster, or the embedded FerretDB
// server that `linli serve` starts when no URI is given. It keeps private
// document structs and converts at the boundary.
//
// Only inserts with unique keys decide races here; updates never do, since
// FerretDB does not make conditional updates atomic (shared/DESIGN.md).
package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/linli/linli/matcher"
)

// Store is the MongoDB store.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	cipher *Cipher

	volunteers    *repo[matcher.Volunteer, volunteerDoc]
	organisations *repo[matcher.Organisation, organisationDoc]
	enterprises   *repo[matcher.Enterprise, enterpriseDoc]
	resources     *repo[matcher.Resource, resourceDoc]
	residents     *repo[matcher.Resident, residentDoc]
	wishes        *repo[matcher.Wish, wishDoc]
	keys          *repo[matcher.APIKey, keyDoc]
	events        *events
	slots         *slots
	idempotency   *idempotency
}

var _ matcher.Store = (*Store)(nil)

// Option changes how a Store is built.
type Option func(*Store)

// WithCipher seals residents' personal data and wishes' exact points with
// c. Without it they are stored in clear, which only tests should do.
func WithCipher(c *Cipher) Option { return func(s *Store) { s.cipher = c } }

// Open connects to uri and uses database name, creating its indexes.
func Open(ctx context.Context, uri, name string, storeOpts ...Option) (*Store, error) {
	opts := options.Client().ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetServerSelectionTimeout(10 * time.Second).
		SetTimeout(30 * time.Second)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to mongodb: %w", err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(ctx)
		return nil, fmt.Errorf("ping mongodb: %w", err)
	}
	s := New(client, name, storeOpts...)
	if err := s.createIndexes(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	if err := s.createPrivacyIndexes(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	return s, nil
}

// New returns a Store over an already connected client, without creating
// indexes.
func New(client *mongo.Client, name string, opts ...Option) *Store {
	db := client.Database(name)
	s := &Store{client: client}
	for _, o := range opts {
		o(s)
	}
	*s = Store{
		cipher:        s.cipher,
		client:        client,
		db:            db,
		volunteers:    newRepo(db.Collection("volunteers"), volunteerToDoc, volunteerFromDoc),
		organisations: newRepo(db.Collection("organisations"), organisationToDoc, organisationFromDoc),
		enterprises:   newRepo(db.Collection("enterprises"), enterpriseToDoc, enterpriseFromDoc),
		resources:     newRepo(db.Collection("resources"), resourceToDoc, resourceFromDoc),
		residents:     newSealedRepo(db.Collection("residents"), residentToDoc(s.cipher), residentFromDoc(s.cipher)),
		wishes:        newSealedRepo(db.Collection("wishes"), wishToDoc(s.cipher), wishFromDoc(s.cipher)),
		keys:          newRepo(db.Collection("api_keys"), keyToDoc, keyFromDoc),
		events:        &events{coll: db.Collection("events")},
		slots:         &slots{coll: db.Collection("claim_slots")},
		idempotency:   &idempotency{coll: db.Collection("idempotency")},
	}
	return s
}

// createIndexes makes the indexes lists and loads use. Tenant comes first
// in list keys, since every list is a tenant's.
func (s *Store) createIndexes(ctx context.Context) error {
	idx := map[string][]bson.D{
		"volunteers":    {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}, {{Key: "cell", Value: 1}}},
		"organisations": {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}, {{Key: "cell", Value: 1}}},
		"enterprises":   {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}},
		"resources":     {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}, {{Key: "cell", Value: 1}}},
		"residents":     {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}},
		"wishes":        {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}, {{Key: "cell", Value: 1}}},
		"events":        {{{Key: "at", Value: 1}}},
		"idempotency":   {{{Key: "expires_at", Value: 1}}},
	}
	return ensureIndexes(ctx, s.db, idx)
}

// Close disconnects from the server.
func (s *Store) Close(ctx context.Context) error { return s.client.Disconnect(ctx) }

// Drop removes the whole database; tests use it to clean up.
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

// Database returns the underlying database, for tests that check raw
// documents.
func (s *Store) Database() *mongo.Database { return s.db }

// Ping returns nil when the server answers.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, readpref.Primary()) }

func (s *Store) Volunteers() matcher.Repo[matcher.Volunteer]       { return s.volunteers }
func (s *Store) Organisations() matcher.Repo[matcher.Organisation] { return s.organisations }
func (s *Store) Enterprises() matcher.Repo[matcher.Enterprise]     { return s.enterprises }
func (s *Store) Resources() matcher.Repo[matcher.Resource]         { return s.resources }
func (s *Store) Residents() matcher.Repo[matcher.Resident]         { return s.residents }
func (s *Store) Wishes() matcher.Repo[matcher.Wish]                { return s.wishes }
func (s *Store) Keys() matcher.Repo[matcher.APIKey]                { return s.keys }
func (s *Store) Events() matcher.EventStore                        { return s.events }
func (s *Store) Slots() matcher.SlotStore                          { return s.slots }
func (s *Store) Idempotency() matcher.IdempotencyStore             { return s.idempotency }

// storeErr turns driver errors into domain errors where a client can act.
func storeErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return matcher.Errorf(matcher.ENOTFOUND, "%s not found", what)
	case mongo.IsDuplicateKeyError(err):
		return matcher.Errorf(matcher.ECONFLICT, "%s already exists", what)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
