-- Loads a data set exported by `linli bench candidates --export DIR` into
-- PostGIS. run.sh copies the CSV files into the *_csv tables first.
CREATE EXTENSION IF NOT EXISTS postgis;

DROP TABLE IF EXISTS volunteers, wishes, go_answers;

CREATE TABLE volunteers AS
SELECT id, age, certs,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography AS geog
FROM volunteers_csv;
CREATE INDEX volunteers_geog ON volunteers USING gist (geog);
ALTER TABLE volunteers ADD PRIMARY KEY (id);

-- n numbers the wishes from 0, so pgbench can pick one at random.
CREATE TABLE wishes AS
SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography AS geog
FROM wishes_csv;
ALTER TABLE wishes ADD PRIMARY KEY (n);

CREATE TABLE go_answers AS SELECT * FROM answers_csv;

DROP TABLE volunteers_csv, wishes_csv, answers_csv;
VACUUM ANALYZE volunteers;
VACUUM ANALYZE wishes;
