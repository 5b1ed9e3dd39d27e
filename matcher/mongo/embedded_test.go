package mongo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
)

// TestEmbeddedRestart starts the embedded store three times on one data
// folder, as `linli serve` does across restarts: opening must succeed each
// time and the log written before must load, by index.
func TestEmbeddedRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cipher := mustCipher(t, key1)
	for i := range 3 {
		emb, err := mongo.StartEmbedded(dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := mongo.Open(ctx, emb.URI(), "linli", mongo.WithCipher(cipher), mongo.WithEmbedded(emb))
		if err != nil {
			emb.Close()
			t.Fatalf("start %d: open: %v", i+1, err)
		}
		r := &recorder{}
		if err := s.Load(ctx, r.apply); err != nil {
			t.Fatalf("start %d: load: %v", i+1, err)
		}
		if len(r.changes) != i {
			t.Fatalf("start %d: loaded %d changes, want %d", i+1, len(r.changes), i)
		}
		if _, err := s.Commit(ctx, func() (*matcher.Change, error) { return everyKind(), nil }); err != nil {
			t.Fatal(err)
		}
		_ = s.Close(ctx)
		emb.Close()
	}
}
