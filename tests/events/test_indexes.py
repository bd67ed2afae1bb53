"""Every timeline and API filter is answered from an index, never by reading all events.

A few thousand events, places, actors and claims are seeded once for the module, the tables
analysed, and ``EXPLAIN (FORMAT JSON)`` read for each filter the way the pages run it: the
first page (newest first, ``LIMIT``) and the whole selection (the histogram's ``GROUP BY``,
which has no ``LIMIT`` to hide a full scan behind). The planner is left to its own choices
(no ``enable_seqscan = off``): on this many rows it already prefers a sequential scan wherever
no index fits, so a missing index shows up as a ``Seq Scan`` on events_event.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.test.utils import CaptureQueriesContext

from actors.models import Actor, ActorKind, ActorName, NameKind
from api.acled import EVENT_COLUMNS, fatalities, where
from api.acled_grammar import conditions
from api.deleted import deletions
from api.pagination import KeysetCursorPagination
from core.models import Publication
from events.filters import EventFilter
from events.models import Event, EventType, Location, LocationKind, Participation, Role
from events.views import Cursor
from interchange.layouts import acled_event_id
from sources.models import Claim, ClaimKind, Document, Outlet, OutletKind

EVENTS = 4000
# fmt: off
WORDS = [
    "airstrike", "shelling", "convoy", "checkpoint", "market", "hospital", "school", "village",
    "ceasefire", "offensive", "displaced", "wounded", "killed", "drone", "artillery", "mortar",
    "rocket", "ambush", "clash", "patrol", "militia", "protest", "curfew", "detained", "bridge",
    "road", "frontline", "outskirts", "district", "governorate", "reported",
]
# fmt: on


# The tables the seed fills and the filters read.
SEEDED_TABLES = [
    *("events_event", "events_location", "events_eventtype", "events_participation"),
    *("actors_actor", "actors_actorname", "sources_claim", "sources_document", "sources_outlet"),
]


def seed() -> None:
    """About 9,000 rows: 125 places, 150 actors and 300 names, 4,000 events (one in ten a
    draft) each with a participant, 700 fatality claims, 100 events contested."""
    rng = random.Random(6)  # deterministic: the same plans on every run
    countries = Location.objects.bulk_create(
        Location(
            name=f"Country {c}", kind=LocationKind.COUNTRY, country_code="SY", status="published"
        )
        for c in range(5)
    )
    regions = Location.objects.bulk_create(
        Location(name=f"Region {c.pk}-{r}", kind=LocationKind.ADMIN1, parent=c, status="published")
        for c in countries
        for r in range(4)
    )
    towns = Location.objects.bulk_create(
        Location(
            name=f"Town {region.pk}-{t}",
            kind=LocationKind.TOWN,
            parent=region,
            status="published",
            latitude=round(rng.uniform(30, 40), 4),
            longitude=round(rng.uniform(35, 45), 4),
        )
        for region in regions
        for t in range(5)
    )
    actors = Actor.objects.bulk_create(
        Actor(name=f"Brigade {n}", kind=ActorKind.MILITIA, status="published") for n in range(150)
    )
    ActorName.objects.bulk_create(
        ActorName(actor=actor, name=f"{word} {n} Front", kind=NameKind.FORMER)
        for n, actor in enumerate(actors)
        for word in ("Northern", "Free")
    )
    subtypes = list(EventType.objects.filter(parent__isnull=False))
    start = datetime.date(1997, 1, 1)
    events = Event.objects.bulk_create(
        Event(
            title=" ".join(rng.choices(WORDS, k=6)).capitalize(),
            summary=" ".join(rng.choices(WORDS, k=40)),
            event_type=rng.choice(subtypes),
            start_date=(day := start + datetime.timedelta(days=rng.randrange(30 * 365))),
            end_date=day + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 3])),
            location=rng.choice(towns),
            status=Publication.DRAFT if rng.random() < 0.1 else Publication.PUBLISHED,
        )
        for _ in range(EVENTS)
    )
    # Some actors take part in many events, most in few (Zipf-like), as in ACLED.
    weights = [1 / (rank + 1) for rank in range(len(actors))]
    Participation.objects.bulk_create(
        Participation(event=event, actor=rng.choices(actors, weights)[0], role=Role.PERPETRATOR)
        for event in events
    )
    outlet = Outlet.objects.create(name="Monitor", kind=OutletKind.NEWSPAPER, status="published")
    document = Document.objects.create(outlet=outlet, title="Daily report", status="published")
    claimed = rng.sample(events, 600)
    Claim.objects.bulk_create(
        Claim(
            event=event,
            kind=ClaimKind.FATALITIES,
            claimant_actor=actors[0],
            document=document,
            quote="The strikes killed people.",
            value_best=rng.choice([1, 2, 3, 5, 8, 13, 40, 120]),
        )
        for event in claimed
    )
    # A second, different figure makes an event contested.
    Claim.objects.bulk_create(
        Claim(
            event=event,
            kind=ClaimKind.FATALITIES,
            claimant_actor=actors[1],
            document=document,
            quote="Nobody was killed.",
            value_best=0,
        )
        for event in claimed[:100]
    )
    # Claims naming an actor as the target, and an observatory's own claims.
    Claim.objects.bulk_create(
        Claim(
            event=event,
            kind=ClaimKind.TARGET,
            claimant_actor=actors[1],
            document=document,
            quote="The strike targeted their depot.",
            value_actor=rng.choices(actors, weights)[0],
        )
        for event in rng.sample(events, 300)
    )
    observatory = Outlet.objects.create(
        name="Syrian Observatory", kind=OutletKind.MONITOR, status="published"
    )
    Claim.objects.bulk_create(
        Claim(
            event=event,
            kind=ClaimKind.FATALITIES,
            claimant_outlet=observatory if n % 2 else None,
            claimant_actor=None if n % 2 else actors[2],
            document=document,
            quote="Four people were killed.",
            value_best=4,
        )
        for n, event in enumerate(rng.sample(events, 60))
    )
    with connection.cursor() as cursor:
        # Changes spread over two years, as on a site that has been edited for a while.
        cursor.execute("UPDATE events_event SET updated_at = now() - (id % 730) * interval '1 day'")
        # Autovacuum, analysing a table during the module, would count none of these rows
        # (they are not committed) and leave the planner an empty table's statistics: it
        # skips a table whose lock it cannot take, and this one, held to the end, is the lock
        # it needs (taken first, so that an analysis under way ends before the seed's own).
        cursor.execute(f"LOCK TABLE {', '.join(SEEDED_TABLES)} IN SHARE UPDATE EXCLUSIVE MODE")
        # A GIN index first writes new entries to a pending list, read in full by every search
        # until a vacuum (or 4 MB of them) files them in the index proper. The rows this seed
        # and earlier tests wrote put about a hundred pages there, which the planner prices
        # at ten times the index itself: enough, after some test orders, for a scan of all
        # the events to look cheaper. A site's list is filed by autovacuum; this one is now.
        cursor.execute(
            "SELECT gin_clean_pending_list(index.indexrelid::regclass)"
            " FROM pg_index index JOIN pg_class relation ON relation.oid = index.indexrelid"
            " JOIN pg_am method ON method.oid = relation.relam"
            " WHERE method.amname = 'gin' AND index.indrelid::regclass::text = ANY(%s)",
            [SEEDED_TABLES],
        )
        cursor.execute("ANALYZE")


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seeded once for the module, inside a transaction rolled back at the end (ANALYZE
    counts the transaction's own rows)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def events(seeded: None, db: None) -> QuerySet[Event]:
    return Event.objects.published()


def flattened(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes, stack = [], [plan]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def plan_nodes(queryset: QuerySet[Any]) -> list[dict[str, Any]]:
    """Every node of the query's plan, flattened."""
    return flattened(json.loads(queryset.explain(format="json"))[0]["Plan"])


def explained(sql: str) -> list[dict[str, Any]]:
    """Every node of the plan of a query as it ran (CaptureQueriesContext's text)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        return flattened(cursor.fetchone()[0][0]["Plan"])


def seq_scan(node: dict[str, Any]) -> bool:
    return node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "events_event"


def full_scans_of_events(queryset: QuerySet[Any]) -> list[str]:
    return [node["Node Type"] for node in plan_nodes(queryset) if seq_scan(node)]


def filtered(events: QuerySet[Event], **data: str) -> QuerySet[Event]:
    filterset = EventFilter(data=data, queryset=events)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def first_page(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """The timeline's and the API's first page: newest first, one row more than shown."""
    return queryset.for_list().order_by("-start_date", "-pk")[:101]


def histogram(queryset: QuerySet[Event]) -> QuerySet[Any]:
    """The timeline histogram's query: the whole selection, counted per day."""
    return queryset.order_by().values("start_date").annotate(n=Count("id"))


def filter_values() -> dict[str, dict[str, str]]:
    region = Location.objects.filter(kind=LocationKind.ADMIN1).order_by("pk")[3]
    return {
        "place": {"place": str(region.uuid)},
        "actor, by a former name": {"actor": "northern 40 front"},
        "actor, loosely spelled": {"actor": "Brigadee 60"},
        "actor named in claims only": {"actor": "northern 40 front", "actor_as": "named"},
        "actor taking part only": {"actor": "northern 40 front", "actor_as": "participant"},
        "claimant, by name": {"claimant": "Syrian Observatory"},
        "claimant, by id": {"claimant": str(Actor.objects.get(name="Brigade 2").uuid)},
        "date range": {"date_from": "2010-03-01", "date_to": "2010-03-31"},
        "type": {"type": "riots"},
        "words": {"q": "ambush checkpoint"},
        "words only in claims' quotes": {"q": "people"},
        "words naming an actor": {"q": "northern 40 front"},
        "contested": {"contested": "true"},
        "map area": {"bbox": "36.0,31.0,36.5,31.5"},
        "minimum fatalities": {"min_fatalities": "100"},
        "changed since": {
            "updated_since": (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
        },
    }


def known_gap(reason: str) -> pytest.MarkDecorator:
    """A filter whose SQL shape keeps PostgreSQL off the indexes: no index can fix it, the
    query must change. Strict, so the test fails (and this mark must go) once it is fixed."""
    return pytest.mark.xfail(strict=True, reason=reason)


# Not strict: at 8 % of the events the planner's choice turns on the table's size on disk,
# which the rows earlier tests inserted and rolled back (dead until vacuumed) change, so
# the same query reads the index after some test orders and not after others.
BROAD_TYPE = pytest.mark.xfail(
    strict=False,
    reason="Riots are 2 of the 25 sub-types the seed draws from, about 8 % of its events; for "
    "every matching event of a table this small, the planner prefers one full scan to index "
    "probes. Whether it still does at a million events is for the 1M-event benchmark to show.",
)
BROAD_WORDS = known_gap(
    "Every word of the seed is in about three events in four, so 'ambush checkpoint' matches "
    "59 % of them: the planner rightly reads the whole selection in one full scan rather than "
    "bitmap-scan most of the table. Selective words are one BitmapOr of the indexes (below)."
)
FILTERS = [
    "place",
    "actor, by a former name",
    "actor, loosely spelled",
    "actor named in claims only",
    "actor taking part only",
    "claimant, by name",
    "claimant, by id",
    "date range",
    "type",
    "words",
    "words only in claims' quotes",
    "words naming an actor",
    "contested",
    "map area",
    "minimum fatalities",
    "changed since",
]
# The histogram has no LIMIT to hide a full scan behind: a filter matching most events is
# read in one scan there, which is the right plan (BROAD).
BROAD = {"type": BROAD_TYPE, "words": BROAD_WORDS}
# Not asserted for the whole selection: "people", in the quotes of claims on about 650 of the 4,000
# events (16 %). Reading them through the claims or in one scan of this small table cost about the
# same, so the plan turns on the table's size on disk, which earlier tests change. Its first
# page is asserted above; its cost at a million events is in BENCHMARKS.md (miss 4).
COMMON_QUOTE_WORD = "words only in claims' quotes"
SELECTIONS = [
    pytest.param(name, marks=BROAD[name]) if name in BROAD else name
    for name in FILTERS
    if name != COMMON_QUOTE_WORD
]


@pytest.mark.parametrize("name", FILTERS)
def test_the_first_page_of_each_filter_reads_events_through_an_index(events, name):
    queryset = first_page(filtered(events, **filter_values()[name]))
    assert full_scans_of_events(queryset) == []


@pytest.mark.parametrize("name", SELECTIONS)
def test_the_whole_selection_of_each_filter_reads_events_through_an_index(events, name):
    queryset = histogram(filtered(events, **filter_values()[name]))
    assert full_scans_of_events(queryset) == []


def test_the_unfiltered_timeline_walks_the_timeline_index(events):
    nodes = plan_nodes(first_page(events))
    assert "event_timeline" in {node.get("Index Name") for node in nodes}
    assert full_scans_of_events(first_page(events)) == []


def test_a_later_timeline_page_starts_inside_the_index_not_at_its_beginning(events):
    middle = events.order_by("-start_date", "-pk")[2000]
    cursor = Cursor(middle.start_date, middle.pk)
    nodes = plan_nodes(first_page(events.filter(cursor.older())))
    timeline = [node for node in nodes if node.get("Index Name") == "event_timeline"]
    assert timeline, nodes
    assert "Index Cond" in timeline[0]  # the cursor bounds the scan; it is not a filter


def test_a_later_api_page_starts_inside_the_index_not_at_its_beginning(events):
    middle = events.order_by("-start_date", "-pk")[2000]
    after = KeysetCursorPagination.after(["-start_date", "-pk"], [middle.start_date, middle.pk])
    nodes = plan_nodes(first_page(events.filter(after)))
    timeline = [node for node in nodes if node.get("Index Name") == "event_timeline"]
    assert timeline, nodes
    assert "Index Cond" in timeline[0]


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("claimant, by id", "claimant_actor_id"),
        ("claimant, by name", "claimant_outlet_id"),
        ("actor named in claims only", "value_actor_id"),
    ],
)
def test_the_claim_filters_find_claims_through_the_index_of_their_column(events, name, column):
    """The claimant and named-actor filters are semi-joins on claims: each reads the claims
    through the index of the column it matches, not by scanning every claim."""
    nodes = plan_nodes(first_page(filtered(events, **filter_values()[name])))
    claim_reads = [node for node in nodes if node.get("Relation Name") == "sources_claim"]
    assert claim_reads, nodes
    assert all(node["Node Type"] != "Seq Scan" for node in claim_reads), claim_reads
    indexes = {node.get("Index Name", "") for node in nodes}
    assert any(column in index for index in indexes), indexes


def test_acleds_fatalities_above_a_rare_figure_read_through_their_index(events):
    """ACLED's API (/api/acled/read?fatalities=N&fatalities_where=>) compares the lowest
    figure: for a figure few events pass, the index of that figure finds them."""
    figures = sorted(events.annotate(figure=fatalities()).values_list("figure", flat=True))
    rare = figures[-30]  # the 30 highest, and any tied with the 30th
    found = conditions({"fatalities": str(rare), "fatalities_where": ">="}, EVENT_COLUMNS)
    chosen = events.filter(where(found)).order_by("-start_date", "-pk")[:5000]
    assert 0 < chosen.count() < len(figures) // 50
    assert "event_acled_fatalities" in {node.get("Index Name") for node in plan_nodes(chosen)}
    assert full_scans_of_events(chosen) == []


@pytest.mark.parametrize(
    ("text", "fewest", "most"),
    [("frontline outskirts district", 1, 40), ("sarin", 0, 0)],
    ids=["rare", "absent"],
)
def test_acleds_notes_holding_a_rare_text_are_found_through_the_descriptions_trigrams(
    events, text, fewest, most
):
    """ACLED's API (/api/acled/read?notes=…, a LIKE): a text that few descriptions hold, or
    none, is looked up in the descriptions' trigram index, not read out of every one."""
    newest_first = events.order_by("-start_date", "-pk")
    holding = [event.pk for event in newest_first.only("summary") if text in event.summary]
    chosen = newest_first.filter(where(conditions({"notes": text}, EVENT_COLUMNS)))[:5000]
    assert [event.pk for event in chosen] == holding
    assert fewest <= len(holding) <= most
    assert "event_summary_trgm" in {node.get("Index Name") for node in plan_nodes(chosen)}
    assert full_scans_of_events(chosen) == []


def test_acleds_ids_holding_a_text_are_found_through_the_ids_trigrams(events):
    """ACLED's API (/api/acled/read?event_id_cnty=SYR1234, LIKE by default): nine events in
    ten imported from ACLED with their ids; those holding the text are looked up in the ids'
    trigram index, not read out of every event's id."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET acled_id = 'SYR' || id WHERE id % 10 <> 0")
        cursor.execute("SELECT gin_clean_pending_list('event_acled_id_trgm'::regclass)")
        cursor.execute("ANALYZE events_event")
    text = f"yr{events.exclude(acled_id='').order_by('pk')[500].pk}"
    newest_first = events.order_by("-start_date", "-pk")
    holding = [e.pk for e in newest_first.only("acled_id") if text.upper() in e.acled_id]
    found = where(conditions({"event_id_cnty": text}, EVENT_COLUMNS))
    chosen = newest_first.filter(found)[:5000]
    assert [event.pk for event in chosen] == holding
    assert 1 <= len(holding) <= 20
    assert "event_acled_id_trgm" in {node.get("Index Name") for node in plan_nodes(chosen)}
    assert full_scans_of_events(chosen) == []


@pytest.mark.parametrize(
    ("question", "indexes"),
    [
        ("a number", {"event_own_number_trgm"}),
        ("letters", {"event_own"}),
        ("ids before", {"event_acled_id_unique", "event_own"}),
    ],
)
def test_acleds_own_ids_are_found_through_their_indexes(events, question, indexes):
    """ACLED's API on event_id_cnty, for events of which one in ten has no ACLED id and is
    written with an id of its own ("XXXCKB4150"): a part of one ending in digits (LIKE, the
    default) is looked up in the trigrams of those events' numbers, one without digits among
    those events only, and ``<`` reads the ACLED ids' index and those events; none reads
    every event's id."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET acled_id = 'SYR' || id WHERE id % 10 <> 0")
        for gin in ("event_acled_id_trgm", "event_own_number_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [gin])
        cursor.execute("ANALYZE events_event")
    own = acled_event_id(events.filter(acled_id="").select_related("location").order_by("pk")[50])
    third = sorted(events.exclude(acled_id="").values_list("acled_id", flat=True))[2]
    query, passing, count = {
        "a number": ({"event_id_cnty": own[2:].lower()}, lambda id: own[2:] in id, 1),
        "letters": (
            {"event_id_cnty": own[:5]},
            lambda id: own[:5] in id,
            events.filter(acled_id="").count(),
        ),
        "ids before": (
            {"event_id_cnty": third, "event_id_cnty_where": "<"},
            lambda id: id < third,
            2,
        ),
    }[question]
    newest_first = events.order_by("-start_date", "-pk")
    holding = [e.pk for e in newest_first.select_related("location") if passing(acled_event_id(e))]
    chosen = newest_first.filter(where(conditions(query, EVENT_COLUMNS)))[:5000]
    assert [event.pk for event in chosen] == holding
    assert len(holding) == count
    assert indexes <= {node.get("Index Name") for node in plan_nodes(chosen)}
    assert full_scans_of_events(chosen) == []


@pytest.mark.parametrize(
    ("column", "text"), [("event_date", "2010-03"), ("event_date", "-02-29"), ("year", "2011")]
)
def test_acleds_dates_holding_a_text_are_found_by_their_days(events, column, text):
    """ACLED's API with ``event_date_where=LIKE`` or ``year_where=LIKE``: the few days whose
    text holds the value (a month, every leap day, a year of the seed's thirty) are ranges
    of the timeline's index, not a text made of every event's date."""
    newest_first = events.order_by("-start_date", "-pk")
    shown = {"event_date": datetime.date.isoformat, "year": lambda day: str(day.year)}[column]
    holding = [e.pk for e in newest_first.only("start_date") if text in shown(e.start_date)]
    query = {column: text, f"{column}_where": "LIKE"}
    chosen = newest_first.filter(where(conditions(query, EVENT_COLUMNS)))[:5000]
    assert [event.pk for event in chosen] == holding
    assert 1 <= len(holding) <= 200
    assert full_scans_of_events(chosen) == []


def test_acleds_figures_holding_a_text_are_found_through_their_index(events):
    """ACLED's API with ``fatalities_where=LIKE``: the figures events have are read from the
    figure's index, and the page finds the events of those whose digits hold the text
    through it."""
    newest_first = events.annotate(figure=fatalities()).order_by("-start_date", "-pk")
    holding = [e.pk for e in newest_first if "12" in str(e.figure)]
    with CaptureQueriesContext(connection) as ran:
        found = where(conditions({"fatalities": "12", "fatalities_where": "LIKE"}, EVENT_COLUMNS))
    chosen = newest_first.filter(found)[:5000]
    assert [event.pk for event in chosen] == holding
    assert 1 <= len(holding) <= 200
    plans = [explained(query["sql"]) for query in ran.captured_queries]
    assert [node.get("Relation Name") for plan in plans for node in plan if seq_scan(node)] == []
    assert "event_acled_fatalities" in {node.get("Index Name") for node in plans[0]}
    assert "event_acled_fatalities" in {node.get("Index Name") for node in plan_nodes(chosen)}
    assert full_scans_of_events(chosen) == []


@pytest.mark.parametrize("operator", ["LIKE", "=", "<", "<="])
def test_acleds_timestamps_are_ranges_of_the_last_change_index(events, operator):
    """ACLED's API on ``timestamp`` (the last change of the event or of the evidence readers
    can open of it): a second, the time before one, and digits inside the seconds (read as
    the seconds in which events last changed, one after the other) are ranges of the
    event_last_change index; no statement reads every event to work out its last change
    (at a million events: 2-4 s for the seconds an import wrote, 48 s before that)."""
    moment = datetime.datetime(2024, 5, 1, 12, 0, 0, 600_000, tzinfo=datetime.UTC)
    unclaimed = events.filter(claims__isnull=True).order_by("pk")
    picked = list(unclaimed.values_list("pk", flat=True)[100:105])
    Event.objects.filter(pk__in=picked).update(updated_at=moment)
    # One whose evidence changed last: the claims' trigger keeps that on the event.
    claim = Claim.objects.filter(is_public=True, event__in=events).order_by("pk").first()
    Event.objects.filter(pk=claim.event_id).update(updated_at=moment - datetime.timedelta(days=9))
    Claim.objects.filter(event=claim.event_id).update(updated_at=moment)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")
    second = int(moment.timestamp())
    value = str({"LIKE": str(second)[-6:], "=": second, "<": second + 1, "<=": second}[operator])
    with CaptureQueriesContext(connection) as ran:
        found = where(conditions({"timestamp": value, "timestamp_where": operator}, EVENT_COLUMNS))
    chosen = events.filter(found).order_by("-start_date", "-pk")[:5000]
    assert sorted(event.pk for event in chosen) == sorted([*picked, claim.event_id])
    plans = [explained(query["sql"]) for query in ran.captured_queries]
    plans.append(plan_nodes(chosen))
    assert [node.get("Relation Name") for plan in plans for node in plan if seq_scan(node)] == []
    assert "event_last_change" in {node.get("Index Name") for node in plans[-1]}
    assert "sources_claim" not in {node.get("Relation Name") for node in plans[-1]}


def test_the_deletions_feed_reads_removals_through_their_index_not_every_insert(events):
    """Every seeded event left an insert row in its audit table; the deletions feeds
    (/api/v1/deleted/, ACLED's /api/deleted/read) read only updates and deletes, by time."""
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    for staff in (False, True):
        removed = deletions("event", since=since, after=None, staff=staff)
        nodes = plan_nodes(removed)
        assert "event_audit_removals" in {node.get("Index Name") for node in nodes}, staff
        assert not [
            n
            for n in nodes
            if n.get("Relation Name") == "events_eventevent" and n["Node Type"] == "Seq Scan"
        ]
