"""Content written to deface or attack renders inert: in pages, the admin, exports and the API."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sources.models import Document, Outlet
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

SCRIPT = '<script>alert("pwned")</script>'
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_event():
    place = LocationFactory(name=f"Idlib {IMAGE}")
    event = EventFactory(title=f"Strike {SCRIPT}", summary=f"<b>bold</b> {IMAGE}", location=place)
    ParticipationFactory(event=event, actor=ActorFactory(name=f"Group {IMAGE}"))
    ClaimFactory(event=event, quote=f"They said {SCRIPT}")
    return event


def assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert IMAGE not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


@pytest.mark.parametrize(
    "page",
    [
        lambda e: reverse("events:timeline"),
        # the place chosen is an option of the filter's menu, written without templates
        lambda e: reverse("events:timeline") + f"?place={e.location.uuid}",
        lambda e: e.get_absolute_url(),
        lambda e: e.participations.get().actor.get_absolute_url(),
        lambda e: e.location.get_absolute_url(),
        lambda e: reverse("search") + "?q=Strike",
        lambda e: reverse("admin:events_event_changelist"),
        lambda e: reverse("admin:events_event_change", args=[e.pk]),
        lambda e: reverse("admin:events_event_history", args=[e.pk]),
        lambda e: reverse("admin:sources_claim_changelist"),
    ],
)
def test_markup_in_titles_names_and_quotes_is_shown_as_text(hostile_event, superuser, client, page):
    client.force_login(superuser)
    response = client.get(page(hostile_event))
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_the_map_data_is_json_that_carries_markup_as_plain_strings(hostile_event, client):
    response = client.get(reverse("exports:events_geojson"))
    assert response["Content-Type"].startswith("application/geo+json")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    titles = [feature["properties"]["title"] for feature in json.loads(body)["features"]]
    assert titles == [hostile_event.title]  # text for the popup to insert as text, not HTML


@pytest.mark.parametrize("model", [Outlet, Document])
def test_javascript_links_are_refused_by_the_database(model):
    row = OutletFactory() if model is Outlet else DocumentFactory()
    with pytest.raises(IntegrityError, match="url_http"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(url="javascript:alert(1)")


@pytest.mark.parametrize("model", [Outlet, Document])
def test_a_web_address_is_one_whatever_the_case_of_its_scheme(model):
    """RFC 3986 schemes are case-insensitive: ``HTTPS://`` is accepted, ``JAVASCRIPT:`` not."""
    row = OutletFactory() if model is Outlet else DocumentFactory()
    model.objects.filter(pk=row.pk).update(url="HTTPS://www.example.org/Report")
    row.refresh_from_db()
    assert row.url == "HTTPS://www.example.org/Report"
    with pytest.raises(IntegrityError, match="url_http"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(url="JAVASCRIPT:alert(1)")


def test_javascript_links_are_refused_by_the_admin_form(superuser, client):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:sources_outlet_add"),
        {"name": "Evil", "kind": "newspaper", "url": "javascript:alert(1)", "status": "draft"},
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Outlet.objects.filter(name="Evil").exists()


@pytest.mark.parametrize("path", ["/export.csv", "/api/v1/events/?format=csv"])
def test_csv_exports_neutralise_spreadsheet_formulas(client, path):
    for start in ("=", "+", "-", "@"):
        formula = f'{start}HYPERLINK("http://evil.example","click")'
        EventFactory(title=formula, summary=formula)
    response = client.get(reverse("exports:events_csv") if path == "/export.csv" else path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "@"} or cell.startswith("-H")]
    # ConflictKB's layout (the page's) has the title and the notes; ACLED's (the API's) notes.
    assert sum("HYPERLINK" in cell for cell in cells) == (8 if path == "/export.csv" else 4)


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/events/", "/search/?q=Idlib"])
def test_every_response_forbids_inline_script_and_framing(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_timeline_rows_written_in_python_escape_every_name(client):
    # The rows are not a template: each value is escaped by hand, so each is tried here,
    # including quotes that would end an attribute.
    breakout = '" onmouseover="alert(1)'
    region = LocationFactory(name=f"Region {IMAGE}{breakout}", kind="admin1")
    event = EventFactory(
        title=f"Strike {SCRIPT}{breakout}", location=LocationFactory(parent=region)
    )
    ParticipationFactory(event=event, actor=ActorFactory(name=f"Group {IMAGE}{breakout}"))
    event.event_type.name = f"Type {SCRIPT}"
    event.event_type.save()
    event.event_type.parent.name = f"Parent {IMAGE}"
    event.event_type.parent.save()

    page = client.get(reverse("events:timeline")).content.decode()
    row = page[page.index('<li class="event-row') : page.index("</li>", page.index("Strike "))]
    assert_inert(row)
    assert breakout not in page
    for escaped in ("Strike &lt;script&gt;", "Region &lt;img", "Group &lt;img", "Type &lt;script"):
        assert escaped in row
    assert "Parent &lt;img" in page


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=8))
def test_every_text_written_to_a_spreadsheet_is_read_back_as_it_was(text):
    from core.spreadsheets import FORMULA_STARTS, spreadsheet_safe, spreadsheet_value

    cell = spreadsheet_safe(text)
    assert spreadsheet_value(cell) == text
    assert cell[:1] not in FORMULA_STARTS
