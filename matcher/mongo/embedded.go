package mongo

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server (SQLite backend) running inside this
// process: the zero-set-up store. It speaks the MongoDB wire protocol, so
// the service talks to it exactly as to a real MongoDB.
type Embedded struct {
	dir    string // absolute data folder: one <database>.sqlite file each
	uri    string
	socket string // the Unix socket when the store is not exposed, removed at Close
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts FerretDB on data folder dir. With addr empty it
// listens only on a Unix socket that nobody but this process's user can
// open (FerretDB asks for no credentials, so a TCP port, even on
// loopback, would give every local user the store); with addr, such as
// "127.0.0.1:27018", it also listens there, exposing the store to other
// processes such as more `linli serve` replicas ("127.0.0.1:0" picks a
// free port).
func StartEmbedded(dir, addr string, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	listener := ferretdb.ListenerConfig{TCP: addr}
	var socket string
	if addr == "" {
		if socket, err = privateSocket(); err != nil {
			return nil, fmt.Errorf("start embedded store: %w", err)
		}
		listener = ferretdb.ListenerConfig{Unix: socket}
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		removeSocket(socket)
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: abs, socket: socket, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx) // returns only when ctx is cancelled
	}()
	uri := f.MongoDBURI() // waits until the listener is up
	if socket != "" {
		// The driver takes a socket path percent-encoded as the host.
		uri = "mongodb://" + url.PathEscape(socket) + "/"
	}
	e.uri = uri
	return e, nil
}

// privateSocket returns the path of a Unix socket in a new folder that
// only this user may enter. The folder is under the system's temporary
// folder, not the data folder, since a socket's path is limited to about
// a hundred bytes.
func privateSocket() (string, error) {
	d, err := os.MkdirTemp("", "linli-store-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(d, 0o700); err != nil {
		os.RemoveAll(d)
		return "", err
	}
	return filepath.Join(d, "store.sock"), nil
}

func removeSocket(socket string) {
	if socket != "" {
		os.RemoveAll(filepath.Dir(socket))
	}
}

// URI returns the MongoDB URI of the running server.
func (e *Embedded) URI() string { return e.uri }

// Close stops the server and waits until its files are closed.
func (e *Embedded) Close() {
	e.cancel()
	<-e.done
	removeSocket(e.socket)
}
