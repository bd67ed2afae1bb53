import django.db.models.functions.comparison
from django.db import migrations, models

# The events' evidence as the claims' trigger will keep it from here on (sources migration
# 0017): when a claim readers can open last changed.
FILL = """
UPDATE events_event e
   SET evidence_changed_at = c.changed
  FROM (SELECT event_id, max(updated_at) AS changed
          FROM sources_claim
         WHERE is_public AND event_id IS NOT NULL
         GROUP BY event_id) c
 WHERE c.event_id = e.id
"""


class Migration(migrations.Migration):
    """ACLED's timestamp (an event's last change, or its visible evidence's) kept on the event
    and indexed, where every filter on it read each event's claims."""

    dependencies = [
        ("events", "0036_own_ids_indexed"),
        ("sources", "0016_audit_removals_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="evidence_changed_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                django.db.models.functions.comparison.Greatest(
                    "updated_at", "evidence_changed_at"
                ),
                name="event_last_change",
            ),
        ),
    ]
