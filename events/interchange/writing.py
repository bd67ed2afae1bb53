"""Writing events as ACLED and UCDP GED CSV, filtered like the timeline.

The ACLED layout is the API's (``events.api.ACLED_COLUMNS`` and ``acled_row``): one mapping
for the API's CSV and for ``export_acled``. UCDP GED's is defined here, as the inverse of
``reading.parse_ucdp``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any, TextIO

from django.db.models import QuerySet

from actors.models import AcledActorType
from conflictkb.api.base import visible
from conflictkb.spreadsheets import csv_writer
from events.api import ACLED_COLUMNS, acled_row, located_chunks
from events.filters import EventFilter
from events.interchange.reading import UCDP_COLUMNS
from events.models import Event, LocationKind, Participation, Sides, group_by_event
from sources.models import Claim, ClaimKind, OutletKind

BATCH = 500
SOURCE = ACLED_COLUMNS.index("source")
NOTES = ACLED_COLUMNS.index("notes")
DEATHS = re.compile(r"side A (\d+) · side B (\d+) · civilians (\d+) · unknown (\d+)")


# What the two layouts write (acled_row, ucdp_row), and no more. Whole records, with their
# search vectors, timestamps and the claims' subjects and claimants the API shows, made an
# export of 100,000 events take 43 s, twice an import's time.
EVENT_FIELDS = [
    *("uuid", "acled_id", "ucdp_id", "title", "summary", "start_date", "end_date"),
    *("date_precision", "geo_precision", "fatalities_low", "fatalities_best", "fatalities_high"),
    *("contested", "source_count", "updated_at"),
    *("staff_fatalities_low", "staff_fatalities_best", "staff_fatalities_high"),
    *("staff_contested", "staff_source_count", "location__status"),
    *("event_type__slug", "event_type__disorder_type", "event_type__acled_event_type"),
    *("event_type__acled_sub_event_type", "event_type__parent__slug"),
    *("location__name", "location__kind", "location__path", "location__country_code"),
    *("location__latitude", "location__longitude"),
]
PARTICIPATION_FIELDS = ["event", "role", "actor__name", "actor__kind", "actor__acled_type"]
CLAIM_FIELDS = [
    *("event", "kind", "value_text", "civilians", "combatants"),
    *("document__title", "document__text", "document__published_on"),
    *("document__outlet__kind", "document__outlet__name"),
]


class FilterError(ValueError):
    pass


def filtered_events(filters: dict[str, Any], *, with_drafts: bool) -> QuerySet[Event]:
    """Events chosen by the timeline's own FilterSet, from command-line style options."""
    user = SimpleNamespace(is_staff=with_drafts, is_authenticated=with_drafts)
    data = {name: value for name, value in filters.items() if value not in (None, "")}
    events = Event.objects.visible_to(user)
    event_filter = EventFilter(data=data, queryset=events, request=SimpleNamespace(user=user))
    if not event_filter.is_valid():
        raise FilterError(
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in event_filter.errors.items()
            )
        )
    return event_filter.qs.order_by("start_date", "pk")


def in_batches(
    events: QuerySet[Event], user: Any
) -> Iterator[tuple[Event, list[Participation], list[Claim]]]:
    """Each event with its participations and claims, read per batch: 3 queries per batch.

    Not ``prefetch_related``, which builds a queryset per event to hold its rows (most of an
    export's time at scale). The orderings are the models' own, so actors keep their order.
    """
    events = (
        events.select_related("event_type__parent", "location").only(*EVENT_FIELDS).as_seen_by(user)  # type: ignore[attr-defined]
    )
    participations = visible(
        Participation.objects.select_related("actor").only(*PARTICIPATION_FIELDS), user
    )
    claims = visible(
        Claim.objects.select_related("document__outlet").only(*CLAIM_FIELDS), user
    ).order_by("pk")
    for chunk in located_chunks(events, user, BATCH):
        ids = [event.pk for event in chunk]
        parts_of = group_by_event((p.event_id, p) for p in participations.filter(event__in=ids))
        claims_of = group_by_event((c.event_id, c) for c in claims.filter(event__in=ids))
        for event in chunk:
            yield event, parts_of[event.pk], claims_of[event.pk]


def sources(claims: Iterable[Claim]) -> str:
    """A dataset is a compiler, not a source: for its claims, give the source text it cites
    (kept verbatim as the document's text)."""
    names = {
        claim.document.text
        if claim.document.outlet.kind == OutletKind.DATASET
        else claim.document.outlet.name
        for claim in claims
    }
    return "; ".join(sorted(name for name in names if name))


def write_acled(out: TextIO, events: QuerySet[Event], *, user: Any) -> int:
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    count = 0
    for event, participations, claims in in_batches(events, user):
        row = acled_row(event, participations, [])
        row[SOURCE] = sources(claims)
        # The API falls back to the title for readers; a file meant to be imported again
        # keeps notes as they were (the importer derives titles itself).
        row[NOTES] = event.summary
        writer.writerow(row)
        count += 1
    return count


def dataset_claim(claims: list[Claim]) -> Claim | None:
    fatalities = [c for c in claims if c.kind == ClaimKind.FATALITIES]
    datasets = [c for c in fatalities if c.document.outlet.kind == OutletKind.DATASET]
    return next(iter(datasets or fatalities), None)


def ucdp_row(event: Event, participations: list[Participation], claims: list[Claim]) -> list[Any]:
    sides = Sides.of(participations)
    side_a, side_b = sides.side_1, sides.side_2
    top = event.event_type.parent or event.event_type
    if top.slug == "violence-against-civilians":
        violence = 3
    elif side_a and side_a[0].acled_type == AcledActorType.STATE_FORCES:
        violence = 1
    else:
        violence = 2
    place = event.location
    by_kind = {a.kind: a for a in getattr(place, "api_ancestors", [])} if place else {}
    if place is not None:
        by_kind.setdefault(place.kind, place)
    claim = dataset_claim(claims)
    low, best, high = event.fatality_range()
    best = best if best is not None else 0
    low = low if low is not None else best
    high = high if high is not None else best
    split = DEATHS.fullmatch(claim.value_text) if claim else None
    if split:
        deaths = [int(n) for n in split.groups()]
    else:
        civilians = (claim.civilians if claim else None) or 0
        combatants = (claim.combatants if claim else None) or 0
        deaths = [combatants, 0, civilians, max(best - civilians - combatants, 0)]
    article = claim.document.text if claim else ""
    headline = claim.document.title if claim and claim.document.title != article[:400] else ""
    names_a = "; ".join(a.name for a in side_a)
    names_b = "; ".join(a.name for a in side_b)
    values = {
        "id": event.ucdp_id or str(event.uuid),
        "year": event.start_date.year,
        "type_of_violence": violence,
        "dyad_name": f"{names_a} - {names_b}",
        "side_a": names_a,
        "side_b": names_b,
        "number_of_sources": event.source_count,
        "source_article": article,
        "source_date": claim.document.published_on.isoformat()
        if claim and claim.document.published_on
        else "",
        "source_headline": headline,
        "where_prec": event.geo_precision,
        "where_coordinates": place.name if place else "",
        "adm_1": by_kind[LocationKind.ADMIN1].name if LocationKind.ADMIN1 in by_kind else "",
        "adm_2": by_kind[LocationKind.ADMIN2].name if LocationKind.ADMIN2 in by_kind else "",
        "latitude": "" if place is None or place.latitude is None else place.latitude,
        "longitude": "" if place is None or place.longitude is None else place.longitude,
        "country": by_kind[LocationKind.COUNTRY].name if LocationKind.COUNTRY in by_kind else "",
        "date_prec": event.date_precision,
        "date_start": event.start_date.isoformat(),
        "date_end": (event.end_date or event.start_date).isoformat(),
        "deaths_a": deaths[0],
        "deaths_b": deaths[1],
        "deaths_civilians": deaths[2],
        "deaths_unknown": deaths[3],
        "best": best,
        "high": high,
        "low": low,
    }
    return [values.get(column, "") for column in UCDP_COLUMNS]


def write_ucdp(out: TextIO, events: QuerySet[Event], *, user: Any) -> int:
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(UCDP_COLUMNS)
    count = 0
    for event, participations, claims in in_batches(events, user):
        writer.writerow(ucdp_row(event, participations, claims))
        count += 1
    return count
