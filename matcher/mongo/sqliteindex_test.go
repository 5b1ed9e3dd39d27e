package mongo_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/linli/linli/matcher/mongo"
)

// These tests pin what IndexIDs relies on in FerretDB v1.24.x's SQLite
// backend. They start their own embedded server, whatever
// LINLI_TEST_MONGODB_URI says: there is nothing to test on a real MongoDB.

const testDB = "linli"

// TestIndexIDsPinsFerretDB fails when a FerretDB upgrade changes what
// IndexIDs works around: the expression of FerretDB's own _id index, which
// filters it pushes down to SQLite, and the plan SQLite makes for a read by
// _id before and after IndexIDs.
func TestIndexIDsPinsFerretDB(t *testing.T) {
	dir := t.TempDir()
	emb, db, _ := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	mustInsert(t, db.Collection("wishes"), 10)

	table := mustTable(t, dir, "wishes")
	own := sqliteIndexes(t, dir)[table][table+"__id_"]
	if !strings.Contains(own, `(_ferretdb_sjson->"_id")`) {
		t.Fatalf(`FerretDB %s changed its _id index: got %q, want one on _ferretdb_sjson->"_id"; `+
			`check whether IndexIDs (sqliteindex.go) is still needed and uses the right expression`, ferretdbVersion(), own)
	}

	tests := []struct {
		name string
		give bson.D
		want bool
	}{
		{"string", bson.D{{Key: "_id", Value: "doc_1"}}, true},
		{"ObjectId", bson.D{{Key: "_id", Value: primitive.NewObjectID()}}, true},
		{"$eq", bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: "doc_1"}}}}, false},
		{"_id and another field", bson.D{{Key: "_id", Value: "doc_1"}, {Key: "tenant", Value: "a"}}, false},
	}
	for _, tt := range tests {
		if got, _ := explainFind(t, db, "wishes", tt.give); got != tt.want {
			t.Errorf("FerretDB %s changed which filters it pushes down to SQLite: %s %v: got filterPushdown %v, want %v; "+
				"update IndexIDs' doc comment and this test", ferretdbVersion(), tt.name, tt.give, got, tt.want)
		}
	}

	byID := bson.D{{Key: "_id", Value: "doc_9"}}
	if _, plan := explainFind(t, db, "wishes", byID); !strings.Contains(plan, "SCAN") || strings.Contains(plan, "USING INDEX") {
		t.Fatalf("FerretDB %s now reads by _id without a table scan before IndexIDs (plan %q): "+
			"its pushdown or _id index changed, and IndexIDs may be redundant", ferretdbVersion(), plan)
	}
	mustIndexIDs(t, emb)
	for _, tt := range tests[:2] {
		if got := mustPlan(t, db, "wishes", tt.give); !strings.Contains(got, "USING INDEX linli_id_"+table) {
			t.Fatalf("after IndexIDs, FerretDB %s still scans for a read by %s _id (plan %q): "+
				"the expression it compares _id with is no longer _ferretdb_sjson->'$._id'", ferretdbVersion(), tt.name, got)
		}
	}
}

// TestIndexIDsCoversWritesByID checks the statements FerretDB v1.24.x
// writes back by _id with (UpdateAll and DeleteAll in
// internal/backends/sqlite/collection.go, copied here; its explain command
// does not show them) search the index, and that replacing and deleting by
// _id through the driver still work.
func TestIndexIDsCoversWritesByID(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	emb, db, _ := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	coll := db.Collection("wishes")
	mustInsert(t, coll, 10)
	mustIndexIDs(t, emb)

	table := mustTable(t, dir, "wishes")
	for _, q := range []string{
		fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table),
		fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?)`, table),
	} {
		if plan := sqlitePlan(t, dir, q); !strings.Contains(plan, "USING INDEX linli_id_"+table) {
			t.Errorf("%s: plan %q does not search the index", q, plan)
		}
	}

	r, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "doc_9"}}, bson.D{{Key: "_id", Value: "doc_9"}, {Key: "n", Value: -9}})
	if err != nil || r.MatchedCount != 1 || r.ModifiedCount != 1 {
		t.Fatalf("replace by _id: got %+v, %v", r, err)
	}
	var got struct{ N int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "doc_9"}}).Decode(&got); err != nil || got.N != -9 {
		t.Fatalf("read after replace: got %+v, %v", got, err)
	}
	d, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "doc_9"}})
	if err != nil || d.DeletedCount != 1 {
		t.Fatalf("delete by _id: got %+v, %v", d, err)
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "doc_9"}}).Err(); !errors.Is(err, driver.ErrNoDocuments) {
		t.Fatalf("read after delete: got %v, want no documents", err)
	}
}

// TestIndexIDsIdempotent checks calling IndexIDs again creates nothing
// twice, and indexes the collections created since.
func TestIndexIDsIdempotent(t *testing.T) {
	dir := t.TempDir()
	emb, db, _ := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	mustIndexIDs(t, emb)
	mustIndexIDs(t, emb)
	mustCreate(t, db, "events")
	mustIndexIDs(t, emb)

	idx := sqliteIndexes(t, dir)
	for _, name := range []string{"wishes", "events"} {
		table := mustTable(t, dir, name)
		var ours []string
		for n := range idx[table] {
			if strings.HasPrefix(n, "linli_") {
				ours = append(ours, n)
			}
		}
		if len(ours) != 1 || ours[0] != "linli_id_"+table {
			t.Errorf("%s: got Linli indexes %v, want just linli_id_%s", name, ours, table)
		}
	}
}

// TestIndexIDsMissingDatabase checks IndexIDs refuses a database that does
// not exist yet, or a name that is not one, without creating a file.
func TestIndexIDsMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	emb, _, _ := mustStart(t, dir)
	tests := []struct {
		give   string
		wantNo bool // want ErrNoDatabase
	}{
		{"nothing_here", true},
		{"../escape", false},
		{"", false},
	}
	for _, tt := range tests {
		err := emb.IndexIDs(testContext(t), tt.give)
		if err == nil || errors.Is(err, mongo.ErrNoDatabase) != tt.wantNo {
			t.Errorf("IndexIDs(%q): got %v, want an error (ErrNoDatabase: %v)", tt.give, err, tt.wantNo)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Fatalf("IndexIDs created %v", files)
	}
}

// TestIndexIDsSurvivesRestart checks a restart on the same data folder
// keeps the data and the index, which FerretDB still uses, without calling
// IndexIDs again.
func TestIndexIDsSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	emb, db, stop := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	mustInsert(t, db.Collection("wishes"), 100)
	mustIndexIDs(t, emb)
	table := mustTable(t, dir, "wishes")
	stop()

	for i := range 2 {
		_, db, stop := mustStart(t, dir)
		if n, err := db.Collection("wishes").CountDocuments(testContext(t), bson.D{}); err != nil || n != 100 {
			t.Fatalf("restart %d: got %d documents, %v; want 100", i+1, n, err)
		}
		if plan := mustPlan(t, db, "wishes", bson.D{{Key: "_id", Value: "doc_99"}}); !strings.Contains(plan, "USING INDEX linli_id_"+table) {
			t.Fatalf("restart %d: plan %q does not search the index", i+1, plan)
		}
		stop()
	}
}

// TestIndexIDsKeepsFerretDBIndexes checks FerretDB's own index handling
// is unchanged by the extra index: duplicate keys are still E11000,
// indexes made and dropped through the driver still work and do not list
// the extra index, and dropping a collection drops it too.
func TestIndexIDsKeepsFerretDBIndexes(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	emb, db, _ := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	coll := db.Collection("wishes")
	mustInsert(t, coll, 10)
	mustIndexIDs(t, emb)
	table := mustTable(t, dir, "wishes")

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "doc_3"}}); !driver.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate _id: got %v, want E11000", err)
	}
	model := driver.IndexModel{Keys: bson.D{{Key: "n", Value: 1}}, Options: options.Index().SetName("n_1").SetUnique(true)}
	if _, err := coll.Indexes().CreateOne(ctx, model); err != nil {
		t.Fatalf("create index: %v", err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "doc_new"}, {Key: "n", Value: 3}}); !driver.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate n: got %v, want E11000", err)
	}
	if got := listIndexes(t, coll); got != "_id_,n_1" {
		t.Fatalf("listIndexes: got %s, want _id_,n_1", got)
	}
	if _, err := coll.Indexes().DropOne(ctx, "n_1"); err != nil {
		t.Fatalf("drop index: %v", err)
	}
	if got := listIndexes(t, coll); got != "_id_" {
		t.Fatalf("listIndexes after drop: got %s, want _id_", got)
	}
	if plan := mustPlan(t, db, "wishes", bson.D{{Key: "_id", Value: "doc_9"}}); !strings.Contains(plan, "USING INDEX linli_id_"+table) {
		t.Fatalf("after index changes, plan %q does not search the index", plan)
	}

	if err := coll.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if idx := sqliteIndexes(t, dir); len(idx[table]) != 0 {
		t.Fatalf("dropped collection left indexes %v", idx[table])
	}
	mustIndexIDs(t, emb)
}

// TestIndexIDsWhileServing runs IndexIDs, and creates a collection, while
// clients write and read by _id: no side may fail (the test is also run
// under -race).
func TestIndexIDsWhileServing(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	emb, db, _ := mustStart(t, dir)
	mustCreate(t, db, "wishes")
	coll := db.Collection("wishes")
	mustInsert(t, coll, 2000)

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := fmt.Sprintf("w%d_%d", w, i)
				if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
					errs <- fmt.Errorf("insert %s: %w", id, err)
					return
				}
				if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "n", Value: i}}); err != nil {
					errs <- fmt.Errorf("replace %s: %w", id, err)
					return
				}
				if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "doc_1999"}}).Err(); err != nil {
					errs <- fmt.Errorf("find: %w", err)
					return
				}
			}
		}()
	}
	for i := range 5 {
		if err := emb.IndexIDs(ctx, testDB); err != nil {
			errs <- fmt.Errorf("IndexIDs %d: %w", i, err)
		}
		if i == 2 {
			mustCreate(t, db, "events")
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mustIndexIDs(t, emb)
	var mode string
	if err := openSQLite(t, dir).QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("FerretDB %s left journal mode %q (%v), want wal: IndexIDs would block its readers", ferretdbVersion(), mode, err)
	}
	idx := sqliteIndexes(t, dir)
	for _, name := range []string{"wishes", "events"} {
		if table := mustTable(t, dir, name); idx[table]["linli_id_"+table] == "" {
			t.Errorf("%s has no linli_id_%s index", name, table)
		}
	}
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// mustStart starts FerretDB on dir and connects to database testDB. Both
// are closed when the test ends, or by stop before.
func mustStart(tb testing.TB, dir string) (emb *mongo.Embedded, db *driver.Database, stop func()) {
	tb.Helper()
	emb, err := mongo.StartEmbedded(dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	client, err := driver.Connect(context.Background(), options.Client().ApplyURI(emb.URI()))
	if err != nil {
		emb.Close()
		tb.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = client.Disconnect(context.Background()) // first, or Close waits for the client
			emb.Close()
		})
	}
	tb.Cleanup(stop)
	return emb, client.Database(testDB), stop
}

func mustCreate(tb testing.TB, db *driver.Database, name string) {
	tb.Helper()
	if err := db.CreateCollection(testContext(tb), name); err != nil {
		tb.Fatalf("create collection %s: %v", name, err)
	}
}

// mustInsert inserts documents doc_0 … doc_<n-1>, in that order.
func mustInsert(tb testing.TB, coll *driver.Collection, n int) {
	tb.Helper()
	const batch = 10000
	for from := 0; from < n; from += batch {
		docs := make([]any, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			docs = append(docs, bson.D{
				{Key: "_id", Value: fmt.Sprintf("doc_%d", i)}, {Key: "n", Value: i},
				{Key: "tenant", Value: "org_a"}, {Key: "text", Value: strings.Repeat("a wish to be matched ", 8)},
			})
		}
		if _, err := coll.InsertMany(testContext(tb), docs); err != nil {
			tb.Fatalf("insert: %v", err)
		}
	}
}

func mustIndexIDs(tb testing.TB, emb *mongo.Embedded) {
	tb.Helper()
	if err := emb.IndexIDs(testContext(tb), testDB); err != nil {
		tb.Fatal(err)
	}
}

// explainFind returns whether FerretDB pushes filter down to SQLite in a
// find on coll, and SQLite's plan for it.
func explainFind(tb testing.TB, db *driver.Database, coll string, filter bson.D) (pushdown bool, plan string) {
	tb.Helper()
	cmd := bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: filter}}}}
	var res struct {
		FilterPushdown bool `bson:"filterPushdown"`
		QueryPlanner   struct {
			Plan []string `bson:"Plan"`
		} `bson:"queryPlanner"`
	}
	if err := db.RunCommand(testContext(tb), cmd).Decode(&res); err != nil {
		tb.Fatalf("FerretDB %s: explain find %v: %v", ferretdbVersion(), filter, err)
	}
	return res.FilterPushdown, strings.Join(res.QueryPlanner.Plan, "; ")
}

// mustPlan returns SQLite's plan for a find of filter on coll. It runs the
// find first: an SQLite connection loads a changed schema when it next
// runs a statement, and EXPLAIN, which reads no table, does not count, so
// the plan could otherwise predate IndexIDs where no real read would.
func mustPlan(tb testing.TB, db *driver.Database, coll string, filter bson.D) string {
	tb.Helper()
	if err := db.Collection(coll).FindOne(testContext(tb), filter).Err(); err != nil && !errors.Is(err, driver.ErrNoDocuments) {
		tb.Fatal(err)
	}
	_, plan := explainFind(tb, db, coll, filter)
	return plan
}

func listIndexes(tb testing.TB, coll *driver.Collection) string {
	tb.Helper()
	specs, err := coll.Indexes().ListSpecifications(testContext(tb))
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

// openSQLite opens database testDB's file as IndexIDs does.
func openSQLite(tb testing.TB, dir string) *sql.DB {
	tb.Helper()
	file := filepath.Join(dir, testDB+".sqlite")
	if _, err := os.Stat(file); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// mustTable returns the SQLite table FerretDB keeps collection coll in.
func mustTable(tb testing.TB, dir, coll string) string {
	tb.Helper()
	var table string
	q := `SELECT table_name FROM _ferretdb_collections WHERE name = ?`
	if err := openSQLite(tb, dir).QueryRow(q, coll).Scan(&table); err != nil {
		tb.Fatalf("FerretDB %s: no table for %s in _ferretdb_collections: %v", ferretdbVersion(), coll, err)
	}
	return table
}

// sqliteIndexes returns the SQL of every index, by table and index name.
func sqliteIndexes(tb testing.TB, dir string) map[string]map[string]string {
	tb.Helper()
	rows, err := openSQLite(tb, dir).Query(`SELECT tbl_name, name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	idx := map[string]map[string]string{}
	for rows.Next() {
		var table, name, q string
		if err := rows.Scan(&table, &name, &q); err != nil {
			tb.Fatal(err)
		}
		if idx[table] == nil {
			idx[table] = map[string]string{}
		}
		idx[table][name] = q
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return idx
}

// sqlitePlan returns SQLite's plan for q, with one argument per "?".
func sqlitePlan(tb testing.TB, dir, q string) string {
	tb.Helper()
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = `"doc_1"`
	}
	rows, err := openSQLite(tb, dir).Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// ferretdbVersion is the FerretDB version go.mod requires, for failure
// messages (a test binary does not record its dependencies' versions).
func ferretdbVersion() string {
	b, _ := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/FerretDB/FerretDB" {
			return f[1]
		}
	}
	return "(version unknown)"
}
