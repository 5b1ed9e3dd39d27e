// Package mongo is Linli's store on MongoDB, through the official driver: a
// real MongoDB replica set or sharded cluster, or the embedded FerretDB
// server that `linli serve` starts when no URI is given. The store is one
// collection, the log: entries numbered 1, 2, 3… by their _id, each one
// change, each claimed by a unique insert, and read by _id only. It keeps
// private document shapes and converts at the boundary.
//
// Only unique-key inserts decide races here; nothing is ever updated to
// decide one, since FerretDB makes no conditional update atomic
// (shared/DESIGN.md).
package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/linli/linli/matcher"
)

// logCollection is the name of the log.
const logCollection = "log"

// Store is the MongoDB store.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	log      *mongo.Collection
	cipher   *Cipher
	logger   *slog.Logger
	embedded *Embedded
	intern   interner

	mu    sync.Mutex // serialises commits and syncs; held while applying
	tail  int64      // the last entry applied
	apply func(*matcher.Change)
}

var _ matcher.Store = (*Store)(nil)

// Option changes how a Store is built.
type Option func(*Store)

// WithCipher seals residents' personal data and wishes' exact points with
// c. Without it they are stored in clear, which only tests should do.
func WithCipher(c *Cipher) Option { return func(s *Store) { s.cipher = c } }

// WithLogger sets where the store logs its progress.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.logger = l } }

// WithEmbedded tells the store it runs on e, so that it gives the log the
// index FerretDB's SQLite backend needs to look entries up by _id.
func WithEmbedded(e *Embedded) Option { return func(s *Store) { s.embedded = e } }

// Open connects to uri and uses database name, creating the log when it
// does not exist yet and migrating the collections of a store written
// before the log (see migrate.go).
func Open(ctx context.Context, uri, name string, opts ...Option) (*Store, error) {
	copts := options.Client().ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetReadPreference(readpref.Primary()).
		SetServerSelectionTimeout(10 * time.Second).
		SetTimeout(30 * time.Second)
	client, err := mongo.Connect(ctx, copts)
	if err != nil {
		return nil, fmt.Errorf("connect to mongodb: %w", err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(ctx)
		return nil, fmt.Errorf("ping mongodb: %w", err)
	}
	s := &Store{client: client, db: client.Database(name), logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(s)
	}
	s.log = s.db.Collection(logCollection)
	if err := s.prepare(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	return s, nil
}

// prepare creates the log explicitly, so that it is never created lazily
// without its index, indexes it on the embedded store, and migrates an
// older store's collections into it.
func (s *Store) prepare(ctx context.Context) error {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	if !slices.Contains(names, logCollection) {
		if err := s.db.CreateCollection(ctx, logCollection); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create the log: %w", err)
		}
	}
	if s.embedded != nil {
		if err := s.embedded.IndexIDs(ctx, s.db.Name()); err != nil {
			return fmt.Errorf("index the log: %w", err)
		}
	}
	return s.migrate(ctx, names)
}

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// Load applies every entry of the log, in order, with apply, which Commit
// and Sync then use too. It reads the log once, in batches, logging its
// progress every few seconds.
func (s *Store) Load(ctx context.Context, apply func(*matcher.Change)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apply = apply
	l := &loader{s: s, pending: map[int64]*matcher.Change{}, started: time.Now(), last: time.Now()}
	if err := l.run(ctx); err != nil {
		return err
	}
	// Entries the scan did not return in order, or that were committed
	// while it ran, are read by number.
	if _, err := s.syncLocked(ctx); err != nil {
		return err
	}
	if len(l.pending) > 0 {
		return fmt.Errorf("load the log: entry %d is missing, yet %d later entries exist", s.tail+1, len(l.pending))
	}
	s.logger.Info("log loaded", "entries", s.tail, "records", l.records, "took", time.Since(l.started).Round(time.Millisecond))
	return nil
}

// Commit decides the change with decide on the state the whole log adds
// up to, and inserts it as the next entry; see matcher.Store.
func (s *Store) Commit(ctx context.Context, decide func() (*matcher.Change, error)) (*matcher.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		c, err := decide()
		if err != nil || c == nil {
			return nil, err
		}
		c.Seq = s.tail + 1
		doc, err := s.encode(c)
		if err != nil {
			return nil, err
		}
		_, err = s.log.InsertOne(ctx, doc)
		if err == nil {
			s.tail = c.Seq
			s.apply(c)
			return c, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("commit: %w", err)
		}
		// Another process took the entry: apply it and decide again.
		n, err := s.syncLocked(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 || attempt == 1000 {
			return nil, matcher.Errorf(matcher.EUNAVAILABLE, "the store's log is busy; try again")
		}
	}
}

// Sync applies the entries other processes committed since the last one
// applied.
func (s *Store) Sync(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncLocked(ctx)
}

// syncLocked reads entries after the tail by number until one is missing,
// applying each; s.mu is held.
func (s *Store) syncLocked(ctx context.Context) (int, error) {
	n := 0
	for {
		c, err := s.entry(ctx, s.tail+1)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		s.tail = c.Seq
		s.apply(c)
		n++
	}
}

// entry reads entry seq by its _id.
func (s *Store) entry(ctx context.Context, seq int64) (*matcher.Change, error) {
	var d entryDoc
	if err := s.log.FindOne(ctx, bson.D{{Key: "_id", Value: seqID(seq)}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, err
		}
		return nil, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	return s.decode(&d)
}

// Rewrite replaces entry seq by what edit makes of it.
func (s *Store) Rewrite(ctx context.Context, seq int64, edit func(*matcher.Change) bool) error {
	c, err := s.entry(ctx, seq)
	if err != nil {
		return fmt.Errorf("rewrite log entry %d: %w", seq, err)
	}
	if !edit(c) {
		return nil
	}
	doc, err := s.encode(c)
	if err != nil {
		return err
	}
	res, err := s.log.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc)
	if err != nil {
		return fmt.Errorf("rewrite log entry %d: %w", seq, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("rewrite log entry %d: it is gone", seq)
	}
	return nil
}

// Append inserts the changes, in order, as the next entries, many to an
// insert: the bulk path of imports and benchmarks. Each change stays one
// entry, whole or not at all. The changes are applied once inserted.
func (s *Store) Append(ctx context.Context, changes []*matcher.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(changes) > 0 {
		docs := make([]any, len(changes))
		for i, c := range changes {
			c.Seq = s.tail + 1 + int64(i)
			d, err := s.encode(c)
			if err != nil {
				return err
			}
			docs[i] = d
		}
		_, err := s.log.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
		done := len(changes)
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 && mongo.IsDuplicateKeyError(err) {
			done = bwe.WriteErrors[0].Index
		} else if err != nil {
			return fmt.Errorf("append: %w", err)
		}
		for _, c := range changes[:done] {
			s.tail = c.Seq
			s.apply(c)
		}
		changes = changes[done:]
		if len(changes) > 0 {
			if _, err := s.syncLocked(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// Tail returns the number of the last entry applied.
func (s *Store) Tail() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tail
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
