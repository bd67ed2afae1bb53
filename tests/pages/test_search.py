"""Site-wide search: spelling-tolerant across actors, places, events and documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actors.models import NameKind
from core.models import Publication
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def idlib_world():
    syria = LocationFactory(name="Syria", kind="country", parent=None)
    idlib = LocationFactory(
        name="Idlib governorate", kind="admin1", parent=syria, alternate_names=["Idleb"]
    )
    hts = ActorFactory(name="Hay'at Tahrir al-Sham", kind="jihadist_group")
    ActorNameFactory(actor=hts, name="HTS", kind=NameKind.ABBREVIATION)
    ActorNameFactory(actor=hts, name="Nusra Front", kind=NameKind.FORMER)
    ActorFactory(name="Syrian Observatory for Human Rights", kind="ngo")
    event = EventFactory(title="Rebels set aside their disputes", location=idlib)
    ParticipationFactory(event=event, actor=hts)
    DocumentFactory(title="Syrian rebels hope Turkey will intervene in Idlib")
    return {"idlib": idlib, "hts": hts, "event": event}


def results(client, q: str) -> dict[str, list[str]]:
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    context = response.context
    return {
        "actors": [a.name for a in context.get("actors", [])],
        "places": [p.name for p in context.get("places", [])],
        "events": [e.title for e in context.get("events", [])],
        "documents": [d.title for d in context.get("documents", [])],
    }


def test_a_misspelt_place_finds_the_place_and_its_events(anon_client, idlib_world):
    found = results(anon_client, "Idleb")
    assert found["places"][0] == "Idlib governorate"
    assert found["events"] == ["Rebels set aside their disputes"]


def test_a_name_without_its_hyphen_finds_the_actor(anon_client, idlib_world):
    assert results(anon_client, "Tahrir al Sham")["actors"] == ["Hay'at Tahrir al-Sham"]


def test_an_abbreviation_finds_the_actor_and_not_words_containing_it(anon_client, idlib_world):
    assert results(anon_client, "HTS")["actors"] == ["Hay'at Tahrir al-Sham"]


def test_a_former_name_finds_the_actor(anon_client, idlib_world):
    found = results(anon_client, "Nusra")
    assert found["actors"] == ["Hay'at Tahrir al-Sham"]
    assert found["events"] == ["Rebels set aside their disputes"]


def test_documents_are_found_by_the_words_of_their_title(anon_client, idlib_world):
    assert results(anon_client, "intervene")["documents"] == [
        "Syrian rebels hope Turkey will intervene in Idlib"
    ]


def test_search_hides_drafts_from_anonymous_visitors(anon_client, editor_client):
    ActorFactory(name="Unconfirmed Brigade", status=Publication.DRAFT)
    assert results(anon_client, "Unconfirmed Brigade")["actors"] == []
    assert results(editor_client, "Unconfirmed Brigade")["actors"] == ["Unconfirmed Brigade"]


def test_an_empty_search_shows_the_form_without_querying_records(
    anon_client, django_assert_num_queries
):
    with django_assert_num_queries(2):
        # only the data version and whether a commit is in flight (the page is not cached yet)
        response = anon_client.get(reverse("search"), {"q": "   "})
    assert response.status_code == 200
    assert 'id="search-q"' in response.content.decode()


def test_a_search_that_finds_nothing_says_so(anon_client, idlib_world):
    page = anon_client.get(reverse("search"), {"q": "Atlantis"}).content.decode()
    assert "Nothing found for “Atlantis”" in page


@pytest.mark.parametrize("n", [1, 50])
def test_search_runs_nine_queries_whatever_the_number_of_results(
    anon_client, django_assert_num_queries, n
):
    for i in range(n):
        actor = ActorFactory(name=f"Idlib Brigade {i}")
        ActorNameFactory(actor=actor, name=f"IB{i}")
        event = EventFactory(title=f"Idlib clash {i}", location=LocationFactory(name=f"Idlib {i}"))
        ParticipationFactory(event=event, actor=actor)
        DocumentFactory(title=f"Idlib report {i}")
    with django_assert_num_queries(9):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. actors by name, alias or similarity
        # 2. their other names
        # 3. places by any spelling, with their parent
        # 4. whether the words match few events (counted up to a bound: the query's shape)
        # 5. events by words (type, place, parent place joined)
        # 6. those events' participations with actors
        # 7. documents by words
        response = anon_client.get(reverse("search"), {"q": "Idlib"})
        page = response.content.decode()
    expected = min(n, 20)
    assert len(response.context["actors"]) == expected
    assert len(response.context["events"]) == expected
    assert page.count('<li class="event-row') == expected
