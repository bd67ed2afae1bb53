-- events_event_day_span (events.models.EventDaySpan): how many events share a status, first
-- and last day and date precision, kept by the database in the statement that changes the
-- events, whoever writes them (admin, API, importers, SQL). The timeline's histogram and
-- count of a selection narrowed by dates alone read these rows instead of every event.
--
-- One function for the three statement-level triggers below, each with its own transition
-- tables (PostgreSQL allows them only on single-event triggers): each branch reads only the
-- tables its trigger has (PL/pgSQL plans a statement when it first runs it). It sums the
-- change per key: an update moving no event to another key (the figures' updates after a
-- claim is written) changes nothing and locks no row. Keys are written in one order, so two
-- writers of several days wait for each other instead of deadlocking.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_count_event_day_spans() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    changes jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(change) INTO changes FROM (
            SELECT status, start_date, end_date, date_precision, count(*) AS n
              FROM new_rows GROUP BY 1, 2, 3, 4
        ) AS change;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(change) INTO changes FROM (
            SELECT status, start_date, end_date, date_precision, -count(*) AS n
              FROM old_rows GROUP BY 1, 2, 3, 4
        ) AS change;
    ELSE
        SELECT jsonb_agg(change) INTO changes FROM (
            SELECT status, start_date, end_date, date_precision, sum(n) AS n
              FROM (
                    SELECT status, start_date, end_date, date_precision, -1 AS n FROM old_rows
                    UNION ALL
                    SELECT status, start_date, end_date, date_precision, 1 FROM new_rows
                   ) AS moved
             GROUP BY 1, 2, 3, 4
            HAVING sum(n) <> 0
        ) AS change;
    END IF;
    IF changes IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO events_event_day_span AS span
           (status, start_date, end_date, date_precision, events)
    SELECT status, start_date, end_date, date_precision, n
      FROM jsonb_to_recordset(changes)
        AS change(status text, start_date date, end_date date, date_precision int, n int)
     ORDER BY 1, 2, 3, 4
        ON CONFLICT (status, start_date, end_date, date_precision)
        DO UPDATE SET events = span.events + EXCLUDED.events;
    DELETE FROM events_event_day_span AS span
     USING jsonb_to_recordset(changes)
        AS change(status text, start_date date, end_date date, date_precision int, n int)
     WHERE change.n < 0 AND span.events = 0
       AND (span.status, span.start_date, span.end_date, span.date_precision)
           = (change.status, change.start_date, change.end_date, change.date_precision);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER event_day_spans_insert
AFTER INSERT ON events_event REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_count_event_day_spans();

CREATE OR REPLACE TRIGGER event_day_spans_update
AFTER UPDATE ON events_event REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_count_event_day_spans();

CREATE OR REPLACE TRIGGER event_day_spans_delete
AFTER DELETE ON events_event REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_count_event_day_spans();
