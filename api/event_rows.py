"""Events as the API gives them, written by PostgreSQL: one query gives each event as the JSON
``EventSerializer`` declares, built with ``row_to_json`` from the same QuerySets, in the
shape the request asks for (compact, ``?expand=`` parts, ``?fields=``). Lists, records and the
answers to writes all come from here: one definition of an event's JSON.

Building 50 events in Python took most of a computed list's time: about 590 model instances,
their dates parsed, a dictionary per event, then the JSON written. Here the database writes
the text, and the response carries it through as it is (``orjson.Fragment``).

What a reader may see is decided where it always is: the subqueries are ``visible_to`` and
``listed_participations`` QuerySets, so a draft place, ancestor, parent event or actor is
absent for readers as ``as_seen_by`` makes it absent from loaded records, and staff read the
staff's figures. ``tests/api/test_event_representation.py`` holds the text to what DRF's walk
of the declared fields gives.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import psycopg
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat, Length
from psycopg import sql

from api.serializers import DetailLinks
from core.links import PLACEHOLDER, split_at_key
from core.models import sees_drafts
from events.models import Event, EventType, Location, listed_participations

# Who the statement is compiled for: what a QuerySet lets through depends only on whether
# the user sees drafts (core.models.sees_drafts).
STAFF = User(is_staff=True)


class JSONObject(Func):
    """A JSON object with the keys in the order given, written compactly: ``row_to_json`` of a
    one-row subselect. (``json_build_object`` writes " : " and ", " between keys and values, a
    tenth of a list's bytes, and took twice as long; ``jsonb`` sorts the keys.)"""

    output_field = models.JSONField()

    def __init__(self, **fields: Any) -> None:
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        columns: list[str] = []
        params: list[Any] = []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            column, column_params = compiler.compile(expression)
            columns.append(f"{column} AS {connection.ops.quote_name(key)}")
            params += column_params
        # Compiled expressions and quoted names only: no value is written into the text.
        sql = f"(SELECT row_to_json(o) FROM (SELECT {', '.join(columns)}) AS o)"  # noqa: S608
        return sql, tuple(params)


class JSONArray(Func):
    """A subquery's rows as a JSON array, in the subquery's order (``[]`` for none)."""

    function = "array_to_json"
    output_field = models.JSONField()

    def __init__(self, rows: models.QuerySet[Any]) -> None:
        super().__init__(ArraySubquery(rows))


class AnyOf(Func):
    """``value = ANY(array)``: a filter on the ids an array holds."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def text(field: str) -> Cast:
    return Cast(field, TextField())


def api_datetime(field: str) -> Func:
    return Func(F(field), function="ckb_api_datetime", output_field=TextField())


class Links:
    """Records' API addresses built in SQL from the one address each kind resolves to (with
    the host, and a ``?format=`` or ``.json`` the request carries, as DRF writes them), given
    with the placeholder key in place of each record's."""

    def __init__(self, addresses: dict[str, str]) -> None:
        self.addresses = addresses

    def __call__(self, view_name: str, key: str, lookup: str = "uuid") -> Concat:
        head, tail = split_at_key(self.addresses[view_name])
        return Concat(Value(head), text(key), Value(tail), output_field=TextField())


def summary(link: Links, view_name: str, prefix: str = "") -> JSONObject:
    """An actor or place as other records embed it (``summary_ref``)."""
    return JSONObject(
        id=text(f"{prefix}uuid"),
        url=link(view_name, f"{prefix}uuid"),
        name=F(f"{prefix}name"),
        kind=F(f"{prefix}kind"),
        status=F(f"{prefix}status"),
    )


def event_type_ref(link: Links) -> JSONObject:
    return JSONObject(
        slug=F("slug"), url=link("api:eventtype-detail", "slug", lookup="slug"), name=F("name")
    )


# What ``?expand=`` may add to an event: the event type in full (its parent type, description
# and ACLED mapping), the place's ancestors, and the claims (added in Python, api.events).
EXPANSIONS = ("event_type", "place.ancestors", "claims")


@dataclasses.dataclass(frozen=True)
class Shape:
    """Which parts of an event a response carries: the expansions asked for and, with
    ``?fields=``, the top-level fields chosen (None: all of them)."""

    expand: frozenset[str] = frozenset()
    fields: frozenset[str] | None = None

    def has(self, field: str) -> bool:
        return self.fields is None or field in self.fields


FULL = Shape(expand=frozenset(EXPANSIONS))


def event_json(user: Any, link: Links, shape: Shape = FULL) -> JSONObject:
    """One event as ``EventSerializer`` declares it, as ``user`` may see it, in ``shape``."""
    # Subqueries without the models' default order: one row each, or ordered here.
    places = Location.objects.visible_to(user).order_by()
    place_fields: dict[str, Any] = {
        "id": text("uuid"),
        "url": link("api:place-detail", "uuid"),
        "name": F("name"),
        "kind": F("kind"),
        "status": F("status"),
    }
    if "place.ancestors" in shape.expand:
        ancestors = (
            places.filter(AnyOf(F("pk"), Func(OuterRef("path"), function="ckb_ancestor_ids")))
            .order_by(Length("path"))
            .values(json=summary(link, "api:place-detail"))
        )
        place_fields["ancestors"] = JSONArray(ancestors)
    place = places.filter(pk=OuterRef("location_id")).values(
        json=JSONObject(**place_fields, latitude=F("latitude"), longitude=F("longitude"))
    )
    types = EventType.objects.order_by()
    type_fields = event_type_ref(link)
    if "event_type" in shape.expand:
        type_fields = JSONObject(
            slug=F("slug"),
            url=link("api:eventtype-detail", "slug", lookup="slug"),
            name=F("name"),
            parent=Subquery(
                types.filter(pk=OuterRef("parent_id")).values(json=event_type_ref(link))
            ),
            description=F("description"),
            is_acled=F("is_acled"),
            disorder_type=F("disorder_type"),
            acled_event_type=F("acled_event_type"),
            acled_sub_event_type=F("acled_sub_event_type"),
        )
    event_type = types.filter(pk=OuterRef("event_type_id")).values(json=type_fields)
    participants = (
        listed_participations(user)
        .filter(event=OuterRef("pk"))
        .values(
            json=JSONObject(
                actor=summary(link, "api:actor-detail", prefix="actor__"),
                role=F("role"),
                note=F("note"),
            )
        )
    )
    parent = (
        Event.objects.visible_to(user)
        .order_by()
        .filter(pk=OuterRef("parent_id"))
        .values(
            json=JSONObject(
                id=text("uuid"),
                url=link("api:event-detail", "uuid"),
                title=F("title"),
                status=F("status"),
            )
        )
    )
    # Staff read the figures that count every claim not deprecated (Event.show_staff_figures).
    figure = "staff_{}".format if sees_drafts(user) else "{}".format
    fields = {
        "id": text("uuid"),
        "url": link("api:event-detail", "uuid"),
        "title": F("title"),
        "summary": F("summary"),
        "event_type": Subquery(event_type),
        "start_date": text("start_date"),
        "end_date": text("end_date"),
        "date_precision": F("date_precision"),
        "place": Subquery(place),
        "geo_precision": F("geo_precision"),
        "participants": JSONArray(participants),
        "fatalities": JSONObject(
            low=F(figure("fatalities_low")),
            best=F(figure("fatalities_best")),
            high=F(figure("fatalities_high")),
            rule=F("fatality_rule"),
            contested=F(figure("contested")),
        ),
        "claim_summary": JSONObject(
            claims=F(figure("claim_count")), independent_sources=F(figure("source_count"))
        ),
        "parent": Subquery(parent),
        "acled_id": F("acled_id"),
        "ucdp_id": F("ucdp_id"),
        "status": F("status"),
        "created_at": api_datetime("created_at"),
        "updated_at": api_datetime("updated_at"),
    }
    # Only the parts chosen are computed: an unchosen subquery is not in the statement.
    return JSONObject(**{key: value for key, value in fields.items() if shape.has(key)})


def event_rows(
    events: Sequence[Event], user: Any, links: DetailLinks, shape: Shape = FULL
) -> list[tuple[Event, str]]:
    """The events (a page already read) with their JSON texts in ``shape``, in their order, in
    one query on the database the page was read from (a replica keeps the two consistent)."""
    if not events:
        return []
    heads = tuple(links(view, PLACEHOLDER, lookup=lookup) for view, lookup in LINKED)
    using = events[0]._state.db or DEFAULT_DB_ALIAS
    statement = compiled(sees_drafts(user), heads, using, shape)
    with connections[using].cursor() as cursor:
        cursor.execute(statement, [[event.pk for event in events]])
        found = dict(cursor.fetchall())
    # An event deleted since the page was read is left out, as a later read would.
    return [(event, found[event.pk]) for event in events if event.pk in found]


# The kinds of record an event links to, each with the field its address is built from.
LINKED = (
    ("api:event-detail", "uuid"),
    ("api:eventtype-detail", "slug"),
    ("api:place-detail", "uuid"),
    ("api:actor-detail", "uuid"),
)


@functools.lru_cache(maxsize=256)
def compiled(staff: bool, addresses: tuple[str, ...], using: str, shape: Shape) -> str:
    """The statement for one audience, set of addresses (host, format) and shape, compiled once:
    building and compiling the expression took longer than running it. Its constants (keys,
    addresses) are written in as literals (quoted by psycopg), so that it takes one
    parameter, the ids."""
    user = STAFF if staff else AnonymousUser()
    link = Links(dict(zip((view for view, _ in LINKED), addresses, strict=True)))
    rows = (
        Event.objects.order_by()
        .annotate(json=Cast(event_json(user, link, shape), TextField()))
        .values_list("pk", "json")
    )
    inner, params = rows.query.sql_with_params()
    connection = connections[using]
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as literal:
        # A "%" in a literal (an address below a path with escapes) is not a placeholder.
        written = literal.mogrify(inner, params).replace("%", "%%")
    statement = sql.SQL("SELECT * FROM ({}) AS listed WHERE listed.pk = ANY(%s)").format(
        sql.SQL(written)
    )
    return statement.as_string()
