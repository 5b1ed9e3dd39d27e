package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// ResealReport counts what Reseal did.
type ResealReport struct {
	Entries int // log entries sealed anew with the current key
	Current int // entries whose sealed values were all sealed with it
}

// Reseal re-encrypts with the current data key every log entry holding a
// resident or wish sealed with an older key or stored in clear: the second
// step of a data key rotation (see README, "Rotating the data key"). It
// reads the log once and replaces entries by _id; entries are never
// changed otherwise but by the retention job, so run it while no service
// erases (stop `linli serve` on the embedded store).
func (s *Store) Reseal(ctx context.Context) (ResealReport, error) {
	var rep ResealReport
	if s.cipher == nil {
		return rep, fmt.Errorf("reseal: no data key is configured")
	}
	cur, err := s.log.Find(ctx, bson.D{}, options.Find().SetBatchSize(500))
	if err != nil {
		return rep, fmt.Errorf("reseal: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d entryDoc
		if err := cur.Decode(&d); err != nil {
			return rep, fmt.Errorf("reseal: %w", err)
		}
		stale, err := s.staleSeal(&d)
		if err != nil {
			return rep, err
		}
		if !stale {
			rep.Current++
			continue
		}
		c, err := s.decode(&d)
		if err != nil {
			return rep, err
		}
		nd, err := s.encode(c)
		if err != nil {
			return rep, err
		}
		if _, err := s.log.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, nd); err != nil {
			return rep, fmt.Errorf("reseal entry %s: %w", d.ID, err)
		}
		rep.Entries++
	}
	return rep, cur.Err()
}

// staleSeal reports whether the entry holds a resident or wish whose
// personal data is sealed with another key than the current, or is in
// clear.
func (s *Store) staleSeal(d *entryDoc) (bool, error) {
	raw, err := d.body()
	if err != nil {
		return false, fmt.Errorf("log entry %s: %w", d.ID, err)
	}
	var cd changeDoc
	if err := bson.Unmarshal(raw, &cd); err != nil {
		return false, fmt.Errorf("log entry %s: %w", d.ID, err)
	}
	for _, r := range cd.Records {
		var sealed struct {
			Sealed      string    `bson:"sealed"`
			Name        string    `bson:"name"`
			Description string    `bson:"description"`
			Point       *pointDoc `bson:"point"`
		}
		switch r.Kind {
		case kindResident, kindWish:
		default:
			continue
		}
		if err := bson.Unmarshal(r.Doc, &sealed); err != nil {
			return false, err
		}
		inClear := sealed.Name != "" || sealed.Point != nil || (r.Kind == kindWish && sealed.Description != "")
		if inClear || sealed.Sealed != "" && sealedKeyID(sealed.Sealed) != s.cipher.KeyID() {
			return true, nil
		}
	}
	return false, nil
}
