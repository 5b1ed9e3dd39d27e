package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/matcher"
)

// events stores wish events keyed by (wish, seq): the unique _id is what
// makes exactly one of two racing transitions win.
type events struct {
	coll *mongo.Collection
}

type hoursDoc struct {
	VolunteerID string  `bson:"volunteer_id"`
	Hours       float64 `bson:"hours"`
}

type eventDoc struct {
	ID       string     `bson:"_id"`
	WishID   string     `bson:"wish_id"`
	Seq      int        `bson:"seq"`
	Type     string     `bson:"type"`
	Actor    partyDoc   `bson:"actor"`
	At       time.Time  `bson:"at"`
	ClaimID  string     `bson:"claim_id,omitempty"`
	Claimant *partyDoc  `bson:"claimant,omitempty"`
	DueAt    time.Time  `bson:"due_at,omitempty"`
	Note     string     `bson:"note,omitempty"`
	Rating   int        `bson:"rating,omitempty"`
	Hours    []hoursDoc `bson:"hours,omitempty"`
	Category string     `bson:"category,omitempty"`
	DoneAt   time.Time  `bson:"done_at,omitempty"`
	Next     *partyDoc  `bson:"next,omitempty"`
}

func eventToDoc(e *matcher.Event) eventDoc {
	d := eventDoc{
		ID: matcher.EventID(e.WishID, e.Seq), WishID: e.WishID, Seq: e.Seq, Type: e.Type,
		Actor: partyDoc(e.Actor), At: e.At, ClaimID: e.ClaimID, DueAt: e.DueAt, Note: e.Note, Rating: e.Rating,
		Category: e.Category, DoneAt: e.DoneAt,
	}
	if e.Next != nil {
		n := partyDoc(*e.Next)
		d.Next = &n
	}
	if e.Claimant != nil {
		c := partyDoc(*e.Claimant)
		d.Claimant = &c
	}
	for _, h := range e.Hours {
		d.Hours = append(d.Hours, hoursDoc(h))
	}
	return d
}

func eventFromDoc(d *eventDoc) *matcher.Event {
	e := &matcher.Event{
		ID: d.ID, WishID: d.WishID, Seq: d.Seq, Type: d.Type, Actor: matcher.Party(d.Actor), At: d.At.UTC(),
		ClaimID: d.ClaimID, DueAt: utcOrZero(d.DueAt), Note: d.Note, Rating: d.Rating,
		Category: d.Category, DoneAt: utcOrZero(d.DoneAt),
	}
	if d.Next != nil {
		n := matcher.Party(*d.Next)
		e.Next = &n
	}
	if d.Claimant != nil {
		c := matcher.Party(*d.Claimant)
		e.Claimant = &c
	}
	for _, h := range d.Hours {
		e.Hours = append(e.Hours, matcher.Hours(h))
	}
	return e
}

func (s *events) Append(ctx context.Context, e *matcher.Event) error {
	d := eventToDoc(e)
	_, err := s.coll.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return matcher.Errorf(matcher.ECONFLICT, "the wish changed meanwhile (event %d exists)", e.Seq)
	}
	if err == nil {
		e.ID = d.ID
	}
	return storeErr(err, "event")
}

func (s *events) Get(ctx context.Context, wishID string, seq int) (*matcher.Event, error) {
	var d eventDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: matcher.EventID(wishID, seq)}}).Decode(&d)
	if err != nil {
		return nil, storeErr(err, "event")
	}
	return eventFromDoc(&d), nil
}

func (s *events) Since(ctx context.Context, t time.Time, fn func(*matcher.Event) error) error {
	filter := bson.D{}
	if !t.IsZero() {
		filter = bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: t}}}}
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return storeErr(err, "events")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d eventDoc
		if err := cur.Decode(&d); err != nil {
			return storeErr(err, "events")
		}
		if err := fn(eventFromDoc(&d)); err != nil {
			return err
		}
	}
	return storeErr(cur.Err(), "events")
}
