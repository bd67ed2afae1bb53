"""Imported events edited since their import are marked, so a re-import need not read every
event's fields to find editors' changes.

Statement-level triggers add a mark (events_import_edit) for each imported event whose managed
fields, participants or fatality claims a statement changed. They err towards marking (any
fatality claim of the event, any column of a participation): a mark only means the next import
compares the event's current fields with its snapshot, as every import did before. The
importer's own writes add none (it sets ``conflictkb.importing`` for its transaction); it
clears the marks it read and marks the events where it kept an editor's change
(interchange/loading.py). Snapshots taken before this migration are all marked, since
nobody knows what happened to them.
"""

import django.db.models.deletion
from django.db import migrations, models

EVENT_COLUMNS = [
    "title",
    "summary",
    "event_type_id",
    "start_date",
    "end_date",
    "date_precision",
    "location_id",
    "geo_precision",
]
IMPORTING = "current_setting('conflictkb.importing', true) IS DISTINCT FROM 'on'"

MARK = f"""
CREATE FUNCTION ckb_mark_imported_event_edited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {IMPORTING} THEN
        INSERT INTO events_import_edit (event_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE ({", ".join(f"o.{c}" for c in EVENT_COLUMNS)})
               IS DISTINCT FROM ({", ".join(f"n.{c}" for c in EVENT_COLUMNS)})
           AND EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = n.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_mark_imported_event_edited AFTER UPDATE ON events_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_mark_imported_event_edited();
"""

# Participations and claims: the events of the rows a statement inserted (new_rows), deleted
# (old_rows) or updated (both); each trigger names the tables it has.
MARK_ROWS = """
CREATE FUNCTION ckb_mark_imported_events_of_{rows}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {importing} THEN
        INSERT INTO events_import_edit (event_id)
        SELECT DISTINCT r.event_id FROM ({source}) r
         WHERE EXISTS (SELECT 1 FROM events_import_snapshot s WHERE s.event_id = r.event_id);
    END IF;
    RETURN NULL;
END $$;
"""
SOURCES = {
    "new_rows": "SELECT event_id FROM new_rows",
    "old_rows": "SELECT event_id FROM old_rows",
    "changed_rows": "SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows",
}
TABLE_TRIGGERS = """
CREATE TRIGGER ckb_mark_imported_events_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_mark_imported_events_of_new_rows();
CREATE TRIGGER ckb_mark_imported_events_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_mark_imported_events_of_changed_rows();
CREATE TRIGGER ckb_mark_imported_events_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_mark_imported_events_of_old_rows();
"""
TABLES = ("events_participation", "sources_claim")

CREATE = (
    "ALTER TABLE events_import_edit ADD CONSTRAINT events_import_edit_event_fkey "
    "FOREIGN KEY (event_id) REFERENCES events_event (id) ON DELETE CASCADE;"
    + MARK
    + "".join(MARK_ROWS.format(rows=r, importing=IMPORTING, source=q) for r, q in SOURCES.items())
    + "".join(TABLE_TRIGGERS.format(table=t) for t in TABLES)
    + "INSERT INTO events_import_edit (event_id) SELECT event_id FROM events_import_snapshot;"
)
DROP = (
    "ALTER TABLE events_import_edit DROP CONSTRAINT events_import_edit_event_fkey;"
    + "".join(
        f"DROP TRIGGER ckb_mark_imported_events_{op} ON {table};"
        for table in TABLES
        for op in ("insert", "update", "delete")
    )
    + "DROP TRIGGER ckb_mark_imported_event_edited ON events_event;"
    + "DROP FUNCTION ckb_mark_imported_event_edited(), ckb_mark_imported_events_of_new_rows(), "
    "ckb_mark_imported_events_of_old_rows(), ckb_mark_imported_events_of_changed_rows();"
)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_audit_unskippable"),
        ("sources", "0007_audit_unskippable"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportEdit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="events.event",
                    ),
                ),
            ],
            options={"db_table": "events_import_edit"},
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
