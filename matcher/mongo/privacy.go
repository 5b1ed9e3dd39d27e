package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

var _ matcher.PrivacyStore = (*Store)(nil)

// createPrivacyIndexes indexes what the privacy features look up: keys by
// prefix (listed and revoked by it) and audit records by wish and time.
func (s *Store) createPrivacyIndexes(ctx context.Context) error {
	idx := map[string][]bson.D{
		"api_keys": {{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}, {{Key: "prefix", Value: 1}}},
		"audit":    {{{Key: "wish_id", Value: 1}, {Key: "at", Value: 1}}},
	}
	return ensureIndexes(ctx, s.db, idx)
}

type auditDoc struct {
	ID         string    `bson:"_id"`
	At         time.Time `bson:"at"`
	Actor      partyDoc  `bson:"actor"`
	Action     string    `bson:"action"`
	WishID     string    `bson:"wish_id,omitempty"`
	ResidentID string    `bson:"resident_id,omitempty"`
	Tenant     string    `bson:"tenant,omitempty"`
}

// Audit inserts r into the audit collection, which is never updated.
func (s *Store) Audit(ctx context.Context, r *matcher.AuditRecord) error {
	_, err := s.db.Collection("audit").InsertOne(ctx, auditDoc{
		ID: r.ID, At: r.At, Actor: partyDoc(r.Actor), Action: r.Action,
		WishID: r.WishID, ResidentID: r.ResidentID, Tenant: r.TenantID,
	})
	return storeErr(err, "audit record")
}

// AuditRecords returns the audit records of a wish, oldest first.
func (s *Store) AuditRecords(ctx context.Context, wishID string) ([]*matcher.AuditRecord, error) {
	cur, err := s.db.Collection("audit").Find(ctx, bson.D{{Key: "wish_id", Value: bson.D{{Key: "$eq", Value: wishID}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return nil, storeErr(err, "audit")
	}
	defer cur.Close(ctx)
	var out []*matcher.AuditRecord
	for cur.Next(ctx) {
		var d auditDoc
		if err := cur.Decode(&d); err != nil {
			return nil, storeErr(err, "audit")
		}
		out = append(out, &matcher.AuditRecord{ID: d.ID, At: d.At.UTC(), Actor: matcher.Party(d.Actor), Action: d.Action,
			WishID: d.WishID, ResidentID: d.ResidentID, TenantID: d.Tenant})
	}
	return out, storeErr(cur.Err(), "audit")
}

type aggregateDoc struct {
	WishID   string `bson:"_id"`
	Tenant   string `bson:"tenant,omitempty"`
	Category string `bson:"category"`
	Cell     int64  `bson:"cell"`
	Month    string `bson:"month"`
	Outcome  string `bson:"outcome"`
	Rating   int    `bson:"rating,omitempty"`
}

// PutAggregate inserts a keyed by its wish, so each wish is counted once.
func (s *Store) PutAggregate(ctx context.Context, a *matcher.Aggregate) error {
	_, err := s.db.Collection("aggregates").InsertOne(ctx, aggregateDoc{
		WishID: a.WishID, Tenant: a.TenantID, Category: a.Category, Cell: int64(a.Cell),
		Month: a.Month, Outcome: a.Outcome, Rating: a.Rating,
	})
	return storeErr(err, "aggregate")
}

// EachAggregate calls fn for every aggregate.
func (s *Store) EachAggregate(ctx context.Context, fn func(*matcher.Aggregate) error) error {
	cur, err := s.db.Collection("aggregates").Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return storeErr(err, "aggregates")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d aggregateDoc
		if err := cur.Decode(&d); err != nil {
			return storeErr(err, "aggregates")
		}
		err := fn(&matcher.Aggregate{WishID: d.WishID, TenantID: d.Tenant, Category: d.Category, Cell: geo.Cell(d.Cell),
			Month: d.Month, Outcome: d.Outcome, Rating: d.Rating})
		if err != nil {
			return err
		}
	}
	return storeErr(cur.Err(), "aggregates")
}

// KeyByPrefix returns the key shown as prefix. Prefixes carry 48 random
// bits; should two keys ever share one, it returns ECONFLICT rather than
// pick one.
func (s *Store) KeyByPrefix(ctx context.Context, prefix string) (*matcher.APIKey, error) {
	cur, err := s.db.Collection("api_keys").Find(ctx, bson.D{{Key: "prefix", Value: bson.D{{Key: "$eq", Value: prefix}}}},
		options.Find().SetLimit(2))
	if err != nil {
		return nil, storeErr(err, "api key")
	}
	defer cur.Close(ctx)
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, storeErr(err, "api key")
	}
	switch len(docs) {
	case 0:
		return nil, matcher.Errorf(matcher.ENOTFOUND, "no API key has prefix %q", prefix)
	case 1:
		return keyFromDoc(&docs[0]), nil
	default:
		return nil, matcher.Errorf(matcher.ECONFLICT, "more than one API key has prefix %q; revoke by an admin tool", prefix)
	}
}

// ResealReport counts what Reseal did.
type ResealReport struct {
	Residents, Wishes int // documents sealed anew with the current key
	Current           int // documents already sealed with it
}

// Reseal re-encrypts with the current data key every resident and wish
// sealed with an older key or stored in clear, the second step of a data
// key rotation (see README, "Rotating the data key"). It replaces a
// document only while it is still the one it read, so a concurrent write,
// which seals with the current key anyway, is never overwritten.
func (s *Store) Reseal(ctx context.Context) (ResealReport, error) {
	var rep ResealReport
	if s.cipher == nil {
		return rep, fmt.Errorf("reseal: no data key is configured")
	}
	n, cur, err := reseal(ctx, s.db.Collection("residents"), residentToDoc(s.cipher), residentFromDoc(s.cipher), s.cipher.KeyID(),
		func(d *residentDoc) string { return d.Sealed })
	rep.Residents, rep.Current = n, cur
	if err != nil {
		return rep, err
	}
	n, cur, err = reseal(ctx, s.db.Collection("wishes"), wishToDoc(s.cipher), wishFromDoc(s.cipher), s.cipher.KeyID(),
		func(d *wishDoc) string { return d.Sealed })
	rep.Wishes, rep.Current = n, rep.Current+cur
	return rep, err
}

func reseal[T any, D doc](ctx context.Context, coll *mongo.Collection, toDoc func(*T) (D, error), fromDoc func(*D) (*T, error),
	keyID string, sealed func(*D) string) (done, current int, err error) {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetBatchSize(500))
	if err != nil {
		return 0, 0, storeErr(err, coll.Name())
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var raw bson.Raw = cur.Current
		var d D
		if err := bson.Unmarshal(raw, &d); err != nil {
			return done, current, storeErr(err, coll.Name())
		}
		old := sealed(&d)
		if old != "" && sealedKeyID(old) == keyID {
			current++
			continue
		}
		v, err := fromDoc(&d)
		if err != nil {
			return done, current, fmt.Errorf("%s %s: %w", coll.Name(), d.key(), err)
		}
		nd, err := toDoc(v)
		if err != nil {
			return done, current, fmt.Errorf("%s %s: %w", coll.Name(), d.key(), err)
		}
		filter := bson.D{{Key: "_id", Value: d.key()}, {Key: "sealed", Value: old}}
		if old == "" {
			filter[1] = bson.E{Key: "sealed", Value: bson.D{{Key: "$exists", Value: false}}}
		}
		res, err := coll.ReplaceOne(ctx, filter, nd)
		if err != nil {
			return done, current, storeErr(err, coll.Name())
		}
		done += int(res.ModifiedCount)
	}
	return done, current, storeErr(cur.Err(), coll.Name())
}
