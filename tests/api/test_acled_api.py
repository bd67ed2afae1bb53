"""ACLED's read API at /api/: ACLED's envelope, its query grammar and the ACLED layout's rows.

Every filter is held to the rows themselves: for each column and operator, the events the
database selects are the events whose row, as the API writes it, passes the condition in
Python (``Condition.matches``), so the SQL of a filter and the layout cannot drift apart.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from actors.models import Actor
from core.models import Publication
from events.models import Event, Location, LocationKind, Role
from events.templatetags.conflictkb import figure_range_label
from interchange.layouts import ACLED, acled_event_id
from sources.models import Claim, ClaimKind, Stance
from tests.api.fixtures import THROTTLE_QUERIES
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

READ = "/api/acled/read"


def body(response: Any) -> Any:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def read(client: Client, **params: Any) -> list[dict[str, str]]:
    response = client.get(READ, params)
    assert response.status_code == 200, response
    answer = body(response)
    assert answer["success"] is True
    assert answer["count"] == len(answer["data"])
    return answer["data"]


def ids(rows: list[dict[str, str]]) -> list[str]:
    return [row["event_id_cnty"] for row in rows]


@pytest.fixture
def events(idlib: None) -> list[Event]:
    """The Idlib seed, a strike on civilians with associates on both sides, and a draft."""
    idlib_province = Event.objects.get(title="Russian airstrikes on Idlib").location
    district = LocationFactory(
        name="Maarrat al-Nu'man district", kind=LocationKind.ADMIN2, parent=idlib_province
    )
    town = LocationFactory(name="Khan Shaykhun", parent=district, latitude=35.44, longitude=36.65)
    strike = EventFactory(
        title="Shelling of Khan Shaykhun",
        location=town,
        start_date=datetime.date(2018, 9, 9),
        end_date=datetime.date(2018, 9, 9),
        acled_id="SYR9001",
    )
    army = ActorFactory(name="Military Forces of Syria (2000-)", acled_type=1)
    militia = ActorFactory(name="NDF: National Defence Forces", acled_type=3)
    civilians = ActorFactory(name="Civilians (Syria)", kind="civilians", acled_type=7)
    aid = ActorFactory(name="White Helmets", acled_type=8)
    for actor, role in [
        (army, Role.PERPETRATOR),
        (militia, Role.PERPETRATOR),
        (civilians, Role.TARGET),
        (aid, Role.TARGET),
    ]:
        ParticipationFactory(event=strike, actor=actor, role=role)
    document = DocumentFactory(title="Khan Shaykhun shelled")
    ClaimFactory(event=strike, claimant_actor=army, document=document, value_best=4)
    sohr = ActorFactory(name="Syrian Observatory for Human Rights", kind="ngo")
    ClaimFactory(
        event=strike,
        claimant_actor=sohr,
        document=document,
        value_low=7,
        value_best=9,
        value_high=9,
    )
    draft = EventFactory(title="Draft strike", location=town, status=Publication.DRAFT)
    ParticipationFactory(event=draft, actor=army)
    return list(Event.objects.published().order_by("-start_date", "-pk"))


def all_rows(client: Client, *, numeric: bool = True) -> list[dict[str, str]]:
    return read(client, limit=0, inter_num=int(numeric))


# Actor types, interactions and regions are matched by code when given a number, by name when
# given text (whatever inter_num shows).
BY_CODE_OR_NAME = {"inter1", "inter2", "interaction", "region"}


def test_events_come_in_acleds_envelope_newest_first_every_value_a_string(events):
    response = Client().get(READ, {"key": "k", "email": "e@example.org"})
    answer = body(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert list(answer) == [
        *("status", "success", "last_update", "messages", "data", "count", "filename")
    ]
    assert (answer["status"], answer["success"], answer["messages"]) == (200, True, [])
    assert answer["count"] == len(events) == len(answer["data"])
    assert ids(answer["data"]) == [acled_event_id(event) for event in events]
    for row in answer["data"]:
        assert list(row) == ACLED.header
        assert all(isinstance(value, str) for value in row.values())
    assert "Draft strike" not in json.dumps(answer)


def test_a_row_carries_the_low_figure_a_contested_note_the_region_and_text_actor_types(events):
    [strike] = read(Client(), event_id_cnty="SYR9001", event_id_cnty_where="=")
    assert strike["event_id_cnty"] == "SYR9001"
    assert strike["fatalities"] == "4"  # the lowest of 4 and 7–9
    assert strike["notes"].endswith(
        "[Contested: Military Forces of Syria (2000-) 4 killed; Syrian Observatory for Human"
        " Rights 7–9 killed. Fatalities coded as the lowest figure.]"
    )
    assert strike["tags"] == "contested"
    assert (strike["iso"], strike["region"], strike["country"]) == ("760", "Middle East", "Syria")
    assert (strike["actor1"], strike["assoc_actor_1"]) == (
        "Military Forces of Syria (2000-)",
        "NDF: National Defence Forces",
    )
    assert (strike["actor2"], strike["assoc_actor_2"]) == ("Civilians (Syria)", "White Helmets")
    assert (strike["inter1"], strike["inter2"]) == ("State forces", "Civilians")
    assert strike["interaction"] == "State forces-Civilians"
    assert strike["civilian_targeting"] == "Civilian targeting"
    [numeric] = read(Client(), event_id_cnty="SYR9001", inter_num=1)
    assert (numeric["inter1"], numeric["inter2"], numeric["interaction"]) == ("1", "7", "17")
    assert numeric["region"] == "11"
    claims_changed = max(c.updated_at for c in Event.objects.get(acled_id="SYR9001").claims.all())
    assert int(strike["timestamp"]) == int(claims_changed.timestamp())


def test_the_contested_note_words_figures_denials_and_targets_as_the_event_page_does(events):
    """The note is written by PostgreSQL; its figures read as the site's own label
    (figure_range_label): thousands separated, a range with an en dash."""
    strike = Event.objects.get(acled_id="SYR9001")
    strike.claims.all().delete()
    mod = ActorFactory(name="Ministry of Defence of Russia")
    monitor = ActorFactory(name="Monitor")
    civilians = strike.participations.get(role=Role.TARGET, actor__kind="civilians").actor
    ClaimFactory(event=strike, claimant_actor=monitor, value_best=1200, civilians=40)
    ClaimFactory(event=strike, claimant_actor=mod, value_low=950, value_best=1000, value_high=1300)
    ClaimFactory(
        event=strike,
        claimant_actor=mod,
        kind=ClaimKind.TARGET,
        value_actor=civilians,
        stance=Stance.DENIES,
    )
    [row] = read(Client(), event_id_cnty="SYR9001", event_id_cnty_where="=")
    said = (
        f"Monitor {figure_range_label(None, 1200, None)} killed (40 civilians); Ministry of"
        f" Defence of Russia {figure_range_label(950, 1000, 1300)} killed, denies target"
        " Civilians (Syria)"
    )
    assert row["notes"].endswith(f"[Contested: {said}. Fatalities coded as the lowest figure.]")
    assert "Monitor 1,200 killed (40 civilians); Ministry" in row["notes"]
    assert "Russia 950–1,300 killed, denies target" in row["notes"]


def test_an_event_without_an_acled_id_gets_its_countrys_prefix_and_its_number(events):
    own = next(event for event in events if not event.acled_id)
    assert acled_event_id(own) == f"IRNCKB{own.pk}"  # the Tehran summit
    [row] = read(Client(), event_id_cnty=f"irnckb{own.pk}", event_id_cnty_where="=")
    assert row["event_id_cnty"] == f"IRNCKB{own.pk}"
    assert row["notes"].startswith(own.summary)


# Each case: a column, an operator (None: the column's default) and a value as a client sends it.
CASES = [
    ("event_id_cnty", None, "SYR9001"),
    ("event_id_cnty", None, "yr900"),  # in ACLED ids only: through their trigram index
    ("event_id_cnty", None, "ckb"),
    ("event_id_cnty", None, "9"),  # in ACLED ids and in own ids' numbers
    ("event_id_cnty", "<", "SYR9001"),  # ACLED ids through their index, own ids among theirs
    ("event_id_cnty", ">=", "SYR9001"),
    ("event_date", None, "2018-09-04"),
    ("event_date", "BETWEEN", "2018-09-02|2018-09-07"),
    ("event_date", "<", "2018-09-05"),
    ("event_date", ">=", "2018-09-07"),
    ("event_date", "LIKE", "09-0"),
    ("event_date", "LIKE", "09-09"),  # one day in the span: its range of the timeline
    ("event_date", "LIKE", "2018-1"),  # no day in the span
    ("year", None, "2018"),
    ("year", "<", "2018"),
    ("year", ">", "2017"),
    ("year", "LIKE", "201"),
    ("year", "LIKE", "17"),
    ("time_precision", None, "1"),
    ("disorder_type", None, "violence"),
    ("event_type", None, "explosions"),
    ("event_type", "=", "Strategic developments"),
    ("sub_event_type", None, "air/drone"),
    ("actor1", None, "military forces"),
    ("actor1", "=", "Iran"),
    ("assoc_actor_1", None, "turkey"),
    ("assoc_actor_1", None, "NDF"),
    ("actor2", None, "civilians"),
    ("assoc_actor_2", None, "white"),
    ("inter1", None, "1"),
    ("inter1", ">", "2"),
    ("inter1", "LIKE", "state"),
    ("inter2", None, "7"),
    ("interaction", None, "17"),
    ("interaction", "=", "80"),
    ("civilian_targeting", None, "civilian"),
    ("civilian_targeting", "=", ""),
    ("iso", None, "364"),
    ("iso", None, "760|364"),
    ("region", None, "11"),
    ("region", None, "Middle East"),
    ("region", None, "Europe"),
    ("country", None, "Syria"),
    ("country", None, "syr"),
    ("country", "LIKE", "syr"),
    ("country", None, "Iran:OR:country=Syria"),
    ("admin1", None, "idlib"),
    ("admin2", None, "maarrat"),
    ("location", None, "tehran"),
    ("latitude", ">", "35.8"),
    ("longitude", "BETWEEN", "36|37"),
    ("geo_precision", None, "1"),
    ("geo_precision", ">=", "2"),
    ("source", None, "independent"),
    ("source_scale", None, "national"),
    ("notes", None, "weapons depot"),
    ("notes", None, "lowest figure"),
    ("notes", None, "military forces of syria"),
    ("notes", None, "RUSSIA’S DEF"),  # across words, an apostrophe, any case
    ("notes", None, "qaida-link"),
    ("notes", None, "ed 13 civ"),
    ("notes", None, "zeppelin"),  # in no description
    (
        "notes",
        "=",
        "rebels from both Tahrir al-Sham and Free Syrian Army groups say they have set aside"
        " their disputes to face the common enemy, the Assad government.",
    ),
    ("fatalities", None, "0"),
    ("fatalities", ">", "3"),
    ("fatalities", "<=", "4"),
    ("fatalities", "LIKE", "3"),  # a few numbers: through the figure's index
    ("fatalities", "LIKE", "-"),  # no figure is negative
    ("tags", None, "contested"),
    ("tags", "=", ""),
    ("timestamp", None, "2018-01-01"),
    ("timestamp", "<", "2018-01-01"),
]


def passing(rows: list[dict[str, str]], params: dict[str, Any], column: str) -> list[str]:
    """The ids of the rows whose ``column`` passes the condition ``params`` set on it, as the
    grammar reads it, applied in Python to the rows as the API writes them."""
    from api.acled import EVENT_COLUMNS
    from api.acled_grammar import conditions

    [condition] = conditions(params, [c for c in EVENT_COLUMNS if c.name == column])
    return [row["event_id_cnty"] for row in rows if condition.matches(row[column])]


@pytest.mark.parametrize(("column", "operator", "value"), CASES)
def test_each_filter_selects_exactly_the_rows_whose_values_pass(events, column, operator, value):
    client = Client()
    numeric = column not in BY_CODE_OR_NAME or value.replace("|", "").isdigit()
    rows = all_rows(client, numeric=numeric)
    params = {column: value, "limit": 0, "inter_num": int(numeric)}
    if operator:
        params[f"{column}_where"] = operator
    assert ids(read(client, **params)) == passing(rows, params, column)


def test_a_date_like_across_centuries_of_events_selects_the_rows_that_pass(events):
    """An event dated to the year 201 (a mistyped 2018) stretches the events' span past what
    is worth reading day by day: the dates are compared event by event, with the same rows."""
    EventFactory(
        start_date=datetime.date(201, 9, 9),
        end_date=datetime.date(201, 9, 9),
        location=events[0].location,
    )
    client = Client()
    params = {"event_date": "09-09", "event_date_where": "LIKE", "limit": 0, "inter_num": 1}
    found = ids(read(client, **params))
    assert found == passing(all_rows(client, numeric=True), params, "event_date")
    assert len(found) == 2


def test_timestamps_compare_as_the_whole_seconds_the_rows_give(events):
    """A row's timestamp is its last change in whole seconds: a change at 12:00:00.6 reads as
    12:00:00, so "= 12:00:00" selects it and "> 12:00:00" does not, whether the event itself
    or one of its claims changed last."""
    noon = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    Event.objects.update(updated_at=noon - datetime.timedelta(days=1))
    Claim.objects.update(updated_at=noon - datetime.timedelta(days=1))
    Event.objects.filter(acled_id="SYR9001").update(
        updated_at=noon + datetime.timedelta(seconds=0.6)
    )
    airstrikes = Event.objects.get(title="Russian airstrikes on Idlib")
    Claim.objects.filter(event=airstrikes).update(updated_at=noon + datetime.timedelta(seconds=1.2))
    # A claim readers cannot open changes no row's timestamp.
    hidden = ClaimFactory(
        event=Event.objects.get(acled_id="SYR9001"), document=DocumentFactory(status="draft")
    )
    Claim.objects.filter(pk=hidden.pk).update(updated_at=noon + datetime.timedelta(seconds=1.5))
    client = Client()
    rows = all_rows(client)
    second = int(noon.timestamp())
    chosen = {}
    for operator in ("=", ">", ">=", "<", "<="):
        for value in (second, second + 1):
            params = {"timestamp": str(value), "timestamp_where": operator, "limit": "0"}
            chosen[operator, value] = ids(read(client, **params))
            assert chosen[operator, value] == passing(rows, params, "timestamp"), (operator, value)
    assert chosen["=", second] == ["SYR9001"]
    assert chosen["=", second + 1] == chosen[">", second] == [acled_event_id(airstrikes)]
    # LIKE: digits inside the seconds, through the seconds something changed in.
    for digits in (str(second), str(second + 1)[-5:], str(second - 86400)[-6:], "0000000"):
        params = {"timestamp": digits, "timestamp_where": "LIKE", "limit": "0"}
        chosen["LIKE", digits] = ids(read(client, **params))
        assert chosen["LIKE", digits] == passing(rows, params, "timestamp"), digits
    assert chosen["LIKE", str(second)] == ["SYR9001"]
    assert chosen["LIKE", str(second + 1)[-5:]] == [acled_event_id(airstrikes)]
    assert len(chosen["LIKE", str(second - 86400)[-6:]]) == len(rows) - 2
    assert chosen["LIKE", "0000000"] == []


def test_the_cases_select_some_rows_and_leave_out_others(events):
    """Guards the test above: a case that selects everything or nothing proves little."""
    client = Client()
    total = len(all_rows(client))
    sizes = {}
    for column, operator, value in CASES:
        params = {column: value, "limit": 0}
        if operator:
            params[f"{column}_where"] = operator
        sizes[(column, operator, value)] = len(read(client, **params))
    partial = [case for case, size in sizes.items() if 0 < size < total]
    assert len(partial) >= len(CASES) * 2 // 3, sizes


def test_conditions_on_several_columns_all_hold(events):
    rows = read(Client(), country="Syria", actor1="russia", event_date="2018-09-04")
    assert [row["actor1"] for row in rows] == ["Military Forces of Russia"]


def test_pages_are_stable_and_limit_0_gives_every_row(events):
    client = Client()
    every = ids(read(client, limit=0))
    pages = [ids(read(client, limit=2, page=page)) for page in (1, 2, 3, 4)]
    assert [len(page) for page in pages] == [2, 2, 2, 0]
    assert [row for page in pages for row in page] == every == ids(read(client))


def test_fields_chooses_the_columns_in_acleds_order(events):
    rows = read(Client(), fields="fatalities|event_id_cnty|country", limit=1)
    assert list(rows[0]) == ["event_id_cnty", "country", "fatalities"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "many"}, "limit: 'many' is not a whole number."),
        ({"page": "0"}, "page: must be 1 or more."),
        ({"event_date": "yesterday"}, "event_date: 'yesterday' is not a date (yyyy-mm-dd)"),
        ({"fatalities": "ten"}, "fatalities: 'ten' is not a whole number"),
        ({"fatalities_where": "NEAR", "fatalities": "1"}, "fatalities_where: 'NEAR' is not"),
        ({"year": "2018", "year_where": "BETWEEN"}, "year: with BETWEEN, give two values"),
        ({"timestamp": "soon"}, "timestamp: 'soon' is not Unix seconds or a date"),
        ({"timestamp": "99999999999999"}, "timestamp: '99999999999999' is not Unix seconds"),
        ({"year": "100000"}, "year: '100000' is not a year (1–9999)"),
        ({"page": "999999999999999999"}, "page: page 999999999999999999 of 5000 rows is past"),
        ({"latitude": "north"}, "latitude: 'north' is not a number"),
        ({"fields": "event_date|casualties"}, "fields: no column named casualties;"),
        ({"_format": "xml"}, "_format: 'xml' is not a format; use json or csv."),
    ],
)
def test_a_bad_parameter_gets_400_naming_it(events, params, message):
    response = Client().get(READ, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert (answer["status"], answer["success"]) == (400, False)
    assert answer["error"][0]["message"].startswith(message)


def test_parameters_acled_has_and_conflictkb_cannot_honour_are_named_in_messages(events):
    answer = body(Client().get(READ, {"export_type": "monadic", "population": "full"}))
    assert answer["success"] is True
    assert [message.split(":")[0] for message in answer["messages"]] == [
        "export_type",
        "population",
    ]


def test_csv_gives_the_same_rows(events):
    client = Client()
    response = client.get(READ, {"_format": "csv", "fields": "event_id_cnty|fatalities"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [
        {"event_id_cnty": row["event_id_cnty"], "fatalities": row["fatalities"]}
        for row in read(client)
    ]


def test_credentials_are_accepted_and_ignored_and_drafts_stay_hidden(events, editor):
    client = Client()
    client.force_login(editor)  # a session cookie of an editor
    response = client.get(
        READ,
        {"key": "secret", "email": "analyst@example.org", "limit": 0},
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert response.status_code == 200
    assert ids(body(response)["data"]) == ids(read(Client(), limit=0))
    assert "Draft strike" not in json.dumps(body(client.get(READ, {"limit": 0})))
    response = Client().get(READ, HTTP_AUTHORIZATION="Token wrong")
    assert response.status_code == 200


def test_past_the_rate_a_client_gets_429_with_retry_after_in_acleds_shape(
    events, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )
    client = Client()
    assert [client.get(READ, {"limit": 1}).status_code for _ in range(2)] == [200, 200]
    response = client.get(READ, {"limit": 1})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["success"] is False
    assert "Too many requests" in response.json()["error"][0]["message"]


@pytest.mark.parametrize("more", [0, 30])
@pytest.mark.parametrize("limit", [0, 20])
@pytest.mark.parametrize(
    ("chosen", "computed"),
    [
        ("", 4),  # sides, places around, evidence, who claims what of the contested
        ("event_id_cnty|fatalities|actor1|country", 2),  # sides, places around
        ("event_id_cnty|source", 1),  # evidence
    ],
)
def test_a_page_of_events_reads_in_a_fixed_number_of_queries(
    events, more, limit, chosen, computed, django_assert_num_queries
):
    strike = Event.objects.get(acled_id="SYR9001")
    for _ in range(more):
        event = EventFactory(location=strike.location)
        ParticipationFactory(event=event)
        ClaimFactory(event=event)
    client = Client()
    # The throttle's, the last update, the events' keys (by position, from the timeline
    # index), their own fields, then what the columns need computed for all of them at once:
    # whatever the number of rows.
    with django_assert_num_queries(THROTTLE_QUERIES + 3 + computed):
        rows = body(client.get(READ, {"limit": limit, "fields": chosen}))["data"]
    assert len(rows) == min(len(events) + more, limit or len(events) + more)
    wanted = chosen.split("|") if chosen else ACLED.header
    assert list(rows[0]) == [column for column in ACLED.header if column in wanted]


# --- The deleted feed --------------------------------------------------------------------------


def test_a_deleted_event_is_in_the_deleted_feed_with_its_id_and_unix_time(events):
    client = Client()
    own = next(event for event in events if not event.acled_id)
    own_id = acled_event_id(own)
    own.delete()
    Event.objects.get(acled_id="SYR9001").delete()
    EventFactory(status=Publication.DRAFT).delete()  # readers never held it
    rows = body(client.get("/api/deleted/read"))["data"]
    assert sorted(row["event_id_cnty"] for row in rows) == sorted(["SYR9001", own_id])
    now = int(timezone.now().timestamp())
    assert all(now - 600 < int(row["deleted_timestamp"]) <= now for row in rows)
    later = body(client.get("/api/deleted/read", {"deleted_timestamp": now + 3600}))
    assert later["data"] == []
    [row] = body(client.get("/api/deleted/read", {"event_id_cnty": "syr9"}))["data"]
    assert row["event_id_cnty"] == "SYR9001"


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        pytest.param({"deleted_timestamp": "{old}"}, ["SYR9001", "SYR9002"], id=">= (default)"),
        pytest.param({"deleted_timestamp": "{between}"}, ["SYR9002"], id=">= after the first"),
        pytest.param(
            {"deleted_timestamp": "{old}", "deleted_timestamp_where": "="}, ["SYR9001"], id="="
        ),
        pytest.param(
            {"deleted_timestamp": "{old}|{between}", "deleted_timestamp_where": "BETWEEN"},
            ["SYR9001"],
            id="BETWEEN",
        ),
        pytest.param(
            {"deleted_timestamp": "{between}", "deleted_timestamp_where": "<"},
            ["SYR9001"],
            id="< (no lower bound)",
        ),
        pytest.param({"deleted_timestamp": "{between}|{old}"}, ["SYR9001", "SYR9002"], id="OR"),
    ],
)
def test_the_deleted_feed_reads_from_the_time_asked_with_every_operator(
    events: list[Event], asked: dict[str, str], found: list[str]
) -> None:
    """The database reads the removals from the earliest time the filter lets through (a
    mirror's last sync), and every operator still selects exactly its rows."""
    from django.db import connection

    old = int(timezone.now().timestamp()) - 3 * 86400
    other = Event.objects.published().exclude(acled_id="SYR9001").first()
    assert other is not None
    Event.objects.filter(pk=other.pk).update(acled_id="SYR9002")
    Event.objects.get(acled_id="SYR9001").delete()
    Event.objects.get(acled_id="SYR9002").delete()
    with connection.cursor() as cursor:  # the first removal three days ago
        cursor.execute(
            "UPDATE events_eventevent SET pgh_created_at = to_timestamp(%s) "
            "WHERE pgh_label = 'delete' AND acled_id = 'SYR9001'",
            [old],
        )
    values = {"old": old, "between": old + 86400}
    params = {key: value.format(**values) for key, value in asked.items()}

    rows = body(Client().get("/api/deleted/read", params))["data"]

    assert sorted(row["event_id_cnty"] for row in rows) == found


# --- Actors, actor types, countries, regions ---------------------------------------------------


def test_actors_list_published_actors_with_their_events(events):
    Actor.objects.filter(name="White Helmets").update(status=Publication.DRAFT)
    rows = body(Client().get("/api/actor/read", {"limit": 0}))["data"]
    names = [row["actor_name"] for row in rows]
    assert names == sorted(names)
    assert "White Helmets" not in names
    [russia] = body(Client().get("/api/actor/read", {"actor_name": "forces of russia"}))["data"]
    published = Event.objects.published().filter(participations__actor__name=russia["actor_name"])
    assert russia["event_count"] == str(published.distinct().count())
    days = sorted(published.values_list("start_date", flat=True))
    assert (russia["first_event_date"], russia["last_event_date"]) == (
        days[0].isoformat(),
        days[-1].isoformat(),
    )


def test_actor_types_countries_and_regions(events):
    client = Client()
    types = body(client.get("/api/actortype/read"))["data"]
    assert {row["actor_type_name"] for row in types} >= {"State forces", "Civilians"}
    [state] = [row for row in types if row["actor_type_id"] == "1"]
    assert state["actor_type_name"] == "State forces"
    countries = body(client.get("/api/country/read"))["data"]
    assert [row["country"] for row in countries] == ["Iran", "Syria"]
    syria = countries[1]
    assert (syria["iso"], syria["iso3"]) == ("760", "SYR")
    in_syria = Event.objects.published().filter(location__country_code="SY")
    assert syria["event_count"] == str(in_syria.count())
    [region] = body(client.get("/api/region/read"))["data"]
    assert (region["region"], region["region_name"]) == ("11", "Middle East")
    assert region["event_count"] == str(len(events))
    assert body(client.get("/api/country/read", {"iso": "364"}))["data"][0]["country"] == "Iran"


def test_the_openapi_schema_documents_acleds_and_ucdps_apis(db):
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    operations = {
        path: schema["paths"][path]["get"]
        for path in schema["paths"]
        if not path.startswith("/api/v1/")
    }
    assert sorted(operations) == [
        *("/api/acled/read", "/api/actor/read", "/api/actortype/read", "/api/country/read"),
        *("/api/deleted/read", "/api/gedevents/{version}", "/api/region/read"),
    ]
    events = operations["/api/acled/read"]
    names = {parameter["name"] for parameter in events["parameters"]}
    assert {*ACLED.header, *(f"{c}_where" for c in ACLED.header)} <= names
    assert {"limit", "page", "fields", "inter_num", "_format", "key", "email"} <= names
    assert set(events["responses"]) == {"200", "400", "429"}
    page = events["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][page.rsplit("/", 1)[1]]["properties"]
    assert list(envelope) == [
        *("status", "success", "last_update", "count", "messages", "data", "filename")
    ]


def test_the_lists_are_kept_until_the_data_changes(events, django_assert_num_queries):
    client = Client()
    # The throttle's, the data version (and whether it is settled), the last update, the
    # countries' names and their events' counts.
    with django_assert_num_queries(THROTTLE_QUERIES + 5):
        first = body(client.get("/api/country/read"))["data"]
    assert [row["country"] for row in first] == ["Iran", "Syria"]
    with django_assert_num_queries(THROTTLE_QUERIES + 2):  # kept: the version and last update
        assert body(client.get("/api/country/read"))["data"] == first
    turkey = LocationFactory(name="Turkey", kind=LocationKind.COUNTRY, country_code="TR")
    EventFactory(location=turkey)
    countries = body(client.get("/api/country/read"))["data"]
    assert [row["country"] for row in countries] == ["Iran", "Syria", "Turkey"]
    assert countries[2]["event_count"] == "1"


def test_notes_compared_whole_include_a_contested_events_note(events):
    summit = Event.objects.get(title="Tehran summit of Russia, Iran and Turkey")
    strike = Event.objects.get(acled_id="SYR9001")
    strike.summary = "Shells hit the market."
    strike.save()
    client = Client()
    assert ids(read(client, notes=summit.summary.upper(), notes_where="=")) == [
        acled_event_id(summit)
    ]
    # The strike's notes are its description and who claims what: not the description alone.
    assert read(client, notes="Shells hit the market.", notes_where="=") == []
    # Its notes name its claimants: LIKE finds them there (and in the airstrikes' description).
    airstrikes = Event.objects.get(title="Russian airstrikes on Idlib")
    assert ids(read(client, notes="observatory for human")) == [
        "SYR9001",
        acled_event_id(airstrikes),
    ]


def test_notes_like_finds_an_outlet_the_note_names_and_not_an_outlet_it_does_not(events):
    strike = Event.objects.get(acled_id="SYR9001")
    enab = OutletFactory(name="Enab Baladi")
    ClaimFactory(event=strike, claimant_actor=None, claimant_outlet=enab, value_best=12)
    # SOHR's claim, published by an outlet: the note names SOHR, not the outlet.
    qasioun = DocumentFactory(outlet=OutletFactory(name="Qasioun News"))
    sohr = Actor.objects.filter(name="Syrian Observatory for Human Rights").first()
    ClaimFactory(event=strike, claimant_actor=sohr, document=qasioun, value_best=9)
    client = Client()
    [row] = read(client, notes="enab baladi")
    assert row["event_id_cnty"] == "SYR9001"
    assert "Enab Baladi 12 killed" in row["notes"]
    assert "Qasioun" not in row["notes"]
    assert read(client, notes="qasioun") == []


def test_a_draft_place_neither_shows_nor_selects_its_events(events):
    syria = Location.objects.get(kind=LocationKind.COUNTRY, name="Syria")
    secret = LocationFactory(name="Secret base", parent=syria, status=Publication.DRAFT)
    hidden = EventFactory(location=secret)
    client = Client()
    [row] = [r for r in read(client, limit=0) if r["event_id_cnty"].endswith(f"CKB{hidden.pk}")]
    assert (row["location"], row["country"], row["latitude"]) == ("", "", "")
    # Its id names no country, and finds it.
    assert row["event_id_cnty"] == f"XXXCKB{hidden.pk}"
    assert ids(read(client, event_id_cnty=row["event_id_cnty"], event_id_cnty_where="=")) == [
        row["event_id_cnty"]
    ]
    assert read(client, event_id_cnty=f"SYRCKB{hidden.pk}", event_id_cnty_where="=") == []
    for question in (
        {"location": "secret"},
        {"country": "Syria", "event_id_cnty": row["event_id_cnty"], "event_id_cnty_where": "="},
        {"iso": "760", "event_id_cnty": row["event_id_cnty"], "event_id_cnty_where": "="},
        {"latitude": str(secret.latitude)},
    ):
        assert row["event_id_cnty"] not in ids(read(client, limit=0, **question)), question
