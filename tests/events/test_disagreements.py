"""The contested banner's reasons follow the database's contested flag, claim for claim.

``contested_because`` names the disagreements among the claims a user sees; the database sets
``contested`` (readers) and ``staff_contested`` from the same claims by the same rule. For
every case here both are asked, for readers and for staff: a reason is given exactly when
the flag is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.models import Publication
from events.disagreements import contested_because
from events.models import Event
from sources.models import Claim
from tests.factories import (
    STAFF_READER,
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    as_staff_see_it,
)

pytestmark = pytest.mark.django_db

DRAFT = Publication.DRAFT


def names(kind: str, *actors: Any, **extra: Any) -> Callable[[Event], None]:
    def make(event: Event) -> None:
        for actor in actors:
            ClaimFactory(event=event, kind=kind, value_best=None, value_actor=actor, **extra)

    return make


def figures(*values: tuple[int | None, int | None, int | None], **extra: Any):
    def make(event: Event) -> None:
        for low, best, high in values:
            ClaimFactory(event=event, value_low=low, value_best=best, value_high=high, **extra)

    return make


CASES: dict[str, tuple[Callable[[Event], None], list[str]]] = {
    "one figure": (figures((None, 13, None)), []),
    "the same figure twice, one written as a range of one": (
        figures((None, 13, None), (13, 13, 13)),
        [],
    ),
    "two figures": (figures((None, 13, None), (None, 16, None)), ["figures differ"]),
    "a range and a point": (figures((9, None, 13), (None, 13, None)), ["figures differ"]),
    "a denial": (
        lambda e: ClaimFactory(
            event=e,
            kind="perpetrator",
            value_best=None,
            stance="denies",
            value_actor=ActorFactory(),
        ),
        ["denied"],
    ),
    "two perpetrators": (
        lambda e: names("perpetrator", ActorFactory(), ActorFactory())(e),
        ["perpetrators differ"],
    ),
    "one target named twice": (
        lambda e: names("target", *[ActorFactory()] * 2)(e),
        [],
    ),
    "two targets, one a draft actor": (
        lambda e: names("target", ActorFactory(), ActorFactory(status=DRAFT))(e),
        ["targets differ"],
    ),
    "a second figure deprecated": (
        lambda e: (
            figures((None, 13, None))(e),
            figures((None, 16, None), status="deprecated", deprecation_reason="Misread.")(e),
        ),
        [],
    ),
    "a second figure in a draft document": (
        lambda e: (
            figures((None, 13, None))(e),
            figures((None, 16, None), document=DocumentFactory(status=DRAFT))(e),
        ),
        [],  # for readers; staff see it contested
    ),
    "a second figure needing work": (
        lambda e: (figures((None, 13, None))(e), figures((None, 16, None), status="needs_work")(e)),
        [],
    ),
}


def kind_of(reason: str) -> str:
    """ "figures differ" of "figures differ: …", "denied" of "denied by …"."""
    return reason.split(":")[0].split(" by ")[0]


def visible_claims(event: Event, user: Any) -> list[Claim]:
    return list(Claim.objects.visible_to(user).cited_for(user).filter(event=event))


@pytest.mark.parametrize("case", CASES)
def test_the_reasons_given_match_the_databases_flag_for_readers_and_staff(case):
    make, expected = CASES[case]
    event = EventFactory()
    make(event)
    event.refresh_from_db()

    readers_reasons = contested_because(visible_claims(event, None))
    assert [kind_of(reason) for reason in readers_reasons] == expected
    assert bool(readers_reasons) is event.contested

    staff_view = as_staff_see_it(event)
    assert bool(contested_because(visible_claims(event, STAFF_READER))) is staff_view.contested


def test_a_reason_names_each_claimant_and_what_it_says():
    event = EventFactory()
    sohr, defence = ActorFactory(name="SOHR"), ActorFactory(name="Civil Defence")
    ClaimFactory(event=event, claimant_actor=sohr, value_best=13)
    ClaimFactory(event=event, claimant_actor=defence, value_low=13, value_best=None, value_high=16)
    ClaimFactory(event=event, claimant_actor=ActorFactory(name="Reuters"), value_best=13)
    ClaimFactory(
        event=event,
        claimant_actor=defence,
        kind="perpetrator",
        value_best=None,
        value_actor=ActorFactory(name="Russia"),
        stance="denies",
    )
    assert contested_because(visible_claims(event, None)) == [
        "denied by Civil Defence",
        "figures differ: SOHR and Reuters 13, Civil Defence 13–16",
    ]
