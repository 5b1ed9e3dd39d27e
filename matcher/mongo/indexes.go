package mongo

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// ensureIndexes creates, one by one, those of the indexes named by keys
// (collection → index keys) that do not exist yet. Asking the embedded
// FerretDB v1.24 to create an index that already exists, after a restart
// on the same data folder, crashes its connection ("socket was
// unexpectedly closed"), so existing indexes are looked up first and never
// created twice.
func ensureIndexes(ctx context.Context, db *mongo.Database, keys map[string][]bson.D) error {
	for coll, list := range keys {
		have, err := indexNames(ctx, db.Collection(coll))
		if err != nil {
			return fmt.Errorf("list indexes on %s: %w", coll, err)
		}
		for _, k := range list {
			name := indexName(k)
			if have[name] {
				continue
			}
			model := mongo.IndexModel{Keys: k, Options: options.Index().SetName(name)}
			if _, err := db.Collection(coll).Indexes().CreateOne(ctx, model); err != nil {
				return fmt.Errorf("create index %s on %s: %w", name, coll, err)
			}
		}
	}
	return nil
}

func indexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(specs))
	for _, s := range specs {
		names[s.Name] = true
	}
	return names, nil
}

// indexName is the name MongoDB itself would give: "tenant_1__id_1".
func indexName(keys bson.D) string {
	parts := make([]string, 0, 2*len(keys))
	for _, e := range keys {
		parts = append(parts, e.Key, fmt.Sprint(e.Value))
	}
	return strings.Join(parts, "_")
}
