"""Every download of the demo data says the same about each event: its actors (each
participant once, attendees included), its figures and the columns two layouts share."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from events.models import Event
from interchange.layouts import acled_event_id

pytestmark = pytest.mark.django_db

TEHRAN = "Tehran summit of Russia, Iran and Turkey"
SHARED_WITH_ACLED = [
    "event_id_cnty",
    *("event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type"),
    *("actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2"),
    *("country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision"),
    "fatalities",
]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def download(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    body = response.streaming_content if response.streaming else [response.content]
    return b"".join(body).decode()


@pytest.fixture
def downloads(idlib) -> dict[str, list[dict[str, str]]]:
    client = Client()
    command = io.StringIO()
    call_command("export_acled", stdout=command)
    return {
        "ConflictKB CSV": rows(download(client, "/export/events.csv")),
        "timeline ACLED CSV": rows(download(client, "/export/events.csv?layout=acled")),
        "API ACLED CSV": rows(download(client, "/api/v1/events/?format=csv&page_size=500")),
        "export_acled": rows(command.getvalue()),
    }


def actors_of(row: dict[str, str]) -> list[str]:
    names = [row["actor1"], row["actor2"], *row["assoc_actor_1"].split("; ")]
    return [name for name in [*names, *row["assoc_actor_2"].split("; ")] if name]


def by_title(rows: list[dict[str, str]], title: str) -> dict[str, str]:
    """The row of the event with this title, by its ACLED id (ConflictKB's own where it has
    none)."""
    event_id = acled_event_id(Event.objects.get(title=title))
    [row] = [r for r in rows if r["event_id_cnty"] == event_id]
    return row


def test_every_acled_layout_names_the_tehran_summits_three_attendees_once(downloads):
    for layout, table in downloads.items():
        summit = by_title(table, TEHRAN)
        assert summit["actor1"] == "Iran", layout
        assert sorted(actors_of(summit)) == ["Iran", "Russia", "Turkey"], layout


@pytest.mark.parametrize("layout", ["conflictkb", "acled", "ucdp"])
def test_the_page_the_api_and_the_command_give_the_same_rows_in_each_layout(idlib, layout):
    client = Client()
    page = rows(download(client, f"/export/events.csv?layout={layout}"))
    api = rows(download(client, f"/api/v1/events/?format=csv&layout={layout}&page_size=500"))
    key = next(iter(page[0]))
    assert sorted(page, key=lambda row: row[key]) == sorted(api, key=lambda row: row[key])
    assert len(page) == Event.objects.published().count()
    if layout != "conflictkb":
        command = io.StringIO()
        call_command(f"export_{layout}", "--published-only", stdout=command)
        exported = rows(command.getvalue())
        assert sorted(exported, key=lambda row: row[key]) == sorted(api, key=lambda r: r[key])


def test_conflictkbs_layout_and_acleds_agree_on_every_column_they_share(downloads):
    page = {row["event_id_cnty"]: row for row in downloads["ConflictKB CSV"]}
    api = {row["event_id_cnty"]: row for row in downloads["API ACLED CSV"]}
    assert set(page) == set(api)
    for event_id, row in api.items():
        for column in SHARED_WITH_ACLED:
            assert page[event_id][column] == row[column], (event_id, column)


def test_the_page_and_the_api_give_the_same_geojson_with_every_attendee(idlib):
    client = Client()
    page = json.loads(download(client, "/export/events.geojson"))["features"]
    api = json.loads(download(client, "/api/v1/events/?format=geojson&page_size=500"))
    assert sorted(page, key=lambda f: f["id"]) == sorted(api["features"], key=lambda f: f["id"])
    [summit] = [f for f in page if f["properties"]["title"] == TEHRAN]
    assert {a["name"] for a in summit["properties"]["actors"]} == {"Iran", "Russia", "Turkey"}
    assert summit["properties"]["geo_precision_label"]  # the UCDP scale, named
    assert len(page) == Event.objects.published().count()


def test_an_unknown_layout_is_refused_with_the_names_of_those_there_are(idlib):
    client = Client()
    for url in ("/export/events.csv?layout=acled2", "/api/v1/events/?format=csv&layout=acled2"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()["layout"] == ["Choose one of: conflictkb, acled, ucdp."], url


@pytest.mark.parametrize("layout", ["conflictkb", "acled", "ucdp"])
def test_an_event_record_downloads_as_the_row_the_list_gives_it(idlib, layout):
    client = Client()
    summit = Event.objects.get(title=TEHRAN)
    listed = rows(download(client, f"/api/v1/events/?format=csv&layout={layout}&page_size=500"))
    response = client.get(f"/api/v1/events/{summit.uuid}/?format=csv&layout={layout}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    [row] = rows(response.content.decode())
    assert row in listed


def test_an_event_record_is_the_feature_the_list_gives_it_and_drafts_stay_hidden(idlib):
    client = Client()
    summit = Event.objects.get(title=TEHRAN)
    listed = json.loads(download(client, "/api/v1/events/?format=geojson&page_size=500"))
    record = client.get(f"/api/v1/events/{summit.uuid}/?format=geojson")
    assert record["Content-Type"] == "application/geo+json"
    assert record.json() in listed["features"]
    draft = Event.objects.exclude(status="published").first()
    assert draft is not None
    for file_format in ("csv", "geojson"):
        assert client.get(f"/api/v1/events/{draft.uuid}/?format={file_format}").status_code == 404
