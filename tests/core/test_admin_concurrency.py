"""Two editors save the same event: the second is refused and told what changed."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from events.admin import EventAdmin
from events.models import Event
from tests.factories import ClaimFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def event_form(page, **changes) -> dict:
    """The change form as the browser would submit it, with the editor's changes."""
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name in form.initial or form[name].value() is not None
    }
    for prefix in ("participations", "relations_from", "claims"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    data["loaded_version"] = page.context["loaded_version"]
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()} | changes


@pytest.fixture
def two_editors(editor) -> tuple[Client, Client]:
    other = UserFactory(username="second-editor", groups=["Editors"])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    return first, second


def test_the_second_editor_is_refused_with_what_changed(two_editors):
    first, second = two_editors
    event = EventFactory(title="Russian airstrikes on Idlib", summary="Four jets.", status="draft")
    url = reverse("admin:events_event_change", args=[event.pk])
    first_page, second_page = first.get(url), second.get(url)

    saved = first.post(url, event_form(first_page, title="Russian air strikes on Idlib"))
    assert saved.status_code == 302
    refused = second.post(url, event_form(second_page, summary="Four Russian jets."))

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "editor saved this event after you opened it, changing: title." in html
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Russian air strikes on Idlib", "Four jets.")

    # Having read the message, saving again is a deliberate choice and goes through.
    again = second.post(url, event_form(refused, summary="Four Russian jets."))
    assert again.status_code == 302
    event.refresh_from_db()
    assert event.summary == "Four Russian jets."


def test_a_new_claim_elsewhere_does_not_block_saving_the_event(two_editors):
    first, _ = two_editors
    event = EventFactory(title="Strike", status="draft")
    url = reverse("admin:events_event_change", args=[event.pk])
    page = first.get(url)
    ClaimFactory(event=event, value_best=13)  # recomputes the event's figures meanwhile
    response = first.post(url, event_form(page, title="Strike on Idlib"))
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Strike on Idlib"


def test_of_two_simultaneous_saves_exactly_one_wins(committed_idlib, monkeypatch):
    """Two editors press Save within 100 ms of each other, each in its own transaction."""
    editors = [UserFactory(username=name, groups=["Editors"]) for name in ("first", "second")]
    event = EventFactory(title="Russian airstrikes on Idlib", summary="Four jets.", status="draft")
    url = reverse("admin:events_event_change", args=[event.pk])
    clients = []
    for editor in editors:
        client = Client()
        client.force_login(editor)
        clients.append((client, client.get(url)))

    # Each save takes 300 ms between its version check and its commit: without the row lock
    # both checks ran before either save, and both editors were told their save went through.
    save_model = EventAdmin.save_model

    def slow_save_model(*args, **kwargs):
        time.sleep(0.3)
        return save_model(*args, **kwargs)

    monkeypatch.setattr(EventAdmin, "save_model", slow_save_model)
    answers: dict[str, int] = {}
    refusals: list[str] = []

    def save(client, page, summary):
        try:
            response = client.post(url, event_form(page, summary=summary))
            answers[summary] = response.status_code
            refusals.extend([response.content.decode()] if response.status_code == 200 else [])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(client, page, f"Saved by {editor.username}."))
        for (client, page), editor in zip(clients, editors, strict=True)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers.values()) == [200, 302]  # one saved, one refused and shown why
    [winner] = [summary for summary, status in answers.items() if status == 302]
    who = winner.removeprefix("Saved by ").removesuffix(".")
    assert f"{who} saved this event after you opened it, changing: summary." in refusals[0]
    event.refresh_from_db()
    assert event.summary == winner
    assert event.audit_events.filter(pgh_label="update").count() == 1
