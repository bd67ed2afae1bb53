"""Anonymous readers are served stored responses until the data changes; nobody else is."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core.models import Publication
from core.reader_cache import MAX_STORED_BYTES, storable
from tests.api.fixtures import THROTTLE_QUERIES
from tests.factories import (
    ActorRelationFactory,
    DocumentRelayFactory,
    EventFactory,
    EventRelationFactory,
    OutletFactory,
    UserFactory,
)

EVENTS = "/api/v1/events/"
OUTLETS = "/api/v1/outlets/"


def test_the_second_reader_of_a_page_gets_the_stored_one_for_one_query(
    db, django_assert_num_queries
):
    EventFactory(title="Strike on a depot")
    first = Client().get("/", {"actor": ""})
    assert "Strike on a depot" in first.content.decode()
    with django_assert_num_queries(1):  # the data version
        second = Client().get("/", {"actor": ""})
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["ETag"] == first["ETag"]
    # The site's headers are set on every response, stored or not.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_a_reader_holding_the_page_gets_304_for_one_query(db, django_assert_num_queries):
    EventFactory()
    etag = Client().get("/")["ETag"]
    with django_assert_num_queries(1):
        response = Client().get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""
    assert Client().get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_api_answers_are_stored_per_representation_and_keep_their_etag(
    db, django_assert_num_queries
):
    event = EventFactory(title="Strike on a depot")
    url = f"{EVENTS}{event.uuid}/"
    computed = APIClient().get(url)
    with django_assert_num_queries(1 + THROTTLE_QUERIES):
        stored = APIClient().get(url)
    assert stored.json() == computed.json()
    assert stored["ETag"] == computed["ETag"]
    assert stored["Content-Type"] == "application/json"
    assert "Accept" in stored["Vary"]
    # The browsable API at the same URL is another representation, not the stored JSON.
    browsable = APIClient().get(url, headers={"Accept": "text/html"})
    assert browsable["Content-Type"].startswith("text/html")
    assert "Strike on a depot" in browsable.content.decode()
    with django_assert_num_queries(1 + THROTTLE_QUERIES):
        assert APIClient().get(url, headers={"If-None-Match": computed["ETag"]}).status_code == 304


def test_every_table_pages_and_the_api_read_moves_the_version(db):
    """A write to a table without the trigger would leave stored responses stale."""
    unread = {"events_import_snapshot", "events_import_edit"}  # the importer's bookkeeping
    # Kept by the events' own triggers, in the statement that moves the version; the sides, by
    # the participations' and actors' triggers, likewise.
    unread |= {"events_event_day_span", "events_event_sides"}
    # Staff's review queue, never kept for readers; and the record of a merge, written in the
    # transaction that deletes or restores the absorbed event (which moves the version).
    unread |= {"events_eventcandidate", "events_eventmerge"}
    content_tables = {
        model._meta.db_table
        for app in ("actors", "events", "sources")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not hasattr(model, "pgh_obj_model") and not model._meta.db_table.endswith("event")
    } | {"events_event"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name = 'conflictkb_data_version'"
        )
        watched = {table for (table,) in cursor.fetchall()}
    assert content_tables - unread <= watched
    assert {"sources_outlet", "actors_actorrelation", "events_eventrelation"} <= content_tables


def test_a_write_to_what_a_response_shows_is_seen_at_once(db):
    reader = APIClient()
    OutletFactory(name="Reuters")
    assert [o["name"] for o in reader.get(OUTLETS).json()["results"]] == ["Reuters"]
    OutletFactory(name="SANA")
    assert {o["name"] for o in reader.get(OUTLETS).json()["results"]} == {"Reuters", "SANA"}

    relay = DocumentRelayFactory()
    document_url = relay.document.get_absolute_url()
    assert relay.outlet.name in Client().get(document_url).content.decode()
    relay.outlet.name = "Renamed outlet"
    relay.outlet.save()
    assert "Renamed outlet" in Client().get(document_url).content.decode()

    relation = EventRelationFactory()
    assert (
        relation.to_event.title
        in Client().get(relation.from_event.get_absolute_url()).content.decode()
    )
    relation.delete()
    page = Client().get(relation.from_event.get_absolute_url()).content.decode()
    assert relation.to_event.title not in page

    actor_relation = ActorRelationFactory()
    actor_url = actor_relation.subject.get_absolute_url()
    assert actor_relation.object.name in Client().get(actor_url).content.decode()
    actor_relation.delete()
    assert actor_relation.object.name not in Client().get(actor_url).content.decode()


def test_signed_in_users_and_token_clients_never_get_a_readers_answer(
    db, superuser, django_assert_num_queries
):
    EventFactory(title="Published strike")
    EventFactory(title="Draft strike", status=Publication.DRAFT)
    assert "Draft strike" not in Client().get("/").content.decode()  # stored for readers

    staff = Client()
    staff.force_login(superuser)
    assert "Draft strike" in staff.get("/").content.decode()

    token_client = APIClient()
    token_client.force_authenticate(superuser)
    titles = {e["title"] for e in token_client.get(EVENTS).json()["results"]}
    assert titles == {"Published strike", "Draft strike"}

    # And what staff were shown is not what readers are then served.
    with django_assert_num_queries(1):
        assert "Draft strike" not in Client().get("/").content.decode()


def test_stored_answers_still_count_against_the_throttle(db, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})
    reader = APIClient()
    assert [reader.get(OUTLETS).status_code for _ in range(3)] == [200, 200, 429]


def test_private_streamed_cookie_setting_failed_and_oversized_responses_are_not_stored():
    assert storable(HttpResponse(b"page"))
    with_cookie = HttpResponse(b"page")
    with_cookie.set_cookie("csrftoken", "x")
    private = HttpResponse(b"page", headers={"Cache-Control": "max-age=0, private"})
    assert not storable(with_cookie)
    assert not storable(private)
    assert not storable(HttpResponse(b"gone", status=404))
    assert not storable(HttpResponse(b"x" * (MAX_STORED_BYTES + 1)))


def test_a_reader_who_sends_a_session_cookie_of_nobody_is_still_a_reader(
    db, django_assert_num_queries
):
    EventFactory()
    Client().get("/")
    stale = Client()
    stale.cookies["sessionid"] = "no-such-session"
    with django_assert_num_queries(2):  # the session lookup, then the data version
        assert stale.get("/").status_code == 200


def test_users_sign_in_and_out_through_the_stored_pages(db):
    user = UserFactory(username="analyst", is_staff=True)
    client = Client()
    client.get("/")
    client.force_login(user)
    assert "analyst" in client.get("/").content.decode()
    client.logout()
    assert "analyst" not in client.get("/").content.decode()


def test_with_reader_cache_off_every_reader_gets_a_computed_page(
    db, settings, django_assert_num_queries
):
    settings.READER_CACHE = False
    EventFactory(title="Strike on a depot")
    Client().get("/api/v1/events/")
    with django_assert_num_queries(
        2 + THROTTLE_QUERIES
    ):  # the events, their participations; no data version
        response = Client().get("/api/v1/events/")
    assert [e["title"] for e in response.json()["results"]] == ["Strike on a depot"]


def test_an_answer_carrying_a_csrf_token_is_not_kept_for_the_next_reader(db):
    """The browsable API puts a CSRF token in its page: it is derived from one reader's secret."""
    event = EventFactory()
    url = f"{EVENTS}{event.uuid}/"
    first = APIClient().get(url, headers={"Accept": "text/html"})
    assert "csrfToken" in first.content.decode()
    assert "csrftoken" in first.cookies
    second = APIClient().get(url, headers={"Accept": "text/html"})
    # Computed again: its token (and the cookie it is derived from) is the second reader's.
    assert "csrftoken" in second.cookies
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value


def test_with_reader_cache_off_the_timelines_histogram_is_counted_for_every_reader(db, settings):
    settings.READER_CACHE = False
    EventFactory(title="Strike on a depot")
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/").status_code == 200
        counts = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
        assert counts, "the histogram was not counted"
