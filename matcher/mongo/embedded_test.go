package mongo_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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

// TestEmbeddedIsPrivateUnlessExposed: FerretDB asks for no credentials, so
// a store that is not exposed must not listen where another local user
// could connect: only a Unix socket in a folder of this user's alone,
// removed at Close.
func TestEmbeddedIsPrivateUnlessExposed(t *testing.T) {
	emb, err := mongo.StartEmbedded(t.TempDir(), "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(emb.URI(), "mongodb://"), "/"))
	if err != nil || !strings.HasSuffix(u, ".sock") {
		emb.Close()
		t.Fatalf("the store listens at %s, want a Unix socket", emb.URI())
	}
	fi, err := os.Stat(filepath.Dir(u))
	if err != nil || fi.Mode().Perm() != 0o700 {
		emb.Close()
		t.Fatalf("the socket's folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := mongo.Open(ctx, emb.URI(), "linli", mongo.WithCipher(mustCipher(t, key1)), mongo.WithEmbedded(emb))
	if err != nil {
		emb.Close()
		t.Fatalf("open over the socket: %v", err)
	}
	_ = s.Close(ctx)
	emb.Close()
	if _, err := os.Stat(filepath.Dir(u)); !os.IsNotExist(err) {
		t.Fatalf("the socket's folder outlives the store: %v", err)
	}
}
