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

	volunteers    *repo[matcher.Volunteer, volunteerDoc]
	organisations *repo[matcher.Organisation, organisationDoc]
	enterprises   *repo[matcher.Enterprise, enterpriseDoc]
	resources     *repo[matcher.Resource, resourceDoc]
	residents     *repo[matcher.Resident, residentDoc]
	wishes        *repo[matcher.Wish, wishDoc]
	keys          *repo[matcher.APIKey, keyDoc]
	events        *events
}

var _ matcher.Store = (*Store)(nil)

// Open connects to uri and uses database name, creating its indexes.
func Open(ctx context.Context, uri, name string) (*Store, error) {
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
	s := New(client, name)
	if err := s.createIndexes(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	return s, nil
}

// New returns a Store over an already connected client, without creating
// indexes.
func New(client *mongo.Client, name string) *Store {
	db := client.Database(name)
	return &Store{
		client:        client,
		db:            db,
		volunteers:    newRepo(db.Collection("volunteers"), volunteerToDoc, volunteerFromDoc),
		organisations: newRepo(db.Collection("organisations"), organisationToDoc, organisationFromDoc),
		enterprises:   newRepo(db.Collection("enterprises"), enterpriseToDoc, enterpriseFromDoc),
		resources:     newRepo(db.Collection("resources"), resourceToDoc, resourceFromDoc),
		residents:     newRepo(db.Collection("residents"), residentToDoc, residentFromDoc),
		wishes:        newRepo(db.Collection("wishes"), wishToDoc, wishFromDoc),
		keys:          newRepo(db.Collection("api_keys"), keyToDoc, keyFromDoc),
		events:        &events{coll: db.Collection("events")},
	}
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
	}
	for coll, keys := range idx {
		models := make([]mongo.IndexModel, len(keys))
		for i, k := range keys {
			models[i] = mongo.IndexModel{Keys: k}
		}
		if _, err := s.db.Collection(coll).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", coll, err)
		}
	}
	return nil
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
