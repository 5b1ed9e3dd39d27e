package mongo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/linli/linli/matcher/mongo"
)

// TestEmbeddedRestart starts the embedded store three times on one data
// folder, as `linli serve` does across restarts: opening must succeed each
// time (indexes exist already) and data written before must be there.
func TestEmbeddedRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cipher := mustCipher(t, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	for i := range 3 {
		emb, err := mongo.StartEmbedded(dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := mongo.Open(ctx, emb.URI(), "linli", mongo.WithCipher(cipher))
		if err != nil {
			emb.Close()
			t.Fatalf("start %d: open: %v", i+1, err)
		}
		if i == 0 {
			if err := s.Volunteers().Create(ctx, mustVolunteer(t, "vol_1", "a")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Volunteers().Get(ctx, "vol_1"); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
		_ = s.Close(ctx)
		emb.Close()
	}
}
