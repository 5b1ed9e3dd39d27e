package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/linli/linli/matcher"
)

// idempotency stores requests made with an Idempotency-Key as two
// documents, both only ever inserted: the request under its id, won by
// the first inserter, and its response under the id and responseSuffix.
type idempotency struct {
	coll *mongo.Collection
}

var _ matcher.IdempotencyStore = (*idempotency)(nil)

const responseSuffix = "#response"

type idemDoc struct {
	ID          string    `bson:"_id"`
	Hash        string    `bson:"hash,omitempty"`
	Token       string    `bson:"token,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
	ExpiresAt   time.Time `bson:"expires_at"`
	Status      int       `bson:"status,omitempty"`
	ContentType string    `bson:"content_type,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
}

func (s *idempotency) Lock(ctx context.Context, r *matcher.IdempotentRequest) error {
	_, err := s.coll.InsertOne(ctx, idemDoc{ID: r.ID, Hash: r.Hash, Token: r.Token, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	return storeErr(err, "idempotency key")
}

func (s *idempotency) Get(ctx context.Context, id string) (*matcher.IdempotentRequest, error) {
	var d idemDoc
	if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, storeErr(err, "idempotency key")
	}
	r := &matcher.IdempotentRequest{ID: d.ID, Hash: d.Hash, Token: d.Token, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
	var resp idemDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id + responseSuffix}}).Decode(&resp)
	switch {
	case err == nil && resp.Token == d.Token:
		r.Response = &matcher.Response{Status: resp.Status, ContentType: resp.ContentType, Body: resp.Body}
	case err != nil && !errors.Is(err, mongo.ErrNoDocuments):
		return nil, storeErr(err, "idempotent response")
	}
	return r, nil
}

// Respond inserts the response of the request's current attempt. A
// response left by an attempt that was forgotten halfway is replaced.
func (s *idempotency) Respond(ctx context.Context, id string, resp *matcher.Response) error {
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	d := idemDoc{ID: id + responseSuffix, Token: r.Token, CreatedAt: time.Now().UTC(), ExpiresAt: r.ExpiresAt,
		Status: resp.Status, ContentType: resp.ContentType, Body: resp.Body}
	_, err = s.coll.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		var old idemDoc
		if err = s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&old); err == nil && old.Token != r.Token {
			if _, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}}); err == nil {
				_, err = s.coll.InsertOne(ctx, d)
			}
		}
	}
	return storeErr(err, "idempotent response")
}

// Forget deletes the request only while token is its token, then the
// response of that attempt. It reads, then deletes by _id alone: FerretDB
// scans the collection for any other filter.
func (s *idempotency) Forget(ctx context.Context, id, token string) error {
	for _, key := range []string{id, id + responseSuffix} {
		var d idemDoc
		err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) || err == nil && d.Token != token {
			continue
		}
		if err == nil {
			_, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
		}
		if err != nil {
			return storeErr(err, "idempotency key")
		}
	}
	return nil
}

func (s *idempotency) Expire(ctx context.Context, t time.Time) error {
	_, err := s.coll.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: t}}}})
	return storeErr(err, "idempotency keys")
}
