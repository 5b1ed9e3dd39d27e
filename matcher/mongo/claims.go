package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/linli/linli/matcher"
)

// slots stores volunteers' claim slots; the unique _id of a slot is what
// keeps a volunteer within their limit of active claims.
type slots struct {
	coll *mongo.Collection
}

var _ matcher.SlotStore = (*slots)(nil)

type slotDoc struct {
	ID      string    `bson:"_id"`
	ClaimID string    `bson:"claim_id"`
	WishID  string    `bson:"wish_id"`
	TakenAt time.Time `bson:"taken_at"`
}

func (s *slots) Take(ctx context.Context, sl *matcher.Slot) error {
	_, err := s.coll.InsertOne(ctx, slotDoc{ID: sl.ID, ClaimID: sl.ClaimID, WishID: sl.WishID, TakenAt: sl.TakenAt})
	return storeErr(err, "claim slot")
}

func (s *slots) Get(ctx context.Context, id string) (*matcher.Slot, error) {
	var d slotDoc
	if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, storeErr(err, "claim slot")
	}
	return &matcher.Slot{ID: d.ID, ClaimID: d.ClaimID, WishID: d.WishID, TakenAt: d.TakenAt.UTC()}, nil
}

// Free deletes the slot only while claimID holds it, so a slot freed and
// taken by a newer claim meanwhile stays taken. It reads, then deletes by
// _id alone: FerretDB scans the collection for any other filter.
func (s *slots) Free(ctx context.Context, id, claimID string) error {
	held, err := s.Get(ctx, id)
	if matcher.ErrorCode(err) == matcher.ENOTFOUND {
		return nil
	}
	if err != nil || held.ClaimID != claimID {
		return err
	}
	_, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return storeErr(err, "claim slot")
}
