"""The outside layouts, each defined once, as data: ConflictKB CSV, ACLED CSV, UCDP GED CSV and
GeoJSON's properties for an event, and the claims layout (CSV and JSON Lines) for the evidence.

A layout is its columns, in order, each with how it is read from an :class:`EventRecord` (an
event with its participants, the claims the reader may see and the places around it) or, for
``CLAIMS``, from a claim. The timeline's downloads, the API (``?format=csv&layout=…``,
``?format=geojson``, the claims' ``?format=csv|jsonl``), ``export_acled`` and ``export_ucdp``
all write through them; the importers read the columns of the same definitions. So one event gives the same values in every download of one layout, and a
column two layouts share (ACLED's in ConflictKB's own) gives the same value in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from actors.models import AcledActorType, ActorKind
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
from events.templatetags.conflictkb import date_span_label, figure_range_label
from interchange.acled_regions import region_name
from interchange.ucdp_countries import gw_number, ucdp_region
from sources.models import Claim, ClaimKind, OutletKind, Stance

# An event ACLED has not coded is written with an id of its own: its country's ISO alpha-3
# code (ACLED's prefix; "XXX" for an event with no place), "CKB" and ConflictKB's number for
# the event. ACLED's ids are three letters then digits, so none can ever equal one of them.
OWN_ACLED_ID = re.compile(r"(?P<country>[A-Z]{3})CKB(?P<number>[0-9]{1,18})")
# The claims whose disagreement makes an event contested (sources/sql/fatality_rule.sql).
CONTESTING_KINDS = (ClaimKind.FATALITIES, ClaimKind.PERPETRATOR, ClaimKind.TARGET)
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
    def inter(self) -> tuple[Any, Any]:
        """ACLED's actor types of actor1 and actor2 (1–8), or None."""
        actor1, actor2 = self.sides.actor1, self.sides.actor2
        return (actor1.acled_type if actor1 else None, actor2.acled_type if actor2 else None)

    @cached_property
    def dataset_claim(self) -> Claim | None:
        """The fatality claim a dataset made, else the first fatality claim."""
        fatalities = [c for c in self.claims if c.kind == ClaimKind.FATALITIES]
        datasets = [c for c in fatalities if c.document.outlet.kind == OutletKind.DATASET]
        return next(iter(datasets or fatalities), None)

    @cached_property
    def last_change(self) -> Any:
        """When the event or the evidence given with it last changed."""
        return max([self.event.updated_at, *(claim.updated_at for claim in self.claims)])

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


def claim_phrase(claim: Claim) -> str:
    """What one claim says, in the words of an ACLED note: "13 killed (13 civilians)",
    "denies perpetrator Military Forces of Russia", "target civilians"."""
    if claim.kind == ClaimKind.FATALITIES:
        said = figure_range_label(claim.value_low, claim.value_best, claim.value_high)
        said = f"{said} killed" if said else "deaths"
        if claim.civilians:
            said += f" ({claim.civilians} civilians)"
    else:
        actor = claim.value_actor
        named = actor.name if actor is not None and actor.is_published else claim.value_text
        said = f"{claim.get_kind_display().lower()} {named}".strip()
    return f"denies {said}" if claim.stance == Stance.DENIES else said


def contested_note(record: EventRecord) -> str:
    """For a contested event, who claims what (the claims that disagree, by claimant) and how
    ACLED's one figure was chosen: "[Contested: Syrian Observatory for Human Rights 13 killed
    (13 civilians); Ministry of Defence of Russia target Hay'at Tahrir al-Sham. Fatalities coded
    as the lowest figure.]"."""
    if not record.event.contested:
        return ""
    said: dict[str, list[str]] = {}
    for claim in record.claims:
        if claim.kind in CONTESTING_KINDS:
            claimant = claim.claimant_actor or claim.claimant_outlet or claim.document.outlet
            said.setdefault(claimant.name, []).append(claim_phrase(claim))
    who_says = "; ".join(f"{name} {', '.join(phrases)}" for name, phrases in said.items())
    return f"[Contested: {who_says}. Fatalities coded as the lowest figure.]"


def acled_notes(record: EventRecord) -> str:
    return " ".join(part for part in (record.event.summary, contested_note(record)) if part)


def cited_sources(record: EventRecord) -> str:
    """The sources behind the event's claims. A dataset is a compiler, not a source: for its
    claims, the source text it cites (kept verbatim as the document's text)."""
    found = {
        claim.document.text
        if claim.document.outlet.kind == OutletKind.DATASET
        else claim.document.outlet.name
        for claim in record.claims
    }
    return "; ".join(sorted(name for name in found if name))


def interaction(record: EventRecord) -> str:
    inter1, inter2 = record.inter
    if not inter1 and not inter2:
        return ""
    pair = sorted([inter1 or 0, inter2 or 0], reverse=not inter1 or not inter2)
    return "".join(str(n) for n in pair)


def civilian_targeting(record: EventRecord) -> str:
    targets = record.sides.side_2
    civilians = any(
        a.kind == ActorKind.CIVILIANS or a.acled_type == AcledActorType.CIVILIANS for a in targets
    )
    return "Civilian targeting" if civilians else ""


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
class Layout:
    key: str
    label: str
    columns: tuple[tuple[str, Read], ...]
    # Whether the columns read the claims (one more query per chunk of events).
    reads_claims: bool = True
    # Which columns read them, where known (None: any may).
    claim_columns: frozenset[str] | None = None

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]

    def row(self, record: Any) -> list[Any]:
        return [read(record) for _, read in self.columns]

    def as_dict(self, record: Any) -> dict[str, Any]:
        """The record as an object (GeoJSON's properties, a JSON Lines line)."""
        return {name: read(record) for name, read in self.columns}

    def only(self, names: list[str]) -> Layout:
        """The same layout with only these columns (an API's ``fields``): the claims are read
        only if one of them needs them."""
        kept = tuple((name, read) for name, read in self.columns if name in names)
        reads_claims = self.reads_claims and (
            self.claim_columns is None or not self.claim_columns.isdisjoint(names)
        )
        return Layout(self.key, self.label, kept, reads_claims, self.claim_columns)


ACLED_COLUMNS_READ: tuple[tuple[str, Read], ...] = (
    ("event_id_cnty", lambda r: acled_event_id(r.event)),
    ("event_date", lambda r: r.event.start_date.isoformat()),
    ("year", lambda r: r.event.start_date.year),
    ("time_precision", lambda r: DatePrecision(r.event.date_precision).acled()),
    ("disorder_type", lambda r: r.event.event_type.disorder_type),
    ("event_type", lambda r: r.event.event_type.acled_event_type),
    ("sub_event_type", lambda r: r.event.event_type.acled_sub_event_type),
    ("actor1", lambda r: r.sides.actor1.name if r.sides.actor1 else ""),
    ("assoc_actor_1", lambda r: names(r.sides.associates_1)),
    ("inter1", lambda r: r.inter[0] or ""),
    ("actor2", lambda r: r.sides.actor2.name if r.sides.actor2 else ""),
    ("assoc_actor_2", lambda r: names(r.sides.associates_2)),
    ("inter2", lambda r: r.inter[1] or ""),
    ("interaction", interaction),
    ("civilian_targeting", civilian_targeting),
    (
        "iso",
        lambda r: (
            NUMERIC_OF_ALPHA2.get(r.event.location.country_code, "") if r.event.location else ""
        ),
    ),
    (
        "region",
        lambda r: region_name(r.event.location.country_code) if r.event.location else "",
    ),
    ("country", lambda r: r.around_name(LocationKind.COUNTRY)),
    ("admin1", lambda r: r.around_name(LocationKind.ADMIN1)),
    ("admin2", lambda r: r.around_name(LocationKind.ADMIN2)),
    ("admin3", lambda r: r.around_name(LocationKind.ADMIN3)),
    ("location", lambda r: r.event.location.name if r.event.location else ""),
    ("latitude", lambda r: r.coordinate("latitude")),
    ("longitude", lambda r: r.coordinate("longitude")),
    ("geo_precision", lambda r: GeoPrecision(r.event.geo_precision).acled()),
    ("source", cited_sources),
    ("source_scale", lambda r: ""),
    # ACLED's notes are the event's description (the importer derives titles from them), and
    # for a contested event who claims what.
    ("notes", acled_notes),
    # ACLED's most conservative rule: the lowest figure the readers' evidence gives.
    ("fatalities", lambda r: r.figures[0]),
    ("tags", lambda r: "contested" if r.event.contested else ""),
    ("timestamp", lambda r: int(r.last_change.timestamp())),
)

ACLED = Layout(
    "acled",
    "ACLED CSV",
    ACLED_COLUMNS_READ,
    claim_columns=frozenset({"source", "notes", "timestamp"}),
)

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


def event_records(
    events: QuerySet[Event],
    user: Any,
    *,
    layout: Layout,
    chunk_size: int,
    page_url: Callable[[Event], str | None] | None = None,
) -> Iterator[EventRecord]:
    """``events`` as records for ``layout``, streamed in chunks: per chunk, the events, the
    places around theirs, their participations and (if the layout reads them) the claims
    ``user`` may see — four queries, whatever the chunk's size."""
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
    """Records for events already read (a chunk of a download, a page of the API): the places
    around theirs, their participations and claims, a query each."""
    attach_ancestors((event.location for event in events), user)
    ids = [event.pk for event in events]
    # In the order they were recorded within each role (the model's): a dataset's actor1 stays
    # actor1 through an import and an export.
    participations = visible(
        Participation.objects.select_related("actor").only(*PARTICIPATION_FIELDS), user
    ).filter(event__in=ids)
    participations_of = group_by_event((p.event_id, p) for p in participations)
    claims_of = None
    if layout.reads_claims:
        claims = visible(
            Claim.objects.select_related(*CLAIM_RELATIONS).only(*CLAIM_FIELDS), user
        ).filter(event__in=ids)
        claims_of = group_by_event((c.event_id, c) for c in claims.order_by("pk"))
    return [
        EventRecord(
            event,
            participations_of[event.pk],
            claims_of[event.pk] if claims_of is not None else [],
            page_url,
        )
        for event in events
    ]
