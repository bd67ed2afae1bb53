from django.db import migrations, models

from core.sql_files import RunSQLFile

# The spans of the events already there; from here on the triggers keep them.
COUNT_EXISTING = """
INSERT INTO events_event_day_span (status, start_date, end_date, date_precision, events)
SELECT status, start_date, end_date, date_precision, count(*)
  FROM events_event
 GROUP BY 1, 2, 3, 4
"""

# Reversed, the triggers go before their table does (the function may stay: nothing calls it).
DROP_TRIGGERS = """
DROP TRIGGER event_day_spans_insert ON events_event;
DROP TRIGGER event_day_spans_update ON events_event;
DROP TRIGGER event_day_spans_delete ON events_event;
"""


class Migration(migrations.Migration):
    """Events per status, first and last day and date precision, kept by triggers: the
    timeline's histogram of a selection narrowed by dates alone."""

    dependencies = [("events", "0021_location_paths")]

    operations = [
        migrations.CreateModel(
            name="EventDaySpan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")], max_length=10
                    ),
                ),
                ("start_date", models.DateField()),
                ("end_date", models.DateField()),
                (
                    "date_precision",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Exact day"),
                            (2, "Within 2–6 days"),
                            (3, "Week"),
                            (4, "Month"),
                            (5, "Year"),
                        ]
                    ),
                ),
                ("events", models.IntegerField()),
            ],
            options={
                "db_table": "events_event_day_span",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "start_date", "end_date", "date_precision"),
                        name="event_day_span_unique",
                    )
                ],
            },
        ),
        # The count first, in the same transaction: no event is written in between.
        migrations.RunSQL(COUNT_EXISTING, migrations.RunSQL.noop),
        migrations.RunSQL(migrations.RunSQL.noop, DROP_TRIGGERS),
        RunSQLFile("events", "day_spans.sql", file_digest="2ded12688debca4c"),
    ]
