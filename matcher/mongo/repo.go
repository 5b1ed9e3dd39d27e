package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/matcher"
)

// doc is what every stored document has: an id and a tenant.
type doc interface {
	key() string
	tenant() string
}

// repo stores entities of type T as documents of type D. Converters may
// fail: those of residents and wishes seal and open personal data.
type repo[T any, D doc] struct {
	coll    *mongo.Collection
	toDoc   func(*T) (D, error)
	fromDoc func(*D) (*T, error)
	what    string
}

var _ matcher.Repo[matcher.Wish] = (*repo[matcher.Wish, wishDoc])(nil)

func newRepo[T any, D doc](coll *mongo.Collection, toDoc func(*T) D, fromDoc func(*D) *T) *repo[T, D] {
	return newSealedRepo(coll,
		func(v *T) (D, error) { return toDoc(v), nil },
		func(d *D) (*T, error) { return fromDoc(d), nil })
}

func newSealedRepo[T any, D doc](coll *mongo.Collection, toDoc func(*T) (D, error), fromDoc func(*D) (*T, error)) *repo[T, D] {
	return &repo[T, D]{coll: coll, toDoc: toDoc, fromDoc: fromDoc, what: coll.Name()}
}

func (r *repo[T, D]) Create(ctx context.Context, v *T) error {
	d, err := r.toDoc(v)
	if err != nil {
		return fmt.Errorf("%s: %w", r.what, err)
	}
	_, err = r.coll.InsertOne(ctx, d)
	return storeErr(err, r.what)
}

func (r *repo[T, D]) Get(ctx context.Context, id string) (*T, error) {
	return r.find(ctx, bson.D{{Key: "_id", Value: id}})
}

// GetFor reads the entity with the id only when it belongs to tenant;
// another tenant's document reads as not found and never leaves the store.
// The tenant is checked on the fetched document rather than put in the
// filter: FerretDB v1.24 looks a document up directly only when the filter
// is exactly {_id: "<string>"} and scans the whole collection otherwise.
func (r *repo[T, D]) GetFor(ctx context.Context, id, tenant string) (*T, error) {
	var d D
	if err := r.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, storeErr(err, r.what)
	}
	if d.tenant() != tenant {
		return nil, matcher.Errorf(matcher.ENOTFOUND, "%s not found", r.what)
	}
	return r.decode(&d)
}

func (r *repo[T, D]) find(ctx context.Context, filter bson.D) (*T, error) {
	var d D
	if err := r.coll.FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, storeErr(err, r.what)
	}
	return r.decode(&d)
}

func (r *repo[T, D]) decode(d *D) (*T, error) {
	v, err := r.fromDoc(d)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.what, (*d).key(), err)
	}
	return v, nil
}

func (r *repo[T, D]) Replace(ctx context.Context, v *T) error {
	d, err := r.toDoc(v)
	if err != nil {
		return fmt.Errorf("%s: %w", r.what, err)
	}
	res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.key()}}, d)
	if err != nil {
		return storeErr(err, r.what)
	}
	if res.MatchedCount == 0 {
		return matcher.Errorf(matcher.ENOTFOUND, "%s not found", r.what)
	}
	return nil
}

func (r *repo[T, D]) Delete(ctx context.Context, id string) error {
	_, err := r.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return storeErr(err, r.what)
}

// List builds its filter from typed values only: a tenant and a cursor are
// strings compared with $eq and $gt, so no request value becomes an
// operator or a field name.
func (r *repo[T, D]) List(ctx context.Context, opts matcher.ListOptions) ([]*T, error) {
	filter := bson.D{}
	if opts.TenantID != "" {
		filter = append(filter, bson.E{Key: "tenant", Value: bson.D{{Key: "$eq", Value: opts.TenantID}}})
	}
	if opts.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: opts.After}}})
	}
	find := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(opts.Limit))
	cur, err := r.coll.Find(ctx, filter, find)
	if err != nil {
		return nil, storeErr(err, r.what)
	}
	defer cur.Close(ctx)
	var out []*T
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return nil, storeErr(err, r.what)
		}
		v, err := r.decode(&d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, storeErr(cur.Err(), r.what)
}

func (r *repo[T, D]) Each(ctx context.Context, fn func(*T) error) error {
	cur, err := r.coll.Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return storeErr(err, r.what)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return storeErr(err, r.what)
		}
		v, err := r.fromDoc(&d)
		if err != nil {
			return fmt.Errorf("%s %s: %w", r.what, d.key(), err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return storeErr(cur.Err(), r.what)
}
