// Package mongotest gives each test a fresh, randomly named database: on
// the real MongoDB named by LINLI_TEST_MONGODB_URI when it is set, else on
// one embedded FerretDB server shared by the test binary.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/linli/linli/matcher/mongo"
)

var (
	once     sync.Once
	uri      string
	embedded *mongo.Embedded
	dir      string
	onceErr  error
)

// URI returns the MongoDB URI tests use, starting the embedded server the
// first time it is needed. The server lives until the test binary exits.
func URI(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if u := os.Getenv("LINLI_TEST_MONGODB_URI"); u != "" {
			uri = u
			return
		}
		var err error
		dir, err = os.MkdirTemp("", "linli-test-store-")
		if err != nil {
			onceErr = err
			return
		}
		emb, err := mongo.StartEmbedded(dir, "127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			onceErr = err
			return
		}
		uri, embedded = emb.URI(), emb
	})
	if onceErr != nil {
		tb.Fatalf("start test store: %v", onceErr)
	}
	return uri
}

// DatabaseName returns a new random database name.
func DatabaseName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test_" + hex.EncodeToString(b[:])
}

// Options returns the options a store on the test server needs: the
// embedded server, when tests use it, for its index.
func Options(tb testing.TB) []mongo.Option {
	URI(tb)
	if embedded == nil {
		return nil
	}
	return []mongo.Option{mongo.WithEmbedded(embedded)}
}

// New opens a store on a fresh database that is dropped when the test
// ends, with opts after the test server's own.
func New(tb testing.TB, opts ...mongo.Option) *mongo.Store {
	tb.Helper()
	return Open(tb, DatabaseName(), opts...)
}

// Open opens a store on database name, which is dropped when the test
// ends.
func Open(tb testing.TB, name string, opts ...mongo.Option) *mongo.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := mongo.Open(ctx, URI(tb), name, append(Options(tb), opts...)...)
	if err != nil {
		tb.Fatalf("open test store: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// Main runs a package's tests (call it from TestMain), then stops the
// embedded server and removes its folder, and fails the run when any
// goroutine outlives the tests: a leak of a store, a job or a server left
// running. extra runs before the check, for what the package itself must
// do when its tests are over.
func Main(m *testing.M, extra func(code int) int) {
	code := m.Run()
	if extra != nil {
		code = extra(code)
	}
	if embedded != nil {
		embedded.Close()
	}
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/klauspost/compress/zstd.(*blockDec).startDecoder")); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines outlived the tests:", err)
			code = 1
		}
	}
	os.Exit(code)
}
