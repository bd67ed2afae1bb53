from django.db import migrations


class Migration(migrations.Migration):
    """Statistics on the text that a case-insensitive substring match of an event's summary
    compares (ACLED's ``notes`` LIKE: ``upper(summary) LIKE '%…%'``). Without them the planner
    assumes a handful of matches for any word, and for a common one ("checkpoint": 190,000
    of a million events) reads every event and sorts them (2 s) instead of walking the
    timeline until the page is full (0.14 s). ANALYZE fills them."""

    dependencies = [("events", "0025_audit_removals_index")]

    operations = [
        migrations.RunSQL(
            "CREATE STATISTICS event_summary_upper ON (upper(summary::text)) FROM events_event",
            reverse_sql="DROP STATISTICS event_summary_upper",
        )
    ]
