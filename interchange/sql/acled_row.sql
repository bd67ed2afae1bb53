-- What ACLED's row needs of a chunk of events, computed by PostgreSQL, each statement for
-- every event of the chunk at once (interchange/acled_sql.py). {rows} is the rows the user may
-- see (a QuerySet, compiled: the visibility rule stays the ORM's), already limited to the
-- chunk's events; each statement gives one value per event (or per place).
--
-- Statements the site runs itself, read by name (core.sql_files.statements): a change here
-- takes effect at the next start, no migration needed.

-- name: sides
-- {rows}: participations (event_id, who_id, who, code, civilian, side, role, id).
-- Each actor once, on the first side it takes (side 1, then side 2, then neither:
-- supporters, attendees, mediators), placed by its first participation there in the
-- participations' order (role, then as recorded): events.models.Sides. actor1 and actor2
-- are each side's first; side 1's associates are its others and those on neither side.
-- The interaction is ACLED's code of the two actor types, lowest first (17), or the one
-- type and 0 (70).
SELECT event_id, row_to_json(sides) FROM (
  SELECT found.*,
         CASE WHEN inter1 IS NULL AND inter2 IS NULL THEN NULL
              WHEN inter1 IS NULL OR inter2 IS NULL THEN coalesce(inter1, inter2) * 10
              ELSE least(inter1, inter2) * 10 + greatest(inter1, inter2) END AS interaction
  FROM (
    SELECT event_id,
           max(who) FILTER (WHERE side = 1 AND n = 1) AS actor1,
           max(code) FILTER (WHERE side = 1 AND n = 1) AS inter1,
           string_agg(who, '; ' ORDER BY side, n)
             FILTER (WHERE side = 3 OR (side = 1 AND n > 1)) AS associates1,
           max(who) FILTER (WHERE side = 2 AND n = 1) AS actor2,
           max(code) FILTER (WHERE side = 2 AND n = 1) AS inter2,
           string_agg(who, '; ' ORDER BY n) FILTER (WHERE side = 2 AND n > 1) AS associates2,
           coalesce(bool_or(civilian) FILTER (WHERE side = 2), false) AS civilians
    FROM (SELECT placed.*,
                 row_number() OVER (PARTITION BY event_id, side ORDER BY role, id) AS n
            FROM (SELECT DISTINCT ON (event_id, who_id) * FROM ({rows}) AS participation
                   ORDER BY event_id, who_id, side, role, id) AS placed) AS placed
    GROUP BY event_id
  ) AS found
) AS sides

-- name: places
-- {rows}: the places the user may see (id, name, kind); %s: the chunk's places, each seen.
-- The names around each place by kind: the deepest ancestor of each kind, else the place
-- itself (an event in a province names the province).
SELECT place.id,
       (array_agg(around.name ORDER BY around.id = place.id,
                  array_position(ckb_ancestor_ids(place.path), around.id) DESC)
          FILTER (WHERE around.kind = 'country'))[1],
       (array_agg(around.name ORDER BY around.id = place.id,
                  array_position(ckb_ancestor_ids(place.path), around.id) DESC)
          FILTER (WHERE around.kind = 'admin1'))[1],
       (array_agg(around.name ORDER BY around.id = place.id,
                  array_position(ckb_ancestor_ids(place.path), around.id) DESC)
          FILTER (WHERE around.kind = 'admin2'))[1],
       (array_agg(around.name ORDER BY around.id = place.id,
                  array_position(ckb_ancestor_ids(place.path), around.id) DESC)
          FILTER (WHERE around.kind = 'admin3'))[1]
  FROM events_location place
  JOIN ({rows}) AS around
    ON around.id = place.id OR around.id = ANY(ckb_ancestor_ids(place.path))
 WHERE place.id = ANY(%s)
 GROUP BY place.id

-- name: evidence
-- {rows}: claims (event_id, cited).
-- The sources behind the claims (for a dataset's claim, the source it cites: a dataset is a
-- compiler, not a source), each once in code-point order.
SELECT event_id, string_agg(DISTINCT cited, '; ' ORDER BY cited) FILTER (WHERE cited <> '')
  FROM (SELECT event_id, cited COLLATE "C" AS cited FROM ({rows}) AS claim) AS claim
 GROUP BY event_id

-- name: claimants
-- {rows}: the contested events' claims of the kinds that contest (event_id, id, who, kind,
-- stance, civilians, value_low, value_best, value_high, named); %s: each kind in words.
-- Who claims what, by claimant in the order of their first claim, in the words of an ACLED
-- note: "Syrian Observatory for Human Rights 13 killed (13 civilians); Ministry of Defence
-- of Russia denies target civilians". A figure is "13" or "9–13", thousands separated
-- (figure_range_label).
SELECT event_id, string_agg(who || ' ' || phrases, '; ' ORDER BY first)
FROM (
  SELECT event_id, who, min(id) AS first, string_agg(phrase, ', ' ORDER BY id) AS phrases
  FROM (
    SELECT event_id, id, who,
           CASE WHEN stance = 'denies' THEN 'denies ' ELSE '' END
           || CASE WHEN kind <> 'fatalities'
                THEN btrim((%s::jsonb ->> kind) || ' ' || named,
                           chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))
              WHEN low IS NULL THEN 'deaths'
              WHEN low = high THEN to_char(low, 'FM999,999,999,999,990') || ' killed'
              ELSE to_char(low, 'FM999,999,999,999,990') || '–'
                   || to_char(high, 'FM999,999,999,999,990') || ' killed' END
           || CASE WHEN kind = 'fatalities' AND civilians <> 0
                THEN ' (' || civilians || ' civilians)' ELSE '' END AS phrase
    FROM (SELECT claim.*, least(value_low, value_best, value_high) AS low,
                 greatest(value_low, value_best, value_high) AS high
            FROM ({rows}) AS claim) AS claim
  ) AS said
  GROUP BY event_id, who
) AS claimants
GROUP BY event_id
