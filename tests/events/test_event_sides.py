"""Each event's two sides as readers see them (EventSides), kept by the database whoever writes
participations or actors; ACLED's API filters by them, so they must say what the ACLED rows
say: actor1, actor2, inter1, inter2, interaction and civilian targeting."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from actors.models import AcledActorType, Actor, ActorKind
from core.models import Publication
from events.models import Event, EventSides, Participation, Role
from interchange import acled_sql
from interchange.merging import merge_events, undo_merge
from tests.factories import ActorFactory, EventFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def kept() -> dict[int, dict[str, Any]]:
    return {
        sides.event_id: {
            "actor1": sides.actor1.name if sides.actor1 else None,
            "inter1": sides.actor1.acled_type if sides.actor1 else None,
            "actor2": sides.actor2.name if sides.actor2 else None,
            "inter2": sides.actor2.acled_type if sides.actor2 else None,
            "interaction": sides.interaction,
            "civilians": sides.civilians,
        }
        for sides in EventSides.objects.select_related("actor1", "actor2")
    }


def as_the_rows_say() -> dict[int, dict[str, Any]]:
    """What the ACLED layout writes for readers, for the events with a side readers see."""
    events = list(Event.objects.values_list("pk", flat=True))
    rows = acled_sql.sides(events, AnonymousUser())
    return {
        event: {key: row[key] for key in ("actor1", "inter1", "actor2", "inter2", "interaction")}
        | {"civilians": row["civilians"]}
        for event, row in rows.items()
        if row["actor1"] or row["actor2"] or row["associates1"]
    }


def test_the_kept_sides_follow_every_kind_of_write():
    army = ActorFactory(name="Syrian Arab Army", acled_type=AcledActorType.STATE_FORCES)
    rebels = ActorFactory(name="Jaysh al-Izza", acled_type=AcledActorType.REBEL_GROUPS)
    villagers = ActorFactory(name="Civilians (Syria)", kind=ActorKind.CIVILIANS)
    russia = ActorFactory(name="Russian Air Force", acled_type=AcledActorType.EXTERNAL_OTHER)
    strike, clash, talks = EventFactory(), EventFactory(), EventFactory()
    ParticipationFactory(event=strike, actor=russia, role=Role.PERPETRATOR)
    ParticipationFactory(event=strike, actor=villagers, role=Role.TARGET)
    ParticipationFactory(event=clash, actor=rebels, role=Role.SIDE_B)
    first_on_a = ParticipationFactory(event=clash, actor=army, role=Role.SIDE_A)
    ParticipationFactory(event=clash, actor=russia, role=Role.SUPPORTER)
    ParticipationFactory(event=talks, actor=russia, role=Role.MEDIATOR)  # on neither side
    assert kept() == as_the_rows_say()
    assert kept()[strike.pk] == {
        "actor1": "Russian Air Force",
        "inter1": 8,
        "actor2": "Civilians (Syria)",
        "inter2": None,
        "interaction": 80,
        "civilians": True,
    }
    assert kept()[clash.pk]["interaction"] == 12
    assert kept()[talks.pk]["actor1"] is None  # a row: it has a participant, on no side

    # An actor on both sides counts on side 1; a new side-1 participation placed first by role.
    ParticipationFactory(event=clash, actor=rebels, role=Role.PERPETRATOR)
    assert kept() == as_the_rows_say()
    assert kept()[clash.pk]["actor1"] == "Jaysh al-Izza"
    assert kept()[clash.pk]["actor2"] is None

    # Participations removed (one, then two in one statement); a role changed.
    first_on_a.delete()
    Participation.objects.filter(event=clash, role__in=[Role.PERPETRATOR, Role.SIDE_A]).delete()
    assert kept() == as_the_rows_say()
    assert kept()[clash.pk]["actor1"] is None
    Participation.objects.filter(event=clash, role=Role.SUPPORTER).update(role=Role.HOST)
    assert kept() == as_the_rows_say()
    assert kept()[clash.pk]["actor1"] == "Russian Air Force"

    # An actor unpublished leaves the readers' sides; its type or kind changed, the codes.
    villagers.status = Publication.DRAFT
    villagers.save()
    Actor.objects.filter(pk=russia.pk).update(acled_type=AcledActorType.STATE_FORCES)
    assert kept() == as_the_rows_say()
    assert kept()[strike.pk]["civilians"] is False
    assert kept()[strike.pk]["interaction"] == 10

    # A merge moves the absorbed event's participations; undone, they move back.
    merge = merge_events(strike, clash)
    assert kept() == as_the_rows_say()
    assert clash.pk not in kept()
    undo_merge(merge)
    assert kept() == as_the_rows_say()
    assert clash.pk in kept()

    Participation.objects.filter(event=talks).delete()
    assert talks.pk not in kept()
    assert kept() == as_the_rows_say()
