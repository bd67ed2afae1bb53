"""What ACLED's row needs of events, computed by PostgreSQL for a chunk of events at once: the
event's own fields in one query, then, for the columns that ask, a query each for every event
of the chunk (interchange/sql/acled_row.sql): the sides (actor1 and its associates, actor2 and
its, their actor types, the interaction, civilian targeting), the names of the places around
each place, the sources of the evidence, and for contested events who claims what.

Built from model instances, a page of 5,000 rows read about 13 per event (participations and
their actors, claims with their documents, outlets and claimants, the places around), 1.7 s
at a million events. Asked per event, as subqueries, PostgreSQL spent 0.85 s: each event
joined its participations to every actor again. Per chunk, each statement reads its rows
once.

What a user may see is decided where it always is: each statement reads a ``visible`` or
``visible_to`` QuerySet, compiled, and a reader's draft place reads as absent (as
``as_seen_by`` makes it), so a reader's row and a staff download differ as the loaded records
did.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.db.models import Case, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from actors.models import AcledActorType, ActorKind
from core import sql_files
from core.models import Publication, sees_drafts, visible
from events.models import (
    SIDE_1_ROLES,
    SIDE_2_ROLES,
    Event,
    Location,
    LocationKind,
    Participation,
    last_change,
)
from sources.models import Claim, ClaimKind, OutletKind

# The claims whose disagreement makes an event contested (sources/sql/fatality_rule.sql).
CONTESTING_KINDS = (ClaimKind.FATALITIES, ClaimKind.PERPETRATOR, ClaimKind.TARGET)
STATEMENTS = sql_files.statements("interchange", "acled_row.sql")
# A participant ACLED counts as civilians (civilian_targeting): of that kind or that type.
CIVILIANS = Q(actor__kind=ActorKind.CIVILIANS) | Q(actor__acled_type=AcledActorType.CIVILIANS)
# Each kind of claim in words, for the contested note ("target", "perpetrator").
KIND_WORDS = json.dumps({kind.value: kind.label.lower() for kind in ClaimKind})


def staff_or_readers(user: Any, field: str) -> str:
    """An event's figure as ``user`` reads it: staff's count unpublished evidence too."""
    return f"staff_{field}" if sees_drafts(user) else field


def place_seen(user: Any) -> Q:
    """The event has a place ``user`` sees: a reader's draft place reads as absent."""
    if sees_drafts(user):
        return Q(location__isnull=False)
    return Q(location__status=Publication.PUBLISHED)


def where_seen(user: Any, field: str, output_field: models.Field[Any, Any]) -> Case:
    return Case(When(place_seen(user), then=F(field)), default=None, output_field=output_field)


def fatalities(user: Any) -> Coalesce:
    """ACLED's one figure: the lowest the user's evidence gives, 0 where none does (the
    ``event_acled_fatalities`` index holds the readers')."""
    low, best = (staff_or_readers(user, f"fatalities_{end}") for end in ("low", "best"))
    return Coalesce(low, best, Value(0))


def field(name: str) -> Callable[[Any], Any]:
    return lambda user: F(name)


def seen(name: str, output_field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    return lambda user: where_seen(user, name, output_field)


# The event's own parts, by name: read in one query per chunk.
FIELDS: dict[str, Callable[[Any], Any]] = {
    "pk": field("pk"),
    "acled_id": field("acled_id"),
    "start_date": field("start_date"),
    "date_precision": field("date_precision"),
    "geo_precision": field("geo_precision"),
    "summary": field("summary"),
    "last_change": lambda user: last_change(),
    "disorder_type": field("event_type__disorder_type"),
    "event_type": field("event_type__acled_event_type"),
    "sub_event_type": field("event_type__acled_sub_event_type"),
    "place": seen("location_id", models.BigIntegerField()),
    "place_name": seen("location__name", models.CharField()),
    "country_code": seen("location__country_code", models.CharField()),
    "latitude": seen("location__latitude", models.FloatField()),
    "longitude": seen("location__longitude", models.FloatField()),
    "contested": lambda user: F(staff_or_readers(user, "contested")),
    "fatalities": fatalities,
}


def run(statement: str, rows: QuerySet[Any], *before: Any, after: Any = ()) -> list[Any]:
    """``statement`` written around ``rows``, compiled (its values passed apart, with the
    statement's own: ``before`` its text, ``after`` it)."""
    rows_sql, rows_params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            STATEMENTS[statement].replace("{rows}", rows_sql),
            (*before, *rows_params, *after),
        )
        return cursor.fetchall()


def sides(events: list[int], user: Any) -> dict[int, Any]:
    participations = (
        visible(Participation.objects.order_by(), user)
        .filter(event__in=events)
        .values(
            "event_id",
            "role",
            "id",
            who_id=F("actor_id"),
            who=F("actor__name"),
            code=F("actor__acled_type"),
            civilian=ExpressionWrapper(CIVILIANS, output_field=models.BooleanField()),
            side=Case(
                When(role__in=SIDE_1_ROLES, then=1),
                When(role__in=SIDE_2_ROLES, then=2),
                default=3,
            ),
        )
    )
    return dict(run("sides", participations))


def places(places: list[int], user: Any) -> dict[int, Any]:
    """The names around each place: country, admin1, admin2, admin3."""
    around = Location.objects.visible_to(user).order_by().values("id", "name", "kind")
    return {place: names for place, *names in run("places", around, after=(places,))}


def evidence(events: list[int], user: Any) -> dict[int, str]:
    """The sources of each event's evidence."""
    claims = (
        visible(Claim.objects.order_by(), user)
        .filter(event__in=events)
        .values(
            "event_id",
            cited=Case(
                When(document__outlet__kind=OutletKind.DATASET, then=F("document__text")),
                default=F("document__outlet__name"),
                output_field=models.TextField(),
            ),
        )
    )
    return dict(run("evidence", claims))


def claimants(events: list[int], user: Any) -> dict[int, str]:
    """For contested events, who claims what."""
    claims = (
        visible(Claim.objects.order_by(), user)
        .filter(event__in=events, kind__in=CONTESTING_KINDS)
        .values(
            *("event_id", "id", "kind", "stance", "civilians"),
            *("value_low", "value_best", "value_high"),
            # A claim has exactly one claimant (claim_exactly_one_claimant).
            who=Coalesce(
                "claimant_actor__name", "claimant_outlet__name", output_field=models.TextField()
            ),
            named=Coalesce(
                Case(
                    When(value_actor__status=Publication.PUBLISHED, then=F("value_actor__name")),
                    default=F("value_text"),
                    output_field=models.TextField(),
                ),
                Value(""),
                output_field=models.TextField(),
            ),
        )
    )
    return dict(run("claimants", claims, KIND_WORDS))


NO_SIDES = {
    **dict.fromkeys(("actor1", "inter1", "associates1", "actor2", "inter2", "associates2")),
    **{"interaction": None, "civilians": False},
}
# The kinds of place named around an event's, in the order the places statement gives them.
AROUND: list[str] = [
    LocationKind.COUNTRY,
    LocationKind.ADMIN1,
    LocationKind.ADMIN2,
    LocationKind.ADMIN3,
]
NO_PLACES = (None, None, None, None)
# What each computed part needs of the event's own parts.
NEEDS = {
    "sides": ("pk",),
    "places": ("place",),
    "evidence": ("pk",),
    "contested_note": ("pk", "contested"),
}


def computed(ids: Iterable[int], user: Any, parts: Iterable[str]) -> dict[int, dict[str, Any]]:
    """For each of the events ``ids``, the named parts as ``user`` may see them: a query for
    the events' own fields, and one for each of sides, places, evidence and, if any event is
    contested, the contested note."""
    wanted = set(parts)
    own = ["pk", *{need for part in wanted & set(NEEDS) for need in NEEDS[part]}]
    own += sorted(wanted & set(FIELDS) - set(own))
    events = Event.objects.order_by().filter(pk__in=list(ids))
    found = {
        row[0]: dict(zip(own, row, strict=True))
        for row in events.values_list(*(FIELDS[name](user) for name in own))
    }
    keys = list(found)
    if "sides" in wanted:
        of_event = sides(keys, user)
        for pk, row in found.items():
            row["sides"] = of_event.get(pk, NO_SIDES)
    if "places" in wanted:
        seen_places = list({row["place"] for row in found.values() if row["place"] is not None})
        of_place = places(seen_places, user) if seen_places else {}
        for row in found.values():
            row["places"] = of_place.get(row["place"], NO_PLACES)
    if "evidence" in wanted:
        of_event = evidence(keys, user)
        for pk, row in found.items():
            row["evidence"] = of_event.get(pk)
    if "contested_note" in wanted:
        contested = [pk for pk, row in found.items() if row["contested"]]
        said = claimants(contested, user) if contested else {}
        for pk, row in found.items():
            row["contested_note"] = (
                f"[Contested: {said.get(pk, '')}. Fatalities coded as the lowest figure.]"
                if row["contested"]
                else ""
            )
    return found
