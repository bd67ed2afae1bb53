"""What each import last said about each event, so a re-import can tell editors' changes apart.

A plain table (no model): only the set-based importer (interchange) reads and writes it,
and it is bookkeeping, not a fact, so the audit trail does not track it.
"""

from django.db import migrations

CREATE = """
CREATE TABLE events_import_snapshot (
    event_id bigint NOT NULL REFERENCES events_event (id) ON DELETE CASCADE,
    dataset varchar(20) NOT NULL,
    fields jsonb NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, dataset)
);
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0003_location_search_names")]
    operations = [migrations.RunSQL(CREATE, "DROP TABLE IF EXISTS events_import_snapshot;")]
