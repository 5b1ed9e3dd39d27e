package mongo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	_ "modernc.org/sqlite" // the pure-Go driver FerretDB itself uses, registered as "sqlite"
)

// This file works around a defect in FerretDB v1.24.x's SQLite backend
// (unchanged since v1.19.0): it builds each collection's unique _id index on
// the expression _ferretdb_sjson->"_id", but compares a pushed-down
// {_id: <string or ObjectId>} filter, and every update and delete it writes
// back by _id, with _ferretdb_sjson->'$._id'. SQLite uses an expression
// index only for the identical expression, so without help every read,
// update and delete by _id scans the whole table. No other filter is pushed
// down ({_id: {$eq: …}} included): FerretDB reads every document and
// filters in Go, and no index changes that. All this depends on FerretDB's
// internals, is pinned by sqliteindex_test.go, and never concerns a real
// MongoDB, where IndexIDs is not called.

// idExpr is the expression FerretDB v1.24.x compares _id with
// (metadata.IDColumn in internal/backends/sqlite/metadata/metadata.go).
// An index is used only if it is built on exactly this expression.
const idExpr = `_ferretdb_sjson->'$._id'`

// collectionsTable is FerretDB's metadata table in each database file:
// one row per collection, naming the SQLite table that holds it.
const collectionsTable = "_ferretdb_collections"

// busyTimeout is how long, in milliseconds, a statement here waits for
// FerretDB's own writers to finish: the same 10 s FerretDB gives its own
// connections.
const busyTimeout = 10000

// databaseNameRe is FerretDB's rule for database names; it also keeps a
// name from reaching outside the data folder.
var databaseNameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)

// ErrNoDatabase is returned by IndexIDs for a database that has no file
// yet: FerretDB creates it with the database's first collection.
var ErrNoDatabase = errors.New("database does not exist yet")

// IndexIDs creates, for every collection database holds now, the SQLite
// index on the expression FerretDB v1.24.x looks documents up by _id with,
// so that reads by {_id: <string or ObjectId>}, and replaces and deletes by
// _id, search an index instead of scanning the table.
//
// It is safe to call while FerretDB serves: it opens the database's file
// with a connection pool of its own and creates the missing indexes in one
// immediate transaction, so FerretDB's writers wait for it, as they wait
// for each other, and its readers are not blocked (the file is in WAL
// mode). It is idempotent and cheap when nothing is missing. The indexes
// are ordinary SQLite indexes, invisible to listIndexes: they survive
// restarts, and FerretDB drops them with their collection.
//
// A collection created later, explicitly or by a first insert, has no such
// index until IndexIDs is called again, so call it at start after creating
// the collections and after creating any new one. For a database that does
// not exist yet it changes nothing and returns an error wrapping
// ErrNoDatabase.
func (e *Embedded) IndexIDs(ctx context.Context, database string) error {
	if !databaseNameRe.MatchString(database) {
		return fmt.Errorf("index ids: %q is not a database name", database)
	}
	file := filepath.Join(e.dir, database+".sqlite")
	if _, err := os.Stat(file); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index ids of %q: %w (no %s)", database, ErrNoDatabase, file)
		}
		return fmt.Errorf("index ids of %q: %w", database, err)
	}
	db, err := sql.Open("sqlite", sqliteURI(file))
	if err != nil {
		return fmt.Errorf("index ids of %q: %w", database, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := indexIDs(ctx, db); err != nil {
		return fmt.Errorf("index ids of %q: %w", database, err)
	}
	return nil
}

// sqliteURI names file for modernc.org/sqlite: opened read-write but never
// created (mode=rw), each connection waiting up to busyTimeout for a lock,
// and transactions beginning IMMEDIATE, so the one below takes the write
// lock before it reads the collection list and no collection can appear
// or vanish between the two.
func sqliteURI(file string) string {
	q := url.Values{}
	q.Set("mode", "rw")
	q.Set("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout))
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: file, RawQuery: q.Encode()}
	return u.String()
}

// indexIDs creates the missing _id indexes of the collections listed in
// db's metadata table, in one transaction.
func indexIDs(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	tables, err := collectionTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, quoteIdent(idIndexName(t)), quoteIdent(t), idExpr)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("table %s: %w", t, err)
		}
	}
	return tx.Commit()
}

// collectionTables returns the names of the SQLite tables that hold the
// database's collections.
func collectionTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM `+quoteIdent(collectionsTable))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", collectionsTable, err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read %s: %w", collectionsTable, err)
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", collectionsTable, err)
	}
	return tables, nil
}

// idIndexName names the index on table. FerretDB names its own indexes
// <table>_<index name>, so a name that starts with linli_id_ instead can
// never be taken by an index created through the driver.
func idIndexName(table string) string { return "linli_id_" + table }

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
