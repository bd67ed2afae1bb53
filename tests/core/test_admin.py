"""The admin as the editors' working tool: fast changelists, inlines, duplicate warnings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

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


def build_events(n: int) -> None:
    for _ in range(n):
        ParticipationFactory(event=ClaimFactory().event)


def build_actors(n: int) -> None:
    for _ in range(n):
        ActorNameFactory(actor=ActorFactory())


def build_claims(n: int) -> None:
    for _ in range(n):
        ClaimFactory()


CHANGELISTS = [
    # (changelist, builder, queries). Every changelist: the session, the user, the filtered
    # count and the total count, then the page of rows with each column joined or annotated.
    # Then per page, a constant number of list-filter queries:
    # events: the type vocabulary with parents, the date hierarchy's range and its days, the
    #   countries of places (9);
    # actors: countries (6); claims: outlets (6); places: countries (6);
    # documents: the outlets, the date hierarchy's range and its days (9).
    ("admin:events_event_changelist", build_events, 9),
    ("admin:actors_actor_changelist", build_actors, 6),
    ("admin:sources_claim_changelist", build_claims, 6),
    ("admin:events_location_changelist", lambda n: [LocationFactory() for _ in range(n)], 6),
    ("admin:sources_document_changelist", lambda n: [DocumentFactory() for _ in range(n)], 9),
]


@pytest.mark.parametrize(("name", "build", "queries"), CHANGELISTS)
def test_changelists_run_the_same_queries_for_one_row_or_fifty(
    superuser, client, django_assert_num_queries, name, build, queries
):
    client.force_login(superuser)
    url = reverse(name)
    build(1)
    with django_assert_num_queries(queries):
        one = client.get(url)
    build(49)
    with django_assert_num_queries(queries):
        fifty = client.get(url)
    assert one.status_code == fifty.status_code == 200
    assert fifty.context["cl"].result_count == 50


def test_the_actor_changelist_finds_an_actor_by_a_former_name(superuser, client):
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="Nusra Front", kind="former")
    ActorFactory(name="Free Syrian Army")
    client.force_login(superuser)
    response = client.get(reverse("admin:actors_actor_changelist"), {"q": "nusra"})
    assert [a.name for a in response.context["cl"].result_list] == ["Hay'at Tahrir al-Sham"]


def test_the_event_page_edits_claims_and_participants_inline(superuser, client):
    event = EventFactory()
    ClaimFactory(event=event, quote="killed 13 civilians but no fighters")
    ParticipationFactory(event=event)
    client.force_login(superuser)
    html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'id="claims-group"' in html
    assert 'id="participations-group"' in html
    assert "killed 13 civilians but no fighters" in html


def test_a_new_actor_close_to_an_existing_alias_is_flagged(superuser, client):
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="Tahrir al-Sham", kind="short")
    client.force_login(superuser)
    url = reverse("admin:actors_actor_add")
    form = {
        "name": "Tahrir al Sham",
        "kind": "jihadist_group",
        "country_code": "SY",
        "status": "draft",
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
        "relations_as_subject-TOTAL_FORMS": 0,
        "relations_as_subject-INITIAL_FORMS": 0,
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Possible duplicate of “Hay&#x27;at Tahrir al-Sham”" in response.content.decode()
    response = client.post(url, {**form, "not_a_duplicate": "on"})
    assert response.status_code == 302


def test_a_new_place_close_to_an_alternate_spelling_is_flagged(superuser, client):
    LocationFactory(name="Idlib governorate", kind="admin1", alternate_names=["Idleb"])
    client.force_login(superuser)
    response = client.post(
        reverse("admin:events_location_add"), {"name": "Idleb", "kind": "admin1"}
    )
    assert response.status_code == 200
    assert "Possible duplicate of “Idlib governorate”" in response.content.decode()


def test_an_unrelated_name_is_not_flagged(superuser, client):
    ActorFactory(name="Hay'at Tahrir al-Sham")
    client.force_login(superuser)
    form = {
        "name": "Syrian Observatory for Human Rights",
        "kind": "ngo",
        "status": "draft",
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
        "relations_as_subject-TOTAL_FORMS": 0,
        "relations_as_subject-INITIAL_FORMS": 0,
    }
    assert client.post(reverse("admin:actors_actor_add"), form).status_code == 302


def test_an_actor_renamed_with_its_old_name_entered_as_an_alias_keeps_that_name_once(
    superuser, client
):
    actor = ActorFactory(name="Tahrir al-Sham", kind="jihadist_group", country_code="SY")
    client.force_login(superuser)
    form = {
        "name": "Hay'at Tahrir al-Sham",
        "kind": "jihadist_group",
        "country_code": "SY",
        "status": "draft",
        "names-TOTAL_FORMS": 1,
        "names-INITIAL_FORMS": 0,
        "names-0-name": "Tahrir al-Sham",
        "names-0-kind": "short",
        "relations_as_subject-TOTAL_FORMS": 0,
        "relations_as_subject-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:actors_actor_change", args=[actor.pk]), form)
    assert response.status_code == 302
    connection.check_constraints()  # what the commit runs: the old name is kept at commit

    assert list(actor.names.values_list("name", "kind")) == [("Tahrir al-Sham", "short")]
