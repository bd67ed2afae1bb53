"""Migration events 0013: JSON import snapshots become typed columns."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.models import EventType, ImportSnapshot
from tests.factories import EventFactory

BEFORE = [("events", "0012_lean_write_indexes")]


def migrate(targets: list[tuple[str, str]] | None = None) -> None:
    """To ``targets``, or to the latest migrations."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_json_snapshot_becomes_one_column_per_value() -> None:
    # Transactional tests run after others have emptied the tables the migrations filled.
    strike, _ = EventType.objects.get_or_create(slug="air-drone-strike", name="Air/drone strike")
    event = EventFactory.create(event_type=strike)
    migrate(BEFORE)
    fields = {
        "title": "Air/drone strike: Russia in Khan Shaykhun",
        "summary": "Strike on a depot",
        "event_type": 7,
        "start_date": "2018-09-04",
        "end_date": "2018-09-05",
        "date_precision": 1,
        "location": 42,
        "geo_precision": 2,
        "participants": [[3, "perpetrator"], [5, "target"]],
        "fatalities": [None, 13, None, 13, None, ""],
        "source": [11, "13 civilians killed"],
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO events_import_snapshot (event_id, dataset, fields) "
                "VALUES (%s, 'acled', %s)",
                [event.pk, json.dumps(fields)],
            )
    finally:
        migrate()  # through 0013; the rest of the suite needs the current schema whatever happened

    snapshot = ImportSnapshot.objects.get(event=event, dataset="acled")
    assert (snapshot.title, snapshot.summary) == (fields["title"], fields["summary"])
    assert (snapshot.event_type_id, snapshot.location_id) == (7, 42)
    assert (snapshot.start_date, snapshot.end_date) == (
        datetime.date(2018, 9, 4),
        datetime.date(2018, 9, 5),
    )
    assert (snapshot.date_precision, snapshot.geo_precision) == (1, 2)
    assert (snapshot.actor_ids, snapshot.roles) == ([3, 5], ["perpetrator", "target"])
    assert (
        snapshot.value_low,
        snapshot.value_best,
        snapshot.value_high,
        snapshot.civilians,
        snapshot.combatants,
        snapshot.value_text,
    ) == (None, 13, None, 13, None, "")
    assert (snapshot.document_id, snapshot.quote) == (11, "13 civilians killed")
