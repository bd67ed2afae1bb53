-- The candidate search (interchange/matching.py): pairs of events that may be one event,
-- each with a score and its reasons in words. Set-based: the events searched for (the
-- probes, ckb_cand_probe_ids) are blocked against every event by day and by place (a grid
-- cell of half a degree and the eight around it; the country where either place is coarse),
-- and only the pairs that share a block are scored.
--
-- Statements the matcher runs itself, read by name (core.sql_files.statements).

-- name: create
CREATE TEMP TABLE ckb_cand_probe_ids (id bigint PRIMARY KEY) ON COMMIT DROP;

-- name: drop
DROP TABLE IF EXISTS ckb_cand_probe_ids, ckb_cand_event, ckb_cand_key, ckb_cand_probe,
                     ckb_cand_pair, ckb_cand_actor, ckb_cand_found;

-- name: events
-- What the search reads of every event that could pair with a probe: its days, its place's
-- point, grid cell and country (the first node of its path), and how far its date and place
-- may be off (by their precisions). A place is coarse from admin 1 up, or without a point.
CREATE TEMP TABLE ckb_cand_event ON COMMIT DROP AS
WITH window_ AS (
    SELECT min(e.start_date) - 400 AS low, max(e.end_date) + 400 AS high
      FROM events_event e JOIN ckb_cand_probe_ids p ON p.id = e.id
)
SELECT e.id, e.parent_id, e.start_date, e.end_date, e.date_precision, e.geo_precision,
       e.event_type_id, l.latitude, l.longitude, l.path, l.name AS place, split_part(l.path, '/', 2) AS country,
       l.latitude IS NULL OR e.geo_precision >= 4 AS coarse,
       CASE WHEN l.latitude IS NOT NULL
            THEN floor(l.latitude / 0.5)::int * 1000 + floor(l.longitude / 0.5)::int END AS cell,
       CASE e.date_precision WHEN 1 THEN 1 WHEN 2 THEN 1 WHEN 3 THEN 3 WHEN 4 THEN 15
            ELSE 182 END AS days_off,
       CASE e.geo_precision WHEN 1 THEN 10 WHEN 2 THEN 25 ELSE 50 END AS km_off
  FROM events_event e
  LEFT JOIN events_location l ON l.id = e.location_id
 CROSS JOIN window_ w
 WHERE e.end_date >= w.low AND e.start_date <= w.high;

-- name: keys
-- Every event's blocks: each day of its span (a month at most) in its cell and its country,
-- widened by how far its date may be off beyond a day (0 for a day's precision, 2 for a
-- week's). With the probes' own widening (below) two events share a day block whenever
-- their dates are as close as the less precise one allows, so neither side widens by more
-- than its own precision.
CREATE TEMP TABLE ckb_cand_key ON COMMIT DROP AS
SELECT e.id, d::date AS day, e.cell, e.country, e.coarse
  FROM ckb_cand_event e
 CROSS JOIN LATERAL generate_series(
           e.start_date - (e.days_off - 1),
           least(e.end_date, e.start_date + 31) + (e.days_off - 1), interval '1 day') d;

-- name: probes
-- The probes' blocks: each day their span reaches, widened by how far their date may be
-- off, in their cell and the eight around it.
CREATE TEMP TABLE ckb_cand_probe ON COMMIT DROP AS
SELECT e.id, d::date AS day, e.cell + dy * 1000 + dx AS cell, e.country, e.coarse
  FROM ckb_cand_event e
  JOIN ckb_cand_probe_ids p ON p.id = e.id
 CROSS JOIN LATERAL generate_series(
           e.start_date - e.days_off,
           least(e.end_date, e.start_date + 31) + e.days_off, interval '1 day') d
 CROSS JOIN generate_series(-1, 1) dy
 CROSS JOIN generate_series(-1, 1) dx
 WHERE (dy = 0 AND dx = 0) OR e.cell IS NOT NULL;

-- name: pairs
-- Pairs sharing a day and a cell (both places precise) or a day and a country (either coarse).
CREATE TEMP TABLE ckb_cand_pair ON COMMIT DROP AS
SELECT DISTINCT least(p.id, k.id) AS a, greatest(p.id, k.id) AS b
  FROM ckb_cand_probe p
  JOIN ckb_cand_key k ON k.day = p.day AND k.cell = p.cell
 WHERE k.id <> p.id AND NOT p.coarse AND NOT k.coarse
UNION
SELECT least(p.id, k.id), greatest(p.id, k.id)
  FROM (SELECT DISTINCT id, day, country, coarse FROM ckb_cand_probe) p
  JOIN ckb_cand_key k ON k.day = p.day AND k.country = p.country
 WHERE k.id <> p.id AND (p.coarse OR k.coarse);

-- name: actors
-- The paired events' actors with the words that tell them apart: their names and aliases,
-- lower-case, without what is in brackets (ACLED's years, UCDP's former states) and without
-- the words every armed actor shares, plus the initials of a name of several words (UCDP's
-- "IS" is ACLED's "Islamic State (Syria)"). "Military Forces of Russia (2000-)" and
-- "Government of Russia (Soviet Union)" both come down to {russia}.
CREATE TEMP TABLE ckb_cand_actor ON COMMIT DROP AS
WITH involved AS (
    SELECT a AS event_id FROM ckb_cand_pair UNION SELECT b FROM ckb_cand_pair
), parts AS (
    -- The datasets' two sides (events.models SIDE_1_ROLES, SIDE_2_ROLES); 0 for the others.
    SELECT DISTINCT pa.event_id, pa.actor_id,
           CASE WHEN pa.role = ANY(%(side_1)s) THEN 1 WHEN pa.role = ANY(%(side_2)s) THEN 2
                ELSE 0 END AS side
      FROM events_participation pa
      JOIN involved i ON i.event_id = pa.event_id
), named AS (
    -- Each actor's names, once per actor (a few hundred), however many events it is in.
    SELECT a.id AS actor_id, a.name, a.name AS spelling
      FROM actors_actor a WHERE a.id IN (SELECT actor_id FROM parts)
    UNION ALL
    SELECT a.id, a.name, n.name
      FROM actors_actor a JOIN actors_actorname n ON n.actor_id = a.id
     WHERE a.id IN (SELECT actor_id FROM parts)
), spelled AS (
    SELECT n.actor_id, n.name, n.spelling, w.word, w.position
      FROM named n
     CROSS JOIN LATERAL regexp_split_to_table(
               lower(regexp_replace(n.spelling, '\([^)]*\)', '', 'g')), '[^[:alnum:]]+')
               WITH ORDINALITY AS w (word, position)
     WHERE w.word <> ''
), words AS (
    SELECT actor_id, name, word FROM spelled
    UNION ALL
    SELECT actor_id, name, string_agg(left(word, 1), '' ORDER BY position)
      FROM spelled
     WHERE word NOT IN ('of', 'the', 'and', 'al')
     GROUP BY actor_id, name, spelling
    HAVING count(*) >= 2
), actor_words AS (
    SELECT actor_id, min(name) AS name,
           array_agg(DISTINCT word) FILTER (WHERE word NOT IN (
               'of', 'the', 'and', 'al', 'forces', 'force', 'military', 'government', 'armed',
               'unidentified', 'group', 'groups', 'police', 'security', 'militia', 'army',
               'state', 'people', 'republic', 'democratic', 'national', 'front', 'movement',
               'party', 'islamic', 'operated', 'by', 'in', 'for') AND length(word) > 1
           ) AS words,
           bool_or(word = 'civilians') AS civilian
      FROM words
     GROUP BY actor_id
)
SELECT p.event_id, p.actor_id, p.side, w.name, w.words, w.civilian
  FROM parts p JOIN actor_words w ON w.actor_id = p.actor_id;

-- name: score
-- Each pair's four judgements, each from 0 to 1, and the score they make: dates 0.3, place
-- 0.25, type 0.1, actors 0.35, and 0.6 of that where the events' sides contradict each
-- other. A pair whose dates are further apart than either event's date precision allows, or
-- whose points are further apart than either place's precision allows, or of which one is
-- part of the other or related to it, is no candidate. Rows at or above %(threshold)s are
-- kept, with their reasons in words (written for those rows only: names are looked up last).
CREATE TEMP TABLE ckb_cand_found ON COMMIT DROP AS
-- judged is computed once (its distance is read by three judgements).
WITH judged AS MATERIALIZED (
    SELECT p.a, p.b,
           greatest(0, greatest(x.start_date, y.start_date) - least(x.end_date, y.end_date))
               AS gap,
           greatest(x.days_off, y.days_off) AS days_off,
           (least(x.end_date, y.end_date) - greatest(x.start_date, y.start_date) + 1)::float
               / (greatest(x.end_date, y.end_date) - least(x.start_date, y.start_date) + 1)
               AS overlap,
           x.start_date = x.end_date AND y.start_date = y.end_date
               AND x.start_date = y.start_date AS same_day,
           CASE WHEN NOT x.coarse AND NOT y.coarse THEN
               12742 * asin(sqrt(
                   power(sin(radians(y.latitude - x.latitude) / 2), 2)
                   + cos(radians(x.latitude)) * cos(radians(y.latitude))
                     * power(sin(radians(y.longitude - x.longitude) / 2), 2)))
           END AS km,
           greatest(x.km_off, y.km_off) AS km_off,
           x.path LIKE y.path || '%%' OR y.path LIKE x.path || '%%' AS nested,
           x.path = y.path AS same_place,
           x.country = y.country AS same_country,
           x.event_type_id = y.event_type_id AS same_type,
           tx.parent_id IS NOT NULL AND tx.parent_id = ty.parent_id AS same_kind,
           coalesce(nullif(tx.disorder_type, ''), ptx.disorder_type)
               = coalesce(nullif(ty.disorder_type, ''), pty.disorder_type) AS same_disorder
      FROM ckb_cand_pair p
      JOIN ckb_cand_event x ON x.id = p.a
      JOIN ckb_cand_event y ON y.id = p.b
      LEFT JOIN (SELECT DISTINCT least(from_event_id, to_event_id) AS a,
                        greatest(from_event_id, to_event_id) AS b
                   FROM events_eventrelation) r ON r.a = p.a AND r.b = p.b
      JOIN events_eventtype tx ON tx.id = x.event_type_id
      JOIN events_eventtype ty ON ty.id = y.event_type_id
      LEFT JOIN events_eventtype ptx ON ptx.id = tx.parent_id
      LEFT JOIN events_eventtype pty ON pty.id = ty.parent_id
     WHERE r.a IS NULL  -- related events are two events by definition
       AND NOT coalesce(x.parent_id = y.id OR y.parent_id = x.id, false)  -- so are parts
), links AS (
    -- Each armed actor of either event linked to the other event's: the same actor or one
    -- related by a word of their names.
    SELECT p.a, p.b, ax.actor_id AS x_actor, ay.actor_id AS y_actor, ax.side AS x_side,
           ay.side AS y_side
      FROM ckb_cand_pair p
      JOIN ckb_cand_actor ax ON ax.event_id = p.a AND NOT ax.civilian
      JOIN ckb_cand_actor ay ON ay.event_id = p.b AND NOT ay.civilian
     WHERE ax.actor_id = ay.actor_id OR ax.words && ay.words
), linked AS (
    -- Per pair: each event's armed actors linked, an actor linked as itself counting 1 and
    -- one linked by name 0.8; which sides are linked; the closest link (the same actor
    -- first), as x * 2^32 + y.
    SELECT a, b,
           0.8 * count(DISTINCT x_actor)
               + 0.2 * count(DISTINCT x_actor) FILTER (WHERE x_actor = y_actor) AS x_linked,
           0.8 * count(DISTINCT y_actor)
               + 0.2 * count(DISTINCT y_actor) FILTER (WHERE x_actor = y_actor) AS y_linked,
           bool_or(x_side = 1 AND y_side = 1) AS s11, bool_or(x_side = 2 AND y_side = 2) AS s22,
           bool_or(x_side = 1 AND y_side = 2) AS s12, bool_or(x_side = 2 AND y_side = 1) AS s21,
           coalesce(min(x_actor * 4294967296 + y_actor) FILTER (WHERE x_actor = y_actor),
                    min(x_actor * 4294967296 + y_actor)) AS closest
      FROM links
     GROUP BY a, b
), armed AS (
    -- Per event: its armed actors, whether civilians are among them, and on which sides it
    -- has an armed actor known by name (an "Unidentified Armed Group" says nothing).
    SELECT event_id, count(DISTINCT actor_id) FILTER (WHERE NOT civilian) AS actors,
           bool_or(civilian) AS civilians,
           bool_or(side = 1 AND NOT civilian AND cardinality(words) > 0) AS known_1,
           bool_or(side = 2 AND NOT civilian AND cardinality(words) > 0) AS known_2
      FROM ckb_cand_actor GROUP BY event_id
), scored AS (
    -- Actors: how much of one event's armed actors the other has (whichever has fewer, all
    -- of them is 1); civilians alone on both sides count 0.1. The sides contradict each
    -- other where on a side both events name an armed actor, none of them linked, whichever
    -- way round the datasets put the sides: Russia against insurgents is not Turkey against
    -- them. Dates: overlapping spans count by how much of both they share (a month's
    -- offensive holds a day's strike without being it).
    SELECT j.*, l.closest,
           CASE WHEN j.gap = 0 THEN 0.5 + 0.5 * j.overlap
                ELSE 1 - 0.3 * j.gap / j.days_off END AS date_score,
           CASE WHEN j.km IS NOT NULL THEN 1 - 0.5 * j.km / j.km_off
                WHEN j.nested THEN 0.5
                WHEN j.same_country THEN 0.2 ELSE 0 END AS place_score,
           CASE WHEN j.same_type THEN 1.0 WHEN j.same_kind THEN 0.8
                WHEN j.same_disorder THEN 0.6 ELSE 0 END AS type_score,
           coalesce(greatest(l.x_linked / nullif(ax.actors, 0),
                             l.y_linked / nullif(ay.actors, 0)),
                    CASE WHEN ax.civilians AND ay.civilians THEN 0.1 ELSE 0 END, 0)
               AS actor_score,
           coalesce(
               (ax.known_1 AND ay.known_1 AND NOT coalesce(l.s11, false)
                OR ax.known_2 AND ay.known_2 AND NOT coalesce(l.s22, false))
               AND (ax.known_1 AND ay.known_2 AND NOT coalesce(l.s12, false)
                    OR ax.known_2 AND ay.known_1 AND NOT coalesce(l.s21, false)),
               false) AS disagree
      FROM judged j
      LEFT JOIN linked l ON l.a = j.a AND l.b = j.b
      LEFT JOIN armed ax ON ax.event_id = j.a
      LEFT JOIN armed ay ON ay.event_id = j.b
     WHERE j.gap <= j.days_off
       AND (j.km IS NULL OR j.km <= j.km_off)
       AND (j.km IS NOT NULL OR j.same_country)
), kept AS (
    SELECT s.*, round(score::numeric, 3)::float AS rounded
      FROM (SELECT *,
                   (0.3 * date_score + 0.25 * place_score + 0.1 * type_score
                    + 0.35 * actor_score) * CASE WHEN disagree THEN 0.6 ELSE 1 END AS score
              FROM scored) s
     WHERE score >= %(threshold)s
)
SELECT k.a, k.b, k.rounded AS score,
       ARRAY[
           CASE WHEN k.same_day THEN 'same day' WHEN k.gap = 0 THEN 'dates overlap'
                WHEN k.gap = 1 THEN '1 day apart' ELSE k.gap || ' days apart' END,
           CASE WHEN k.km IS NOT NULL THEN to_char(k.km, 'FM9990.0') || ' km apart'
                WHEN k.same_place THEN 'same place'
                WHEN k.nested THEN 'one place inside the other (' || x.place || ', '
                                   || y.place || ')'
                ELSE 'same country' END,
           CASE WHEN k.closest IS NULL THEN 'no actor in common'
                ELSE CASE WHEN nx.id = ny.id THEN 'same actor: ' || nx.name
                          ELSE nx.name || ' ≈ ' || ny.name END
                     || CASE WHEN k.disagree THEN ', but the other side differs' ELSE '' END
           END,
           CASE WHEN k.same_type THEN 'types agree'
                WHEN k.same_kind OR k.same_disorder
                THEN 'types compatible (' || tx.name || ', ' || ty.name || ')'
                ELSE 'types differ (' || tx.name || ', ' || ty.name || ')' END
       ] AS reasons
  FROM kept k
  JOIN ckb_cand_event x ON x.id = k.a
  JOIN ckb_cand_event y ON y.id = k.b
  JOIN events_eventtype tx ON tx.id = x.event_type_id
  JOIN events_eventtype ty ON ty.id = y.event_type_id
  LEFT JOIN actors_actor nx ON nx.id = k.closest / 4294967296
  LEFT JOIN actors_actor ny ON ny.id = k.closest %% 4294967296;

-- name: forget
-- An open candidate of a probe that the search no longer finds (an event corrected since,
-- or a rule changed) leaves the queue.
DELETE FROM events_eventcandidate c
 WHERE c.status = 'open'
   AND (c.event_a_id IN (SELECT id FROM ckb_cand_probe_ids)
        OR c.event_b_id IN (SELECT id FROM ckb_cand_probe_ids))
   AND NOT EXISTS (SELECT 1 FROM ckb_cand_found f WHERE f.a = c.event_a_id AND f.b = c.event_b_id);

-- name: record
-- The pairs found become candidates, or update the open ones whose score or reasons moved
-- (a search over events already searched writes next to nothing); a rejected pair stays
-- rejected.
INSERT INTO events_eventcandidate (event_a_id, event_b_id, score, reasons, status, found_at)
SELECT a, b, score, reasons, 'open', now() FROM ckb_cand_found
    ON CONFLICT (event_a_id, event_b_id) DO UPDATE
   SET score = excluded.score, reasons = excluded.reasons, found_at = excluded.found_at
 WHERE events_eventcandidate.status = 'open'
   AND (events_eventcandidate.score, events_eventcandidate.reasons)
       IS DISTINCT FROM (excluded.score, excluded.reasons);

-- name: recorded
-- The open candidates among the pairs found.
SELECT c.id
  FROM events_eventcandidate c
  JOIN ckb_cand_found f ON f.a = c.event_a_id AND f.b = c.event_b_id
 WHERE c.status = 'open';
