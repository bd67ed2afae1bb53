"""Snapshots learn when an event has been edited since its import, so a re-import need not
rebuild every event's fields to find editors' changes.

``edited_since`` is set by statement-level triggers whenever a managed field may have changed
outside the import that took the snapshot: an event's own fields, its participants, its
fatality claims. It errs towards true (any fatality claim of the event, any column of a
participation): a true flag only means the next import compares the event's current fields, as
every import did before. Existing snapshots start true, since nobody knows what happened to
them. The import itself resets the flag when it saves the snapshot (events/interchange/loading).
"""

from django.db import migrations, models

EVENT_FIELDS = (
    "title, summary, event_type_id, start_date, end_date, date_precision, location_id, "
    "geo_precision"
)

MARK = """
CREATE FUNCTION ckb_snapshot_event_edited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events_import_snapshot s SET edited_since = true
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE s.event_id = n.id AND NOT s.edited_since
       AND (%(o)s) IS DISTINCT FROM (%(n)s);
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_snapshot_event_edited AFTER UPDATE ON events_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_snapshot_event_edited();

-- Participations and claims: the events whose rows were inserted (new_rows), deleted
-- (old_rows) or updated (both); each trigger names the tables it has.
CREATE FUNCTION ckb_snapshot_edited_by_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events_import_snapshot SET edited_since = true
     WHERE NOT edited_since AND event_id IN (SELECT event_id FROM new_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION ckb_snapshot_edited_by_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events_import_snapshot SET edited_since = true
     WHERE NOT edited_since AND event_id IN (SELECT event_id FROM old_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION ckb_snapshot_edited_by_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events_import_snapshot SET edited_since = true
     WHERE NOT edited_since
       AND event_id IN (SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows);
    RETURN NULL;
END $$;
""" % {
    "o": ", ".join(f"o.{c}" for c in EVENT_FIELDS.split(", ")),
    "n": ", ".join(f"n.{c}" for c in EVENT_FIELDS.split(", ")),
}

TABLE_TRIGGERS = """
CREATE TRIGGER ckb_snapshot_edited_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_snapshot_edited_by_new_rows();
CREATE TRIGGER ckb_snapshot_edited_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_snapshot_edited_by_changed_rows();
CREATE TRIGGER ckb_snapshot_edited_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_snapshot_edited_by_old_rows();
"""
TABLES = ("events_participation", "sources_claim")

UNMARK = (
    "".join(
        f"DROP TRIGGER ckb_snapshot_edited_{op} ON {table};"
        for table in TABLES
        for op in ("insert", "update", "delete")
    )
    + """
DROP TRIGGER ckb_snapshot_event_edited ON events_event;
DROP FUNCTION ckb_snapshot_event_edited(), ckb_snapshot_edited_by_new_rows(),
    ckb_snapshot_edited_by_old_rows(), ckb_snapshot_edited_by_changed_rows();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_audit_unskippable"),
        ("sources", "0007_audit_unskippable"),
    ]

    operations = [
        migrations.AddField(
            model_name="importsnapshot",
            name="edited_since",
            field=models.BooleanField(db_default=True),
        ),
        migrations.RunSQL(
            MARK + "".join(TABLE_TRIGGERS.format(table=t) for t in TABLES), UNMARK
        ),
    ]
