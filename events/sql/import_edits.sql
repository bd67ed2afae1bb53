-- Imported events edited since their import are marked (events_import_edit), so that a
-- re-import (interchange/loading.py) compares current fields with its snapshot only for
-- those events, and keeps what editors changed. The triggers err towards marking (any
-- fatality claim of the event, any column of a participation): a mark only means the next
-- import compares the event's current fields, as every import once did. The importer's own
-- writes add none: it sets conflictkb.importing for its transaction.
--
-- Called by statement triggers on events_event, events_participation and sources_claim
-- (created by events migration 0011).
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

-- An event whose managed fields a statement changed.
CREATE OR REPLACE FUNCTION ckb_mark_imported_event_edited() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('conflictkb.importing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO events_import_edit (event_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE (o.title, o.summary, o.event_type_id, o.start_date, o.end_date,
                o.date_precision, o.location_id, o.geo_precision)
               IS DISTINCT FROM (n.title, n.summary, n.event_type_id, n.start_date, n.end_date,
                                 n.date_precision, n.location_id, n.geo_precision)
           AND EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = n.id);
    END IF;
    RETURN NULL;
END $$;

-- The events of the participations or claims a statement inserted (new_rows), deleted
-- (old_rows) or updated (both): each trigger names the transition tables it has.
CREATE OR REPLACE FUNCTION ckb_mark_imported_events_of_new_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('conflictkb.importing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO events_import_edit (event_id)
        SELECT DISTINCT r.event_id FROM (SELECT event_id FROM new_rows) r
         WHERE EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = r.event_id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ckb_mark_imported_events_of_old_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('conflictkb.importing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO events_import_edit (event_id)
        SELECT DISTINCT r.event_id FROM (SELECT event_id FROM old_rows) r
         WHERE EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = r.event_id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ckb_mark_imported_events_of_changed_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('conflictkb.importing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO events_import_edit (event_id)
        SELECT DISTINCT r.event_id
          FROM (SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows) r
         WHERE EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = r.event_id);
    END IF;
    RETURN NULL;
END $$;
