"""The import snapshot table (migration 0004) becomes known to Django as a model; the table
itself does not change."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0005_event_fatalities_high_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportSnapshot",
                    fields=[
                        ("pk", models.CompositePrimaryKey("event_id", "dataset", blank=True, editable=False, primary_key=True, serialize=False)),
                        ("dataset", models.CharField(max_length=20)),
                        ("fields", models.JSONField()),
                        ("imported_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("event", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="events.event")),
                    ],
                    options={"db_table": "events_import_snapshot"},
                )
            ]
        )
    ]
