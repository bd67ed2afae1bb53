"""EventFilter: the one FilterSet behind the timeline, the map, the exports and the API."""

from __future__ import annotations

import datetime
import math

import pytest
from django.db import connection
from django.test import RequestFactory

from actors.models import NameKind
from core.models import Publication
from events.filters import EventFilter
from events.models import Event, EventType, few_matches
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


def titles(data: dict[str, str], *, staff: bool = False) -> list[str]:
    request = RequestFactory().get("/", data)
    request.user = type("U", (), {"is_staff": staff})()
    filterset = EventFilter(request.GET, queryset=Event.objects.published(), request=request)
    assert filterset.is_valid(), filterset.errors
    return sorted(filterset.qs.values_list("title", flat=True))


def errors(data: dict[str, str]) -> dict[str, list[str]]:
    filterset = EventFilter(data, queryset=Event.objects.all())
    assert not filterset.is_valid()
    filterset.qs  # noqa: B018 - evaluating qs with bad input must not raise
    return filterset.errors


@pytest.fixture
def tahrir_al_sham():
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="HTS", kind=NameKind.ABBREVIATION)
    ActorNameFactory(actor=hts, name="Nusra Front", kind=NameKind.FORMER)
    return hts


def test_actor_matches_a_former_name_an_abbreviation_and_the_current_name(tahrir_al_sham):
    ParticipationFactory(actor=tahrir_al_sham, event=EventFactory(title="Clash at Jisr"))
    EventFactory(title="Unrelated strike")
    assert titles({"actor": "nusra"}) == ["Clash at Jisr"]
    assert titles({"actor": "HTS"}) == ["Clash at Jisr"]
    assert titles({"actor": "tahrir"}) == ["Clash at Jisr"]


def test_actor_matches_at_the_start_of_a_word_only(tahrir_al_sham):
    monitor = ActorFactory(name="Syrian Observatory for Human Rights")
    ParticipationFactory(actor=monitor, event=EventFactory(title="Monitor report"))
    assert titles({"actor": "HTS"}) == []


def test_actor_accepts_an_actor_id(tahrir_al_sham):
    ParticipationFactory(actor=tahrir_al_sham, event=EventFactory(title="Clash"))
    ParticipationFactory(event=EventFactory(title="Other"))
    assert titles({"actor": str(tahrir_al_sham.uuid)}) == ["Clash"]


def test_an_event_with_two_matching_actors_is_listed_once():
    event = EventFactory(title="Summit")
    ParticipationFactory(event=event, actor=ActorFactory(name="Russia"), role="attendee")
    ParticipationFactory(event=event, actor=ActorFactory(name="Russian forces"), role="host")
    assert titles({"actor": "russia"}) == ["Summit"]


def test_place_includes_events_anywhere_inside_it():
    syria = LocationFactory(name="Syria", kind="country")
    idlib = LocationFactory(name="Idlib governorate", kind="admin1", parent=syria)
    town = LocationFactory(name="Jisr al-Shughur", parent=idlib)
    aleppo = LocationFactory(name="Aleppo governorate", kind="admin1", parent=syria)
    EventFactory(title="In the town", location=town)
    EventFactory(title="In the governorate", location=idlib)
    EventFactory(title="In Aleppo", location=aleppo)
    assert titles({"place": str(idlib.uuid)}) == ["In the governorate", "In the town"]


def test_a_top_level_type_includes_its_sub_types():
    EventFactory(title="Strike", event_type=EventType.objects.get(slug="air-drone-strike"))
    EventFactory(title="Summit", event_type=EventType.objects.get(slug="summit"))
    assert titles({"type": "explosions-remote-violence"}) == ["Strike"]
    assert titles({"type": "air-drone-strike"}) == ["Strike"]


def test_date_range_keeps_events_overlapping_it():
    EventFactory(title="Before", start_date=datetime.date(2018, 9, 1))
    EventFactory(
        title="Straddles",
        start_date=datetime.date(2018, 9, 3),
        end_date=datetime.date(2018, 9, 5),
    )
    EventFactory(title="Inside", start_date=datetime.date(2018, 9, 6))
    EventFactory(title="After", start_date=datetime.date(2018, 9, 9))
    assert titles({"date_from": "2018-09-04", "date_to": "2018-09-07"}) == ["Inside", "Straddles"]


@pytest.fixture(params=["few matches", "many matches"])
def words_shape(request, monkeypatch):
    """Each words test runs with both shapes of the query (events.models.few_matches decides
    between them by counting matches; here it is told the answer)."""
    few = request.param == "few matches"
    monkeypatch.setattr("events.models.few_matches", lambda ids: few)
    return request.param


def test_few_matches_counts_up_to_the_square_root_of_fifty_times_the_events():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'events_event'::regclass")
        bound = math.ceil(math.sqrt(50 * max(cursor.fetchone()[0], 1)))
    EventFactory.create_batch(bound - 1, title="Checkpoint", location=LocationFactory())
    matching = Event.objects.filter(title__startswith="Checkpoint").values("pk")
    assert few_matches(matching)
    EventFactory(title="Checkpoint again")
    assert not few_matches(matching)


@pytest.mark.usefixtures("words_shape")
def test_words_match_titles_claim_quotes_actor_names_and_place_names():
    EventFactory(title="Airstrikes on a weapons depot")
    ClaimFactory(event=EventFactory(title="Quoted"), quote="Jets hit a drone launch pad.")
    ParticipationFactory(event=EventFactory(title="By actor"), actor=ActorFactory(name="Nusra"))
    idleb = LocationFactory(name="Idlib governorate", alternate_names=["Idleb"])
    EventFactory(title="By place", location=LocationFactory(name="Town", parent=idleb))
    EventFactory(title="Nothing")
    assert titles({"q": "depot"}) == ["Airstrikes on a weapons depot"]
    assert titles({"q": "launch pads"}) == ["Quoted"]
    assert titles({"q": "nusra"}) == ["By actor"]
    assert titles({"q": "idleb"}) == ["By place"]


@pytest.mark.usefixtures("words_shape")
def test_words_rank_title_matches_first():
    EventFactory(title="Summit", summary="Leaders discussed Idlib and a ceasefire.")
    EventFactory(title="Ceasefire talks collapse", summary="No ceasefire.")
    filterset = EventFilter({"q": "ceasefire"}, queryset=Event.objects.all())
    assert [e.title for e in filterset.qs] == ["Ceasefire talks collapse", "Summit"]


@pytest.mark.usefixtures("words_shape")
def test_words_ignore_quotes_of_unpublished_documents():
    draft = DocumentFactory(status=Publication.DRAFT)
    ClaimFactory(event=EventFactory(title="Quoted"), document=draft, quote="A secret depot.")
    assert titles({"q": "secret"}) == []
    assert titles({"q": "secret"}, staff=True) == ["Quoted"]


@pytest.mark.usefixtures("words_shape")
def test_words_find_no_draft_event_for_readers_whichever_way_they_match():
    nusra = ActorFactory(name="Nusra")
    draft = EventFactory(title="Depot raid", status=Publication.DRAFT)
    ParticipationFactory(event=draft, actor=nusra)
    ClaimFactory(event=draft, quote="A depot was hit.")
    for words in ("depot", "nusra"):
        filterset = EventFilter({"q": words}, queryset=Event.objects.all())
        assert list(filterset.qs) == []  # even from a queryset that holds drafts
    staff = RequestFactory().get("/")
    staff.user = type("U", (), {"is_staff": True})()
    filterset = EventFilter({"q": "nusra"}, queryset=Event.objects.all(), request=staff)
    assert [event.title for event in filterset.qs] == ["Depot raid"]


def test_contested_keeps_only_events_whose_claims_disagree():
    contested = EventFactory(title="Disputed")
    ClaimFactory(event=contested, value_best=0)
    ClaimFactory(event=contested, value_best=13)
    EventFactory(title="Agreed")
    assert titles({"contested": "true"}) == ["Disputed"]
    assert titles({"contested": "false"}) == ["Agreed"]


def test_bbox_keeps_events_inside_the_box():
    EventFactory(title="Idlib", location=LocationFactory(latitude=35.93, longitude=36.63))
    EventFactory(title="Damascus", location=LocationFactory(latitude=33.51, longitude=36.29))
    assert titles({"bbox": "35.5,35.2,37.2,36.4"}) == ["Idlib"]


def test_bbox_crossing_the_antimeridian_wraps():
    EventFactory(title="Fiji", location=LocationFactory(latitude=-17.7, longitude=178.0))
    EventFactory(title="Samoa", location=LocationFactory(latitude=-13.8, longitude=-172.1))
    EventFactory(title="Idlib", location=LocationFactory(latitude=35.93, longitude=36.63))
    assert titles({"bbox": "170,-20,-170,-10"}) == ["Fiji", "Samoa"]


def test_min_fatalities_compares_the_highest_figure():
    ClaimFactory(event=EventFactory(title="Many"), value_low=5, value_best=10, value_high=20)
    ClaimFactory(event=EventFactory(title="Few"), value_best=2)
    assert titles({"min_fatalities": "15"}) == ["Many"]


def test_updated_since_keeps_events_changed_after_the_time():
    EventFactory(title="Recent")
    old = EventFactory(title="Old")
    Event.objects.filter(pk=old.pk).update(
        updated_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    )
    assert titles({"updated_since": "2020-01-01T00:00:00Z"}) == ["Recent"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,50,10,40"}, "bbox"),
        ({"bbox": "0,0,200,10"}, "bbox"),
        ({"bbox": "nan,0,1,1"}, "bbox"),
        ({"place": "not-a-uuid"}, "place"),
        ({"place": "8d8ae4c4-0000-4000-8000-000000000000"}, "place"),
        ({"type": "no-such-type"}, "type"),
        ({"date_from": "4 Sept"}, "date_from"),
        ({"date_from": "2018-09-07", "date_to": "2018-09-04"}, "date_to"),
        ({"contested": "maybe"}, "contested"),
        ({"min_fatalities": "-1"}, "min_fatalities"),
        ({"min_fatalities": "many"}, "min_fatalities"),
        ({"updated_since": "yesterday"}, "updated_since"),
    ],
)
def test_malformed_values_become_form_errors(data, field):
    assert field in errors(data)


def test_a_draft_place_is_not_a_valid_choice_for_anonymous_visitors():
    draft = LocationFactory(status=Publication.DRAFT)
    request = RequestFactory().get("/", {"place": str(draft.uuid)})
    request.user = type("U", (), {"is_staff": False})()
    assert "place" in EventFilter(request.GET, request=request).errors


@pytest.mark.parametrize("name", ["q", "actor"])
def test_an_over_long_text_filter_is_refused_with_its_limit(anon_client, name):
    page = anon_client.get("/", {name: "Idlib " * 100})
    assert page.status_code == 400
    assert "Ensure this value has at most 200 characters" in page.content.decode()
    api = anon_client.get("/api/v1/events/", {name: "Idlib " * 100})
    assert api.status_code == 400
    assert name in api.json()
