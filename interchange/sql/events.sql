-- The importer's events (interchange/loading.py): each staged row is matched to its event by
-- key, the events' managed fields are judged against what the last import of the dataset
-- said (events_import_snapshot) to tell editors' changes apart, and the events are updated
-- or created, with their participants.
--
-- Statements the importer runs itself, read by name (core.sql_files.statements): a change
-- here takes effect with the next import, no migration needed. Names in braces are filled in
-- by loading.py with psycopg.sql: the dataset's id column, and the column lists generated
-- from its MANAGED_COLUMNS.

-- name: any_snapshot
SELECT EXISTS (SELECT 1 FROM events_import_snapshot WHERE dataset = %(dataset)s)

-- name: events_by_key
-- {columns} of each row staged in {table} (as s) with the id of the event its key names
-- (event_id): by external id ({id_column}), or by ConflictKB uuid where it has none. The
-- external id's index is partial, WHERE it is not blank: said of the event's column too.
SELECT {columns}, e.id AS event_id
  FROM {table} s JOIN events_event e ON e.{id_column} = s.external_id
 WHERE s.external_id <> '' AND e.{id_column} <> ''
UNION ALL
SELECT {columns}, e.id FROM {table} s JOIN events_event e ON e.uuid = s.event_uuid
 WHERE s.external_id = ''

-- name: settled
-- Settling (a re-import's first step): the rows that are the records that made their
-- events' snapshots (same digest), of events no one has edited since (no mark). Such a row
-- would change nothing and keep nothing: the rest of the import does not see it. The event
-- type is compared too: it is looked up in the database, where an administrator may have
-- mapped the dataset's types anew.
SELECT m.line
  FROM ({by_key}) m
  JOIN events_import_snapshot snap ON snap.event_id = m.event_id AND snap.dataset = %(dataset)s
 WHERE snap.digest = m.digest AND snap.event_type_id = m.event_type_id
   AND NOT EXISTS (SELECT 1 FROM events_import_edit x WHERE x.event_id = m.event_id)

-- name: match_events
INSERT INTO ckb_stg_match (line, event_id, is_new)
SELECT line, event_id, false FROM ({by_key}) m

-- name: marks
-- The marks of the matched events edited since their import, as they are now.
CREATE TEMP TABLE ckb_stg_marks AS
SELECT id, event_id FROM events_import_edit
 WHERE event_id IN (SELECT event_id FROM ckb_stg_match)

-- name: incoming
-- Each row's managed fields as the import would set them, in the snapshot's columns.
CREATE TEMP TABLE ckb_stg_fields AS
SELECT s.line, s.title, s.summary, s.event_type_id, s.start_date, s.end_date, s.date_precision,
       n.location_id, s.geo_precision,
       coalesce(p.actor_ids, '{}') AS actor_ids, coalesce(p.roles, '{}') AS roles,
       s.low AS value_low, s.best AS value_best, s.high AS value_high, s.civilians,
       s.combatants, s.value_text, d.document_id, s.quote
  FROM ckb_stg_row s
  LEFT JOIN ckb_stg_node n ON n.node = s.node
  LEFT JOIN ckb_stg_doc d ON d.doc = s.doc
  LEFT JOIN (SELECT line, array_agg(actor_id ORDER BY actor_id, role) AS actor_ids,
                    array_agg(role ORDER BY actor_id, role) AS roles
               FROM (SELECT DISTINCT sp.line, a.actor_id, sp.role
                       FROM ckb_stg_part sp JOIN ckb_stg_actor a ON a.actor = sp.actor) d
              GROUP BY line) p ON p.line = s.line

-- name: edits
-- For matched events: the fields an editor changed (kept) and the ones this import changes.
-- An event not edited since its snapshot still is what the snapshot says. So an event whose
-- snapshot is what the file says now (most of a re-import) has nothing kept and nothing to
-- change, and is left out; of the others, only events edited since (or never imported from
-- this dataset) have their current fields read; the rest are their snapshots.
-- Without a snapshot (an event made by hand, or before its first import of this dataset)
-- whatever an event already has is the editors'; only what it lacks is filled in.
-- {judgements}, per field: differs_<field>, the file says otherwise than the event;
-- kept_<field>, and an editor changed it since the snapshot (or, without one, the event has
-- a value of its own). Matched rows carry their snapshot's columns ({snapshot}: snap.title,
-- ...), so the snapshots are read once.
CREATE TEMP TABLE ckb_stg_edit AS
WITH matched AS MATERIALIZED (
    SELECT m.line, m.event_id, snap.event_id IS NOT NULL AS has_snapshot,
           snap.event_id IS NOT NULL AND k.event_id IS NULL AS clean, {snapshot}
      FROM ckb_stg_match m
      JOIN ckb_stg_fields i ON i.line = m.line
      LEFT JOIN events_import_snapshot snap
        ON snap.event_id = m.event_id AND snap.dataset = %(dataset)s
      LEFT JOIN (SELECT DISTINCT event_id FROM ckb_stg_marks) k ON k.event_id = m.event_id
     WHERE NOT m.is_new
       AND NOT coalesce(snap.event_id IS NOT NULL AND k.event_id IS NULL
                        AND ROW({snapshot}) IS NOT DISTINCT FROM ROW({incoming}),
                        false)
), claim AS MATERIALIZED (
    SELECT DISTINCT ON (event_id) *
      FROM sources_claim
     WHERE claimant_outlet_id = %(outlet)s AND kind = 'fatalities'
       AND event_id IN (SELECT event_id FROM matched)
     ORDER BY event_id, id
), current AS MATERIALIZED (
    SELECT m.line, true AS has_claim, {matched}
      FROM matched m
     WHERE m.clean
    UNION ALL
    SELECT m.line, c.id IS NOT NULL, e.title, e.summary, e.event_type_id, e.start_date,
           e.end_date, e.date_precision, e.location_id, e.geo_precision,
           coalesce(p.actor_ids, ARRAY[]::bigint[]), coalesce(p.roles, ARRAY[]::text[]),
           c.value_low, c.value_best, c.value_high, c.civilians, c.combatants, c.value_text,
           c.document_id, c.quote
      FROM matched m
      JOIN events_event e ON e.id = m.event_id
      LEFT JOIN claim c ON c.event_id = m.event_id
      LEFT JOIN (SELECT event_id, array_agg(actor_id ORDER BY actor_id, role) AS actor_ids,
                        array_agg(role::text ORDER BY actor_id, role) AS roles
                   FROM events_participation
                  WHERE event_id IN (SELECT event_id FROM matched WHERE NOT clean)
                  GROUP BY event_id) p ON p.event_id = m.event_id
     WHERE NOT m.clean
), judged AS MATERIALIZED (
    SELECT m.line, m.event_id, {judgements}
      FROM matched m
      JOIN current cur ON cur.line = m.line
      JOIN ckb_stg_fields i ON i.line = m.line
)
SELECT j.line, j.event_id, c.id AS claim_id,
       array_remove(ARRAY[{kept_names}], NULL) AS kept,
       array_remove(ARRAY[{changed_names}], NULL) AS changed
  FROM judged j LEFT JOIN claim c ON c.event_id = j.event_id

-- name: update_events
-- The fields this import changes. An event's figures are set here only where they are its
-- one claim's, the dataset's, and this import changes that claim's figure (readers' figures
-- too when that claim is theirs to open): see insert_events for why the importer writes them.
UPDATE events_event e SET
       title = CASE WHEN 'title' = ANY(x.changed) THEN s.title ELSE e.title END,
       summary = CASE WHEN 'summary' = ANY(x.changed) THEN s.summary ELSE e.summary END,
       event_type_id = CASE WHEN 'event_type' = ANY(x.changed)
                            THEN s.event_type_id ELSE e.event_type_id END,
       start_date = CASE WHEN 'start_date' = ANY(x.changed) THEN s.start_date ELSE e.start_date END,
       end_date = CASE WHEN 'end_date' = ANY(x.changed) THEN s.end_date ELSE e.end_date END,
       date_precision = CASE WHEN 'date_precision' = ANY(x.changed)
                             THEN s.date_precision ELSE e.date_precision END,
       location_id = CASE WHEN 'location' = ANY(x.changed) THEN n.location_id ELSE e.location_id END,
       geo_precision = CASE WHEN 'geo_precision' = ANY(x.changed)
                            THEN s.geo_precision ELSE e.geo_precision END,
       fatalities_low = CASE WHEN {readers_claim_changes}
                             THEN ckb_claim_low(s.low, s.best, s.high)
                             ELSE e.fatalities_low END,
       fatalities_best = CASE WHEN {readers_claim_changes}
                              THEN ckb_claim_best(s.low, s.best, s.high)
                              ELSE e.fatalities_best END,
       fatalities_high = CASE WHEN {readers_claim_changes}
                              THEN ckb_claim_high(s.low, s.best, s.high)
                              ELSE e.fatalities_high END,
       staff_fatalities_low = CASE WHEN {one_claim_changes}
                                   THEN ckb_claim_low(s.low, s.best, s.high)
                                   ELSE e.staff_fatalities_low END,
       staff_fatalities_best = CASE WHEN {one_claim_changes}
                                    THEN ckb_claim_best(s.low, s.best, s.high)
                                    ELSE e.staff_fatalities_best END,
       staff_fatalities_high = CASE WHEN {one_claim_changes}
                                    THEN ckb_claim_high(s.low, s.best, s.high)
                                    ELSE e.staff_fatalities_high END,
       updated_at = now()
  FROM ckb_stg_edit x
  JOIN ckb_stg_row s ON s.line = x.line
  LEFT JOIN ckb_stg_node n ON n.node = s.node
 WHERE e.id = x.event_id AND x.changed && %(event_fields)s::text[]

-- name: one_claim_changes
-- The event's figures are its one claim's, and this import changes that claim's figure.
'fatalities' = ANY(x.changed) AND x.claim_id IS NOT NULL AND e.staff_claim_count = 1

-- name: readers_claim_changes
-- As one_claim_changes, and that claim is readers' to open.
'fatalities' = ANY(x.changed) AND x.claim_id IS NOT NULL AND e.staff_claim_count = 1
AND e.claim_count = 1

-- name: insert_events
-- A new event's figures are written as its one claim (claims.sql) will make them, by the
-- database's own rule (sources/sql/fatality_rule.sql) for one claim: that claim's figures,
-- one source; for readers too when that claim will be theirs to open (asked once per
-- document), and then the claim's time as the evidence's last change. The rule proper reads claims, which cannot exist before their event; and were
-- the event written bare, the recomputation the claims' trigger runs would rewrite every
-- new event (its search vector and a dozen index entries) a second time. So the claims'
-- trigger finds nothing to change, and stays the judge: where a reused document relays wire
-- stories, it corrects the source count. (tests/interchange/test_import_acled.py holds the
-- importer's figures to the rule's.)
WITH public_document AS MATERIALIZED (
    SELECT doc, coalesce(ckb_claim_is_public('accepted', document_id, NULL, %(outlet)s), false)
           AS public
      FROM ckb_stg_doc
), created AS (
    INSERT INTO events_event (uuid, created_at, updated_at, status, title, summary, event_type_id,
                              start_date, end_date, date_precision, location_id, geo_precision,
                              acled_id, ucdp_id, fatality_rule, contested, claim_count,
                              source_count, fatalities_low, fatalities_best, fatalities_high,
                              staff_contested, staff_claim_count, staff_source_count,
                              staff_fatalities_low, staff_fatalities_best, staff_fatalities_high,
                              evidence_changed_at)
    SELECT coalesce(s.event_uuid, gen_random_uuid()), now(), now(), %(status)s, s.title,
           s.summary, s.event_type_id, s.start_date, s.end_date, s.date_precision,
           n.location_id, s.geo_precision,
           CASE WHEN %(id_column)s = 'acled_id' THEN s.external_id ELSE '' END,
           CASE WHEN %(id_column)s = 'ucdp_id' THEN s.external_id ELSE '' END,
           'range', false, coalesce(pd.public, false)::int, coalesce(pd.public, false)::int,
           CASE WHEN pd.public THEN ckb_claim_low(s.low, s.best, s.high) END,
           CASE WHEN pd.public THEN ckb_claim_best(s.low, s.best, s.high) END,
           CASE WHEN pd.public THEN ckb_claim_high(s.low, s.best, s.high) END,
           false, 1, 1, ckb_claim_low(s.low, s.best, s.high),
           ckb_claim_best(s.low, s.best, s.high), ckb_claim_high(s.low, s.best, s.high),
           CASE WHEN pd.public THEN now() END
      FROM ckb_stg_row s LEFT JOIN ckb_stg_node n ON n.node = s.node
      LEFT JOIN public_document pd ON pd.doc = s.doc
     WHERE NOT EXISTS (SELECT 1 FROM ckb_stg_match m WHERE m.line = s.line)
     ORDER BY s.line
    RETURNING id, uuid, CASE WHEN %(id_column)s = 'acled_id' THEN acled_id ELSE ucdp_id END
                        AS external_id
)
INSERT INTO ckb_stg_match (line, event_id, is_new)
SELECT s.line, c.id, true FROM created c JOIN ckb_stg_row s ON s.external_id = c.external_id
 WHERE s.external_id <> ''
UNION ALL
SELECT s.line, c.id, true FROM created c JOIN ckb_stg_row s ON s.event_uuid = c.uuid
 WHERE s.external_id = ''

-- name: delete_participants
-- Participants are rewritten as a whole (in file order, so actor1 comes first on export) for
-- new events and for events whose participants changed and were not edited by hand.
DELETE FROM events_participation
 WHERE event_id IN (SELECT event_id FROM ckb_stg_edit WHERE 'participants' = ANY(changed))

-- name: insert_participants
INSERT INTO events_participation (event_id, actor_id, role, note)
SELECT event_id, actor_id, role, ''
  FROM (SELECT DISTINCT ON (m.event_id, a.actor_id, p.role)
               m.event_id, a.actor_id, p.role, p.line, p.pos
          FROM ckb_stg_part p
          JOIN ckb_stg_actor a ON a.actor = p.actor
          JOIN ckb_stg_match m ON m.line = p.line
          LEFT JOIN ckb_stg_edit x ON x.line = p.line
         WHERE m.is_new OR 'participants' = ANY(x.changed)
         ORDER BY m.event_id, a.actor_id, p.role, p.pos) q
 ORDER BY line, pos
