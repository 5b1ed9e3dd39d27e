package mongo

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/matcher"
)

// loader reads the whole log at start: one goroutine reads entries from
// the server in batches, GOMAXPROCS goroutines decode them, and the
// caller's goroutine applies them in entry order. Memory stays bounded by
// the batches in flight.
type loader struct {
	s       *Store
	pending map[int64]*matcher.Change // read before an entry they follow
	records int
	started time.Time
	last    time.Time // of the last progress line
}

// loadBatch is how many entries are decoded together.
const loadBatch = 256

// loadFetch is how many entries one round trip to the server asks for.
// FerretDB v1.24 assembles a whole batch before sending it, and a batch of
// a thousand bulk entries (about 500 KB each) took it more than the
// driver's 30 s; 64 keeps a batch near 30 MB at worst and costs little
// for small entries.
const loadFetch = 64

type rawBatch struct {
	n    int
	docs []entryDoc
}

type decodedBatch struct {
	n       int
	changes []*matcher.Change
	err     error
}

func (l *loader) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cur, err := l.s.log.Find(ctx, bson.D{}, options.Find().SetBatchSize(loadFetch))
	if err != nil {
		return fmt.Errorf("read the log: %w", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))

	workers := runtime.GOMAXPROCS(0)
	raw := make(chan rawBatch, workers)
	decoded := make(chan decodedBatch, 2*workers)
	var readErr error
	go func() { // read
		defer close(raw)
		b := rawBatch{}
		for cur.Next(ctx) {
			var d entryDoc
			if err := cur.Decode(&d); err != nil {
				readErr = err
				return
			}
			b.docs = append(b.docs, d)
			if len(b.docs) == loadBatch {
				raw <- b
				b = rawBatch{n: b.n + 1}
			}
		}
		readErr = cur.Err()
		if len(b.docs) > 0 {
			raw <- b
		}
	}()
	var wg sync.WaitGroup
	for range workers { // decode
		wg.Go(func() {
			for b := range raw {
				out := decodedBatch{n: b.n, changes: make([]*matcher.Change, 0, len(b.docs))}
				for i := range b.docs {
					c, err := l.s.decode(&b.docs[i])
					if err != nil {
						out.err = err
						break
					}
					out.changes = append(out.changes, c)
				}
				select {
				case decoded <- out:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(decoded) }()

	next, early := 0, map[int]decodedBatch{} // apply batches in read order
	for b := range decoded {
		early[b.n] = b
		for {
			b, ok := early[next]
			if !ok {
				break
			}
			delete(early, next)
			next++
			if b.err != nil {
				return b.err
			}
			for _, c := range b.changes {
				l.apply(c)
			}
			l.progress()
		}
	}
	if readErr != nil {
		return fmt.Errorf("read the log: %w", readErr)
	}
	return ctx.Err()
}

// apply applies c if it is the next entry, else keeps it until the
// entries before it are applied.
func (l *loader) apply(c *matcher.Change) {
	s := l.s
	if c.Seq <= s.tail {
		return
	}
	l.pending[c.Seq] = c
	for {
		c, ok := l.pending[s.tail+1]
		if !ok {
			return
		}
		delete(l.pending, c.Seq)
		s.tail = c.Seq
		l.records += len(c.Records) + len(c.Events)
		s.apply(c)
	}
}

func (l *loader) progress() {
	if time.Since(l.last) < 2*time.Second {
		return
	}
	l.last = time.Now()
	took := time.Since(l.started).Seconds()
	l.s.logger.Info("loading the log", "entries", l.s.tail, "records", l.records,
		"records_per_s", int(float64(l.records)/took))
}
