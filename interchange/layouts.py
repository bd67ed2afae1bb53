"""The outside layouts, each defined once, as data: ConflictKB CSV, ACLED CSV, UCDP GED CSV and
GeoJSON's properties for an event, and the claims layout (CSV and JSON Lines) for the evidence.

A layout is its columns, in order, each with how it is read: from an :class:`EventRecord` (an
event with its participants, the claims the reader may see and the places around it) or, for
``CLAIMS``, from a claim; or, a :class:`Computed` column, from what PostgreSQL computed for the
event (``interchange.acled_sql``: ACLED's columns, which ConflictKB's layout shares). The
timeline's downloads, the API (``?format=csv&layout=…``, ``?format=geojson``, the claims'
``?format=csv|jsonl``), ACLED's API, ``export_acled`` and ``export_ucdp`` all write through
them; the importers read the columns of the same definitions. So one event gives the same
values in every download of one layout, and a column two layouts share (ACLED's in
ConflictKB's own) gives the same value in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from actors.models import AcledActorType
from core.models import visible
from events.countries import ALPHA3_OF_ALPHA2, NUMERIC_OF_ALPHA2
from events.models import (
    DatePrecision,
    Event,
    GeoPrecision,
    LocationKind,
    Participation,
    Sides,
    attach_ancestors,
    group_by_event,
)
from events.templatetags.conflictkb import date_span_label
from interchange import acled_sql
from interchange.acled_regions import region_name
from interchange.ucdp_countries import gw_number, ucdp_region
from sources.models import Claim, ClaimKind, OutletKind

# An event ACLED has not coded is written with an id of its own: its country's ISO alpha-3
# code (ACLED's prefix; "XXX" for an event with no place), "CKB" and ConflictKB's number for
# the event. ACLED's ids are three letters then digits, so none can ever equal one of them.
OWN_ACLED_ID = re.compile(r"(?P<country>[A-Z]{3})CKB(?P<number>[0-9]{1,18})")
# Every text that is part of some own id (a fullmatch, upper case): inside the letters, from
# them into "CKB" and the number, from inside "CKB", or inside the number.
PART_OF_OWN_ACLED_ID = re.compile(r"[A-Z]{0,3}(?:CKB[0-9]*|CK|C)?|KB[0-9]*|K|B[0-9]*|[0-9]+")
# How ConflictKB writes a dataset's split of the dead (UCDP's four columns) in a claim's text
# (the importer writes it, the UCDP layout reads it back).
DEATHS_TEXT = "side A {a} · side B {b} · civilians {c} · unknown {u}"
DEATHS = re.compile(DEATHS_TEXT.format(a=r"(\d+)", b=r"(\d+)", c=r"(\d+)", u=r"(\d+)"))
# What the layouts read of a participation and a claim (an export reads those of 100,000
# events).
PARTICIPATION_FIELDS = [
    *("event", "role", "actor__name", "actor__kind", "actor__acled_type", "actor__status")
]
CLAIM_FIELDS = [
    *("event", "kind", "stance", "value_text", "civilians", "combatants", "updated_at"),
    *("value_low", "value_best", "value_high", "value_actor__name", "value_actor__status"),
    *("claimant_actor__name", "claimant_outlet__name"),
    *("document__title", "document__text", "document__published_on"),
    *("document__outlet__kind", "document__outlet__name"),
]
CLAIM_RELATIONS = ("document__outlet", "claimant_actor", "claimant_outlet", "value_actor")


@dataclass
class EventRecord:
    """An event as the layouts read it (``event.location.api_ancestors`` attached)."""

    event: Event
    participations: list[Participation]
    claims: list[Claim] = field(default_factory=list)
    # The event's page, as the request that downloads it addresses the site (page_urls).
    page_url_of: Callable[[Event], str | None] | None = None
    # What PostgreSQL computed for the layout's columns (interchange.acled_sql), by part.
    computed: dict[str, Any] = field(default_factory=dict)

    @property
    def page_url(self) -> str | None:
        return self.page_url_of(self.event) if self.page_url_of else None

    @cached_property
    def sides(self) -> Sides:
        return Sides.of(self.participations)

    @cached_property
    def around(self) -> dict[str, Any]:
        """The place and the places around it, by kind (an event in a region names the
        region)."""
        place = self.event.location
        if place is None:
            return {}
        by_kind = {ancestor.kind: ancestor for ancestor in getattr(place, "api_ancestors", [])}
        by_kind.setdefault(place.kind, place)
        return by_kind

    @property
    def country_code(self) -> str | None:
        return self.event.location.country_code if self.event.location else None

    def around_name(self, kind: str) -> str:
        place = self.around.get(kind)
        return place.name if place is not None else ""

    def coordinate(self, name: str) -> Any:
        value = getattr(self.event.location, name, None)
        return "" if value is None else value

    @cached_property
    def dataset_claim(self) -> Claim | None:
        """The fatality claim a dataset made, else the first fatality claim."""
        fatalities = [c for c in self.claims if c.kind == ClaimKind.FATALITIES]
        datasets = [c for c in fatalities if c.document.outlet.kind == OutletKind.DATASET]
        return next(iter(datasets or fatalities), None)

    @cached_property
    def figures(self) -> tuple[int, int, int]:
        """Low, best and high, with 0 where no claim gives a figure (the datasets' way)."""
        low, best, high = self.event.fatality_range()
        best = best if best is not None else 0
        return (low if low is not None else best, best, high if high is not None else best)

    @cached_property
    def deaths(self) -> list[int]:
        """UCDP's deaths on side A, side B, civilians and unknown."""
        claim = self.dataset_claim
        split = DEATHS.fullmatch(claim.value_text) if claim else None
        if split:
            return [int(n) for n in split.groups()]
        civilians = (claim.civilians if claim else None) or 0
        combatants = (claim.combatants if claim else None) or 0
        return [combatants, 0, civilians, max(self.figures[1] - civilians - combatants, 0)]


def names(actors: Iterable[Any]) -> str:
    return "; ".join(actor.name for actor in actors)


def own_acled_id(number: int, country_code: str | None) -> str:
    return f"{ALPHA3_OF_ALPHA2.get(country_code or '', 'XXX')}CKB{number}"


def acled_event_id(event: Event) -> str:
    """ACLED's ``event_id_cnty``: the event's ACLED id, else one of ConflictKB's own."""
    if event.acled_id:
        return event.acled_id
    return own_acled_id(event.pk, event.location.country_code if event.location else None)


def violence_type(record: EventRecord) -> int:
    """UCDP's type_of_violence: 1 state-based, 2 non-state, 3 one-sided."""
    event_type = record.event.event_type
    top = event_type.parent or event_type
    if top.slug == "violence-against-civilians":
        return 3
    side_a = record.sides.side_1
    return 1 if side_a and side_a[0].acled_type == AcledActorType.STATE_FORCES else 2


def ucdp_headline(record: EventRecord) -> str:
    claim = record.dataset_claim
    if claim is None:
        return ""
    return claim.document.title if claim.document.title != claim.document.text[:400] else ""


def ucdp_source_date(record: EventRecord) -> str:
    claim = record.dataset_claim
    published = claim.document.published_on if claim else None
    return published.isoformat() if published else ""


Read = Callable[[Any], Any]


@dataclass(frozen=True)
class Computed:
    """A column read from what PostgreSQL computed for the event (``interchange.acled_sql``):
    the named parts, presented by ``present``."""

    parts: tuple[str, ...]
    present: Callable[[dict[str, Any]], Any]

    def __call__(self, record: EventRecord) -> Any:
        return self.present(record.computed)


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    columns: tuple[tuple[str, Read], ...]
    # Whether the columns read the claims (one more query per chunk of events).
    reads_claims: bool = True
    # Whether they read the participations and the places around the event's (a query each).
    reads_relations: bool = True

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]

    @cached_property
    def parts(self) -> frozenset[str]:
        """What PostgreSQL computes for the columns (one query per chunk, if any)."""
        return frozenset(
            part for _, read in self.columns if isinstance(read, Computed) for part in read.parts
        )

    @cached_property
    def computed_whole(self) -> bool:
        """Every column is computed by PostgreSQL (ACLED's): rows need no loaded records."""
        return all(isinstance(read, Computed) for _, read in self.columns)

    def row(self, record: Any) -> list[Any]:
        return [read(record) for _, read in self.columns]

    def as_dict(self, record: Any) -> dict[str, Any]:
        """The record as an object (GeoJSON's properties, a JSON Lines line)."""
        return {name: read(record) for name, read in self.columns}

    def computed_dict(self, parts: dict[str, Any]) -> dict[str, Any]:
        """A row of a layout whose every column is computed, from the parts alone."""
        return self.as_dict(ComputedRecord(parts))

    def only(self, names: list[str]) -> Layout:
        """The same layout with only these columns (an API's ``fields``)."""
        kept = tuple((name, read) for name, read in self.columns if name in names)
        return Layout(self.key, self.label, kept, self.reads_claims, self.reads_relations)


def blank(value: Any) -> Any:
    return "" if value is None else value


def side(number: int, key: str) -> Computed:
    return Computed(("sides",), lambda p: blank(p["sides"][f"{key}{number}"]))


def place_name(kind: str) -> Computed:
    """The name of the place of ``kind`` around the event's (country, admin1–3)."""
    position = acled_sql.AROUND.index(kind)
    return Computed(("places",), lambda p: blank(p["places"][position]))


def own_or_acled_id(p: dict[str, Any]) -> str:
    return p["acled_id"] or own_acled_id(p["pk"], p["country_code"])


def notes(p: dict[str, Any]) -> str:
    """ACLED's notes are the event's description (the importer derives titles from them), and
    for a contested event who claims what."""
    return " ".join(part for part in (p["summary"], p["contested_note"]) if part)


ACLED_COLUMNS_READ: tuple[tuple[str, Read], ...] = (
    ("event_id_cnty", Computed(("pk", "acled_id", "country_code"), own_or_acled_id)),
    ("event_date", Computed(("start_date",), lambda p: p["start_date"].isoformat())),
    ("year", Computed(("start_date",), lambda p: p["start_date"].year)),
    (
        "time_precision",
        Computed(("date_precision",), lambda p: DatePrecision(p["date_precision"]).acled()),
    ),
    ("disorder_type", Computed(("disorder_type",), lambda p: p["disorder_type"])),
    ("event_type", Computed(("event_type",), lambda p: p["event_type"])),
    ("sub_event_type", Computed(("sub_event_type",), lambda p: p["sub_event_type"])),
    ("actor1", side(1, "actor")),
    ("assoc_actor_1", side(1, "associates")),
    ("inter1", side(1, "inter")),
    ("actor2", side(2, "actor")),
    ("assoc_actor_2", side(2, "associates")),
    ("inter2", side(2, "inter")),
    ("interaction", Computed(("sides",), lambda p: blank(p["sides"]["interaction"]))),
    (
        "civilian_targeting",
        Computed(("sides",), lambda p: "Civilian targeting" if p["sides"]["civilians"] else ""),
    ),
    (
        "iso",
        Computed(("country_code",), lambda p: NUMERIC_OF_ALPHA2.get(p["country_code"], "")),
    ),
    (
        "region",
        Computed(
            ("place", "country_code"),
            lambda p: region_name(p["country_code"]) if p["place"] is not None else "",
        ),
    ),
    ("country", place_name(LocationKind.COUNTRY)),
    ("admin1", place_name(LocationKind.ADMIN1)),
    ("admin2", place_name(LocationKind.ADMIN2)),
    ("admin3", place_name(LocationKind.ADMIN3)),
    ("location", Computed(("place_name",), lambda p: blank(p["place_name"]))),
    ("latitude", Computed(("latitude",), lambda p: blank(p["latitude"]))),
    ("longitude", Computed(("longitude",), lambda p: blank(p["longitude"]))),
    (
        "geo_precision",
        Computed(("geo_precision",), lambda p: GeoPrecision(p["geo_precision"]).acled()),
    ),
    ("source", Computed(("evidence",), lambda p: blank(p["evidence"]))),
    ("source_scale", Computed((), lambda p: "")),
    ("notes", Computed(("summary", "contested_note"), notes)),
    # ACLED's most conservative rule: the lowest figure the readers' evidence gives.
    ("fatalities", Computed(("fatalities",), lambda p: p["fatalities"])),
    ("tags", Computed(("contested",), lambda p: "contested" if p["contested"] else "")),
    # The Unix second the event or the evidence readers can open of it last changed.
    ("timestamp", Computed(("last_change",), lambda p: int(p["last_change"].timestamp()))),
)

ACLED = Layout("acled", "ACLED CSV", ACLED_COLUMNS_READ, reads_claims=False, reads_relations=False)

UCDP = Layout(
    "ucdp",
    "UCDP GED CSV",
    (
        ("id", lambda r: r.event.ucdp_id or str(r.event.uuid)),
        ("relid", lambda r: ""),
        ("year", lambda r: r.event.start_date.year),
        ("type_of_violence", violence_type),
        ("conflict_new_id", lambda r: ""),
        ("conflict_name", lambda r: ""),
        ("dyad_new_id", lambda r: ""),
        ("dyad_name", lambda r: f"{names(r.sides.side_1)} - {names(r.sides.side_2)}"),
        ("side_a_new_id", lambda r: ""),
        ("side_a", lambda r: names(r.sides.side_1)),
        ("side_b_new_id", lambda r: ""),
        ("side_b", lambda r: names(r.sides.side_2)),
        ("number_of_sources", lambda r: r.event.source_count),
        ("source_article", lambda r: r.dataset_claim.document.text if r.dataset_claim else ""),
        ("source_office", lambda r: ""),
        ("source_date", ucdp_source_date),
        ("source_headline", ucdp_headline),
        ("source_original", lambda r: ""),
        ("where_prec", lambda r: r.event.geo_precision),
        ("where_coordinates", lambda r: r.event.location.name if r.event.location else ""),
        ("where_description", lambda r: ""),
        ("adm_1", lambda r: r.around_name(LocationKind.ADMIN1)),
        ("adm_2", lambda r: r.around_name(LocationKind.ADMIN2)),
        ("latitude", lambda r: r.coordinate("latitude")),
        ("longitude", lambda r: r.coordinate("longitude")),
        ("country", lambda r: r.around_name(LocationKind.COUNTRY)),
        ("country_id", lambda r: gw_number(r.country_code) or ""),
        ("region", lambda r: ucdp_region(r.country_code)),
        ("date_prec", lambda r: r.event.date_precision),
        ("date_start", lambda r: r.event.start_date.isoformat()),
        ("date_end", lambda r: (r.event.end_date or r.event.start_date).isoformat()),
        ("deaths_a", lambda r: r.deaths[0]),
        ("deaths_b", lambda r: r.deaths[1]),
        ("deaths_civilians", lambda r: r.deaths[2]),
        ("deaths_unknown", lambda r: r.deaths[3]),
        ("best", lambda r: r.figures[1]),
        ("high", lambda r: r.figures[2]),
        ("low", lambda r: r.figures[0]),
    ),
)


def acled_column(name: str) -> Read:
    return dict(ACLED_COLUMNS_READ)[name]


CONFLICTKB = Layout(
    "conflictkb",
    "ConflictKB CSV",
    (
        ("event_id", lambda r: str(r.event.uuid)),
        ("event_id_cnty", acled_column("event_id_cnty")),
        ("ucdp_id", lambda r: r.event.ucdp_id),
        ("event_date", acled_column("event_date")),
        ("end_date", lambda r: (r.event.end_date or r.event.start_date).isoformat()),
        *(
            (name, acled_column(name))
            for name in (
                *("year", "time_precision", "disorder_type", "event_type", "sub_event_type"),
                *("actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2"),
                *("country", "admin1", "admin2", "location", "latitude", "longitude"),
                "geo_precision",
            )
        ),
        ("title", lambda r: r.event.title),
        # The description alone: the contested flag and the figures have columns of their own.
        ("notes", lambda r: r.event.summary),
        ("fatalities", acled_column("fatalities")),
        # ConflictKB's own figures: blank where no claim gives one (CSV writes None as blank).
        ("fatalities_low", lambda r: r.event.fatalities_low),
        ("fatalities_best", lambda r: r.event.fatalities_best),
        ("fatalities_high", lambda r: r.event.fatalities_high),
        ("contested", lambda r: "true" if r.event.contested else "false"),
        ("claims", lambda r: r.event.claim_count),
        ("independent_sources", lambda r: r.event.source_count),
        ("url", lambda r: r.page_url),
        # With an actor filter: "participant", or "named in a claim" when only a claim names it.
        ("actor_match", lambda r: getattr(r.event, "actor_match", "")),
    ),
    reads_claims=False,
    reads_relations=False,
)

LAYOUTS = {layout.key: layout for layout in (CONFLICTKB, ACLED, UCDP)}

# GeoJSON's properties of a feature (RFC 7946; the geometry is the place's point, longitude
# first, or null). Precisions are UCDP GED's scales, each with its label.
GEOJSON = Layout(
    "geojson",
    "GeoJSON",
    (
        ("title", lambda r: r.event.title),
        ("url", lambda r: r.page_url),
        ("start_date", lambda r: r.event.start_date.isoformat()),
        ("end_date", lambda r: (r.event.end_date or r.event.start_date).isoformat()),
        (
            "date",
            lambda r: date_span_label(r.event.start_date, r.event.end_date, r.event.date_precision),
        ),
        ("date_precision", lambda r: r.event.date_precision),
        ("date_precision_label", lambda r: DatePrecision(r.event.date_precision).label),
        ("event_type", lambda r: r.event.event_type.slug),
        ("place", lambda r: r.event.location.name if r.event.location else None),
        ("geo_precision", lambda r: r.event.geo_precision),
        ("geo_precision_label", lambda r: GeoPrecision(r.event.geo_precision).label),
        ("actors", lambda r: [{"name": p.actor.name, "role": p.role} for p in r.participations]),
        ("fatalities_low", lambda r: r.event.fatalities_low),
        ("fatalities_best", lambda r: r.event.fatalities_best),
        ("fatalities_high", lambda r: r.event.fatalities_high),
        ("contested", lambda r: r.event.contested),
        ("claims", lambda r: r.event.claim_count),
        ("independent_sources", lambda r: r.event.source_count),
        ("actor_match", lambda r: getattr(r.event, "actor_match", None)),
    ),
    reads_claims=False,
)


def feature(record: EventRecord) -> dict[str, Any]:
    place = record.event.location
    point = (place.longitude, place.latitude) if place is not None else (None, None)
    return {
        "type": "Feature",
        "id": str(record.event.uuid),
        "geometry": {"type": "Point", "coordinates": list(point)} if None not in point else None,
        "properties": GEOJSON.as_dict(record),
    }


def name_of(instance: Any) -> str | None:
    return instance.name if instance is not None else None


def subject_type(claim: Claim) -> str | None:
    subject = claim.subject
    return str(subject._meta.verbose_name) if subject is not None else None


def yes_no(value: bool | None) -> str | None:
    return None if value is None else "true" if value else "false"


# The evidence: every claim a reader may open, one row each. Read from claims loaded by
# ``Claim.objects.cited_for`` (subject, claimant, document, outlet and named actor joined; whether the
# claimant is a party to the event, by the database's rule). Missing values are empty in CSV
# and null in JSON Lines.
CLAIMS = Layout(
    "claims",
    "Claims",
    (
        ("claim_id", lambda c: str(c.uuid)),
        ("event_id", lambda c: str(c.event.uuid) if c.event else None),
        ("event", lambda c: c.event.title if c.event else None),
        ("subject_type", subject_type),
        ("subject", lambda c: str(c.subject) if c.subject is not None else None),
        ("kind", lambda c: c.kind),
        ("value_low", lambda c: c.value_low),
        ("value_best", lambda c: c.value_best),
        ("value_high", lambda c: c.value_high),
        ("civilians", lambda c: c.civilians),
        ("combatants", lambda c: c.combatants),
        ("value_text", lambda c: c.value_text or None),
        ("value_actor", lambda c: name_of(c.value_actor)),
        ("claimant", lambda c: name_of(c.claimant)),
        ("claimant_type", lambda c: str(c.claimant._meta.verbose_name) if c.claimant else None),
        ("claimant_is_party", lambda c: yes_no(c.claimant_is_party) if c.event else None),
        ("stance", lambda c: c.stance),
        ("credibility", lambda c: c.credibility),
        ("status", lambda c: c.status),
        ("preferred", lambda c: yes_no(c.is_preferred)),
        ("document", lambda c: c.document.title),
        ("document_url", lambda c: c.document.url or None),
        (
            "published_on",
            lambda c: c.document.published_on.isoformat() if c.document.published_on else None,
        ),
        ("outlet", lambda c: c.document.outlet.name),
        ("outlet_reliability", lambda c: c.document.outlet.reliability or None),
        ("quote", lambda c: c.quote),
        ("locator", lambda c: c.locator or None),
    ),
    reads_claims=False,
)


@dataclass(frozen=True)
class ComputedRecord:
    """An event as a layout whose every column is computed reads it: the parts alone."""

    computed: dict[str, Any]


# Events computed at once for a layout whose every column is computed: each statement of
# interchange/sql/acled_row.sql is planned once per chunk, and a chunk holds no model instance.
COMPUTED_CHUNK = 5000


def computed_parts(keys: Iterable[int], user: Any, layout: Layout) -> Iterator[dict[str, Any]]:
    """What PostgreSQL computes for ``layout`` of the events ``keys``, in their order."""
    keys = iter(keys)
    while chunk := list(islice(keys, COMPUTED_CHUNK)):
        parts_of = acled_sql.computed(chunk, user, layout.parts)
        yield from (parts_of[key] for key in chunk)


def event_records(
    events: QuerySet[Event],
    user: Any,
    *,
    layout: Layout,
    chunk_size: int,
    page_url: Callable[[Event], str | None] | None = None,
) -> Iterator[Any]:
    """``events`` as records for ``layout``, streamed in chunks: per chunk, the events, the
    places around theirs, their participations and (if the layout reads them) the claims
    ``user`` may see, and what PostgreSQL computes for them — a few queries, whatever the
    chunk's size. A layout whose every column is computed (ACLED's) reads only the events'
    keys and what is computed: :class:`ComputedRecord`."""
    if layout.computed_whole:
        keys = events.values_list("pk", flat=True).iterator(chunk_size=COMPUTED_CHUNK)
        yield from (ComputedRecord(parts) for parts in computed_parts(keys, user, layout))
        return
    rows = events.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield from records_of(chunk, user, layout=layout, page_url=page_url)


def records_of(
    events: list[Event],
    user: Any,
    *,
    layout: Layout,
    page_url: Callable[[Event], str | None] | None = None,
) -> list[EventRecord]:
    """Records for events already read (a chunk of a download, a page of the API): what the
    layout's columns need of them, a query each — the places around theirs and their
    participations, their claims, and what PostgreSQL computes for them."""
    ids = [event.pk for event in events]
    participations_of = claims_of = None
    if layout.reads_relations:
        attach_ancestors((event.location for event in events), user)
        # In the order they were recorded within each role (the model's): a dataset's actor1
        # stays actor1 through an import and an export.
        participations = visible(
            Participation.objects.select_related("actor").only(*PARTICIPATION_FIELDS), user
        ).filter(event__in=ids)
        participations_of = group_by_event((p.event_id, p) for p in participations)
    if layout.reads_claims:
        claims = visible(
            Claim.objects.select_related(*CLAIM_RELATIONS).only(*CLAIM_FIELDS), user
        ).filter(event__in=ids)
        claims_of = group_by_event((c.event_id, c) for c in claims.order_by("pk"))
    computed_of = acled_sql.computed(ids, user, layout.parts) if layout.parts else {}
    return [
        EventRecord(
            event,
            participations_of[event.pk] if participations_of is not None else [],
            claims_of[event.pk] if claims_of is not None else [],
            page_url,
            computed_of.get(event.pk, {}),
        )
        for event in events
    ]
