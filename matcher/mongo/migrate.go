package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// The collections of a store written before the log: one per kind, read
// and updated in place. A store that has them and an empty log is
// migrated once, at Open: every document becomes a record or event of the
// log, in entries of migrateBatch, and the old collections are left as
// they were, unread.
var oldCollections = []string{"organisations", "volunteers", "enterprises", "resources", "residents", "wishes", "api_keys", "events", "audit", "aggregates"}

const migrateBatch = 500

// oldKeyDoc is an API key as written before keys had versions.
type oldKeyDoc struct {
	ID        string    `bson:"_id"`
	Tenant    string    `bson:"tenant"`
	Prefix    string    `bson:"prefix"`
	Role      string    `bson:"role"`
	CreatedBy string    `bson:"created_by,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
	RevokedAt time.Time `bson:"revoked_at,omitempty"`
}

// oldAuditDoc is an audit record as written before subjects.
type oldAuditDoc struct {
	ID         string    `bson:"_id"`
	At         time.Time `bson:"at"`
	Actor      actorDoc  `bson:"actor"`
	Action     string    `bson:"action"`
	WishID     string    `bson:"wish_id,omitempty"`
	ResidentID string    `bson:"resident_id,omitempty"`
	Tenant     string    `bson:"tenant,omitempty"`
}

func (s *Store) migrate(ctx context.Context, names []string) error {
	var old []string
	for _, n := range oldCollections {
		if slices.Contains(names, n) {
			old = append(old, n)
		}
	}
	if len(old) == 0 {
		return nil
	}
	if err := s.log.FindOne(ctx, bson.D{{Key: "_id", Value: seqID(1)}}).Err(); err == nil {
		return nil // migrated already, or written since
	}
	start := time.Now()
	var changes []*matcher.Change
	var events []*matcher.Event
	add := func(c *matcher.Change) { changes = append(changes, c) }
	batch := &matcher.Change{At: start.UTC(), Actor: matcher.System}
	flush := func() {
		if len(batch.Records)+len(batch.Audits)+len(batch.Aggregates) > 0 {
			add(batch)
		}
		batch = &matcher.Change{At: start.UTC(), Actor: matcher.System}
	}
	put := func(r any) {
		batch.Records = append(batch.Records, r)
		if len(batch.Records) == migrateBatch {
			flush()
		}
	}
	for _, n := range old {
		err := each(ctx, s.db.Collection(n), func(raw bson.Raw) error {
			switch n {
			case "events":
				var d eventDoc
				if err := bson.Unmarshal(raw, &d); err != nil {
					return err
				}
				events = append(events, eventFromDoc(&d))
				return nil
			case "api_keys":
				var d oldKeyDoc
				if err := bson.Unmarshal(raw, &d); err != nil {
					return err
				}
				put(&matcher.APIKey{ID: d.ID, Version: 1, SubjectID: d.Tenant, Prefix: d.Prefix, Role: d.Role,
					CreatedBy: matcher.Actor{Kind: "key", ID: d.CreatedBy}, CreatedAt: d.CreatedAt.UTC(),
					ExpiresAt: utcOrZero(d.ExpiresAt), RevokedAt: utcOrZero(d.RevokedAt)})
				return nil
			case "audit":
				var d oldAuditDoc
				if err := bson.Unmarshal(raw, &d); err != nil {
					return err
				}
				batch.Audits = append(batch.Audits, &matcher.AuditRecord{ID: d.ID, At: d.At.UTC(), Actor: matcher.Actor(d.Actor),
					Action: d.Action, Subject: matcher.Party{Kind: "wish", ID: d.WishID}, NodeID: d.Tenant,
					Details: map[string]string{"resident_id": d.ResidentID}})
				if len(batch.Audits) == migrateBatch {
					flush()
				}
				return nil
			case "aggregates":
				var d aggregateDoc
				if err := bson.Unmarshal(raw, &d); err != nil {
					return err
				}
				batch.Aggregates = append(batch.Aggregates, &matcher.Aggregate{WishID: d.WishID, NodeID: d.Tenant,
					Category: d.Category, Cell: geo.Cell(d.Cell), Month: d.Month, Outcome: d.Outcome, Rating: d.Rating})
				if len(batch.Aggregates) == migrateBatch {
					flush()
				}
				return nil
			}
			r, err := s.record(&recordEntry{Kind: oldKinds[n], Doc: raw})
			if err != nil {
				return err
			}
			put(r)
			return nil
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", n, err)
		}
	}
	flush()
	slices.SortFunc(events, func(a, b *matcher.Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.WishID, b.WishID), cmp.Compare(a.Seq, b.Seq))
	})
	for chunk := range slices.Chunk(events, migrateBatch) {
		add(&matcher.Change{At: start.UTC(), Actor: matcher.System, Events: chunk})
	}
	docs := make([]any, len(changes))
	for i, c := range changes {
		c.Seq = int64(i + 1)
		d, err := s.encode(c)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		docs[i] = d
	}
	for chunk := range slices.Chunk(docs, 100) {
		if _, err := s.log.InsertMany(ctx, chunk, options.InsertMany().SetOrdered(true)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	s.logger.Info("migrated the collections of an older store into the log; they are left as they were",
		"collections", old, "entries", len(docs), "events", len(events), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

var oldKinds = map[string]string{
	"organisations": kindOrganisation, "volunteers": kindVolunteer, "enterprises": kindEnterprise,
	"resources": kindResource, "residents": kindResident, "wishes": kindWish,
}

func each(ctx context.Context, coll *mongo.Collection, fn func(bson.Raw) error) error {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return cur.Err()
}
