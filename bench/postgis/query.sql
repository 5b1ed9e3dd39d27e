-- pgbench script: the top-20 eligible volunteers of one random wish, the
-- question `linli bench candidates` answers. Eligible: an adult with a
-- child-safeguarding check, inside the 15-minute circle (937.5 m). The
-- wish's point is a scalar subquery, not a join, so that the planner can
-- order by distance with the GiST index (KNN), as compare.sql's LATERAL does.
\set n random(0, :wishes - 1)
SELECT v.id
FROM volunteers v
WHERE v.age >= 18 AND 'child_safeguarding' = ANY (v.certs)
  AND ST_DWithin(v.geog, (SELECT geog FROM wishes WHERE n = :n), 937.5)
ORDER BY v.geog <-> (SELECT geog FROM wishes WHERE n = :n)
LIMIT 20;
