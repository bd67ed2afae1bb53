"""UCDP's GED API at /api/gedevents/<version>: its envelope, paging from 0, its filters and
GED's typed columns, from the UCDP GED layout."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from core.models import Publication
from events.models import Event, Role
from interchange.layouts import UCDP
from tests.factories import ActorFactory, ClaimFactory, EventFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

GED = "/api/gedevents/25.1"


def get(path: str = GED, **params: Any) -> Any:
    response = Client().get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def every(**params: Any) -> list[dict[str, Any]]:
    return get(pagesize=1000, **params)["Result"]


@pytest.fixture
def events(idlib: None) -> list[Event]:
    place = Event.objects.get(title="Russian airstrikes on Idlib").location
    massacre = EventFactory(
        title="Massacre at a market",
        location=place,
        start_date=datetime.date(2018, 9, 10),
        end_date=datetime.date(2018, 9, 10),
        ucdp_id="244657",
    )
    militia = ActorFactory(name="Jaish al-Izza", acled_type=2)
    ParticipationFactory(event=massacre, actor=militia, role=Role.PERPETRATOR)
    ClaimFactory(event=massacre, value_low=5, value_best=6, value_high=9)
    EventFactory(title="Draft", location=place, status=Publication.DRAFT)
    return list(Event.objects.published().order_by("start_date", "pk"))


def test_events_come_in_geds_envelope_with_typed_values_oldest_first(events):
    answer = get(pagesize=1000)
    assert list(answer) == ["TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result"]
    assert (answer["TotalCount"], answer["TotalPages"]) == (len(events), 1)
    assert (answer["PreviousPageUrl"], answer["NextPageUrl"]) == ("", "")
    rows = answer["Result"]
    assert [list(row) for row in rows] == [UCDP.header] * len(events)
    assert [row["date_start"] for row in rows] == [e.start_date.isoformat() for e in events]
    [massacre] = [row for row in rows if row["id"] == 244657]
    assert (massacre["low"], massacre["best"], massacre["high"]) == (5, 6, 9)
    assert (massacre["year"], massacre["country_id"], massacre["region"]) == (
        2018,
        652,
        "Middle East",
    )
    assert isinstance(massacre["latitude"], float)
    assert massacre["side_a"] == "Jaish al-Izza"
    assert "Draft" not in str(rows)


def test_pages_count_from_0_with_links_that_keep_the_version_and_filters(events):
    first = get(pagesize=2, Country=652)
    assert first["TotalPages"] == (first["TotalCount"] + 1) // 2
    assert first["PreviousPageUrl"] == ""
    assert "/api/gedevents/25.1?" in first["NextPageUrl"]
    assert "page=1" in first["NextPageUrl"]
    assert "Country=652" in first["NextPageUrl"]
    second = Client().get(first["NextPageUrl"]).json()
    assert "page=0" in second["PreviousPageUrl"]
    walked = [row["id"] for row in first["Result"] + second["Result"]]
    assert walked == [row["id"] for row in every(Country=652)][:4]


def test_the_path_is_read_whatever_its_case(events):
    assert get("/api/GEDEvents/24.1", pagesize=1)["TotalCount"] == len(events)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"Country": "652"}, lambda row: row["country_id"] == 652),
        ({"Country": "630,2"}, lambda row: row["country_id"] in (630, 2)),
        ({"StartDate": "2018-09-04"}, lambda row: row["date_start"] >= "2018-09-04"),
        ({"EndDate": "2018-09-04"}, lambda row: row["date_end"] <= "2018-09-04"),
        ({"TypeOfViolence": "1"}, lambda row: row["type_of_violence"] == 1),
        ({"TypeOfViolence": "2,3"}, lambda row: row["type_of_violence"] in (2, 3)),
        ({"Id": "244657"}, lambda row: row["id"] == 244657),
    ],
)
def test_each_filter_selects_the_rows_whose_values_pass(events, params, expected):
    rows = every()
    chosen = every(**params)
    assert chosen == [row for row in rows if expected(row)]
    assert 0 < len(chosen) < len(rows)  # a case that selects all or nothing proves little


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pagesize": "1001"}, "pagesize: must be from 1 to 1000."),
        ({"page": "-1"}, "page: must be from 0"),
        ({"Country": "Syria"}, "Country: 'Syria' is not a comma-separated list"),
        ({"StartDate": "September"}, "StartDate: 'September' is not a date"),
        ({"TypeOfViolence": "4"}, "TypeOfViolence: 4 is not 1, 2 or 3."),
    ],
)
def test_a_bad_parameter_gets_400_naming_it(events, params, message):
    response = Client().get(GED, params)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
