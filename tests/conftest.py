"""Named users and clients shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with empty caches: a count cached by an earlier test describes rows
    its rollback removed (the data version, a sequence, does not roll back).

    The shared cache is a table: a test in a transaction rolls its entries back, but a test
    that commits (and the servers it starts, counting sign-ins and API calls) leaves them, so
    such tests empty it before and after.
    """
    caches["local"].clear()
    marker = request.node.get_closest_marker("django_db")
    commits = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if commits:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after this
        caches["default"].clear()
    yield
    if commits:
        caches["default"].clear()


@pytest.fixture
def editor(db: None) -> User:
    """Adds and changes everything; cannot publish or deprecate."""
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def reviewer(db: None) -> User:
    """Also publishes, deprecates claims and deletes."""
    return UserFactory(username="reviewer", groups=["Reviewers"])


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(reviewer: User) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def idlib(db: None) -> None:
    """The demo data set: the Idlib crisis of September 2018 (fixtures/idlib-2018-09.json)."""
    call_command("loaddata", "idlib-2018-09", verbosity=0)


@pytest.fixture
def committed_idlib(transactional_db: None) -> None:
    """The demo data set committed, for tests that read it from another process or connection.

    A transactional test ends by emptying every table, including what migrations load (the
    event types, the Editors and Reviewers groups): both are loaded again first.
    """
    import importlib

    from django.apps import apps

    call_command("loaddata", "event_types", verbosity=0)
    importlib.import_module("sources.migrations.0003_groups").create_groups(apps, None)
    call_command("loaddata", "idlib-2018-09", verbosity=0)
