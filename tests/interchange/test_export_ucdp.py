"""export_ucdp: UCDP GED's layout, and import(export(data)) == data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from interchange.reading import UCDP_COLUMNS
from interchange.services import events_import
from tests.interchange.state import kb_state, kb_wipe

DATA = Path(__file__).parent.parent / "data"
pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_ucdp", *args, stdout=out)
    return out.getvalue()


def test_importing_a_ucdp_export_reproduces_events_places_actors_and_fatalities_exactly() -> None:
    report = events_import(
        data=(DATA / "ucdp_valid.csv").read_bytes(), dataset="ucdp", file_name="ucdp.csv"
    )
    assert report.ok, report.lines()
    before = kb_state()
    exported = export()

    kb_wipe()
    report = events_import(data=exported.encode(), dataset="ucdp", file_name="export.csv")

    assert report.ok, report.lines()
    assert kb_state() == before
    assert export() == exported


def test_the_export_gives_figures_deaths_by_side_and_the_type_of_violence() -> None:
    events_import(data=(DATA / "ucdp_valid.csv").read_bytes(), dataset="ucdp", file_name="ucdp.csv")

    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export()))}

    assert list(next(iter(rows.values()))) == UCDP_COLUMNS
    state_based = rows["244101"]
    assert [state_based[c] for c in ("type_of_violence", "low", "best", "high")] == [
        "1",
        "20",
        "22",
        "30",
    ]
    assert [state_based[c] for c in ("deaths_a", "deaths_b", "deaths_civilians")] == [
        "3",
        "5",
        "13",
    ]
    assert (state_based["adm_1"], state_based["adm_2"]) == (
        "Idlib governorate",
        "Jisr al-Shughur district",
    )
    assert rows["244102"]["type_of_violence"] == "3"
    assert rows["244103"]["type_of_violence"] == "2"


def test_the_ucdp_export_takes_the_timelines_filters() -> None:
    events_import(data=(DATA / "ucdp_valid.csv").read_bytes(), dataset="ucdp", file_name="ucdp.csv")

    rows = list(csv.DictReader(io.StringIO(export("--type", "violence-against-civilians"))))

    assert [row["id"] for row in rows] == ["244102"]
