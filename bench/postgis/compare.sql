-- Answers every wish in SQL and compares with answers.csv from the Go
-- benchmark. Ranks may differ only where two distances are within a metre:
-- PostGIS measures on the spheroid, Linli on a sphere.
\timing on
DROP TABLE IF EXISTS pg_answers;
CREATE TABLE pg_answers AS
SELECT w.id AS wish_id, a.rank, a.volunteer_id, a.meters
FROM wishes w
CROSS JOIN LATERAL (
  SELECT row_number() OVER () AS rank, v.id AS volunteer_id, ST_Distance(v.geog, w.geog, false) AS meters
  FROM (
    SELECT v.id, v.geog
    FROM volunteers v
    WHERE v.age >= 18 AND 'child_safeguarding' = ANY (v.certs)
      AND ST_DWithin(v.geog, w.geog, 937.5)
    ORDER BY v.geog <-> w.geog
    LIMIT 20
  ) v
) a;
\timing off

-- Go's walk minutes back to metres: minutes / 60 * 4.5 km/h / detour 1.2.
WITH go AS (
  SELECT wish_id, rank, volunteer_id, walk_minutes * 62.5 AS meters FROM go_answers
), joined AS (
  SELECT coalesce(g.wish_id, p.wish_id) AS wish_id, coalesce(g.rank, p.rank) AS rank,
         g.volunteer_id AS go_id, p.volunteer_id AS pg_id, g.meters AS go_m, p.meters AS pg_m
  FROM go g FULL JOIN pg_answers p ON p.wish_id = g.wish_id AND p.rank = g.rank
)
SELECT count(*) AS ranks,
       count(*) FILTER (WHERE go_id IS DISTINCT FROM pg_id) AS different_ids,
       count(*) FILTER (WHERE go_id IS DISTINCT FROM pg_id
                          AND (go_m IS NULL OR pg_m IS NULL OR abs(go_m - pg_m) > 1)) AS differences_over_1m,
       round(max(abs(go_m - pg_m))::numeric, 4) AS max_metres_apart_same_rank
FROM joined;

-- Each difference over a metre, if any.
WITH go AS (
  SELECT wish_id, rank, volunteer_id, walk_minutes * 62.5 AS meters FROM go_answers
)
SELECT coalesce(g.wish_id, p.wish_id) AS wish_id, coalesce(g.rank, p.rank) AS rank,
       g.volunteer_id AS go_id, round(g.meters::numeric, 2) AS go_m,
       p.volunteer_id AS pg_id, round(p.meters::numeric, 2) AS pg_m
FROM go g FULL JOIN pg_answers p ON p.wish_id = g.wish_id AND p.rank = g.rank
WHERE g.volunteer_id IS DISTINCT FROM p.volunteer_id
  AND (g.meters IS NULL OR p.meters IS NULL OR abs(g.meters - p.meters) > 1)
ORDER BY 1, 2
LIMIT 20;
