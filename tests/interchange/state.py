"""What an import must reproduce exactly, read from the database; and a way to empty it."""

from __future__ import annotations

from typing import Any

from django.db import connection

from actors.models import Actor
from events.models import Event, Location
from sources.models import Claim


def place_path(place: Location | None) -> list[tuple[Any, ...]]:
    if place is None:
        return []
    ancestors = {p.pk: p for p in Location.objects.filter(pk__in=place.ancestor_ids)}
    chain = [ancestors[pk] for pk in place.ancestor_ids] + [place]
    return [(p.name, p.kind, p.latitude, p.longitude, p.country_code) for p in chain]


def kb_state() -> list[tuple[Any, ...]]:
    """Events with their type, dates, precisions, place path, actors and fatalities."""
    state = []
    for event in Event.objects.select_related("event_type", "location").order_by(
        "acled_id", "ucdp_id"
    ):
        state.append(
            (
                event.acled_id,
                event.ucdp_id,
                event.title,
                event.summary,
                event.event_type.slug,
                event.start_date,
                event.end_date,
                event.date_precision,
                event.geo_precision,
                place_path(event.location),
                sorted(
                    (p.actor.name, p.role, p.actor.acled_type, p.actor.kind)
                    for p in event.participations.select_related("actor")
                ),
                event.fatality_range(),
                sorted(
                    (
                        c.claimant_outlet.name if c.claimant_outlet else "",
                        c.value_low,
                        c.value_best,
                        c.value_high,
                        c.civilians,
                        c.combatants,
                        c.value_text,
                        c.document.title,
                        c.document.text,
                        c.quote,
                    )
                    for c in Claim.objects.filter(event=event).select_related(
                        "document", "claimant_outlet"
                    )
                ),
            )
        )
    return state


def kb_wipe() -> None:
    """Delete every event, claim, document, actor and place (a fresh database for the round trip)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM sources_claim; DELETE FROM sources_document; "
            "DELETE FROM events_participation; DELETE FROM events_event; "
            "DELETE FROM actors_actorname; DELETE FROM actors_actor; "
            "DELETE FROM events_location;"
        )
    assert not Event.objects.exists()
    assert not Actor.objects.exists()
