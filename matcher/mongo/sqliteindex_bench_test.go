package mongo_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

// BenchmarkIndexIDs reads, replaces and deletes the last inserted of n
// documents by _id, the worst case for a table scan, first with FerretDB's
// own indexes only and then after IndexIDs.
func BenchmarkIndexIDs(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		emb, db, stop := mustStart(b, b.TempDir())
		mustCreate(b, db, "wishes")
		coll := db.Collection("wishes")
		mustInsert(b, coll, n)
		late := fmt.Sprintf("doc_%d", n-1)
		byID := bson.D{{Key: "_id", Value: late}}
		doc := func(i int) bson.D { return bson.D{{Key: "_id", Value: late}, {Key: "n", Value: i}} }

		for _, index := range []string{"ferretdb", "linli"} {
			if index == "linli" {
				start := time.Now()
				mustIndexIDs(b, emb)
				b.Logf("docs=%d: IndexIDs took %v", n, time.Since(start))
			}
			name := fmt.Sprintf("docs=%d/index=%s/", n, index)
			b.Run(name+"find", func(b *testing.B) {
				ctx := testContext(b)
				for b.Loop() {
					if err := coll.FindOne(ctx, byID).Err(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"replace", func(b *testing.B) {
				ctx := testContext(b)
				i := 0
				for b.Loop() {
					i++
					if r, err := coll.ReplaceOne(ctx, byID, doc(i)); err != nil || r.MatchedCount != 1 {
						b.Fatalf("got %+v, %v", r, err)
					}
				}
			})
			b.Run(name+"delete", func(b *testing.B) {
				ctx := testContext(b)
				for b.Loop() {
					if r, err := coll.DeleteOne(ctx, byID); err != nil || r.DeletedCount != 1 {
						b.Fatalf("got %+v, %v", r, err)
					}
					b.StopTimer()
					if _, err := coll.InsertOne(ctx, doc(0)); err != nil { // last again
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		}
		stop()
	}
}
