"""The actor page: names and relations over time, events by role, claims made."""

from __future__ import annotations

import datetime

import pytest

from actors.models import NameKind, RelationKind
from core.models import Publication
from events.models import Role
from sources.models import ClaimKind
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    ActorRelationFactory,
    ClaimFactory,
    EventFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def hts():
    actor = ActorFactory(name="Hay'at Tahrir al-Sham", kind="jihadist_group")
    ActorNameFactory(
        actor=actor,
        name="Nusra Front",
        kind=NameKind.FORMER,
        valid_to=datetime.date(2016, 7, 28),
    )
    ActorNameFactory(
        actor=actor,
        name="Jabhat Fateh al-Sham",
        kind=NameKind.FORMER,
        valid_from=datetime.date(2016, 7, 28),
        valid_to=datetime.date(2017, 1, 28),
    )
    ActorNameFactory(
        actor=actor, name="HTS", kind=NameKind.ABBREVIATION, valid_from=datetime.date(2017, 1, 28)
    )
    return actor


def test_actor_page_shows_its_names_in_order_with_their_periods(anon_client, hts):
    page = body(anon_client.get(hts.get_absolute_url()))
    assert page.index("Nusra Front") < page.index("Jabhat Fateh al-Sham") < page.index(">HTS<")
    assert "former name" in page
    assert "from 28 Jul 2016 until 28 Jan 2017" in page


def test_actor_page_reads_relations_from_both_sides(anon_client, hts):
    turkey = ActorFactory(name="Turkey", kind="state")
    fsa = ActorFactory(name="Free Syrian Army")
    ActorRelationFactory(subject=turkey, kind=RelationKind.DESIGNATES_TERRORIST, object=hts)
    ActorRelationFactory(
        subject=hts,
        kind=RelationKind.ALLIED_WITH,
        object=fsa,
        valid_from=datetime.date(2018, 9, 5),
    )
    page = body(anon_client.get(hts.get_absolute_url()))
    assert "designated as terrorist by <a" in page
    assert "Turkey</a>" in page
    assert "allied with <a" in page
    assert "from 5 Sep 2018" in page


def test_actor_page_hides_relations_with_draft_actors(anon_client, hts):
    secret = ActorFactory(name="Unconfirmed backer", status=Publication.DRAFT)
    ActorRelationFactory(subject=secret, kind=RelationKind.BACKS, object=hts)
    assert "Unconfirmed backer" not in body(anon_client.get(hts.get_absolute_url()))


def test_actor_page_lists_its_events_by_role(anon_client, hts):
    ParticipationFactory(actor=hts, role=Role.SIDE_B, event=EventFactory(title="Offensive"))
    ParticipationFactory(actor=hts, role=Role.ATTENDEE, event=EventFactory(title="Talks"))
    ParticipationFactory(
        actor=hts, event=EventFactory(title="Draft raid", status=Publication.DRAFT)
    )
    page = body(anon_client.get(hts.get_absolute_url()))
    assert page.index("Side B <span") < page.index("Offensive</a>")
    assert page.index("Attendee <span") < page.index("Talks</a>")
    assert "Draft raid" not in page


def test_actor_page_lists_the_claims_it_made(anon_client, hts):
    ClaimFactory(
        claimant_actor=hts,
        kind=ClaimKind.STATEMENT,
        value_best=None,
        quote="We have set aside our disputes.",
        event=EventFactory(title="Truce"),
    )
    page = body(anon_client.get(hts.get_absolute_url()))
    assert "We have set aside our disputes." in page
    assert "About <a" in page
    assert "Truce</a>" in page


def test_a_draft_actor_is_not_found_by_anonymous_visitors(anon_client, editor_client):
    draft = ActorFactory(status=Publication.DRAFT)
    assert anon_client.get(draft.get_absolute_url()).status_code == 404
    assert 'badge--draft">Draft' in body(editor_client.get(draft.get_absolute_url()))


@pytest.mark.parametrize("n", [1, 50])
def test_actor_page_runs_ten_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, hts, n
):
    for _ in range(n):
        event = EventFactory()
        ParticipationFactory(actor=hts, event=event)
        ClaimFactory(claimant_actor=hts, event=event)
        ActorRelationFactory(subject=hts, kind=RelationKind.OPPOSES)
        ActorRelationFactory(object=hts, kind=RelationKind.BACKS)
        ClaimFactory(event=None, actor=hts, kind="designation", value_best=None)
        ClaimFactory(event=EventFactory(), kind="target", value_best=None, value_actor=hts)
    with django_assert_num_queries(10):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. the actor
        # 2. its names
        # 3. its relations as subject, with the other actor
        # 4. its relations as object, with the other actor
        # 5. its participations with event, event type and place
        # 6. the claims it made, with subject, document and outlet
        # 7. the claims naming it (as target, perpetrator…), with event and claimant
        # 8. the claims about it or its relations, likewise
        page = body(anon_client.get(hts.get_absolute_url()))
    assert page.count('<li><time datetime="2018-09-04">') == 2 * n
