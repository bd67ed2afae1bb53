-- The importer's last steps (interchange/loading.py): what each event's snapshot now says,
-- the edits this import has seen settled, and what it reports.
--
-- Statements the importer runs itself, read by name (core.sql_files.statements): a change
-- here takes effect with the next import, no migration needed. Names in braces are filled in
-- by loading.py with psycopg.sql: the snapshot's columns, from its MANAGED_COLUMNS.

-- name: save_snapshots
-- Every row that was not settled: the snapshot says what the file says, and the digest which
-- record said it (a snapshot that already does both is left alone).
INSERT INTO events_import_snapshot AS snap (event_id, dataset, digest, {columns})
SELECT m.event_id, %(dataset)s, s.digest, {incoming}
  FROM ckb_stg_match m
  JOIN ckb_stg_fields i ON i.line = m.line
  JOIN ckb_stg_row s ON s.line = m.line
ON CONFLICT (event_id, dataset) DO UPDATE
   SET imported_at = now(), digest = EXCLUDED.digest, {set_columns}
 WHERE ROW(snap.digest, {snapshot}) IS DISTINCT FROM ROW(EXCLUDED.digest, {excluded})

-- name: settle_edits
-- The edits this import has seen are settled: the events are now what the file says, but for
-- the fields it kept, which leave them edited since their snapshots. Marks made while the
-- import ran were not read, and stay for the next one.
DELETE FROM events_import_edit WHERE id IN (SELECT id FROM ckb_stg_marks);
INSERT INTO events_import_edit (event_id)
SELECT event_id FROM ckb_stg_edit WHERE cardinality(kept) > 0;

-- name: updated
SELECT count(*) FROM ckb_stg_edit WHERE cardinality(changed) > 0

-- name: kept
SELECT x.line, s.external_id, coalesce(e.uuid::text, ''), x.kept
  FROM ckb_stg_edit x JOIN ckb_stg_row s ON s.line = x.line
  JOIN events_event e ON e.id = x.event_id
 WHERE cardinality(x.kept) > 0 ORDER BY x.line
