"""A claimant is a party to an event when it, or the body it belongs to, took part."""

from __future__ import annotations

import datetime

import pytest

from sources.models import Claim
from tests.factories import (
    ActorFactory,
    ActorRelationFactory,
    ClaimFactory,
    EventFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def strike():
    """Russian forces (part of Russia) strike; the event is on 4 September 2018."""
    russia = ActorFactory(name="Russia", kind="state")
    forces = ActorFactory(name="Military Forces of Russia", kind="state_forces")
    ActorRelationFactory(subject=forces, kind="part_of", object=russia)
    event = EventFactory(start_date=datetime.date(2018, 9, 4))
    ParticipationFactory(event=event, actor=forces, role="perpetrator")
    return event, russia, forces


def is_party(claim: Claim) -> bool:
    return Claim.objects.with_party_flag().get(pk=claim.pk).claimant_is_party


def test_a_participant_is_a_party(strike):
    event, _, forces = strike
    assert is_party(ClaimFactory(event=event, claimant_actor=forces))


def test_the_body_a_participant_belongs_to_is_a_party(strike):
    event, russia, _ = strike
    assert is_party(ClaimFactory(event=event, claimant_actor=russia))


def test_another_part_of_the_same_body_is_a_party(strike):
    event, russia, _ = strike
    ministry = ActorFactory(name="Ministry of Defence of Russia", kind="government_body")
    ActorRelationFactory(subject=ministry, kind="part_of", object=russia)
    assert is_party(ClaimFactory(event=event, claimant_actor=ministry))


def test_an_outlet_speaking_for_a_participant_is_a_party(strike):
    event, russia, _ = strike
    outlet = OutletFactory(name="Russian Defence Ministry press office", affiliated_actor=russia)
    assert is_party(ClaimFactory(event=event, claimant_actor=None, claimant_outlet=outlet))


def test_a_membership_that_ended_before_the_event_does_not_count(strike):
    event, russia, _ = strike
    former = ActorFactory(name="Former unit")
    ActorRelationFactory(
        subject=former, kind="member_of", object=russia, valid_to=datetime.date(2017, 1, 1)
    )
    assert not is_party(ClaimFactory(event=event, claimant_actor=former))


def test_a_monitor_is_not_a_party(strike):
    event, _, _ = strike
    assert not is_party(ClaimFactory(event=event, claimant_actor=ActorFactory(kind="ngo")))


def test_the_event_page_and_the_api_flag_the_same_claimants(idlib, client):
    strikes = Claim.objects.filter(event__title="Russian airstrikes on Idlib").with_party_flag()
    flagged = {str(c.claimant) for c in strikes if c.claimant_is_party}
    assert flagged == {"Ministry of Defence of Russia"}
    event = strikes[0].event
    page = client.get(event.get_absolute_url()).content.decode()
    assert page.count('class="badge badge--party"') == 2  # the ministry's two claims
    api = client.get(f"/api/v1/events/{event.uuid}/").json()
    assert {c["claimant"]["name"] for c in api["claims"] if c["claimant_is_party"]} == flagged
