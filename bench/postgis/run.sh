#!/bin/sh
# Replays `linli bench candidates --export DIR` on PostGIS: loads the CSV
# files, checks the answers against answers.csv, then times the same query
# with pgbench.
#
#   bench/postgis/run.sh DIR [DATABASE]
#
# Connection settings come from the usual PG* variables. CLIENTS (default 2)
# and DURATION (seconds, default 30) tune pgbench; SKIP_LOAD=1 reruns only
# pgbench on a database already loaded.
set -eu
dir=$(cd "$1" && pwd)
db=${2:-linli_bench}
here=$(cd "$(dirname "$0")" && pwd)
clients=${CLIENTS:-2}
duration=${DURATION:-30}

if [ -z "${SKIP_LOAD:-}" ]; then
createdb "$db" 2>/dev/null || true
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
DROP TABLE IF EXISTS volunteers_csv, wishes_csv, answers_csv;
CREATE TABLE volunteers_csv (id text, lat float8, lng float8, age int, certs text[]);
CREATE TABLE wishes_csv (id text, lat float8, lng float8);
CREATE TABLE answers_csv (wish_id text, rank int, volunteer_id text, walk_minutes float8);
\copy volunteers_csv FROM '$dir/volunteers.csv' WITH (FORMAT csv, HEADER true)
\copy wishes_csv FROM '$dir/wishes.csv' WITH (FORMAT csv, HEADER true)
\copy answers_csv FROM '$dir/answers.csv' WITH (FORMAT csv, HEADER true)
SQL
echo "loading and indexing"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$here/load.sql"
echo "comparing answers with answers.csv"
psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$here/compare.sql"
fi
wishes=$(psql -X -tA -d "$db" -c "SELECT count(*) FROM wishes")
echo "warming up"
pgbench -n -M prepared -c "$clients" -j "$clients" -T 5 -D wishes="$wishes" -f "$here/query.sql" "$db" >/dev/null
echo "pgbench: $clients clients, ${duration}s"
pgbench -n -M prepared -c "$clients" -j "$clients" -T "$duration" -D wishes="$wishes" -f "$here/query.sql" "$db"
echo "pgbench: 1 client, ${duration}s"
pgbench -n -M prepared -c 1 -j 1 -T "$duration" -D wishes="$wishes" -f "$here/query.sql" "$db"
