"""The events, places and event types API: representation, filters, paging, formats, writes."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.db import IntegrityError
from django.http import StreamingHttpResponse
from django.utils import timezone
from pghistory.models import Events as AuditEvents

from api.serializers import ModelCleanSerializer
from events.models import Event, EventType, Location, Participation, Role
from interchange.reading import ACLED_COLUMNS
from sources.models import ClaimStatus, Stance
from tests.api.fixtures import (  # noqa: F401  (fixtures)
    API_URLS,
    THROTTLE_QUERIES,
    api_anon,
    api_editor,
    api_reviewer,
    ids,
    results,
)
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

EVENTS = "/api/v1/events/"


@pytest.fixture
def idlib_tree() -> dict[str, Location]:
    syria = LocationFactory(
        name="Syria", kind="country", parent=None, latitude=35.0, longitude=38.5
    )
    governorate = LocationFactory(name="Idlib governorate", kind="admin1", parent=syria)
    town = LocationFactory(name="Jisr al-Shughur", kind="town", parent=governorate)
    return {"syria": syria, "governorate": governorate, "town": town}


@pytest.fixture
def strike(idlib_tree: dict[str, Location]) -> Event:
    """Russia's strikes on Idlib: Russia says a weapons depot, SOHR says 13 civilians."""
    event = EventFactory(
        title="Air strikes on Jisr al-Shughur",
        location=idlib_tree["town"],
        start_date=datetime.date(2018, 9, 4),
    )
    russia = ActorFactory(name="Military Forces of Russia", kind="state_forces", acled_type=1)
    civilians = ActorFactory(name="Civilians (Syria)", kind="civilians", acled_type=7)
    ParticipationFactory(event=event, actor=russia, role=Role.PERPETRATOR)
    ParticipationFactory(event=event, actor=civilians, role=Role.TARGET)
    sohr = ActorFactory(name="Syrian Observatory for Human Rights", kind="ngo")
    document = DocumentFactory(title="Russian jets strike Idlib")
    ClaimFactory(event=event, claimant_actor=sohr, document=document, value_best=13, credibility=2)
    ClaimFactory(
        event=event,
        claimant_actor=russia,
        document=document,
        value_best=0,
        quote="Only terrorists' weapons were hit.",
    )
    event.refresh_from_db()
    return event


def event_with_everything(town: Location, document: Any, actors: list[Any]) -> Event:
    event = EventFactory(location=town)
    for actor, role in zip(actors, [Role.PERPETRATOR, Role.TARGET], strict=True):
        ParticipationFactory(event=event, actor=actor, role=role)
    ClaimFactory(event=event, document=document, claimant_actor=actors[0])
    return event


# --- Representation -------------------------------------------------------------------------


def test_an_event_embeds_its_type_place_with_ancestors_participants_and_fatality_range(
    api_anon, strike
):
    [row] = results(api_anon.get(EVENTS, {"expand": "event_type,place.ancestors"}))
    assert row["id"] == str(strike.uuid)
    assert row["url"] == f"http://testserver{EVENTS}{strike.uuid}/"
    assert row["event_type"]["slug"] == "air-drone-strike"
    assert row["event_type"]["parent"]["slug"] == "explosions-remote-violence"
    assert row["place"]["name"] == "Jisr al-Shughur"
    assert [a["name"] for a in row["place"]["ancestors"]] == ["Syria", "Idlib governorate"]
    assert {(p["actor"]["name"], p["role"]) for p in row["participants"]} == {
        ("Military Forces of Russia", "perpetrator"),
        ("Civilians (Syria)", "target"),
    }
    assert row["fatalities"] == {
        "low": 0,
        "best": 13,
        "high": 13,
        "rule": "range",
        "contested": True,
    }
    assert row["claim_summary"] == {"claims": 2, "independent_sources": 1}
    assert "claims" not in row


def test_the_event_detail_gives_every_claim_with_claimant_document_grades_and_stance(
    api_anon, strike
):
    response = api_anon.get(f"{EVENTS}{strike.uuid}/")
    assert response.status_code == 200
    claims = sorted(response.json()["claims"], key=lambda c: c["value_best"])
    assert [c["value_best"] for c in claims] == [0, 13]
    russia_claim = claims[0]
    assert russia_claim["claimant"]["name"] == "Military Forces of Russia"
    assert russia_claim["claimant"]["type"] == "actor"
    assert russia_claim["claimant_is_party"] is True
    assert claims[1]["claimant_is_party"] is False
    assert russia_claim["document"]["title"] == "Russian jets strike Idlib"
    assert (russia_claim["credibility"], claims[1]["credibility"]) == (6, 2)
    assert russia_claim["stance"] == "asserts"
    assert russia_claim["subject"] == {
        "type": "event",
        "id": str(strike.uuid),
        "url": f"http://testserver{EVENTS}{strike.uuid}/",
        "name": strike.title,
        "status": "published",
    }


def test_a_listed_event_is_compact_and_each_part_comes_with_its_expansion(api_anon, strike):
    [compact] = results(api_anon.get(EVENTS))
    assert compact["event_type"] == {
        "slug": "air-drone-strike",
        "url": "http://testserver/api/v1/event-types/air-drone-strike/",
        "name": strike.event_type.name,
    }
    assert "ancestors" not in compact["place"]
    assert (compact["place"]["name"], compact["place"]["latitude"]) == (
        "Jisr al-Shughur",
        strike.location.latitude,
    )
    assert "claims" not in compact
    assert "contested_because" not in compact
    record = api_anon.get(f"{EVENTS}{strike.uuid}/").json()
    # Every top-level field of v1 is in the compact record; only nested detail waits.
    assert list(compact) == [key for key in record if key not in ("contested_because", "claims")]
    for expand, part, expected in (
        ("event_type", lambda row: row["event_type"], record["event_type"]),
        ("place.ancestors", lambda row: row["place"], record["place"]),
        ("claims", lambda row: row["claims"], record["claims"]),
    ):
        [row] = results(api_anon.get(EVENTS, {"expand": expand}))
        assert part(row) == expected, expand
    [everything] = results(api_anon.get(EVENTS, {"expand": "claims,place.ancestors,event_type"}))
    assert everything == record
    assert len(everything["claims"]) == 2
    assert everything["contested_because"] == record["contested_because"] != []


def test_fields_chooses_the_top_level_fields_of_lists_and_records(api_anon, strike):
    [row] = results(api_anon.get(EVENTS, {"fields": "fatalities,id,title"}))
    assert list(row) == ["id", "title", "fatalities"]  # in the record's order
    assert row == {"id": str(strike.uuid), "title": strike.title, "fatalities": row["fatalities"]}
    assert row["fatalities"]["best"] == 13
    [with_claims] = results(api_anon.get(EVENTS, {"expand": "claims", "fields": "id,claims"}))
    assert list(with_claims) == ["id", "claims"]
    assert len(with_claims["claims"]) == 2
    record = api_anon.get(f"{EVENTS}{strike.uuid}/", {"fields": "url,contested_because"}).json()
    assert record == {
        "url": f"http://testserver{EVENTS}{strike.uuid}/",
        "contested_because": record["contested_because"],
    }
    assert record["contested_because"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"expand": "claims,actors"}, "Unknown part actors; choose from event_type, "),
        ({"fields": "id,colour"}, "Unknown field colour; choose from id, url, title, "),
        ({"fields": ""}, "No field given; choose from id, url, "),
        ({"fields": "id,claims"}, "(claims and contested_because come with expand=claims)."),
    ],
)
def test_an_unknown_expansion_or_field_is_a_400_naming_the_choices(
    api_anon, strike, query, message
):
    response = api_anon.get(EVENTS, query)
    assert response.status_code == 400
    [name] = query
    [text] = response.json()[name]
    assert message in text


def test_anonymous_list_hides_draft_events_and_editors_see_them(api_anon, api_editor, strike):
    draft = EventFactory(status="draft")
    assert ids(api_anon.get(EVENTS)) == [str(strike.uuid)]
    assert api_anon.get(f"{EVENTS}{draft.uuid}/").status_code == 404
    assert str(draft.uuid) in ids(api_editor.get(EVENTS))


def test_anonymous_readers_do_not_see_claims_from_draft_documents_or_draft_actors(api_anon, strike):
    ClaimFactory(event=strike, document=DocumentFactory(status="draft"), value_best=99)
    ParticipationFactory(event=strike, actor=ActorFactory(status="draft"), role=Role.SUPPORTER)
    body = api_anon.get(f"{EVENTS}{strike.uuid}/").json()
    assert 99 not in [c["value_best"] for c in body["claims"]]
    assert len(body["participants"]) == 2


def test_a_malformed_or_unknown_id_is_a_json_404(api_anon, strike):
    for path in (f"{EVENTS}not-a-uuid/", f"{EVENTS}00000000-0000-0000-0000-000000000000/"):
        response = api_anon.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No Event matches the given query."} or (
            "detail" in response.json()
        )


def test_the_event_list_costs_the_same_queries_for_1_and_100_events(
    api_anon, idlib_tree, django_assert_num_queries
):
    document = DocumentFactory()
    actors = [ActorFactory(), ActorFactory()]
    event_with_everything(idlib_tree["town"], document, actors)
    # The list: 1 the page's events (what paging reads), 2 their records written by
    # PostgreSQL with type, place, participants, parent and what is expanded (api.event_rows);
    # with expand=claims, 3 the claims with subject, claimant, document, outlet, named actor.
    # And, as no response is cached yet, the data version and whether a commit is in flight
    # (each request asks: what it costs does not depend on what came before).
    expansions = (
        ({}, 2 + 2),
        ({"expand": "event_type,place.ancestors"}, 2 + 2),
        ({"expand": "claims,place.ancestors"}, 3 + 2),
    )
    for expand, count in expansions:
        with django_assert_num_queries(count + THROTTLE_QUERIES):
            assert len(results(api_anon.get(EVENTS, expand))) == 1
    for _ in range(99):
        event_with_everything(idlib_tree["town"], document, actors)
    for expand, count in expansions:
        with django_assert_num_queries(count + THROTTLE_QUERIES):
            rows = results(api_anon.get(EVENTS, {**expand, "page_size": 100}))
            assert len(rows) == 100
            assert all(len(r["participants"]) == 2 for r in rows)
            parts = expand.get("expand", "").split(",")
            # Each part is there, in full, exactly when it was asked for.
            ancestors = [len(r["place"]["ancestors"]) for r in rows if "ancestors" in r["place"]]
            assert ancestors == ([2] * 100 if "place.ancestors" in parts else [])
            claims = [len(r["claims"]) for r in rows if "claims" in r]
            assert claims == ([1] * 100 if "claims" in parts else [])


def test_the_event_detail_costs_five_queries(api_anon, strike, django_assert_num_queries):
    # 1 the event; 2 its claims with theirs; 3 its record written by PostgreSQL (type, place,
    # ancestors, participants, parent); 4, 5 the data version and whether a commit is in
    # flight (the response is not cached yet)
    with django_assert_num_queries(5 + THROTTLE_QUERIES):
        body = api_anon.get(f"{EVENTS}{strike.uuid}/").json()
        assert len(body["claims"]) == 2
        assert len(body["place"]["ancestors"]) == 2


# --- Filters (the timeline's EventFilter) ----------------------------------------------------


def test_the_actor_filter_matches_any_alias_of_a_participant(api_anon, strike):
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="Nusra Front", kind="former")
    clash = EventFactory(title="Clash")
    ParticipationFactory(event=clash, actor=hts, role=Role.SIDE_A)
    assert ids(api_anon.get(EVENTS, {"actor": "Nusra"})) == [str(clash.uuid)]
    assert ids(api_anon.get(EVENTS, {"actor": str(hts.uuid)})) == [str(clash.uuid)]


def test_the_place_filter_includes_everything_inside_the_place(api_anon, strike, idlib_tree):
    elsewhere = EventFactory(location=LocationFactory(name="Aleppo", parent=None))
    in_governorate = ids(api_anon.get(EVENTS, {"place": str(idlib_tree["governorate"].uuid)}))
    assert in_governorate == [str(strike.uuid)]
    assert str(elsewhere.uuid) not in in_governorate


def test_the_type_filter_includes_sub_types(api_anon, strike):
    battle = EventFactory(event_type=EventType.objects.get(slug="armed-clash"))
    assert ids(api_anon.get(EVENTS, {"type": "explosions-remote-violence"})) == [str(strike.uuid)]
    assert ids(api_anon.get(EVENTS, {"type": "battles"})) == [str(battle.uuid)]


def test_the_date_range_keeps_events_overlapping_it(api_anon, strike):
    later = EventFactory(start_date=datetime.date(2018, 9, 10))
    got = ids(api_anon.get(EVENTS, {"date_from": "2018-09-05", "date_to": "2018-09-30"}))
    assert got == [str(later.uuid)]


def test_q_searches_the_words_of_titles(api_anon, strike):
    EventFactory(title="Summit in Tehran")
    assert ids(api_anon.get(EVENTS, {"q": "Shughur"})) == [str(strike.uuid)]


def test_contested_min_fatalities_and_bbox_filter_the_list(api_anon, strike):
    calm = EventFactory(location=LocationFactory(latitude=10.0, longitude=10.0))
    assert ids(api_anon.get(EVENTS, {"contested": "true"})) == [str(strike.uuid)]
    assert ids(api_anon.get(EVENTS, {"contested": "false"})) == [str(calm.uuid)]
    assert ids(api_anon.get(EVENTS, {"min_fatalities": 10})) == [str(strike.uuid)]
    assert ids(api_anon.get(EVENTS, {"min_fatalities": 14})) == []
    assert ids(api_anon.get(EVENTS, {"bbox": "36,35,37,36.5"})) == [str(strike.uuid)]


def test_updated_since_returns_events_changed_after_a_time(api_anon, strike):
    Event.objects.filter(pk=strike.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    fresh = EventFactory()
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(api_anon.get(EVENTS, {"updated_since": since})) == [str(fresh.uuid)]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "yesterday"},
        {"date_to": "2018-02-30"},
        {"updated_since": "soon"},
        {"bbox": "1,2,3"},
        {"place": "not-a-uuid"},
        {"place": "00000000-0000-0000-0000-000000000000"},
        {"type": "no-such-type"},
        {"contested": "maybe"},
        {"min_fatalities": "many"},
        {"ordering": "fatalities_best"},
        {"page_size": "0"},
        {"cursor": "garbage"},
    ],
)
def test_a_malformed_filter_value_is_a_400_naming_the_parameter(api_anon, strike, params):
    response = api_anon.get(EVENTS, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_a_draft_place_is_not_a_valid_place_filter_for_anonymous_readers(api_anon):
    draft = LocationFactory(status="draft")
    assert api_anon.get(EVENTS, {"place": str(draft.uuid)}).status_code == 400


# --- Ordering and paging --------------------------------------------------------------------


def test_events_come_newest_first_and_can_be_ordered_by_explicit_fields(api_anon):
    old = EventFactory(title="B", start_date=datetime.date(2018, 9, 1))
    new = EventFactory(title="A", start_date=datetime.date(2018, 9, 9))
    assert ids(api_anon.get(EVENTS)) == [str(new.uuid), str(old.uuid)]
    assert ids(api_anon.get(EVENTS, {"ordering": "start_date"})) == [str(old.uuid), str(new.uuid)]
    assert ids(api_anon.get(EVENTS, {"ordering": "title"})) == [str(new.uuid), str(old.uuid)]


def test_cursor_pages_walk_every_event_once_in_order_and_back(api_anon):
    events = [EventFactory(start_date=datetime.date(2018, 9, 4)) for _ in range(5)]
    expected = [str(e.uuid) for e in sorted(events, key=lambda e: -e.pk)]
    seen, url, pages = [], f"{EVENTS}?page_size=2", []
    while url:
        body = api_anon.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected
    assert len(pages) == 3
    back = api_anon.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[2:4]


def test_a_new_event_inserted_between_pages_neither_repeats_nor_shifts_rows(api_anon):
    events = [EventFactory(start_date=datetime.date(2018, 9, day)) for day in (1, 2, 3, 4)]
    first = api_anon.get(EVENTS, {"page_size": 2}).json()
    EventFactory(start_date=datetime.date(2018, 9, 10))  # sorts before everything seen
    second = api_anon.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [str(events[1].uuid), str(events[0].uuid)]


def test_a_page_size_above_500_is_refused_with_the_limit(api_anon):
    response = api_anon.get(EVENTS, {"page_size": 501})
    assert response.status_code == 400
    assert "500" in response.json()["page_size"][0]
    assert api_anon.get(EVENTS, {"page_size": 500}).status_code == 200


# --- Formats --------------------------------------------------------------------------------


def test_csv_streams_every_matching_event_in_acleds_columns(api_anon, strike):
    EventFactory(status="draft")
    response = api_anon.get(EVENTS, {"format": "csv"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == ACLED_COLUMNS
    [row] = rows
    assert row["event_id_cnty"] == f"SYRCKB{strike.pk}"
    assert row["event_date"] == "2018-09-04"
    assert row["year"] == "2018"
    assert row["time_precision"] == "1"
    assert row["disorder_type"] == "Political violence"
    assert row["event_type"] == "Explosions/Remote violence"
    assert row["sub_event_type"] == "Air/drone strike"
    assert row["actor1"] == "Military Forces of Russia"
    assert row["inter1"] == "1"
    assert row["actor2"] == "Civilians (Syria)"
    assert row["inter2"] == "7"
    assert row["interaction"] == "17"
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["iso"] == "760"
    assert row["country"] == "Syria"
    assert row["admin1"] == "Idlib governorate"
    assert row["location"] == "Jisr al-Shughur"
    assert (float(row["latitude"]), float(row["longitude"])) == (35.93, 36.63)
    assert row["geo_precision"] == "1"
    # ACLED's most conservative figure, and who says what in the notes.
    assert row["fatalities"] == "0"
    assert row["notes"].endswith(
        "[Contested: Syrian Observatory for Human Rights 13 killed; Military Forces of Russia"
        " 0 killed. Fatalities coded as the lowest figure.]"
    )
    assert row["tags"] == "contested"
    assert row["source"].startswith("Outlet ")


def test_csv_sides_name_a_draft_actor_and_draft_place_to_editors_only(api_anon, api_editor, strike):
    unconfirmed = ActorFactory(name="Unconfirmed brigade", status="draft")
    ParticipationFactory(event=strike, actor=unconfirmed, role=Role.SIDE_A)
    strike.location.status = "draft"
    strike.location.save()

    def row(client: Any) -> dict[str, str]:
        body = b"".join(client.get(EVENTS, {"format": "csv"}).streaming_content).decode()
        [found] = [r for r in csv.DictReader(io.StringIO(body)) if r["actor1"]]
        return found

    editors, readers = row(api_editor), row(api_anon)
    assert editors["assoc_actor_1"] == "Unconfirmed brigade"
    assert (editors["location"], editors["country"]) == ("Jisr al-Shughur", "Syria")
    assert editors["event_id_cnty"] == f"SYRCKB{strike.pk}"
    assert readers["assoc_actor_1"] == ""
    assert (readers["location"], readers["country"], readers["iso"]) == ("", "", "")
    assert readers["event_id_cnty"] == f"XXXCKB{strike.pk}"


def test_csv_sources_name_only_outlets_of_published_documents_to_readers(
    api_anon, api_editor, strike
):
    secret = OutletFactory(name="Secret bulletin")
    ClaimFactory(event=strike, document=DocumentFactory(outlet=secret, status="draft"))

    def sources(client: Any) -> str:
        body = b"".join(client.get(EVENTS, {"format": "csv"}).streaming_content).decode()
        return next(csv.DictReader(io.StringIO(body)))["source"]

    assert "Secret bulletin" not in sources(api_anon)
    assert "Secret bulletin" in sources(api_editor)


def test_csv_honours_the_filters_and_answers_errors_in_json(api_anon, strike):
    EventFactory(start_date=datetime.date(2018, 10, 1))
    body = b"".join(
        api_anon.get(EVENTS, {"format": "csv", "date_to": "2018-09-30"}).streaming_content
    )
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 2
    response = api_anon.get(EVENTS, {"format": "csv", "date_to": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_csv_costs_the_same_queries_for_1_and_100_events(
    api_anon, idlib_tree, django_assert_num_queries
):
    document, actors = DocumentFactory(), [ActorFactory(), ActorFactory()]
    for total in (1, 100):
        while Event.objects.count() < total:
            event_with_everything(idlib_tree["town"], document, actors)
        # per 2,000 rows: the events (server-side cursor), then what PostgreSQL computes of
        # them for ACLED's columns: their own fields, sides, places around, evidence
        with django_assert_num_queries(5 + THROTTLE_QUERIES):
            body = b"".join(api_anon.get(EVENTS, {"format": "csv"}).streaming_content)
            assert body.count(b"\n") == total + 1


def test_geojson_is_a_feature_collection_with_longitude_first(api_anon, strike):
    EventFactory(location=None, title="Somewhere in Syria")
    response = api_anon.get(EVENTS, {"format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    features = {f["properties"]["title"]: f for f in body["features"]}
    assert features[strike.title]["type"] == "Feature"
    assert features[strike.title]["geometry"] == {"type": "Point", "coordinates": [36.63, 35.93]}
    assert features["Somewhere in Syria"]["geometry"] is None
    assert set(body) == {"type", "features", "next", "previous"}


# --- Writes ---------------------------------------------------------------------------------


def new_event(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Shelling of Khan Shaykhun",
        "event_type": "shelling-artillery-missile-attack",
        "start_date": "2018-09-07",
        **extra,
    }


def test_an_editors_token_creates_a_draft_event_recorded_with_the_editor(api_editor, editor):
    place = LocationFactory()
    actor = ActorFactory()
    response = api_editor.post(
        EVENTS,
        new_event(
            place=str(place.uuid), participants=[{"actor": str(actor.uuid), "role": "perpetrator"}]
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert type(response.headers["Location"]) is str  # wsgiref refuses str subclasses
    assert body["end_date"] == "2018-09-07"  # filled in by Event.clean(), as in the admin
    assert body["status"] == "draft"
    assert body["participants"][0]["role"] == "perpetrator"
    event = Event.objects.get(uuid=body["id"])
    insert = AuditEvents.objects.filter(pgh_obj_model="events.Event", pgh_obj_id=event.pk).get()
    assert insert.pgh_context["user"] == editor.pk
    assert insert.pgh_context["url"] == EVENTS


def test_an_editor_cannot_publish_an_event_and_nothing_is_saved(api_editor):
    response = api_editor.post(EVENTS, new_event(status="published"), format="json")
    assert response.status_code == 403
    assert "publish" in response.json()["detail"]
    assert not Event.objects.exists()


def test_a_reviewer_publishes_an_event(api_reviewer):
    response = api_reviewer.post(EVENTS, new_event(status="published"), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "published"


def test_anonymous_writes_are_refused_with_401(api_anon, strike):
    assert api_anon.post(EVENTS, new_event(), format="json").status_code == 401
    assert api_anon.delete(f"{EVENTS}{strike.uuid}/").status_code == 401


def test_invalid_events_get_field_level_errors_like_the_admin(api_editor):
    response = api_editor.post(
        EVENTS, new_event(end_date="2018-09-01", event_type="nope"), format="json"
    )
    assert response.status_code == 400
    assert "event_type" in response.json()
    response = api_editor.post(EVENTS, new_event(end_date="2018-09-01"), format="json")
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date must be on or after the start date."]}


def test_a_duplicate_acled_id_is_a_400_not_a_500(api_editor):
    EventFactory(acled_id="SYR123")
    response = api_editor.post(EVENTS, new_event(acled_id="SYR123"), format="json")
    assert response.status_code == 400
    assert "ACLED id" in json.dumps(response.json())


def test_an_integrity_error_the_validation_missed_is_a_400(api_editor, monkeypatch):
    EventFactory(acled_id="SYR123")
    monkeypatch.setattr(ModelCleanSerializer, "validate", lambda self, attrs: attrs)
    payload = new_event(acled_id="SYR123", end_date="2018-09-07")
    response = api_editor.post(EVENTS, payload, format="json")
    assert response.status_code == 400
    assert "event_acled_id_unique" in response.json()["non_field_errors"][0]
    assert Event.objects.count() == 1
    with pytest.raises(IntegrityError):
        EventFactory(acled_id="SYR123")  # the connection still works after the refused write


def test_an_update_with_the_current_etag_succeeds_and_returns_a_new_etag(api_editor, strike):
    url = f"{EVENTS}{strike.uuid}/"
    etag = api_editor.get(url)["ETag"]
    response = api_editor.patch(url, {"title": "Strikes"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Strikes"
    assert response["ETag"] != etag
    assert api_editor.get(url)["ETag"] == response["ETag"]


def test_an_update_answers_with_the_record_a_get_gives_in_a_fixed_number_of_queries(
    api_editor, strike, django_assert_num_queries
):
    url = f"{EVENTS}{strike.uuid}/"
    before = api_editor.get(url).json()
    # Token and permissions, throttle, audit context, the row locked and reloaded, the model's
    # validation (related rows, each constraint), the save, then the answer as a GET gives it
    # (the event, its claims, its row written by PostgreSQL). Not one query per field.
    with django_assert_num_queries(33):
        response = api_editor.patch(url, {"title": "Strikes"}, format="json")
    assert response.status_code == 200, response.content
    after = api_editor.get(url).json()
    assert response.json() == after
    assert after["title"] == "Strikes"
    assert [claim["subject"]["name"] for claim in after["claims"]] == ["Strikes"] * 2
    unchanged = set(before) - {"title", "updated_at", "claims"}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}


def test_a_stale_if_match_gets_412_and_the_data_is_unchanged(api_editor, api_reviewer, strike):
    url = f"{EVENTS}{strike.uuid}/"
    etag = api_editor.get(url)["ETag"]
    assert api_reviewer.patch(url, {"summary": "Reviewed."}, format="json").status_code == 200
    response = api_editor.patch(url, {"title": "Overwrite"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    strike.refresh_from_db()
    assert (strike.title, strike.summary) == ("Air strikes on Jisr al-Shughur", "Reviewed.")
    assert api_reviewer.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Event.objects.filter(pk=strike.pk).exists()


def test_a_new_claim_changes_the_events_etag(api_anon, strike):
    url = f"{EVENTS}{strike.uuid}/"
    etag = api_anon.get(url)["ETag"]
    ClaimFactory(event=strike, value_best=40)
    assert api_anon.get(url)["ETag"] != etag


def test_if_none_match_with_the_current_etag_is_a_304(api_anon, strike):
    url = f"{EVENTS}{strike.uuid}/"
    etag = api_anon.get(url)["ETag"]
    assert api_anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A client checking its copy with HEAD gets the same answer; another copy gets the headers.
    assert api_anon.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    stale = api_anon.head(url, HTTP_IF_NONE_MATCH='"another"')
    assert (stale.status_code, stale["ETag"]) == (200, etag)


def test_participants_are_replaced_when_given(api_editor, strike):
    actor = ActorFactory()
    response = api_editor.patch(
        f"{EVENTS}{strike.uuid}/",
        {"participants": [{"actor": str(actor.uuid), "role": "side_a"}]},
        format="json",
    )
    assert response.status_code == 200
    assert list(Participation.objects.filter(event=strike).values_list("actor", "role")) == [
        (actor.pk, "side_a")
    ]


def test_a_reviewer_deletes_an_event_and_an_editor_may_not(api_editor, api_reviewer, strike):
    url = f"{EVENTS}{strike.uuid}/"
    assert api_editor.delete(url).status_code == 403
    assert api_reviewer.delete(url).status_code == 204
    assert not Event.objects.filter(pk=strike.pk).exists()


# --- Places and event types -----------------------------------------------------------------


def test_places_carry_their_ancestors_and_filter_by_containment(api_anon, idlib_tree):
    LocationFactory(name="Draft hamlet", parent=idlib_tree["town"], status="draft")
    rows = results(api_anon.get("/api/v1/places/", {"within": str(idlib_tree["governorate"].uuid)}))
    assert [r["name"] for r in rows] == ["Idlib governorate", "Jisr al-Shughur"]
    assert [a["name"] for a in rows[1]["ancestors"]] == ["Syria", "Idlib governorate"]
    assert ids(api_anon.get("/api/v1/places/", {"q": "shughur"})) == [str(idlib_tree["town"].uuid)]


def test_the_place_list_costs_the_same_queries_for_1_and_100_places(
    api_anon, idlib_tree, django_assert_num_queries
):
    # 1 the places; 2 their ancestors;
    # 3, 4 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(4 + THROTTLE_QUERIES):
        assert len(results(api_anon.get("/api/v1/places/", {"kind": "town"}))) == 1
    LocationFactory.create_batch(99, parent=idlib_tree["governorate"])
    with django_assert_num_queries(4 + THROTTLE_QUERIES):
        rows = results(api_anon.get("/api/v1/places/", {"kind": "town", "page_size": 200}))
        assert len(rows) == 100
        assert all(len(r["ancestors"]) == 2 for r in rows)


def test_an_editor_creates_a_place_and_gets_field_errors_for_bad_coordinates(
    api_editor, idlib_tree
):
    response = api_editor.post(
        "/api/v1/places/",
        {"name": "Saraqib", "kind": "town", "parent": str(idlib_tree["governorate"].uuid)},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["ancestors"]] == ["Syria", "Idlib governorate"]
    response = api_editor.post(
        "/api/v1/places/", {"name": "Nowhere", "kind": "town", "latitude": 95}, format="json"
    )
    assert response.status_code == 400
    assert "latitude" in response.json()


def test_event_types_list_the_taxonomy_and_cannot_be_written(
    api_anon, api_reviewer, django_assert_num_queries
):
    # 1 the types with their parents joined;
    # 2, 3 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        rows = results(api_anon.get("/api/v1/event-types/", {"page_size": 500}))
    assert len(rows) == EventType.objects.count()
    assert {r["slug"] for r in rows} >= {"battles", "air-drone-strike", "summit"}
    subtypes = results(api_anon.get("/api/v1/event-types/", {"parent": "battles"}))
    assert {r["parent"]["slug"] for r in subtypes} == {"battles"}
    detail = api_anon.get("/api/v1/event-types/summit/").json()
    assert detail["acled_event_type"] == "Strategic developments"
    response = api_reviewer.post("/api/v1/event-types/", {"slug": "x", "name": "X"})
    assert response.status_code == 405


def test_denials_count_towards_contestation_in_the_fatality_summary(api_anon):
    event = EventFactory()
    ClaimFactory(event=event, value_best=5)
    ClaimFactory(event=event, value_best=5, stance=Stance.DENIES)
    ClaimFactory(
        event=event, value_best=50, status=ClaimStatus.DEPRECATED, deprecation_reason="Typo"
    )
    [row] = results(api_anon.get(EVENTS))
    assert row["fatalities"]["contested"] is True
    assert row["fatalities"]["best"] == 5


def test_the_idlib_demo_data_reads_as_json_csv_and_geojson(api_anon, idlib):
    published = Event.objects.published().count()
    assert published > 0
    rows = results(api_anon.get(EVENTS, {"expand": "claims,place.ancestors"}))
    assert len(rows) == published
    assert all(row["place"] is None or row["place"]["ancestors"] for row in rows)
    # Every claim a figure counts is one the reader can open.
    assert all(len(row["claims"]) == row["claim_summary"]["claims"] for row in rows)
    body = b"".join(api_anon.get(EVENTS, {"format": "csv"}).streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(body)))
    assert len(table) == published
    assert all(row["event_type"] and row["disorder_type"] for row in table)
    features = json.loads(api_anon.get(EVENTS, {"format": "geojson"}).content)["features"]
    assert len(features) == published
    for feature in features:
        place = Event.objects.get(uuid=feature["id"]).location
        if feature["geometry"]:
            longitude, latitude = feature["geometry"]["coordinates"]
            assert (longitude, latitude) == (place.longitude, place.latitude)
            assert feature["properties"]["place"] == place.name


def test_anonymous_readers_see_no_draft_place_or_parent_inside_a_published_event(
    api_anon, api_editor
):
    parent = EventFactory(status="draft", title="Secret offensive")
    event = EventFactory(parent=parent, location=LocationFactory(status="draft"))
    [row] = results(api_anon.get(EVENTS))
    assert (row["place"], row["parent"]) == (None, None)
    assert "Secret offensive" not in api_anon.get(f"{EVENTS}{event.uuid}/").content.decode()
    staff_row = api_editor.get(f"{EVENTS}{event.uuid}/").json()
    assert staff_row["parent"]["title"] == "Secret offensive"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2100-01-01", "1899-12-31"])
def test_an_event_date_outside_the_dates_events_can_have_is_a_field_error(api_editor, day):
    response = api_editor.post(EVENTS, new_event(start_date=day, end_date=day), format="json")
    assert response.status_code == 400
    assert "is outside the dates events can have (1900-01-01 to" in response.json()["start_date"][0]
    assert not Event.objects.exists()
