"""ACLED's read API, served from the knowledge base, so scripts written for ACLED's API (the
``acled`` package with ``ACLED_API_HOST=https://<site>/api``) read ConflictKB's events as they
are: ``/api/acled/read``, ``/api/deleted/read``, ``/api/actor/read``, ``/api/actortype/read``,
``/api/country/read`` and ``/api/region/read``.

Rows are the ACLED layout's (``interchange.layouts.ACLED``, the same mapping as the ACLED CSV
downloads), every value a string. Everyone reads what anonymous readers see: credentials
(``key``, ``email``, a bearer token, a cookie) are accepted and ignored, never logged.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from operator import or_
from typing import Any

import orjson
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.lookups import (
    Contains,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IExact,
    In,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from psycopg import sql
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from actors.models import AcledActorType, Actor
from api.acled_grammar import (
    MOST_SKIPPED,
    OPERATORS,
    Column,
    Condition,
    GrammarError,
    a_year,
    bounded,
    conditions,
    day,
    fields,
    unix_time,
    whole,
)
from api.deleted import deletions
from core.data_version import cached_until_data_changes
from core.errors import acled_error
from core.models import Publication, as_seen_by
from core.spreadsheets import csv_writer
from core.streaming import streamed
from events.countries import ALPHA3_OF_ALPHA2, NUMERIC_OF_ALPHA2
from events.models import (
    SIDE_1_ROLES,
    SIDE_2_ROLES,
    DatePrecision,
    Event,
    EventType,
    GeoPrecision,
    Location,
    LocationKind,
    Participation,
    few_matches,
    last_change,
)
from interchange.acled_regions import ACLED_REGIONS, REGION_OF_ALPHA2
from interchange.acled_sql import CONTESTING_KINDS
from interchange.layouts import (
    ACLED,
    OWN_ACLED_ID,
    PART_OF_OWN_ACLED_ID,
    EventRecord,
    Layout,
    computed_parts,
    event_records,
    own_acled_id,
)
from interchange.writing import EVENT_FIELDS
from sources.models import Claim, Document, Outlet, OutletKind

READER = AnonymousUser()
# ACLED's page; also the page the filters choose their path for (few_matches).
DEFAULT_LIMIT = 5000
# UCDP's records read at once (a page holds at most 1,000).
CHUNK = 1000
# Parameters ACLED's API has that ConflictKB cannot honour: accepted, and named in "messages".
NOT_HONOURED = {
    "export_type": "export_type: ConflictKB writes ACLED's dyadic rows (one per event) only.",
    "population": "population: ConflictKB holds no population estimates; the columns are left out.",
}
CREDENTIALS = ("key", "email", "access_token")

# --- Conditions as SQL -----------------------------------------------------------------------

LOOKUP_OF_TEXT = {
    "=": IExact,
    "LIKE": IContains,
    ">": GreaterThan,
    "<": LessThan,
    ">=": GreaterThanOrEqual,
    "<=": LessThanOrEqual,
}
LOOKUP_OF_ORDERED = LOOKUP_OF_TEXT | {"=": Exact}
Where = Callable[[str, Any], Q]
NOTHING = Q(pk__in=[])
# A draft place reads as absent in a reader's row (as_seen_by): its name, point and country
# must not select the row either.
PLACE_SEEN = Q(location__status=Publication.PUBLISHED)


class Epoch(Func):
    """Unix seconds of a timestamp, as ACLED's ``timestamp`` column gives them."""

    template = "floor(extract(epoch FROM %(expressions)s))::bigint"
    output_field = BigIntegerField()


def passes(expression: Any, operator: str, value: Any, *, text: bool = False) -> Q:
    """``expression <operator> value``; LIKE reads a number or a date as its text."""
    if isinstance(expression, str):
        expression = F(expression)
    if operator == "LIKE" and not text:
        expression = Cast(expression, TextField())
    lookup = (LOOKUP_OF_TEXT if text or operator == "LIKE" else LOOKUP_OF_ORDERED)[operator]
    return Q(lookup(expression, value))


def text_of(path: str) -> Where:
    return lambda operator, value: passes(path, operator, value, text=True)


def ordered(path: str) -> Where:
    return lambda operator, value: passes(path, operator, value)


def among(choices: Callable[[], Iterable[tuple[Any, Any]]], to_q: Callable[[set[Any]], Q]) -> Where:
    """A column with a short list of values (precisions, regions, tags): the values that pass,
    found in Python, then the events with those."""
    return lambda operator, value: to_q(
        {key for shown, key in choices() if Condition("", operator, (value,)).matches(shown)}
    )


def own_id() -> Any:
    """ConflictKB's own ``event_id_cnty`` (``own_acled_id``) in SQL, for an event without an
    ACLED id."""
    alpha3 = Case(
        *(
            When(PLACE_SEEN & Q(location__country_code=a2), then=Value(a3))
            for a2, a3 in ALPHA3_OF_ALPHA2.items()
        ),
        default=Value("XXX"),
        output_field=TextField(),
    )
    return Concat(alpha3, Value("CKB"), Cast("pk", TextField()), output_field=TextField())


def event_id() -> Any:
    """``event_id_cnty`` in SQL: the ACLED id, else ConflictKB's own."""
    return Case(
        When(acled_id="", then=own_id()),
        default=Cast("acled_id", TextField()),
        output_field=TextField(),
    )


# The digits a part of an own id ends with ("SYRCKB12345", "2345"): its number holds them.
NUMBER_PART = re.compile(r"[0-9]+$")


def own_ids_holding(text: str) -> Q:
    """The events without an ACLED id whose own id holds ``text``: through the trigrams of
    their numbers when it ends with three digits or more (a pair has no trigram), else
    among those events only (event_own_number_trgm, event_own)."""
    found = Q(acled_id="") & passes(own_id(), "LIKE", text, text=True)
    digits = NUMBER_PART.search(text)
    if digits and len(digits[0]) >= 3:
        found &= Q(Contains(Cast("pk", TextField()), digits[0]))
    return found


def event_id_where(operator: str, value: Any) -> Q:
    """One id (the usual question) through the ACLED ids' index or the events' keys. A LIKE
    (ACLED's default) through the ACLED ids' trigram index, and, for a text an own id can
    hold ("9001", "SYRCKB"), through the own ids' indexes as well. Other questions (``<``)
    on the ACLED ids through their index and on the own ids among those events only."""
    if operator != "=":
        imported = ~Q(acled_id="") & passes("acled_id", operator, value, text=True)
        if operator != "LIKE":
            return imported | Q(acled_id="") & passes(own_id(), operator, value, text=True)
        text = str(value).upper()
        if not PART_OF_OWN_ACLED_ID.fullmatch(text):
            return imported
        return imported | own_ids_holding(text)
    found = Q(acled_id__in={value, value.upper()}) & ~Q(acled_id="")
    own = OWN_ACLED_ID.fullmatch(value.upper())
    if own:
        alpha2 = {alpha3: alpha2 for alpha2, alpha3 in ALPHA3_OF_ALPHA2.items()}
        country = alpha2.get(own["country"])
        found |= Q(pk=int(own["number"]), acled_id="") & (
            PLACE_SEEN & Q(location__country_code=country)
            if country
            else Q(location__isnull=True) | ~PLACE_SEEN
        )
    return found


# A LIKE on dates' text held by one day in this many, or fewer, reads those days' events
# through the timeline's index; a text more days hold is compared event by event as the
# timeline is walked, where a page of matches comes soon.
RARE_DAYS = 20
# Beyond a century of days, reading each day's text costs more than it saves (a mistyped
# year 0201 would make it 665,000 days): the events are compared one by one.
MOST_DAYS = 36_525


def like_on_days(text: Callable[[datetime.date], str], otherwise: Where) -> Where:
    """event_date and year with LIKE (``2018-09``, ``-09-0``, ``201``): the days the events
    span whose text holds the value, found in Python (11,000 days for thirty years), then the
    events of each run of those days through the timeline's index. Other operators, and a
    text most days hold, as ``otherwise``."""

    def where(operator: str, value: Any) -> Q:
        if operator != "LIKE":
            return otherwise(operator, value)
        span = Event.objects.aggregate(first=Min("start_date"), last=Max("start_date"))
        if span["first"] is None:
            return NOTHING
        wanted = str(value).lower()
        total = (span["last"] - span["first"]).days + 1
        if total > MOST_DAYS:
            return otherwise(operator, value)
        days = (span["first"] + datetime.timedelta(days=n) for n in range(total))
        holding = [date for date in days if wanted in text(date).lower()]
        if len(holding) * RARE_DAYS > total:
            return otherwise(operator, value)
        runs: list[list[datetime.date]] = []
        for date in holding:
            if runs and date - runs[-1][1] == datetime.timedelta(days=1):
                runs[-1][1] = date
            else:
                runs.append([date, date])
        return reduce(or_, (Q(start_date__range=tuple(run)) for run in runs), NOTHING)

    return where


def year_where(operator: str, value: Any) -> Q:
    if operator == "LIKE":
        return passes("start_date__year", operator, value)
    first, last = datetime.date(value, 1, 1), datetime.date(value, 12, 31)
    return {
        "=": Q(start_date__range=(first, last)),
        ">": Q(start_date__gt=last),
        "<": Q(start_date__lt=first),
        ">=": Q(start_date__gte=first),
        "<=": Q(start_date__lte=last),
    }[operator]


def type_where(field: str) -> Where:
    """The event types whose name passes, read first (a few dozen): the planner then knows
    how many events it will find, and walks the timeline in order for a common one."""
    return lambda operator, value: Q(
        event_type__in=list(
            EventType.objects.filter(passes(field, operator, value, text=True)).values_list(
                "pk", flat=True
            )
        )
    )


def participations(
    roles: Iterable[str] | None = None, *, event: Any = None
) -> QuerySet[Participation]:
    """The participations of ``event`` (the event of the enclosing query) a reader sees, in
    the layouts' order (``Sides.of``)."""
    parts = (
        Participation.objects.published()
        .filter(event=OuterRef("pk") if event is None else event)
        .order_by("role", "pk")
    )
    return parts.filter(role__in=roles) if roles is not None else parts


def actors_on(roles: Iterable[str]) -> QuerySet[Any]:
    """Inside a participation's query: the actors with one of ``roles`` in its event."""
    return participations(roles, event=OuterRef("event")).values("actor")


def side(number: int, *, event: Any = None) -> QuerySet[Participation]:
    """Participations on ACLED's side 1 or 2; an actor on both counts on side 1."""
    if number == 1:
        return participations(SIDE_1_ROLES, event=event)
    return participations(SIDE_2_ROLES, event=event).exclude(actor__in=actors_on(SIDE_1_ROLES))


def first_actor_in(number: int, actors: QuerySet[Actor]) -> Q:
    """The events whose side ``number`` has its first actor among ``actors`` (``EventSides``,
    kept by the database). The actors are read first (a table of thousands, not of events):
    with their ids known the planner reads a rare actor's events through the sides' index and
    walks the timeline for a common one."""
    return Q(**{f"sides__actor{number}__in": list(actors.values_list("pk", flat=True))})


def main_actor_where(number: int) -> Where:
    """actor1/actor2: the side's first actor, by name."""
    return lambda operator, value: first_actor_in(
        number, Actor.objects.filter(passes("name", operator, value, text=True))
    )


def associates_where(number: int) -> Where:
    """assoc_actor_1/2: an actor of the side other than its first (side 1's associates include
    those on neither side: supporters, attendees, mediators). One passing is enough. The
    actors whose name passes are read first; when they take part in few events, those events
    are tested, else the events in order, each tested, until the page is full."""

    def where(operator: str, value: Any) -> Q:
        named = list(
            Actor.objects.filter(passes("name", operator, value, text=True)).values_list(
                "pk", flat=True
            )
        )
        if not named:
            return NOTHING
        first = Subquery(side(number, event=OuterRef("event")).values("actor")[:1])
        if number == 1:
            neither = ~Q(role__in=SIDE_2_ROLES) & ~Q(actor__in=actors_on(SIDE_2_ROLES))
            others = participations().filter(Q(role__in=SIDE_1_ROLES) | neither)
        else:
            others = side(2)
        found = Q(Exists(others.exclude(actor=first).filter(actor__in=named)))
        taking_part = Participation.objects.filter(actor__in=named).values("event_id")
        return Q(pk__in=taking_part) & found if few_matches(taking_part, DEFAULT_LIMIT) else found

    return where


def interaction_where(operator: str, value: Any) -> Q:
    return passes("sides__interaction", operator, value)


def inter_label(code: int) -> str:
    return AcledActorType(code).label.split(" · ", 1)[1]


def inter_where(number: int) -> Where:
    """inter1/inter2: the ACLED type of the side's first actor, by code, or by name with LIKE."""

    def where(operator: str, value: Any) -> Q:
        if operator != "LIKE":
            return first_actor_in(
                number, Actor.objects.filter(passes("acled_type", operator, value))
            )
        codes = [t.value for t in AcledActorType if str(value).lower() in inter_label(t).lower()]
        if str(value).isdigit():
            codes.append(int(value))
        return first_actor_in(number, Actor.objects.filter(acled_type__in=codes))

    return where


def places_where(kind: str) -> Where:
    """country/admin1–3: the event's place is a published place of that kind with a matching
    name, or inside one. The places are read first: with their number known, the planner
    walks the timeline in order for a common country (Syria: 1.2 s to 0.16 s at a million
    events) rather than gathering all of its events to sort them."""

    def where(operator: str, value: Any) -> Q:
        named = Location.objects.published().filter(
            Q(kind=kind) & passes("name", operator, value, text=True)
        )
        inside = Location.objects.filter(
            Exists(named.filter(StartsWith(Cast(OuterRef("path"), CharField()), F("path"))))
        )
        return PLACE_SEEN & Q(location__in=list(inside.values_list("pk", flat=True)))

    return where


def on_place(where: Where) -> Where:
    return lambda operator, value: PLACE_SEEN & where(operator, value)


def countries_in(codes: set[str]) -> Q:
    return PLACE_SEEN & Q(location__country_code__in=codes)


def targeting(civilians: set[bool]) -> Q:
    """Events whose side 2 has civilians (True), has none (False), or either."""
    targets = Q(sides__civilians=True)
    if civilians == {True, False}:
        return Q()
    if not civilians:
        return NOTHING
    return targets if True in civilians else ~targets


def visible_claims() -> QuerySet[Claim]:
    return Claim.objects.published().filter(event=OuterRef("pk"))


def source_where(operator: str, value: Any) -> Q:
    """source: one of the sources the layout names passes (an outlet's name; for a dataset's
    claim, the source it cites). The outlets and the datasets' documents that pass are read
    first (tables of thousands, not of events): usually few, and then the events are found
    through their claims' index."""
    outlets = Outlet.objects.exclude(kind=OutletKind.DATASET).filter(
        passes("name", operator, value, text=True)
    )
    cited = Document.objects.filter(
        Q(outlet__kind=OutletKind.DATASET) & passes("text", operator, value, text=True)
    )
    outlet_ids = list(outlets.values_list("pk", flat=True))
    document_ids = list(cited.values_list("pk", flat=True))
    if not outlet_ids and not document_ids:
        return NOTHING
    citing = Q(document__in=document_ids) | Q(document__outlet__in=outlet_ids)
    found = Q(Exists(visible_claims().filter(citing)))
    # A rare source: its events first (through the claims' index on their documents). A
    # common one: the events in order, each tested, until the page is full.
    claimed = Claim.objects.filter(citing).values("event_id")
    return Q(pk__in=claimed) & found if few_matches(claimed, DEFAULT_LIMIT) else found


CONTESTED_WORDS = "[contested: . fatalities coded as the lowest figure.]"


def notes_where(operator: str, value: Any) -> Q:
    """notes: the description, and for a contested event its note of who claims what (with
    LIKE; compared whole, a contested event's notes are the description and the note, which
    SQL does not write, so only events not contested are compared)."""
    found = passes("summary", operator, value, text=True)
    if operator != "LIKE":
        return found & Q(contested=False)
    if str(value).lower() in CONTESTED_WORDS:
        return found | Q(contested=True)
    # The claimants (an actor or an outlet) whose name passes, read first: usually none, and
    # then no claim is read at all.
    actors = list(Actor.objects.filter(passes("name", operator, value, text=True)).values("pk"))
    outlets = list(Outlet.objects.filter(passes("name", operator, value, text=True)).values("pk"))
    if not actors and not outlets:
        return found
    named = Q(claimant_actor__in=[row["pk"] for row in actors]) | Q(
        claimant_outlet__in=[row["pk"] for row in outlets]
    )
    claimants = visible_claims().filter(Q(kind__in=CONTESTING_KINDS) & named)
    return found | (Q(contested=True) & Q(Exists(claimants)))


def changed_since(moment: datetime.datetime) -> Q:
    """The event or the evidence readers can open of it changed at or after ``moment``."""
    return Q(GreaterThanOrEqual(last_change(), moment))


def changed_before(moment: datetime.datetime) -> Q:
    return Q(LessThan(last_change(), moment))


def changed_in(second: int) -> Q:
    moment = datetime.datetime.fromtimestamp(second, datetime.UTC)
    return changed_since(moment) & changed_before(moment + ONE_SECOND)


EXISTING_SECONDS = sql.SQL(
    "WITH RECURSIVE second AS (SELECT date_trunc('second', min({changed})) AS s FROM {table}"
    " UNION ALL SELECT (SELECT date_trunc('second', min({changed})) FROM {table}"
    " WHERE {changed} >= second.s + interval '1 second') FROM second WHERE second.s IS NOT NULL)"
    " SELECT floor(extract(epoch FROM s))::bigint FROM second WHERE s IS NOT NULL LIMIT %s"
)
# Reading the seconds in which events last changed stops here (a second's worth of index
# probes); a site edited in more seconds than this answers a LIKE on timestamps by testing
# the events in order.
MOST_SECONDS = 20_000
# A LIKE held by more seconds than this is common: testing the events in order soon fills a
# page (and the seconds would be as many conditions).
RARE_SECONDS = 100
ONE_SECOND = datetime.timedelta(seconds=1)


def existing_seconds() -> list[int] | None:
    """Every second in which an event last changed, read from the event_last_change index one
    second after the other (as ``existing_figures``); None beyond MOST_SECONDS."""
    # The index's own expression, as Django writes it, so that the planner reads the index.
    query = Event.objects.all().query
    changed, _ = (
        last_change().resolve_expression(query).as_sql(query.get_compiler("default"), connection)
    )
    statement = EXISTING_SECONDS.format(
        changed=sql.SQL(changed), table=sql.Identifier(Event._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(), [MOST_SECONDS + 1])
        found = [second for (second,) in cursor.fetchall()]
    return found if len(found) <= MOST_SECONDS else None


def timestamp_where(operator: str, value: Any) -> Q:
    """The row's timestamp is the last change in whole Unix seconds (events.models
    ``last_change``, indexed): ``= N`` is a change in the second [N, N + 1), ``> N`` one
    from N + 1 on. LIKE (digits inside the seconds): the seconds in which events last
    changed whose digits hold the value, each a range of the index; when those are many,
    the events in order, each tested, until the page is full."""
    if operator == "LIKE":
        seconds = existing_seconds()
        holding = [second for second in seconds or () if str(value) in str(second)]
        if seconds is None or len(holding) > RARE_SECONDS:
            return passes(Epoch(last_change()), operator, value)
        return reduce(or_, map(changed_in, holding), NOTHING)
    second = datetime.datetime.fromtimestamp(value, datetime.UTC)
    following = second + ONE_SECOND
    return {
        "=": lambda: changed_in(value),
        ">=": lambda: changed_since(second),
        ">": lambda: changed_since(following),
        "<": lambda: changed_before(second),
        "<=": lambda: changed_before(following),
    }[operator]()


def fatalities() -> Any:
    """ACLED's figure (the layout's lowest, 0 where none), as the event_acled_fatalities
    index holds it."""
    return Coalesce("fatalities_low", "fatalities_best", Value(0))


EXISTING_FIGURES = sql.SQL(
    "WITH RECURSIVE figure AS (SELECT min(n) AS n FROM ({figures}) f"
    " UNION ALL SELECT (SELECT min(n) FROM ({figures}) f WHERE n > figure.n)"
    " FROM figure WHERE figure.n IS NOT NULL) SELECT n FROM figure WHERE n IS NOT NULL"
)


def existing_figures() -> list[int]:
    """Every figure some event has (a few hundred), read from event_acled_fatalities one
    value after the other: a few hundred index probes, where DISTINCT reads every event
    (12 ms against 460 at a million events)."""
    figures, params = Event.objects.values(n=fatalities()).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            EXISTING_FIGURES.format(figures=sql.SQL(figures)).as_string(), [*params, *params]
        )
        return [n for (n,) in cursor.fetchall()]


def fatalities_where(operator: str, value: Any) -> Q:
    """ACLED's figure; with LIKE (``fatalities=25&fatalities_where=LIKE``), the figures
    events have whose digits hold the text, then their events through
    event_acled_fatalities. Only figures some event has: the planner would take each number
    no event has for as common as a rare one, and walk the timeline for a few events (3.7 s
    at a million events for 35 of them)."""
    if operator != "LIKE":
        return passes(fatalities(), operator, value)
    holding = [n for n in existing_figures() if str(value) in str(n)]
    return Q(In(fatalities(), holding)) if holding else NOTHING


def acled_precision(precisions: Any) -> Callable[[], list[tuple[int, int]]]:
    return lambda: [(p.acled(), p.value) for p in precisions]


def region_where(operator: str, value: Any) -> Q:
    """region: ACLED's region by name, or by number (``region=11``)."""
    condition = Condition("", operator, (value,))
    return countries_in(
        {
            code
            for code, number in REGION_OF_ALPHA2.items()
            if condition.matches(number if isinstance(value, int) else ACLED_REGIONS[number])
        }
    )


WHERE: dict[str, Where] = {
    "event_id_cnty": event_id_where,
    "event_date": like_on_days(datetime.date.isoformat, ordered("start_date")),
    "year": like_on_days(lambda day: str(day.year), year_where),
    "time_precision": among(acled_precision(DatePrecision), lambda k: Q(date_precision__in=k)),
    "disorder_type": type_where("disorder_type"),
    "event_type": type_where("acled_event_type"),
    "sub_event_type": type_where("acled_sub_event_type"),
    "actor1": main_actor_where(1),
    "assoc_actor_1": associates_where(1),
    "inter1": inter_where(1),
    "actor2": main_actor_where(2),
    "assoc_actor_2": associates_where(2),
    "inter2": inter_where(2),
    "interaction": interaction_where,
    "civilian_targeting": among(lambda: [("Civilian targeting", True), ("", False)], targeting),
    "iso": among(lambda: [(n, code) for code, n in NUMERIC_OF_ALPHA2.items()], countries_in),
    "region": region_where,
    "country": places_where(LocationKind.COUNTRY),
    "admin1": places_where(LocationKind.ADMIN1),
    "admin2": places_where(LocationKind.ADMIN2),
    "admin3": places_where(LocationKind.ADMIN3),
    "location": on_place(text_of("location__name")),
    "latitude": on_place(ordered("location__latitude")),
    "longitude": on_place(ordered("location__longitude")),
    "geo_precision": among(acled_precision(GeoPrecision), lambda k: Q(geo_precision__in=k)),
    "source": source_where,
    "source_scale": among(lambda: [("", True)], lambda keys: Q() if keys else NOTHING),
    "notes": notes_where,
    "fatalities": fatalities_where,
    "tags": among(lambda: [("contested", True), ("", False)], lambda keys: Q(contested__in=keys)),
    "timestamp": timestamp_where,
}


def number_or_name(text: str) -> int | str:
    return whole(text) if text.isdigit() else text


LIKE_BY_DEFAULT = {
    *("event_id_cnty", "disorder_type", "event_type", "sub_event_type", "actor1"),
    *("assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "admin1", "admin2"),
    *("admin3", "location", "source", "source_scale", "notes", "tags"),
}
READS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(
        ["time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision"],
        whole,
    ),
    "fatalities": whole,
    "year": a_year,
    "event_date": day,
    "latitude": float,
    "longitude": float,
    "region": number_or_name,
    "timestamp": unix_time,
}
EVENT_COLUMNS = [
    Column(
        name,
        "LIKE" if name in LIKE_BY_DEFAULT else ">=" if name == "timestamp" else "=",
        READS.get(name, str),
    )
    for name in ACLED.header
]
assert set(WHERE) == set(ACLED.header), "every ACLED column is a filter"


def where(found: list[Condition]) -> Q:
    """The events passing every condition."""
    q = Q()
    for condition in found:
        column = WHERE[condition.column]
        if condition.operator == "BETWEEN":
            low, high = condition.values
            q &= column(">=", low) & column("<=", high)
        else:
            q &= reduce(or_, (column(condition.operator, value) for value in condition.values))
    return q


# --- Rows --------------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def api_row(row: dict[str, Any], *, numeric: bool) -> dict[str, str]:
    """A layout row as ACLED's API writes it: every value a string; actor types and the
    interaction as text unless ``inter_num=1``, and the region's number with it."""
    values = {name: as_text(value) for name, value in row.items()}
    if not numeric:
        for name in ("inter1", "inter2"):
            if values.get(name):
                values[name] = inter_label(int(values[name]))
        if values.get("interaction"):
            codes = [int(digit) for digit in values["interaction"] if digit != "0"]
            values["interaction"] = "-".join(inter_label(code) for code in codes)
    elif values.get("region"):
        names = {name: number for number, name in ACLED_REGIONS.items()}
        values["region"] = str(names[values["region"]])
    return values


def readers_records(events: QuerySet[Event], layout: Layout) -> Iterator[EventRecord]:
    """``events`` as readers see them, as records of ``layout`` (UCDP's API)."""
    loaded = events.select_related("event_type__parent", "location").only(*EVENT_FIELDS)
    return event_records(as_seen_by(loaded, READER), READER, layout=layout, chunk_size=CHUNK)


def event_rows(
    ids: Iterable[int], columns: list[str], *, numeric: bool
) -> Iterator[dict[str, str]]:
    """The events ``ids`` as ACLED's rows, in that order: computed by PostgreSQL for readers,
    no record loaded."""
    layout = ACLED.only(columns)
    for parts in computed_parts(ids, READER, layout):
        yield api_row(layout.computed_dict(parts), numeric=numeric)


# --- Responses ---------------------------------------------------------------------------------


def hours_since_last_update() -> int:
    last = Event.objects.published().aggregate(last=Max("updated_at"))["last"]
    return int((timezone.now() - last).total_seconds() // 3600) if last else 0


def envelope_head(messages: list[str]) -> dict[str, Any]:
    return {
        "status": 200,
        "success": True,
        "last_update": hours_since_last_update(),
        "messages": messages,
    }


def file_name(what: str) -> str:
    return f"conflictkb-{what}-{timezone.now():%Y-%m-%dT%H%M%SZ}"


def json_stream(head: dict[str, Any], rows: Iterable[dict[str, str]], what: str) -> Iterator[str]:
    """ACLED's envelope, written as the rows come: the count follows the data."""
    yield orjson.dumps(head).decode()[:-1] + ',"data":['
    count = 0
    for count, row in enumerate(rows, 1):
        yield ("," if count > 1 else "") + orjson.dumps(row).decode()
    tail = {"count": count, "filename": file_name(what)}
    yield "]," + orjson.dumps(tail).decode()[1:]


def csv_stream(columns: list[str], rows: Iterable[dict[str, str]]) -> Iterator[str]:
    writer = csv_writer(lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([row[name] for name in columns])


class AcledApiView(APIView):
    """What every ACLED-shaped endpoint shares: anonymous reading (credentials ignored), the
    API's throttle, ACLED's envelope for answers and errors, JSON or CSV (``_format``)."""

    authentication_classes: list[Any] = []
    columns: list[Column] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    what = "acled"

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, GrammarError):
            return acled_error(400, str(exc))
        if isinstance(exc, exceptions.Throttled):
            wait = str(int(getattr(exc, "wait", None) or 1))
            return acled_error(
                429, f"Too many requests: try again in {wait} s.", **{"Retry-After": wait}
            )
        if isinstance(exc, exceptions.APIException):
            return acled_error(exc.status_code, str(exc.detail))
        raise exc

    def get(self, request: Request) -> StreamingHttpResponse:
        params = request.query_params
        output = params.get("_format", "json").lower()
        if output not in ("json", "csv"):
            raise GrammarError("_format", f"'{output}' is not a format; use json or csv.")
        messages = [text for name, text in NOT_HONOURED.items() if name in params]
        columns, rows = self.rows(params)
        # Streamed as the downloads are (core.streaming): a database down before the first
        # row is the site's 503, a failure later cuts the answer short, visibly.
        if output == "csv":
            response = streamed(csv_stream(columns, rows), "text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{file_name(self.what)}.csv"'
            return response
        return streamed(json_stream(envelope_head(messages), rows, self.what), "application/json")

    def rows(self, params: Any) -> tuple[list[str], Iterable[dict[str, str]]]:
        raise NotImplementedError

    @staticmethod
    def page_of(params: Any) -> tuple[int, int | None]:
        """(offset, limit) from ``limit`` (0: every row) and ``page`` (from 1)."""
        limit = bounded(params, "limit", default=DEFAULT_LIMIT, low=0)
        page = bounded(params, "page", default=1, low=1)
        if (page - 1) * limit > MOST_SKIPPED:
            raise GrammarError("page", f"page {page} of {limit} rows is past any data.")
        return ((page - 1) * limit, limit or None)


def slice_of(rows: list[Any], offset: int, limit: int | None) -> list[Any]:
    return rows[offset : offset + limit] if limit else rows[offset:]


class EventsView(AcledApiView):
    """``/api/acled/read``: events, newest first."""

    columns = EVENT_COLUMNS

    def rows(self, params: Any) -> tuple[list[str], Iterable[dict[str, str]]]:
        columns = fields(params, ACLED.header)
        found = conditions(params, EVENT_COLUMNS)
        numeric = params.get("inter_num", "0") == "1"
        offset, limit = self.page_of(params)
        newest_first = ("-start_date", "-pk")
        events = Event.objects.published().filter(where(found)).order_by(*newest_first)
        # The page's events by position, read from the timeline index alone (a deep page
        # skips hundreds of thousands), then their rows by key.
        ids = events.values_list("pk", flat=True)
        page = ids[offset : offset + limit] if limit else ids[offset:].iterator(chunk_size=CHUNK)
        return columns, event_rows(page, columns, numeric=numeric)


# merged_into is ConflictKB's: the id an event merged into its duplicate now goes by.
DELETED_COLUMNS = [
    Column("event_id_cnty", "LIKE"),
    Column("deleted_timestamp", ">=", unix_time),
    Column("merged_into", "LIKE"),
]


# The operators whose values are a lower bound of every time they let through.
LOWER_BOUNDS = {">=", ">", "=", "BETWEEN"}


def earliest(found: list[Condition]) -> datetime.datetime:
    """The earliest removal ``deleted_timestamp`` lets through, so that a mirror asking for
    what went since its last sync reads those removals from the database, not every removal
    ever (rows are still tested against the whole condition after)."""
    seconds = 0
    for condition in found:
        if condition.column == "deleted_timestamp" and condition.operator in LOWER_BOUNDS:
            seconds = max(seconds, min(condition.values))
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


class DeletedView(AcledApiView):
    """``/api/deleted/read``: events readers held that were deleted or unpublished, from the
    deletions feed (``/api/v1/deleted/``), on the clock of ``timestamp``.

    A merge (interchange.merging) removes the absorbed event's id, with ``merged_into`` the
    kept event's. Where the kept event took the absorbed one's ACLED id, that id lives on and
    the id removed is the one the kept event went by before (its own ``SYRCKB12``)."""

    columns = DELETED_COLUMNS

    what = "deleted"

    def rows(self, params: Any) -> tuple[list[str], Iterable[dict[str, str]]]:
        found = conditions(params, DELETED_COLUMNS)
        removed = deletions("event", since=earliest(found), after=None, staff=False).values(
            "pgh_created_at", "pgh_obj_id", "acled_id", "location_id", "merged_into"
        )
        held = list(removed.order_by("-pgh_created_at", "-pgh_id"))
        kept = {
            row["uuid"]: row
            for row in Event.objects.filter(
                uuid__in={row["merged_into"] for row in held if row["merged_into"]}
            ).values("uuid", "pk", "acled_id", "location_id")
        }
        places = {row["location_id"] for row in [*held, *kept.values()]}
        countries: dict[int | None, str] = dict(
            Location.objects.published().filter(pk__in=places).values_list("pk", "country_code")
        )

        def event_id(acled_id: str, pk: int, place: int | None) -> str:
            return acled_id or own_acled_id(pk, countries.get(place))

        rows = []
        for row in held:
            gone = event_id(row["acled_id"], row["pgh_obj_id"], row["location_id"])
            now = ""
            if into := kept.get(row["merged_into"]):
                now = event_id(into["acled_id"], into["pk"], into["location_id"])
                if now == gone:  # the kept event took this id: its own one is gone instead
                    gone = event_id("", into["pk"], into["location_id"])
            rows.append(
                {
                    "event_id_cnty": gone,
                    "deleted_timestamp": str(int(row["pgh_created_at"].timestamp())),
                    "merged_into": now,
                }
            )
        rows = [row for row in rows if all(c.matches(row[c.column]) for c in found)]
        offset, limit = self.page_of(params)
        return [c.name for c in DELETED_COLUMNS], slice_of(rows, offset, limit)


DATES_AND_COUNT = [
    Column("first_event_date", "=", day),
    Column("last_event_date", "=", day),
    Column("event_count", "=", whole),
]


def summary(stats: dict[str, Any]) -> dict[str, str]:
    return {
        "first_event_date": stats["first"].isoformat(),
        "last_event_date": stats["last"].isoformat(),
        "event_count": str(stats["count"]),
    }


def event_stats(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.annotate(
        first=Min("event__start_date"),
        last=Max("event__start_date"),
        count=Count("event", distinct=True),
    )


class ListView(AcledApiView):
    """The small lists (actors, actor types, countries, regions): every row computed, then
    filtered and paged in Python with the same grammar."""

    def rows(self, params: Any) -> tuple[list[str], Iterable[dict[str, str]]]:
        found = conditions(params, self.columns)
        # Each list counts every published event (3.5 s for the actors at a million): kept
        # until the data changes, as the timeline's histogram is.
        every = cached_until_data_changes(f"acled-{self.what}", "", self.all_rows)
        rows = [row for row in every if all(c.matches(row[c.column]) for c in found)]
        offset, limit = self.page_of(params)
        return [c.name for c in self.columns], slice_of(rows, offset, limit)

    def all_rows(self) -> list[dict[str, str]]:
        raise NotImplementedError


class ActorsView(ListView):
    """``/api/actor/read``: published actors that take part in published events, by name."""

    what = "actors"
    columns = [Column("actor_name", "LIKE"), *DATES_AND_COUNT]

    def all_rows(self) -> list[dict[str, str]]:
        stats = event_stats(Participation.objects.published().values("actor__name"))
        return [
            {"actor_name": row["actor__name"], **summary(row)}
            for row in stats.order_by("actor__name")
        ]


class ActorTypesView(ListView):
    """``/api/actortype/read``: ACLED's eight actor types (inter codes)."""

    what = "actor-types"
    columns = [Column("actor_type_id", "=", whole), Column("actor_type_name", "LIKE")]
    columns += DATES_AND_COUNT

    def all_rows(self) -> list[dict[str, str]]:
        stats = event_stats(
            Participation.objects.published()
            .filter(actor__acled_type__isnull=False)
            .values("actor__acled_type")
        )
        return [
            {
                "actor_type_id": str(row["actor__acled_type"]),
                "actor_type_name": inter_label(row["actor__acled_type"]),
                **summary(row),
            }
            for row in stats.order_by("actor__acled_type")
        ]


def country_stats() -> dict[str, Any]:
    events = Event.objects.published().exclude(location=None).values("location__country_code")
    stats = events.annotate(first=Min("start_date"), last=Max("start_date"), count=Count("pk"))
    return {row["location__country_code"]: row for row in stats if row["location__country_code"]}


class CountriesView(ListView):
    """``/api/country/read``: the countries of published events, by name."""

    what = "countries"
    columns = [Column("country", "="), Column("iso", "=", whole), Column("iso3", "=")]
    columns += DATES_AND_COUNT

    def all_rows(self) -> list[dict[str, str]]:
        names = dict(
            Location.objects.published()
            .filter(kind=LocationKind.COUNTRY)
            .values_list("country_code", "name")
        )
        rows = [
            {
                "country": names.get(code, code),
                "iso": str(NUMERIC_OF_ALPHA2.get(code, "")),
                "iso3": ALPHA3_OF_ALPHA2.get(code, ""),
                **summary(stats),
            }
            for code, stats in country_stats().items()
        ]
        return sorted(rows, key=lambda row: row["country"])


class RegionsView(ListView):
    """``/api/region/read``: ACLED's regions of the countries of published events."""

    what = "regions"
    columns = [Column("region", "=", whole), Column("region_name", "LIKE"), *DATES_AND_COUNT]

    def all_rows(self) -> list[dict[str, str]]:
        regions: dict[int, dict[str, Any]] = {}
        for code, stats in country_stats().items():
            number = REGION_OF_ALPHA2.get(code)
            if number is None:
                continue
            held = regions.get(number)
            if held is None:
                regions[number] = dict(stats)
                continue
            held["first"] = min(held["first"], stats["first"])
            held["last"] = max(held["last"], stats["last"])
            held["count"] += stats["count"]
        return [
            {"region": str(number), "region_name": ACLED_REGIONS[number], **summary(stats)}
            for number, stats in sorted(regions.items())
        ]


# --- The OpenAPI schema ------------------------------------------------------------------------

OPERATIONS: dict[type[AcledApiView], tuple[str, str]] = {
    EventsView: ("acled_events", "Events in ACLED's columns"),
    DeletedView: ("acled_deleted", "Events deleted or unpublished"),
    ActorsView: ("acled_actors", "Actors, with their first and last events"),
    ActorTypesView: ("acled_actor_types", "ACLED's actor types"),
    CountriesView: ("acled_countries", "Countries of the events"),
    RegionsView: ("acled_regions", "ACLED's regions of the events"),
}
ERROR = inline_serializer(
    "AcledError",
    {
        "status": serializers.IntegerField(),
        "success": serializers.BooleanField(),
        "error": inline_serializer(
            "AcledErrorMessage", {"message": serializers.CharField()}, many=True
        ),
    },
)


def parameters(view: type[AcledApiView]) -> list[OpenApiParameter]:
    found = []
    for column in view.columns:
        found += [
            OpenApiParameter(
                column.name,
                str,
                description=f"Default operator {column.default}; an OR-list as a|b.",
            ),
            OpenApiParameter(
                f"{column.name}_where", str, enum=list(OPERATORS), description="The operator."
            ),
        ]
    found += [
        OpenApiParameter(
            "limit", int, description=f"Rows per page, default {DEFAULT_LIMIT}; 0: every row."
        ),
        OpenApiParameter("page", int, description="From 1."),
        OpenApiParameter("_format", str, enum=["json", "csv"]),
        *(
            OpenApiParameter(
                name, str, description="Accepted and ignored: every reader reads published records."
            )
            for name in CREDENTIALS
        ),
    ]
    if view is EventsView:
        found += [
            OpenApiParameter(
                "fields", str, description="Columns as a|b|c; every column by default."
            ),
            OpenApiParameter(
                "inter_num", int, enum=[0, 1], description="1: actor types and regions as numbers."
            ),
            *(OpenApiParameter(name, str, description=text) for name, text in NOT_HONOURED.items()),
        ]
    return found


def document(view: type[AcledApiView]) -> None:
    """The view's operation in the schema: its parameters, ACLED's envelope, its errors."""
    row: dict[str, serializers.Field] = {
        column.name: serializers.CharField() for column in view.columns
    }
    operation_id, summary = OPERATIONS[view]
    envelope = inline_serializer(
        f"Acled{view.__name__.removesuffix('View')}Page",
        {
            "status": serializers.IntegerField(),
            "success": serializers.BooleanField(),
            "last_update": serializers.IntegerField(help_text="Hours since the data last changed."),
            "count": serializers.IntegerField(help_text="Rows in this answer."),
            "messages": serializers.ListField(child=serializers.CharField()),
            "data": inline_serializer(
                f"Acled{view.__name__.removesuffix('View')}Row", row, many=True
            ),
            "filename": serializers.CharField(),
        },
    )
    extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=f"{summary}, as ACLED's API answers them. Each column is a"
            " filter: its default operator, `<column>_where` to choose another, `a|b` for an"
            " OR-list, `low|high` with BETWEEN. Every reader reads published records.",
            tags=["ACLED-compatible"],
            parameters=parameters(view),
            responses={
                (200, "application/json"): envelope,
                (200, "text/csv"): OpenApiTypes.STR,
                400: ERROR,
                429: ERROR,
            },
        )
    )(view)


for _view in OPERATIONS:
    document(_view)
