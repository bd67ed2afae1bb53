"""Readers' figures rest on the claims readers can open; staff's on every claim not deprecated.

The published 13-killed event gains a second fatality claim (16) that readers cannot open for
one reason or another: readers' figures, counts and contested flag stay where they were, staff's
move. Publishing what was missing moves the readers' too, whichever path wrote it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from actors.models import Actor
from core.models import Publication
from events.models import Event
from sources.models import Claim, ClaimStatus, Document, Outlet
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    DocumentRelayFactory,
    EventFactory,
    OutletFactory,
    as_staff_see_it,
)

pytestmark = pytest.mark.django_db

DRAFT = Publication.DRAFT
# (low, best, high, contested, claims, independent sources)
ONE_CLAIM = (13, 13, 13, False, 1, 1)
TWO_CLAIMS = (13, 13, 16, True, 2, 2)


def readers(event: Event) -> tuple:
    event.refresh_from_db()
    return (
        event.fatalities_low,
        event.fatalities_best,
        event.fatalities_high,
        event.contested,
        event.claim_count,
        event.source_count,
    )


def staff(event: Event) -> tuple:
    event.refresh_from_db()
    return (
        event.staff_fatalities_low,
        event.staff_fatalities_best,
        event.staff_fatalities_high,
        event.staff_contested,
        event.staff_claim_count,
        event.staff_source_count,
    )


@pytest.fixture
def strikes() -> Event:
    """A published event with one public fatality claim: 13 killed."""
    event = EventFactory(status=Publication.PUBLISHED)
    ClaimFactory(event=event, value_best=13, credibility=2)
    return event


def unpublished_document(event: Event) -> Claim:
    return ClaimFactory(event=event, value_best=16, document=DocumentFactory(status=DRAFT))


def unpublished_outlet(event: Event) -> Claim:
    document = DocumentFactory(outlet=OutletFactory(status=DRAFT))
    return ClaimFactory(event=event, value_best=16, document=document)


def unpublished_claimant_actor(event: Event) -> Claim:
    return ClaimFactory(event=event, value_best=16, claimant_actor=ActorFactory(status=DRAFT))


def unpublished_claimant_outlet(event: Event) -> Claim:
    return ClaimFactory(
        event=event,
        value_best=16,
        claimant_actor=None,
        claimant_outlet=OutletFactory(status=DRAFT),
    )


def needing_work(event: Event) -> Claim:
    return ClaimFactory(event=event, value_best=16, status=ClaimStatus.NEEDS_WORK)


def publish_document(claim: Claim) -> None:
    Document.objects.filter(pk=claim.document_id).update(status=Publication.PUBLISHED)


def publish_outlet(claim: Claim) -> None:
    Outlet.objects.filter(pk=claim.document.outlet_id).update(status=Publication.PUBLISHED)


def publish_claimant_actor(claim: Claim) -> None:
    Actor.objects.filter(claims_made=claim).update(status=Publication.PUBLISHED)


def publish_claimant_outlet(claim: Claim) -> None:
    Outlet.objects.filter(claims_made=claim).update(status=Publication.PUBLISHED)


def accept(claim: Claim) -> None:
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.ACCEPTED)


# A claim needing work is not accepted: staff's range leaves it out, but it contests.
NOT_YET_ACCEPTED = (13, 13, 13, True, 2, 2)
HIDDEN_CLAIMS: list[tuple[str, Callable[[Event], Claim], Callable[[Claim], None], tuple]] = [
    ("draft document", unpublished_document, publish_document, TWO_CLAIMS),
    ("draft outlet of the document", unpublished_outlet, publish_outlet, TWO_CLAIMS),
    ("draft claimant actor", unpublished_claimant_actor, publish_claimant_actor, TWO_CLAIMS),
    ("draft claimant outlet", unpublished_claimant_outlet, publish_claimant_outlet, TWO_CLAIMS),
    ("claim needing work", needing_work, accept, NOT_YET_ACCEPTED),
]


@pytest.mark.parametrize(
    ("make_hidden", "reveal", "staff_before"),
    [case[1:] for case in HIDDEN_CLAIMS],
    ids=[case[0] for case in HIDDEN_CLAIMS],
)
def test_a_claim_readers_cannot_open_moves_staff_figures_only_until_it_is_published(
    strikes, make_hidden, reveal, staff_before
):
    hidden = make_hidden(strikes)
    hidden.refresh_from_db()
    assert hidden.is_public is False
    assert readers(strikes) == ONE_CLAIM
    assert staff(strikes) == staff_before
    assert as_staff_see_it(strikes).readers_see_other_figures

    reveal(hidden)

    hidden.refresh_from_db()
    assert hidden.is_public is True
    assert readers(strikes) == TWO_CLAIMS
    assert staff(strikes) == TWO_CLAIMS
    assert not as_staff_see_it(strikes).readers_see_other_figures


def test_unpublishing_a_document_by_queryset_update_takes_its_claims_out_of_readers_figures(
    strikes,
):
    second = ClaimFactory(event=strikes, value_best=16)
    assert readers(strikes) == TWO_CLAIMS
    Document.objects.filter(pk=second.document_id).update(status=DRAFT)
    assert readers(strikes) == ONE_CLAIM
    assert staff(strikes) == TWO_CLAIMS


def test_unpublishing_an_outlet_in_raw_sql_takes_its_claims_out_of_readers_figures(strikes):
    second = ClaimFactory(event=strikes, value_best=16)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sources_outlet SET status = 'draft' WHERE id = %s",
            [second.document.outlet_id],
        )
    assert readers(strikes) == ONE_CLAIM
    assert staff(strikes) == TWO_CLAIMS


def test_unpublishing_a_claimant_in_raw_sql_takes_its_claims_out_of_readers_figures(strikes):
    second = ClaimFactory(event=strikes, value_best=16)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actors_actor SET status = 'draft' WHERE id = %s", [second.claimant_actor_id]
        )
    assert readers(strikes) == ONE_CLAIM


def test_a_statement_cannot_declare_a_hidden_claim_public(strikes):
    hidden = unpublished_document(strikes)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sources_claim SET is_public = true WHERE id = %s", [hidden.pk])
        cursor.execute(
            "INSERT INTO sources_claim (uuid, created_at, updated_at, event_id, kind,"
            " claimant_actor_id, document_id, locator, quote, value_best, value_text, stance,"
            " credibility, status, deprecation_reason, is_preferred, note, is_public)"
            " SELECT gen_random_uuid(), now(), now(), event_id, kind, claimant_actor_id,"
            " document_id, '', 'forged', 500, '', 'asserts', 1, 'accepted', '', false, '', true"
            " FROM sources_claim WHERE id = %s",
            [hidden.pk],
        )
    assert list(Claim.objects.filter(event=strikes, is_public=True).values_list("value_best")) == [
        (13,)
    ]
    assert readers(strikes) == ONE_CLAIM


def test_a_relayed_outlet_counts_as_a_readers_source_once_published(strikes):
    wire = OutletFactory(status=DRAFT)
    second = ClaimFactory(event=strikes, value_best=13)
    DocumentRelayFactory(document=second.document, outlet=wire)
    relayed_too = ClaimFactory(event=strikes, value_best=13)
    DocumentRelayFactory(document=relayed_too.document, outlet=wire)
    # Staff: the first document's outlet, and the wire the other two relay.
    assert staff(strikes)[5] == 2
    # Readers: the wire is not theirs to see, so each document stands for its own outlet.
    assert readers(strikes)[5] == 3
    Outlet.objects.filter(pk=wire.pk).update(status=Publication.PUBLISHED)
    assert readers(strikes)[5] == 2


def test_a_change_readers_cannot_see_leaves_the_events_last_change_alone(strikes):
    strikes.refresh_from_db()
    before = strikes.updated_at
    unpublished_document(strikes)
    strikes.refresh_from_db()
    assert strikes.staff_claim_count == 2
    assert strikes.updated_at == before


def test_a_claim_knows_at_once_whether_readers_can_open_it(strikes):
    """The flag comes back from the INSERT: no reload needed to show it to an editor."""
    hidden = unpublished_document(strikes)
    shown = ClaimFactory(event=strikes)
    assert (hidden.is_public, shown.is_public) == (False, True)


def test_saving_an_event_loaded_before_a_claim_changed_keeps_the_new_figures(strikes):
    """An editor's copy of the event (or a staff page's, which shows staff's figures in the
    readers' attributes) never writes figures, or when its evidence changed, back: the
    database keeps them."""
    stale = Event.objects.get(pk=strikes.pk)
    as_staff = as_staff_see_it(strikes)
    newest = ClaimFactory(event=strikes, value_best=16)
    unpublished_document(strikes)

    stale.title = "Renamed"
    stale.save()
    as_staff.save()

    assert readers(strikes) == TWO_CLAIMS
    assert staff(strikes)[4] == 3
    # When the evidence readers can open last changed (ACLED's timestamp): the new claim's.
    newest.refresh_from_db()
    changed = Event.objects.values_list("evidence_changed_at", flat=True).get(pk=strikes.pk)
    assert changed == newest.updated_at
