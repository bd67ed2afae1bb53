import django.db.models.deletion
from django.db import migrations, models

from core.sql_files import RunSQLFile

# The sides of the events already there; from here on the triggers keep them.
KEEP_EXISTING = "SELECT ckb_keep_event_sides(ARRAY(SELECT id FROM events_event))"

# Reversed, the triggers go before their table does (the functions may stay: nothing calls
# them).
DROP_TRIGGERS = """
DROP TRIGGER event_sides_participations_insert ON events_participation;
DROP TRIGGER event_sides_participations_update ON events_participation;
DROP TRIGGER event_sides_participations_delete ON events_participation;
DROP TRIGGER event_sides_actors_update ON actors_actor;
"""


class Migration(migrations.Migration):
    """Each event's two sides as readers see them, kept by triggers: ACLED's API finds the
    events of an actor1, an actor type or an interaction through their indexes."""

    dependencies = [
        ("actors", "0009_audit_removals_index"),
        ("events", "0029_place_country_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventSides",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="sides",
                        serialize=False,
                        to="events.event",
                    ),
                ),
                ("interaction", models.PositiveSmallIntegerField(null=True)),
                ("civilians", models.BooleanField()),
                (
                    "actor1",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actors.actor",
                    ),
                ),
                (
                    "actor2",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actors.actor",
                    ),
                ),
            ],
            options={
                "db_table": "events_event_sides",
                "indexes": [
                    models.Index(fields=["actor1"], name="event_sides_actor1"),
                    models.Index(fields=["actor2"], name="event_sides_actor2"),
                    models.Index(fields=["interaction"], name="event_sides_interaction"),
                ],
            },
        ),
        migrations.RunSQL(migrations.RunSQL.noop, DROP_TRIGGERS),
        RunSQLFile("events", "event_sides.sql", file_digest="9d44b99c61a46315"),
        # In the same transaction as the triggers: no participation is written in between.
        migrations.RunSQL(KEEP_EXISTING, migrations.RunSQL.noop),
    ]
