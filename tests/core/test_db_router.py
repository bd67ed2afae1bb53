"""Read replicas: reads go to the replicas in turn, writes and reads after a write to the primary.

Routing decisions are read off ``QuerySet.db`` (the alias a query would run on) through Django's
own router, with the replica router installed by ``override_settings``; the last test starts the
site with ``DATABASE_REPLICA_URLS`` set and watches which connections the SQL really runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from actors.models import Actor
from core import db_router
from core.database_url import database_url
from core.db_router import PIN_COOKIE, ReadYourWritesMiddleware
from core.reader_cache import ReaderCacheMiddleware, for_readers
from events.models import Event, EventType
from tests.factories import ActorFactory

PROJECT = Path(__file__).resolve().parents[2]
ROUTER = "core.db_router.PrimaryReplicaRouter"


@pytest.fixture(autouse=True)
def unpinned() -> Iterator[None]:
    """Each test starts unpinned: a write pins the thread, and tests share one thread."""
    token = db_router._pinned.set(False)
    yield
    db_router._pinned.reset(token)


@pytest.fixture
def two_replicas() -> Iterator[None]:
    with override_settings(DATABASE_ROUTERS=[ROUTER], DATABASE_REPLICAS=["replica1", "replica2"]):
        yield


def through_middleware(view, method: str = "get", **cookies: str) -> HttpResponse:
    request = getattr(RequestFactory(), method)("/")
    request.COOKIES.update(cookies)
    return ReadYourWritesMiddleware(view)(request)


def test_reads_go_to_the_replicas_in_turn(two_replicas):
    aliases = [Event.objects.all().db for _ in range(4)]
    assert aliases in (
        ["replica1", "replica2", "replica1", "replica2"],
        ["replica2", "replica1", "replica2", "replica1"],
    )


@pytest.mark.django_db
def test_the_shared_cache_stays_on_the_primary_so_rate_limits_are_exact(two_replicas):
    with CaptureQueriesContext(connections["default"]) as on_primary:
        caches["default"].set("login-failures:ip:192.0.2.1", 3, 60)
        assert caches["default"].get("login-failures:ip:192.0.2.1") == 3
    assert len(on_primary) == 2
    assert Event.objects.all().db.startswith("replica")  # and nothing else is pinned


def test_writes_go_to_the_primary(two_replicas):
    assert router.db_for_write(Event) == "default"
    assert Actor.objects.all().select_for_update().db == "default"


def test_a_read_after_a_write_outside_requests_stays_on_the_primary(two_replicas):
    assert Event.objects.all().db.startswith("replica")
    router.db_for_write(Actor)
    assert Event.objects.all().db == "default"


@pytest.mark.django_db
def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(two_replicas):
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(Event.objects.all().db)
        ActorFactory(name="Written during a GET")  # e.g. a session or a counter saved
        seen.append(Event.objects.all().db)
        return HttpResponse()

    through_middleware(view)

    assert seen[0].startswith("replica")
    assert seen[1] == "default"
    # The pin ends with the request: the next one reads from a replica again.
    assert Event.objects.all().db.startswith("replica")


def test_an_unsafe_request_reads_from_the_primary_before_writing(two_replicas):
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(Event.objects.all().db)  # e.g. the If-Match check before an update
        return HttpResponse()

    response = through_middleware(view, method="post")

    assert seen == ["default"]
    assert response.cookies[PIN_COOKIE]["max-age"] == 5


def test_the_browser_reads_from_the_primary_just_after_posting(two_replicas):
    def view(request: HttpRequest) -> HttpResponse:
        return JsonResponse({"db": Event.objects.all().db})

    redirected = through_middleware(view, **{PIN_COOKIE: "1"})
    later = through_middleware(view)

    assert json.loads(redirected.content) == {"db": "default"}
    assert json.loads(later.content)["db"].startswith("replica")
    assert PIN_COOKIE not in later.cookies  # GETs do not extend the pin


@override_settings(DATABASE_ROUTERS=[ROUTER], DATABASE_REPLICAS=[])
def test_without_replicas_everything_is_on_the_primary():
    assert Event.objects.all().db == "default"
    assert router.db_for_write(Event) == "default"
    assert router.allow_migrate_model("default", Event)


def test_objects_read_from_different_databases_may_be_related(two_replicas):
    event = Event(title="On a replica")
    event._state.db = "replica2"
    actor = Actor(name="On the primary")
    actor._state.db = "default"
    assert router.allow_relation(event, actor) is True
    elsewhere = Actor(name="In an unrelated database")
    elsewhere._state.db = "archive"
    assert db_router.PrimaryReplicaRouter().allow_relation(event, elsewhere) is None


def test_migrations_run_only_on_the_primary(two_replicas):
    assert router.allow_migrate_model("default", EventType)
    assert not router.allow_migrate_model("replica1", EventType)
    assert not router.allow_migrate("replica2", "events", model_name="event")


@pytest.mark.django_db
def test_the_site_started_with_replica_urls_reads_from_them_and_writes_to_the_primary():
    # The subprocess uses this test's database (committed rows only: the event types) as
    # primary and twice as replica, and reports the connection each event-type query ran on
    # (connection set-up statements left out).
    url = database_url()
    script = """
import json
from django.conf import settings
from django.db import connections, transaction
from events.models import EventType
ran = []
for alias in connections:
    connections[alias].execute_wrappers.append(
        lambda execute, sql, params, many, context, alias=alias: (
            "events_eventtype" in sql and ran.append(alias), execute(sql, params, many, context)
        )[1]
    )
EventType.objects.count(); EventType.objects.count()
reads = list(ran); ran.clear()
with transaction.atomic():
    EventType.objects.filter(slug="air-drone-strike").update(position=0)
    EventType.objects.count()
    transaction.set_rollback(True)
print(json.dumps({"reads": reads, "write_then_read": ran, "mirror": settings.DATABASES["replica2"]["TEST"]["MIRROR"], "first_middleware": settings.MIDDLEWARE[0]}))
"""
    env = os.environ | {"DATABASE_URL": url, "DATABASE_REPLICA_URLS": f"{url},{url}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["reads"] == ["replica1", "replica2"]
    assert set(report["write_then_read"]) == {"default"}
    assert report["mirror"] == "default"
    assert report["first_middleware"] == "core.db_router.ReadYourWritesMiddleware"


@pytest.mark.django_db
def test_a_response_kept_for_readers_is_read_from_the_primary(two_replicas):
    """The data version describes the primary: a lagging replica's page must not be kept."""
    seen: list[str] = []

    def respond() -> HttpResponse:
        seen.append(Event.objects.all().db)
        return HttpResponse("page")

    def view(request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return for_readers(request, "html", respond)

    kept_view = ReaderCacheMiddleware(view)
    assert through_middleware(kept_view).content == b"page"
    assert through_middleware(kept_view).content == b"page"  # served from the cache
    assert seen == ["default"]
    assert Event.objects.all().db.startswith("replica")  # the pin ended with the request
