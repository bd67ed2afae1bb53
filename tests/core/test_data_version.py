"""Cached counts follow committed data, including writes that were in flight when counted."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from core.data_version import data_version
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def event_types() -> None:
    # A transactional test empties every table, the event types loaded by migrations too.
    call_command("loaddata", "event_types", verbosity=0)


def timeline_total(client: Client) -> int:
    return client.get("/").context["total"]


@contextlib.contextmanager
def an_editor_mid_transaction(title: str, *, moved_at_commit: bool = False) -> Iterator[None]:
    """Inside the block, an editor on another connection has added an event, uncommitted.

    It commits when the block ends. With ``moved_at_commit`` the commit's own version move is
    fired early (``SET CONSTRAINTS ALL IMMEDIATE``) and the moment before the commit becomes
    visible is held open.
    """
    written, go_on, committed = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def editor() -> None:
        try:
            with transaction.atomic():
                EventFactory(title=title)  # the statement moves the version
                if moved_at_commit:
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                written.set()
                assert go_on.wait(30)
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()
            committed.set()

    thread = threading.Thread(target=editor)
    thread.start()
    assert written.wait(30), failures
    try:
        yield
    finally:
        go_on.set()
        assert committed.wait(30)
        thread.join()
    assert not failures


def test_a_count_taken_while_a_write_was_uncommitted_is_not_served_after_the_commit():
    EventFactory()
    reader = Client()
    assert timeline_total(reader) == 1
    with an_editor_mid_transaction("Second strike"):
        # The reader counts under the moved version, from the data before the commit.
        assert timeline_total(reader) == 1
    assert timeline_total(reader) == 2


def test_a_transaction_moves_the_version_as_it_writes_and_once_more_as_it_commits():
    before = data_version()
    with transaction.atomic():
        EventFactory()
        during = data_version()
        EventFactory()
        assert data_version() > during > before
        at_last_statement = data_version()
    assert data_version() == at_last_statement + 1


def test_a_transaction_that_writes_nothing_leaves_the_version_alone():
    EventFactory()
    before = data_version()
    with transaction.atomic():
        assert Client().get("/").status_code == 200
    assert data_version() == before


def test_a_page_read_while_a_commit_becomes_visible_is_not_stored():
    """The commit's own version move comes before its data is visible to other readers.

    Held open, that moment lets a reader read the version the commit will leave, and the data
    before it. Stored, that page would be served after the commit, until the next write.
    """
    EventFactory(title="First strike")
    reader = Client()
    assert "First strike" in reader.get("/").content.decode()
    with an_editor_mid_transaction("Second strike", moved_at_commit=True):
        version_of_the_commit = data_version()
        assert "Second strike" not in reader.get("/").content.decode()
    assert data_version() == version_of_the_commit  # nothing else moved it
    assert "Second strike" in reader.get("/").content.decode()
