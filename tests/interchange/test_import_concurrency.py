"""An editor's change committed while an import runs is not lost to the import's bookkeeping."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connections

from events.models import Event
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
