-- The candidate search (interchange/matching.py): pairs of events that may be one event,
-- each with a score and its reasons in words. Set-based: the events searched for (the
-- probes, ckb_cand_probe_ids) are blocked against every event by day and by place, and only
-- the pairs close enough in time and place to be one event are scored.
--
-- Blocking must find every pair whose dates are as close as the less precise of the two
-- allows (a day's precision: a day apart; a week's: 3 days) and whose points are as close
-- as the less precise place allows (10, 25 or 50 km). Each event reaches out by its own
-- precision on every side: as a probe by all of it, and as the other event of a pair by all
-- of it less the least any event has (a day, 10 km). The two reaches of any pair add up to
-- at least the larger one, so a pair is found whichever of its events is the probe and
-- whichever is the less precise in time or in place (an event dated to a week but placed
-- to 10 km, and one dated to the day but placed to 25 km); a search of many probes pairs
-- each two of them once, from the smaller id. Where either place is coarse, a pair is
-- blocked by day and country instead. Measured at a million events (BENCHMARKS.md), this
-- scores a quarter fewer pairs than a fixed neighbourhood of half-degree cells did, and finds
-- the same candidates. How far two events' actors agree is worked out once for each pair of
-- lineups (an event's actors with their sides) that meets in a pair of events, not for each
-- pair of events (profiles, lineups).
--
-- The working tables (ckb_cand_*) are unlogged tables in the schema ckb_search, not
-- temporary ones: PostgreSQL reads a temporary table in one process only, and the joins
-- below take half the time with two (at a million events, the pairs: 23.7 s against 38.9).
-- Each search names them after its connection (interchange.matching.working_tables) and
-- drops them at its end; inside the caller's transaction, a search that fails leaves none.
--
-- Statements the matcher runs itself, read by name (core.sql_files.statements).

-- name: create
CREATE UNLOGGED TABLE ckb_cand_probe_ids (id bigint PRIMARY KEY);

-- name: drop
DROP TABLE IF EXISTS ckb_cand_probe_ids, ckb_cand_profile, ckb_cand_actor, ckb_cand_armed,
                     ckb_cand_event, ckb_cand_key, ckb_cand_probe, ckb_cand_day,
                     ckb_cand_probe_day, ckb_cand_pair, ckb_cand_lineups, ckb_cand_kept,
                     ckb_cand_found;

-- name: window
-- The days any event that could pair with a probe lies within, given to the next statement
-- as values: the planner then knows how many events it reads (with the days in a WITH
-- query it guessed a ninth of them and read a million events in one process).
SELECT min(e.start_date) - 400, max(e.end_date) + 400
  FROM events_event e JOIN ckb_cand_probe_ids p ON p.id = e.id;

-- name: profiles
-- The lineup of every event that could pair with a probe: its actors with the sides it puts
-- them on, as one sorted array (each participation as the actor's id × 4 + its sides, each
-- once), and a number for each lineup, the same for every event with that array.
-- Whether two events' actors agree depends on their lineups alone, and events share them (at
-- a million events, some tens of thousands of lineups): the actors are scored once per pair
-- of lineups that meet (lineups), not once per pair of events.
CREATE UNLOGGED TABLE ckb_cand_profile AS
WITH profiled AS (
    -- Each participation as a number: the actor's id and the sides its role is on (the
    -- datasets' two sides: events.models SIDE_1_ROLES, SIDE_2_ROLES), each once.
    SELECT pa.event_id,
           array_agg(DISTINCT pa.actor_id * 4 + (pa.role = ANY(%(side_1)s))::int * 2
                     + (pa.role = ANY(%(side_2)s))::int) AS profile
      FROM events_participation pa
      JOIN events_event e ON e.id = pa.event_id
     WHERE e.end_date >= %(low)s AND e.start_date <= %(high)s
     GROUP BY pa.event_id
), numbered AS (
    SELECT profile, row_number() OVER ()::int AS lineup
      FROM (SELECT DISTINCT profile FROM profiled) distinct_profiles
)
SELECT p.event_id, p.profile, n.lineup FROM profiled p JOIN numbered n ON n.profile = p.profile;

-- name: actors
-- Each lineup's actors, with the sides it puts them on and the tokens that link them to
-- other actors. The tokens: the actor itself (its id, negated) and the words that tell it
-- apart: its names and aliases, lower-case, without what is in brackets (ACLED's years,
-- UCDP's former states) and without the words every armed actor shares, plus the initials
-- of a name of several words (UCDP's "IS" is ACLED's "Islamic State (Syria)"). "Military
-- Forces of Russia (2000-)" and "Government of Russia (Soviet Union)" both come down to
-- {russia}. Two actors are linked when their tokens meet.
CREATE UNLOGGED TABLE ckb_cand_actor AS
WITH parts AS (
    -- An actor in two roles is on the sides of either.
    SELECT l.lineup, (part / 4)::int AS actor_id, bool_or((part & 2) <> 0) AS side_1,
           bool_or((part & 1) <> 0) AS side_2
      FROM (SELECT DISTINCT lineup, profile FROM ckb_cand_profile) l
     CROSS JOIN LATERAL unnest(l.profile) part
     GROUP BY l.lineup, part / 4
), named AS (
    -- Each actor's names, once per actor (a few hundred), however many events it is in.
    SELECT a.id AS actor_id, a.name AS spelling
      FROM actors_actor a WHERE a.id IN (SELECT actor_id FROM parts)
    UNION ALL
    SELECT n.actor_id, n.name
      FROM actors_actorname n WHERE n.actor_id IN (SELECT actor_id FROM parts)
), spelled AS (
    SELECT n.actor_id, n.spelling, w.word, w.position
      FROM named n
     CROSS JOIN LATERAL regexp_split_to_table(
               lower(regexp_replace(n.spelling, '\([^)]*\)', '', 'g')), '[^[:alnum:]]+')
               WITH ORDINALITY AS w (word, position)
     WHERE w.word <> ''
), words AS (
    SELECT actor_id, word FROM spelled
    UNION ALL
    SELECT actor_id, string_agg(left(word, 1), '' ORDER BY position)
      FROM spelled
     WHERE word NOT IN ('of', 'the', 'and', 'al')
     GROUP BY actor_id, spelling
    HAVING count(*) >= 2
), telling AS (
    -- Each telling word as a number, the same for every actor that has it.
    SELECT actor_id, word, dense_rank() OVER (ORDER BY word)::int AS token
      FROM words
     WHERE word NOT IN (
               'of', 'the', 'and', 'al', 'forces', 'force', 'military', 'government', 'armed',
               'unidentified', 'group', 'groups', 'police', 'security', 'militia', 'army',
               'state', 'people', 'republic', 'democratic', 'national', 'front', 'movement',
               'party', 'islamic', 'operated', 'by', 'in', 'for')
       AND length(word) > 1
), actor_tokens AS (
    SELECT w.actor_id, bool_or(w.word = 'civilians') AS civilian,
           -w.actor_id::int || coalesce(array_agg(DISTINCT t.token) FILTER (WHERE t.token IS NOT NULL), '{}') AS tokens,
           count(t.token) > 0 AS named
      FROM words w
      LEFT JOIN telling t ON t.actor_id = w.actor_id AND t.word = w.word
     GROUP BY w.actor_id
)
SELECT p.lineup, p.actor_id, p.side_1, p.side_2, t.civilian, t.named, t.tokens
  FROM parts p JOIN actor_tokens t ON t.actor_id = p.actor_id;

-- name: armed
-- Per lineup: its armed actors (civilians aside), whether civilians are among its actors,
-- on which sides it has an armed actor known by name (an "Unidentified Armed Group" says
-- nothing), and the tokens of its armed actors, all and on each side.
CREATE UNLOGGED TABLE ckb_cand_armed AS
SELECT a.lineup,
       count(DISTINCT a.actor_id) FILTER (WHERE NOT a.civilian) AS actors,
       bool_or(a.civilian) AS civilians,
       coalesce(bool_or(a.side_1 AND a.named) FILTER (WHERE NOT a.civilian), false) AS known_1,
       coalesce(bool_or(a.side_2 AND a.named) FILTER (WHERE NOT a.civilian), false) AS known_2,
       coalesce(array_agg(DISTINCT a.actor_id) FILTER (WHERE NOT a.civilian), '{}') AS armed,
       coalesce(array_agg(t.token) FILTER (WHERE NOT a.civilian), '{}') AS tokens,
       coalesce(array_agg(t.token) FILTER (WHERE NOT a.civilian AND a.side_1), '{}') AS tokens_1,
       coalesce(array_agg(t.token) FILTER (WHERE NOT a.civilian AND a.side_2), '{}') AS tokens_2
  FROM ckb_cand_actor a
 CROSS JOIN LATERAL unnest(a.tokens) t (token)
 GROUP BY a.lineup;

-- name: events
-- What the search reads of every event that could pair with a probe: its days, its place's
-- point and country (the first node of its path), its type's kind and disorder, how far its
-- date and place may be off (by their precisions), and the grid cells (a quarter degree)
-- its place reaches: a probe's by all of how far its place may be off, every event's by
-- that less 10 km. A place is coarse from admin 1 up, or without a point: coarse places
-- pair by country instead.
CREATE UNLOGGED TABLE ckb_cand_event AS
WITH near AS (
    SELECT e.id, e.parent_id, e.start_date, e.end_date, e.event_type_id,
           t.parent_id AS kind, coalesce(nullif(t.disorder_type, ''), pt.disorder_type) AS disorder,
           e.location_id, l.latitude, l.longitude, l.path,
           split_part(l.path, '/', 2) AS country,
           l.latitude IS NULL OR e.geo_precision >= 4 AS coarse,
           p.id IS NOT NULL AS probe, pr.lineup,
           CASE e.date_precision WHEN 1 THEN 1 WHEN 2 THEN 1 WHEN 3 THEN 3 WHEN 4 THEN 15
                ELSE 182 END AS days_off,
           CASE e.geo_precision WHEN 1 THEN 10 WHEN 2 THEN 25 ELSE 50 END AS km_off
      FROM events_event e
      JOIN events_eventtype t ON t.id = e.event_type_id
      LEFT JOIN events_eventtype pt ON pt.id = t.parent_id
      LEFT JOIN events_location l ON l.id = e.location_id
      LEFT JOIN ckb_cand_probe_ids p ON p.id = e.id
      LEFT JOIN ckb_cand_profile pr ON pr.event_id = e.id
     WHERE e.end_date >= %(low)s AND e.start_date <= %(high)s
), boxed AS (
    -- Each reach as a box in degrees, 2 %% wider than the distance (a degree of latitude is
    -- taken as 111 km, a degree of longitude at the box's edge furthest from the equator);
    -- in floating point, which is several times faster than numeric here.
    SELECT n.*, (1.02 / 111)::float8 * n.km_off AS probe_lat,
           (1.02 / 111)::float8 * (n.km_off - 10) AS key_lat
      FROM near n
)
SELECT b.id, b.parent_id, b.start_date, b.end_date, b.event_type_id, b.kind, b.disorder,
       b.location_id, b.latitude, b.longitude, b.path, b.country, b.coarse, b.probe, b.lineup,
       b.days_off, b.km_off,
       -- The days it reaches (its span, a month at most): as the other event of a pair,
       -- widened by how far its date may be off beyond a day (0 for a day's precision, 2 for
       -- a week's); as a probe, by all of it.
       b.start_date - (b.days_off - 1) AS key_first,
       least(b.end_date, b.start_date + 31) + (b.days_off - 1) AS key_last,
       b.start_date - b.days_off AS probe_first,
       least(b.end_date, b.start_date + 31) + b.days_off AS probe_last,
       floor((b.latitude - b.probe_lat) * 4)::int AS probe_south,
       floor((b.latitude + b.probe_lat) * 4)::int AS probe_north,
       floor((b.longitude - b.probe_lat / cos(radians(least(89, abs(b.latitude) + b.probe_lat))))
             * 4)::int AS probe_west,
       floor((b.longitude + b.probe_lat / cos(radians(least(89, abs(b.latitude) + b.probe_lat))))
             * 4)::int AS probe_east,
       floor((b.latitude - b.key_lat) * 4)::int AS key_south,
       floor((b.latitude + b.key_lat) * 4)::int AS key_north,
       floor((b.longitude - b.key_lat / cos(radians(least(89, abs(b.latitude) + b.key_lat))))
             * 4)::int AS key_west,
       floor((b.longitude + b.key_lat / cos(radians(least(89, abs(b.latitude) + b.key_lat))))
             * 4)::int AS key_east
  FROM boxed b;

-- name: keys
-- Every precise event's blocks: each day it reaches as the other event of a pair, in each
-- cell its place reaches. Each block says whether it is the first of its days, of its rows
-- of cells and of its columns: a pair is taken only in the first block the two share (the
-- first day, row and column of both), so each pair comes out once without a pass that
-- removes repeats (at a million events, 10 million blocked rows to 5.4 million pairs).
CREATE UNLOGGED TABLE ckb_cand_key AS
SELECT e.id, e.probe, e.key_first + d AS day, y * 10000 + x AS cell,
       d = 0 AS first_day, y = e.key_south AS first_row, x = e.key_west AS first_col
  FROM ckb_cand_event e
 CROSS JOIN LATERAL generate_series(0, e.key_last - e.key_first) d
 CROSS JOIN LATERAL generate_series(e.key_south, e.key_north) y
 CROSS JOIN LATERAL generate_series(e.key_west, e.key_east) x
 WHERE NOT e.coarse;

-- name: probes
-- The precise probes' blocks: each day they reach as probes, in each cell their place
-- reaches.
CREATE UNLOGGED TABLE ckb_cand_probe AS
SELECT e.id, e.probe_first + d AS day, y * 10000 + x AS cell,
       d = 0 AS first_day, y = e.probe_south AS first_row,
       x = e.probe_west AS first_col
  FROM ckb_cand_event e
 CROSS JOIN LATERAL generate_series(0, e.probe_last - e.probe_first) d
 CROSS JOIN LATERAL generate_series(e.probe_south, e.probe_north) y
 CROSS JOIN LATERAL generate_series(e.probe_west, e.probe_east) x
 WHERE e.probe AND NOT e.coarse;

-- name: days
-- Every event's days in its country, widened as its blocks are: where either place of a
-- pair is coarse, the pair is blocked by day and country.
CREATE UNLOGGED TABLE ckb_cand_day AS
SELECT e.id, e.probe, e.key_first + d AS day, e.country, e.coarse, d = 0 AS first_day
  FROM ckb_cand_event e
 CROSS JOIN LATERAL generate_series(0, e.key_last - e.key_first) d;

-- name: probe_days
-- The probes' days in their country, widened as their blocks are.
CREATE UNLOGGED TABLE ckb_cand_probe_day AS
SELECT e.id, e.probe_first + d AS day, e.country, e.coarse, d = 0 AS first_day
  FROM ckb_cand_event e
 CROSS JOIN LATERAL generate_series(0, e.probe_last - e.probe_first) d
 WHERE e.probe;

-- name: pairs
-- Pairs sharing a day and a cell, or a day and a country where either place is coarse. Of
-- those, the pairs whose dates and points are as close as the less precise of each allows,
-- with what the score reads of them and their lineups; a pair of which one is part of the other or related to
-- it is two events by definition.
CREATE UNLOGGED TABLE ckb_cand_pair AS
WITH blocked AS (
    -- The three ways are apart (both places precise; the probe's coarse; only the other's
    -- coarse) and each takes a pair in the first block it shares, from the smaller id where
    -- both are probes: no pair comes out twice.
    SELECT least(p.id, k.id) AS a, greatest(p.id, k.id) AS b
      FROM ckb_cand_probe p
      JOIN ckb_cand_key k ON k.day = p.day AND k.cell = p.cell
     WHERE (k.id > p.id OR NOT k.probe)
       AND (p.first_day OR k.first_day) AND (p.first_row OR k.first_row)
       AND (p.first_col OR k.first_col)
    UNION ALL
    SELECT least(p.id, k.id), greatest(p.id, k.id)
      FROM (SELECT * FROM ckb_cand_probe_day WHERE coarse) p
      JOIN ckb_cand_day k ON k.day = p.day AND k.country = p.country
     WHERE (k.id > p.id OR NOT k.probe) AND (p.first_day OR k.first_day)
    UNION ALL
    SELECT least(p.id, k.id), greatest(p.id, k.id)
      FROM (SELECT * FROM ckb_cand_probe_day WHERE NOT coarse) p
      JOIN (SELECT * FROM ckb_cand_day WHERE coarse) k
        ON k.day = p.day AND k.country = p.country
     WHERE (k.id > p.id OR NOT k.probe) AND (p.first_day OR k.first_day)
), judged AS (
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
           x.kind = y.kind AS same_kind,
           x.disorder = y.disorder AS same_disorder,
           x.lineup AS x_lineup, y.lineup AS y_lineup
      FROM blocked p
      JOIN ckb_cand_event x ON x.id = p.a
      JOIN ckb_cand_event y ON y.id = p.b
      LEFT JOIN (SELECT DISTINCT least(from_event_id, to_event_id) AS a,
                        greatest(from_event_id, to_event_id) AS b
                   FROM events_eventrelation) r ON r.a = p.a AND r.b = p.b
     WHERE r.a IS NULL
       AND NOT coalesce(x.parent_id = y.id OR y.parent_id = x.id, false)
)
SELECT j.*
  FROM judged j
 WHERE j.gap <= j.days_off
   AND (j.km IS NULL OR j.km <= j.km_off)
   AND (j.km IS NOT NULL OR j.same_country);

-- name: lineups
-- Each pair of lineups that meet in a pair of events (the first event's, the second's), with
-- what its actors give the pair's score and reasons: whether the events have an armed actor
-- linked at all; the actors' share of the score; the closest link (the same actor first,
-- then the lowest id of the first event's, and the lowest of the second's linked to it); and
-- whether the sides contradict each other.
CREATE UNLOGGED TABLE ckb_cand_lineups AS
WITH met AS (
    SELECT DISTINCT x_lineup, y_lineup FROM ckb_cand_pair
     WHERE x_lineup IS NOT NULL AND y_lineup IS NOT NULL
), judged AS (
    SELECT m.x_lineup, m.y_lineup,
           ax.tokens && ay.tokens AS linked,
           -- Where either lineup has one armed actor, a linked pair's actors score as that
           -- one actor does (0.8, 1 if the other lineup has it too): the other's share of
           -- linked actors cannot be higher. Only the others' links are counted (links).
           ax.tokens && ay.tokens AND ax.actors > 1
               AND (ay.actors > 1 OR NOT ax.armed && ay.armed) AS counted,
           ax.civilians AND ay.civilians AS civilians,
           ax.actors AS x_actors, ay.actors AS y_actors, ax.armed AS x_armed,
           ay.armed AS y_armed, ax.tokens AS x_tokens, ay.tokens AS y_tokens,
           -- The sides contradict each other where on a side both events name an armed
           -- actor, none of them linked, whichever way round the datasets put the sides:
           -- Russia against insurgents is not Turkey against them.
           (ax.known_1 AND ay.known_1 AND NOT ax.tokens_1 && ay.tokens_1
            OR ax.known_2 AND ay.known_2 AND NOT ax.tokens_2 && ay.tokens_2)
           AND (ax.known_1 AND ay.known_2 AND NOT ax.tokens_1 && ay.tokens_2
                OR ax.known_2 AND ay.known_1 AND NOT ax.tokens_2 && ay.tokens_1) AS disagree
      FROM met m
      JOIN ckb_cand_armed ax ON ax.lineup = m.x_lineup
      JOIN ckb_cand_armed ay ON ay.lineup = m.y_lineup
), linking AS (
    -- Where the links must be counted, in one pass over both lineups' armed actors: each
    -- actor, whether it is linked to the other lineup's and whether it is among them.
    SELECT j.x_lineup, j.y_lineup, true AS of_x, x.actor_id, x.tokens && j.y_tokens AS linked,
           x.actor_id = ANY(j.y_armed) AS same
      FROM judged j
      JOIN ckb_cand_actor x ON x.lineup = j.x_lineup AND NOT x.civilian
     WHERE j.counted
    UNION ALL
    SELECT j.x_lineup, j.y_lineup, false, y.actor_id, y.tokens && j.x_tokens,
           y.actor_id = ANY(j.x_armed)
      FROM judged j
      JOIN ckb_cand_actor y ON y.lineup = j.y_lineup AND NOT y.civilian
     WHERE j.counted
), links AS (
    SELECT x_lineup, y_lineup,
           count(*) FILTER (WHERE of_x AND linked) AS x_linked,
           count(*) FILTER (WHERE of_x AND same) AS x_same,
           count(*) FILTER (WHERE NOT of_x AND linked) AS y_linked,
           count(*) FILTER (WHERE NOT of_x AND same) AS y_same,
           coalesce(min(actor_id) FILTER (WHERE of_x AND same),
                    min(actor_id) FILTER (WHERE of_x AND linked)) AS closest
      FROM linking
     GROUP BY x_lineup, y_lineup
), scored AS (
    -- Actors: how much of one event's armed actors the other has (whichever has fewer, all
    -- of them is 1), an actor linked as itself counting 1 and one linked by name 0.8;
    -- civilians alone on both sides count 0.1. Linked, not counted: the closest link is the
    -- first event's one armed actor, or else the second's, which the first has.
    SELECT j.x_lineup, j.y_lineup, j.linked, j.disagree, j.y_armed,
           coalesce(l.closest, CASE WHEN j.linked AND j.x_actors = 1 THEN j.x_armed[1]
                                    WHEN j.linked THEN j.y_armed[1] END) AS closest,
           CASE WHEN j.counted
                THEN greatest((0.8 * l.x_linked + 0.2 * l.x_same)::float8 / j.x_actors,
                              (0.8 * l.y_linked + 0.2 * l.y_same)::float8 / j.y_actors)
                WHEN j.linked THEN (0.8 + 0.2 * (j.x_armed && j.y_armed)::int)::float8
                WHEN j.civilians THEN 0.1 ELSE 0 END AS actors
      FROM judged j
      LEFT JOIN links l ON l.x_lineup = j.x_lineup AND l.y_lineup = j.y_lineup
), closest_y AS (
    -- The second event's actor the closest link is to, where it is not the same actor: the
    -- lowest id of those linked to it.
    SELECT s.x_lineup, s.y_lineup, min(y.actor_id) AS actor
      FROM scored s
      JOIN ckb_cand_actor cx ON cx.lineup = s.x_lineup AND cx.actor_id = s.closest
      JOIN ckb_cand_actor y ON y.lineup = s.y_lineup AND NOT y.civilian AND y.tokens && cx.tokens
     WHERE NOT s.closest = ANY(s.y_armed)
     GROUP BY s.x_lineup, s.y_lineup
)
SELECT s.x_lineup, s.y_lineup, s.linked, s.disagree, s.closest, s.actors,
       cy.actor AS closest_y
  FROM scored s
  LEFT JOIN closest_y cy ON cy.x_lineup = s.x_lineup AND cy.y_lineup = s.y_lineup;

-- name: kept
-- Each pair's score: dates 0.3, place 0.25, type 0.1, actors 0.35 (lineups), and 0.6 of that
-- where the events' sides contradict each other. Dates: overlapping spans count by how much
-- of both they share (a month's offensive holds a day's strike without being it). The pairs
-- at or above %(threshold)s are kept with what their reasons say.
CREATE UNLOGGED TABLE ckb_cand_kept AS
WITH judged AS (
    SELECT p.*,
           CASE WHEN p.gap = 0 THEN 0.5 + 0.5 * p.overlap
                ELSE 1 - 0.3 * p.gap::float8 / p.days_off END AS date_score,
           CASE WHEN p.km IS NOT NULL THEN 1 - 0.5 * p.km / p.km_off
                WHEN p.nested THEN 0.5
                WHEN p.same_country THEN 0.2 ELSE 0 END AS place_score,
           CASE WHEN p.same_type THEN 1 WHEN p.same_kind THEN 0.8::float8
                WHEN p.same_disorder THEN 0.6 ELSE 0 END AS type_score,
           coalesce(l.actors, 0) AS actors_score, coalesce(l.disagree, false) AS disagree,
           l.closest, l.closest_y
      FROM ckb_cand_pair p
      LEFT JOIN ckb_cand_lineups l ON l.x_lineup = p.x_lineup AND l.y_lineup = p.y_lineup
)
SELECT s.a, s.b, s.same_day, s.gap, s.km, s.same_place, s.nested, s.same_type, s.same_kind,
       s.same_disorder, s.disagree, s.closest, s.closest_y,
       round(s.score::numeric, 3)::float AS score
  FROM (SELECT j.*,
               (0.3 * j.date_score + 0.25 * j.place_score + 0.1 * j.type_score
                + 0.35 * j.actors_score)
               * CASE WHEN j.disagree THEN 0.6 ELSE 1 END AS score
          FROM judged j) s
 WHERE s.score >= %(threshold)s;

-- name: score
-- The kept pairs with their reasons in words (names are looked up last, for these rows
-- only).
CREATE UNLOGGED TABLE ckb_cand_found AS
SELECT k.a, k.b, k.score,
       ARRAY[
           CASE WHEN k.same_day THEN 'same day' WHEN k.gap = 0 THEN 'dates overlap'
                WHEN k.gap = 1 THEN '1 day apart' ELSE k.gap || ' days apart' END,
           CASE WHEN k.km IS NOT NULL THEN to_char(k.km, 'FM9990.0') || ' km apart'
                WHEN k.same_place THEN 'same place'
                WHEN k.nested THEN 'one place inside the other (' || lx.name || ', '
                                   || ly.name || ')'
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
  FROM ckb_cand_kept k
  JOIN ckb_cand_event x ON x.id = k.a
  JOIN ckb_cand_event y ON y.id = k.b
  JOIN events_eventtype tx ON tx.id = x.event_type_id
  JOIN events_eventtype ty ON ty.id = y.event_type_id
  LEFT JOIN events_location lx ON lx.id = x.location_id
  LEFT JOIN events_location ly ON ly.id = y.location_id
  LEFT JOIN actors_actor nx ON nx.id = k.closest
  LEFT JOIN actors_actor ny ON ny.id = coalesce(k.closest_y, k.closest);

-- name: forget
-- An open candidate of a probe that the search no longer finds (an event corrected since,
-- or a rule changed) leaves the queue.
DELETE FROM events_eventcandidate c
 WHERE c.status = 'open'
   AND (c.event_a_id IN (SELECT id FROM ckb_cand_probe_ids)
        OR c.event_b_id IN (SELECT id FROM ckb_cand_probe_ids))
   AND NOT EXISTS (SELECT 1 FROM ckb_cand_found f WHERE f.a = c.event_a_id AND f.b = c.event_b_id);

-- name: record
-- The pairs found become candidates, or update the open ones whose score or reasons moved;
-- a rejected pair stays rejected. The pairs already recorded as found are left out first,
-- in one pass over the queue: a search over events already searched writes nothing.
INSERT INTO events_eventcandidate (event_a_id, event_b_id, score, reasons, status, found_at)
SELECT f.a, f.b, f.score, f.reasons, 'open', now()
  FROM ckb_cand_found f
 WHERE NOT EXISTS (SELECT 1 FROM events_eventcandidate c
                    WHERE c.event_a_id = f.a AND c.event_b_id = f.b
                      AND (c.status <> 'open' OR (c.score, c.reasons) = (f.score, f.reasons)))
    ON CONFLICT (event_a_id, event_b_id) DO UPDATE
   SET score = excluded.score, reasons = excluded.reasons, found_at = excluded.found_at
 WHERE events_eventcandidate.status = 'open';

-- name: not_open
-- How many of the pairs found are not open candidates (rejected, merged): every pair found
-- is in the queue once recorded, and these are few (the pairs found are read only if any).
SELECT count(*)
  FROM events_eventcandidate c
  JOIN ckb_cand_found f ON f.a = c.event_a_id AND f.b = c.event_b_id
 WHERE c.status <> 'open';
