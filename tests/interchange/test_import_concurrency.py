"""Imports that commit: an editor's change saved while an import runs is not lost to the import's
bookkeeping, and a large import leaves its tables analysed for the planner."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connections

from events.models import Event
from interchange import services
from tests.interchange.test_import_acled import acled, run, strike

pytestmark = pytest.mark.django_db(transaction=True)


def edited_by_another_connection(event_id: int, summary: str) -> None:
    """An editor's save, committed from a connection of its own."""

    def save() -> None:
        try:
            Event.objects.filter(pk=event_id).update(summary=summary)
        finally:
            connections.close_all()

    editor = threading.Thread(target=save)
    editor.start()
    editor.join(timeout=10)
    assert not editor.is_alive(), "the editor's save waited for the import"


def test_an_edit_saved_while_an_import_runs_is_kept_by_the_next_import() -> None:
    call_command("loaddata", "event_types", verbosity=0)  # emptied by earlier transactional tests
    run(acled(strike(fatalities=13, notes="First report")))
    event_id = Event.objects.get(acled_id="SYR9001").pk

    def progress(step: str) -> None:
        # The import has compared the event (its figure changes) and not yet saved its snapshot.
        if step == "participants":
            edited_by_another_connection(event_id, "Corrected by hand")

    during = run(acled(strike(fatalities=21, notes="First report")), progress=progress)
    after = run(acled(strike(fatalities=21, notes="Revised toll")))

    assert during.result is not None
    assert during.result.events_updated == 1
    assert Event.objects.get(pk=event_id).summary == "Corrected by hand"
    assert after.result is not None
    assert [(k.line, k.fields) for k in after.result.kept] == [(2, ["summary"])]


def estimated_rows(table: str) -> float:
    """The planner's row count: -1 until the table is analysed (or vacuumed) after the
    suite's flush truncated it, 0 if autovacuum analysed it empty."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


@pytest.fixture
def without_autovacuum() -> Iterator[None]:
    """Only the import may analyse the tables during the test: autovacuum, counting the rows
    earlier tests wrote, may analyse them at any moment (seen: the events counted 0 after
    the flush, before the import)."""
    tables = ("events_event", "sources_claim")
    with connections["default"].cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    yield
    with connections["default"].cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def test_a_large_import_leaves_its_tables_analysed_for_the_planner(monkeypatch, without_autovacuum):
    call_command("loaddata", "event_types", verbosity=0)  # emptied by earlier transactional tests
    monkeypatch.setattr(services, "ANALYZE_FROM_EVENTS", 3)
    assert estimated_rows("events_event") != 3
    run(acled(strike("SYR9001"), strike("SYR9002"), strike("SYR9003")))
    assert estimated_rows("events_event") == 3
    assert estimated_rows("sources_claim") == 3


def test_a_small_import_leaves_the_statistics_to_autovacuum(monkeypatch, without_autovacuum):
    call_command("loaddata", "event_types", verbosity=0)
    monkeypatch.setattr(services, "ANALYZE_FROM_EVENTS", 3)
    before = estimated_rows("events_event")
    assert run(acled(strike("SYR9001"))).result is not None
    assert estimated_rows("events_event") == before
    assert before != 1
