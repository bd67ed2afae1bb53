"""Property tests of the import parsers: hostile text never crashes them, valid rows round-trip.

Whatever the file holds, ``parse_acled`` and ``parse_ucdp`` return rows or problems naming a
line and a column, and an import of a file with a bad row writes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pghistory.models import Context
from pghistory.models import Events as AuditEvents

from actors.models import Actor
from events.models import Event, Location
from interchange.reading import (
    ACLED_COLUMNS,
    ACLED_REQUIRED,
    FATALITIES_MAX,
    UCDP_COLUMNS,
    Parsed,
    parse_acled,
    parse_ucdp,
)
from interchange.services import events_import
from sources.models import Claim, Document

pytestmark = pytest.mark.django_db

# The parsers read the event types from the database, so each example shares the test's one.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that break naive CSV handling, plus Arabic, Latin and a few control characters.
HOSTILE = st.sampled_from(list(",;\"'\n\r\t\x00 \u00a0\u200f|=+-@<>&"))
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
CHARS = st.one_of(HOSTILE, ARABIC, st.characters(codec="utf-8"))
TEXT = st.one_of(
    st.text(CHARS, max_size=40),
    # Very long values: past the csv module's 131,072-character field limit too.
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "ش", '"', ","]), st.integers(0, 140_000)),
)
DATE_TEXT = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.dates().map(lambda d: d.strftime("%d %B %Y")),
    st.dates().map(lambda d: f"{d.isoformat()} 00:00:00.000"),
    st.text(CHARS, max_size=20),
)
NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", " ", "1e400", "0x10", "١٢", "4" * 5000, "-0", "NaN", "1_000"]),
    st.text(CHARS, max_size=12),
)
ANY_VALUE = st.one_of(TEXT, DATE_TEXT, NUMBER_TEXT)

COMMAND_TABLES = [Event, Actor, Location, Claim, Document, AuditEvents, Context]


def csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


@st.composite
def files(draw: st.DrawFn, columns: list[str]) -> tuple[list[str], str]:
    """A CSV file over a random order and subset of ``columns`` with arbitrary values."""
    header = draw(st.permutations(columns))
    header = header[: draw(st.integers(0, len(header)))] if draw(st.booleans()) else header
    rows = draw(
        st.lists(
            st.fixed_dictionaries(dict.fromkeys(header, ANY_VALUE)),
            max_size=4,
        )
    )
    return header, csv_text(header, rows)


def assert_reported(parsed: Parsed, text: str, columns: list[str]) -> None:
    lines = text.count("\n") + text.count("\r") + 2
    for problem in parsed.problems:
        assert 1 <= problem.line <= lines, problem
        if problem.reason.startswith("unknown column"):  # names the file's own column
            assert problem.line == 1, problem
            assert problem.column not in columns, problem
        else:
            assert problem.column in ["", *columns], problem
        assert problem.reason
    for row in parsed.rows:
        assert 2 <= row.line <= lines


@PROPERTY
@given(file=files(ACLED_COLUMNS))
def test_any_acled_file_gives_rows_or_problems_naming_line_and_column(
    file: tuple[list[str], str],
) -> None:
    header, text = file
    parsed = parse_acled(text)

    assert_reported(parsed, text, ACLED_COLUMNS)
    if not set(ACLED_REQUIRED) <= set(header):
        assert not parsed.rows
        assert parsed.problems


@PROPERTY
@given(file=files(UCDP_COLUMNS))
def test_any_ucdp_file_gives_rows_or_problems_naming_line_and_column(
    file: tuple[list[str], str],
) -> None:
    _, text = file
    assert_reported(parse_ucdp(text), text, UCDP_COLUMNS)


@PROPERTY
@given(text=st.text(CHARS, max_size=400))
def test_any_text_at_all_is_read_without_an_exception(text: str) -> None:
    for parse, columns in ((parse_acled, ACLED_COLUMNS), (parse_ucdp, UCDP_COLUMNS)):
        assert_reported(parse(text), text, columns)


def test_a_field_longer_than_the_csv_modules_limit_is_a_problem_not_a_crash() -> None:
    # csv.Error("field larger than field limit") used to escape parse_acled.
    row = dict.fromkeys(ACLED_COLUMNS, "x") | {"notes": "n" * 200_000}
    parsed = parse_acled(csv_text(ACLED_COLUMNS, [row]))

    assert not parsed.rows
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "")]
    assert "field larger than field limit" in parsed.problems[0].reason


def test_a_nul_byte_in_a_field_is_a_problem_naming_its_column_not_a_database_error() -> None:
    # PostgreSQL refused the NUL during the load, with a DataError instead of a report.
    row = dict.fromkeys(ACLED_COLUMNS, "x") | {"notes": "before\x00after"}
    data = csv_text(ACLED_COLUMNS, [row]).encode()

    report = events_import(data=data, dataset="acled", file_name="nul.csv", dry_run=True)

    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (2, "notes", "contains a NUL character (byte 0x00)")
    ]


# Text an editor could type: no NUL (PostgreSQL text cannot hold it), Arabic, quotes, newlines.
PLAIN = st.text(
    st.one_of(ARABIC, st.sampled_from(list(",;\"'\n |<>&")), st.characters(codec="utf-8"))
)
SAFE_TEXT = PLAIN.filter(lambda s: "\x00" not in s)
NAME = SAFE_TEXT.map(str.strip).filter(lambda s: 0 < len(s) <= 200 and ";" not in s)


@st.composite
def valid_acled_rows(draw: st.DrawFn) -> dict[str, str]:
    latitude = draw(st.floats(-90, 90))
    longitude = draw(st.floats(-180, 180))
    # Valid rows carry dates events can have (settings.EVENT_DATES_*: 1900 to a year ahead).
    date = draw(st.dates(datetime.date(1900, 1, 1), datetime.date.today()))
    return {
        "event_id_cnty": draw(st.from_regex(r"[A-Z]{3}[0-9]{1,20}", fullmatch=True)),
        "event_date": draw(st.sampled_from([date.isoformat(), date.strftime("%d %B %Y")])),
        "time_precision": str(draw(st.integers(1, 3))),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": draw(NAME),
        "actor2": draw(st.one_of(st.just(""), NAME)),
        "country": draw(NAME),
        "location": draw(NAME),
        "latitude": repr(latitude),
        "longitude": repr(longitude),
        "geo_precision": str(draw(st.integers(1, 3))),
        "notes": draw(SAFE_TEXT.filter(lambda s: len(s) < 2000)),
        "source": draw(SAFE_TEXT.filter(lambda s: len(s) < 300)),
        "fatalities": str(draw(st.integers(0, FATALITIES_MAX))),
    }


@PROPERTY
@given(row=valid_acled_rows(), data=st.data())
def test_a_valid_acled_row_round_trips_its_values_in_any_column_order(
    row: dict[str, str], data: st.DataObject
) -> None:
    extra = data.draw(st.lists(st.sampled_from(ACLED_COLUMNS), unique=True))
    header = data.draw(st.permutations(list(dict.fromkeys([*row, *extra]))))

    parsed = parse_acled(csv_text(header, [row]))

    assert not parsed.problems, parsed.problems
    [parsed_row] = parsed.rows
    assert parsed_row.line == 2
    assert parsed_row.external_id == row["event_id_cnty"]
    date = row["event_date"]
    assert parsed_row.start_date == (
        datetime.date.fromisoformat(date)
        if date[:4].isdigit()
        else datetime.datetime.strptime(date, "%d %B %Y").date()
    )
    assert parsed_row.side1[0] == row["actor1"]
    assert parsed_row.side2 == ([row["actor2"]] if row["actor2"] else [])
    assert parsed_row.places[0] == row["country"]
    assert parsed_row.places[4] == row["location"]
    assert (parsed_row.latitude, parsed_row.longitude) == (
        float(row["latitude"]),
        float(row["longitude"]),
    )
    assert parsed_row.best == int(row["fatalities"])
    assert parsed_row.summary == row["notes"].strip()
    assert parsed_row.source_text == row["source"].strip()


# Each breaks exactly one required value of an otherwise valid row.
BREAKAGES: list[tuple[str, Any]] = [
    ("fatalities", st.sampled_from(["-1", "many", "1.5", str(FATALITIES_MAX + 1), ""])),
    ("event_date", st.sampled_from(["2018-02-30", "yesterday", "", "٢٠١٨-٠٩-٠٤"])),
    ("latitude", st.sampled_from(["91", "nan", "inf", "north"])),
    ("time_precision", st.sampled_from(["0", "4", "day"])),
    ("actor1", st.sampled_from(["", "   ", "x" * 201])),
    ("event_id_cnty", st.sampled_from(["", "X" * 31])),
]


@st.composite
def invalid_files(draw: st.DrawFn) -> bytes:
    rows = draw(st.lists(valid_acled_rows(), min_size=1, max_size=3))
    for n, row in enumerate(rows):
        row["event_id_cnty"] = f"PRP{n}"
    column, values = draw(st.sampled_from(BREAKAGES))
    draw(st.sampled_from(rows))[column] = draw(values)
    return csv_text(list(rows[0]), rows).encode()


@settings(PROPERTY, max_examples=20)
@given(data=invalid_files())
def test_a_file_with_one_bad_row_is_refused_by_the_command_and_writes_nothing(
    data: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = {model.__name__: model.objects.count() for model in COMMAND_TABLES}

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_acled", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert {model.__name__: model.objects.count() for model in COMMAND_TABLES} == before


# Few characters, so that NUL, quotes and newlines land in most examples.
NOTES = st.one_of(st.text(st.sampled_from(list('a ش",\n\r\x00;')), max_size=30), TEXT)


@settings(PROPERTY, max_examples=15)
@given(rows=st.lists(st.fixed_dictionaries({"notes": NOTES, "actor1": NOTES}), min_size=1))
def test_any_notes_and_actor_text_is_imported_or_reported_never_an_error(
    rows: list[dict[str, str]],
) -> None:
    base = {
        "event_id_cnty": "",
        "event_date": "2018-09-04",
        "time_precision": "1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "country": "Syria",
        "location": "Khan Shaykhun",
        "latitude": "35.44",
        "longitude": "36.65",
        "geo_precision": "1",
        "fatalities": "3",
    }
    full = [base | row | {"event_id_cnty": f"PRP{n}"} for n, row in enumerate(rows[:3])]
    data = csv_text(list(full[0]), full).encode()

    report = events_import(data=data, dataset="acled", file_name="p.csv", dry_run=True)

    assert report.ok or all(p.line >= 2 for p in report.problems), report.problems
