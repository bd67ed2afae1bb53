"""export_acled: the API's ACLED layout, the timeline's filters, and import(export(data)) == data."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from events.models import Event, Location, LocationKind
from interchange.reading import ACLED_COLUMNS
from interchange.services import events_import
from tests.factories import ActorFactory, ActorNameFactory
from tests.interchange.state import kb_state, kb_wipe

DATA = Path(__file__).parent.parent / "data"
pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_acled", *args, stdout=out)
    return out.getvalue()


def without_timestamps(text: str) -> list[list[str]]:
    return [row[:-1] for row in csv.reader(io.StringIO(text))]


def test_importing_an_export_reproduces_events_places_actors_and_fatalities_exactly() -> None:
    for name in ("acled_valid.csv", "acled_blank_optional.csv"):
        report = events_import(
            data=(DATA / name).read_bytes(), dataset="acled", file_name=name, publish=True
        )
        assert report.ok, report.lines()
    before = kb_state()
    exported = export()

    kb_wipe()
    report = events_import(
        data=exported.encode(), dataset="acled", file_name="export.csv", publish=True
    )

    assert report.ok, report.lines()
    assert kb_state() == before
    assert without_timestamps(export()) == without_timestamps(exported)


def test_the_export_uses_the_apis_columns_and_names_the_source_text_the_dataset_cites() -> None:
    events_import(
        data=(DATA / "acled_valid.csv").read_bytes(), dataset="acled", file_name="valid.csv"
    )

    rows = list(csv.DictReader(io.StringIO(export())))

    assert list(rows[0]) == ACLED_COLUMNS
    by_id = {row["event_id_cnty"]: row for row in rows}
    assert by_id["SYR1002"]["source"] == "SOHR; Reuters"
    assert by_id["SYR1002"]["notes"].startswith("Clashes near Abu Dhuhur airbase")
    assert by_id["SYR1001"]["assoc_actor_1"] == "Military Forces of Syria (2000-)"
    assert by_id["SYR1003"]["admin1"] == "إدلب"


def test_the_export_takes_the_timelines_filters() -> None:
    events_import(
        data=(DATA / "acled_valid.csv").read_bytes(), dataset="acled", file_name="valid.csv"
    )
    hts = Event.objects.get(acled_id="SYR1002").participations.get(role="side_a").actor
    ActorNameFactory(actor=hts, name="HTS")

    def ids(*args: str) -> list[str]:
        return [row["event_id_cnty"] for row in csv.DictReader(io.StringIO(export(*args)))]

    assert ids("--type", "battles") == ["SYR1002"]
    assert ids("--actor", "HTS") == ["SYR1002"]
    assert ids("--date-from", "2018-09-05") == ["SYR1003"]
    assert ids("--min-fatalities", "10") == ["SYR1001"]
    assert ids("--published-only") == []


def test_a_malformed_filter_is_an_error_not_an_unfiltered_export() -> None:
    ActorFactory()
    with pytest.raises(CommandError, match="date_from"):
        export("--date-from", "2018-13-01")


def test_the_export_writes_a_file_when_asked(tmp_path: Path) -> None:
    events_import(
        data=(DATA / "acled_valid.csv").read_bytes(), dataset="acled", file_name="valid.csv"
    )
    target = tmp_path / "out.csv"

    call_command("export_acled", "--output", str(target), stderr=io.StringIO())

    assert len(target.read_text(encoding="utf-8").splitlines()) == 1 + 3 + 1  # a quoted newline


def test_countries_beyond_the_middle_east_keep_their_iso_code_through_import_and_export() -> None:
    header = ",".join(ACLED_COLUMNS)
    rows = [
        "YEM1,2019-03-02,2019,1,Political violence,Battles,Armed clash,Houthis,,3,"
        "Military Forces of Yemen,,1,13,,887,Middle East,Yemen,Taizz,,,Taizz,13.58,44.02,1,"
        "Monitor,Local,Clashes,4,,1551484800",
        "UKR1,2022-03-02,2022,1,Political violence,Battles,Armed clash,"
        "Military Forces of Russia,,8,Military Forces of Ukraine,,1,18,,804,Europe,Ukraine,"
        "Kharkiv,,,Kharkiv,49.99,36.23,1,Monitor,National,Shelling,9,,1646179200",
    ]
    data = "\n".join([header, *rows]) + "\n"
    report = events_import(data=data.encode(), dataset="acled", file_name="x.csv", publish=True)
    assert report.ok, report.lines()

    countries = Location.objects.filter(kind=LocationKind.COUNTRY)
    assert dict(countries.values_list("name", "country_code")) == {"Yemen": "YE", "Ukraine": "UA"}
    exported = {row["event_id_cnty"]: row["iso"] for row in csv.DictReader(io.StringIO(export()))}
    assert exported == {"YEM1": "887", "UKR1": "804"}


@pytest.mark.parametrize(
    ("command", "queries"),
    [
        # for the one batch: the events (read through a cursor), then what PostgreSQL
        # computes of them for ACLED's columns: their own fields, sides, places around,
        # evidence (and who claims what, had one been contested)
        ("export_acled", 5),
        # the events with type, parent type and place; the places around them; their
        # participations with actors; their claims with document and outlet
        ("export_ucdp", 4),
    ],
)
def test_the_exports_read_related_rows_per_batch_not_per_event(
    command: str, queries: int, django_assert_num_queries: Any
) -> None:
    events_import(
        data=(DATA / "acled_valid.csv").read_bytes(), dataset="acled", file_name="valid.csv"
    )
    assert Event.objects.count() > 1
    with django_assert_num_queries(queries):
        call_command(command, stdout=io.StringIO())


FORMULAS = {
    "notes": '=HYPERLINK("http://evil.example","Idlib")',
    "assoc_actor_1": "+Civilians (Syria)",
    "location": "@Jisr al-Shughur",
    "assoc_actor_2": "'=already quoted by someone",
}


def with_formulas() -> bytes:
    rows = list(csv.DictReader(io.StringIO((DATA / "acled_valid.csv").read_text("utf-8-sig"))))
    rows[0] |= FORMULAS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("dataset", ["acled", "ucdp"])
def test_exports_defuse_formula_cells_and_the_importer_reads_them_back(dataset: str) -> None:
    report = events_import(data=with_formulas(), dataset="acled", file_name="f.csv", publish=True)
    assert report.ok, report.lines()
    exported = io.StringIO()
    call_command(f"export_{dataset}", stdout=exported)
    cells = [cell for row in csv.reader(io.StringIO(exported.getvalue())) for cell in row]

    assert [cell for cell in cells if cell[:1] in ("=", "+", "@")] == []
    assert "'@Jisr al-Shughur" in cells
    if dataset == "acled":  # ConflictKB's own layout: the import gives back what was written
        # A cell already quoted like ours is read as ours: the text after the apostrophe.
        assert "'=already quoted by someone" in cells
        before = kb_state()
        kb_wipe()
        again = events_import(
            data=exported.getvalue().encode(), dataset="acled", file_name="e.csv", publish=True
        )
        assert again.ok, again.lines()
        assert kb_state() == before
