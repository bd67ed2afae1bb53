"""Reading ACLED and UCDP GED CSV files into validated, format-neutral rows.

Everything here is plain Python over the file's text: no database writes. Each format turns
its columns into :class:`Row` (one event with its places, actors and one fatality claim);
every problem becomes a :class:`Problem` with the line, column and reason, so a file with any
bad row can be refused as a whole with a complete report.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import hashlib
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from actors.models import AcledActorType, ActorKind
from core.spreadsheets import FORMULA_STARTS, spreadsheet_value
from events.countries import ALPHA2_OF_NUMERIC
from events.models import DatePrecision, EventType, GeoPrecision, Role, date_out_of_range
from interchange.layouts import ACLED, DEATHS_TEXT, UCDP
from interchange.ucdp_countries import ALPHA2_OF_GW

# Place levels, top-down; a row names some of them (blank levels are skipped).
LEVELS = ("country", "admin1", "admin2", "admin3", "location")
NAME_MAX = 200  # Actor.name, Location.name
ID_MAX = 30  # Event.acled_id / ucdp_id
TITLE_MAX = 300
FATALITIES_MAX = 2_000_000_000  # the event's figures are 32-bit integers


@dataclass
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column or 'file'}: {self.reason}"


@dataclass(slots=True)
class Row:
    """One event as the loader needs it, whatever format it came from. (Slots: a file makes
    100,000 of these, and past 30 attributes instances no longer share their dicts' keys.)"""

    line: int
    external_id: str  # ACLED event_id_cnty / UCDP id ("" when the key is a ConflictKB uuid)
    event_uuid: uuid.UUID | None  # the key when it is one of ours (else the database makes one)
    title: str
    summary: str
    event_type_id: int
    start_date: datetime.date
    end_date: datetime.date
    date_precision: int
    geo_precision: int
    places: tuple[str, str, str, str, str]  # country, admin1, admin2, admin3, location
    country_code: str
    latitude: float | None
    longitude: float | None
    side1: list[str]  # actor1 then its associates / side A
    side2: list[str]
    role1: str
    role2: str
    actor_types: dict[str, int | None]  # ACLED inter code per actor name, where the file says
    low: int | None
    best: int | None
    high: int | None
    civilians: int | None
    combatants: int | None
    value_text: str
    quote: str
    source_title: str
    source_text: str
    source_date: datetime.date | None
    digest: bytes = b""  # the record as read, see record_digest()


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


# --- Reading the file -----------------------------------------------------------------------


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """The file's text (UTF-8, with or without a BOM), or the problem that prevents reading it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(1, "", "the file is UTF-16; save it as UTF-8 (CSV UTF-8)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        return None, Problem(
            line,
            "",
            f"not UTF-8 (byte 0x{byte}); save the file as UTF-8 — Latin-1 or Windows-1252 "
            "exports garble names",
        )


# Digests are keyed by the importer's own code: a release that reads or writes rows
# differently makes every digest new, so its first import judges every row again.
IMPORTER_KEY = hashlib.blake2b(
    b"".join(Path(__file__).with_name(f).read_bytes() for f in ("reading.py", "loading.py"))
).digest()


def record_digest(values: list[str]) -> bytes:
    """A record's fingerprint: a re-import of the same record, by the same importer, into an
    event no one has edited since, has nothing to do (see loading.SETTLED)."""
    joined = "\x1f".join(values)
    if joined.count("\x1f") != len(values) - 1:  # a value holds the separator itself
        joined = repr(values)  # (repr escapes it: the two forms never meet)
    return hashlib.blake2b(joined.encode(), digest_size=16, key=IMPORTER_KEY).digest()


READ_COLUMNS_HINT = "the header of an export_acled or export_ucdp file lists the columns read"


def records(
    text: str,
    columns: list[str],
    required: list[str],
    problems: list[Problem],
    published_unread: tuple[str, ...] = (),
) -> Iterator[tuple[int, dict[str, str], bytes]]:
    """(first line number, row as a dict, digest) for each record; header problems end the
    file.

    A column ConflictKB does not know is refused rather than dropped: it is a typo of a
    column whose values would be lost (``fatality``), or another layout's file. The columns a
    dataset publishes that ConflictKB reads past (``published_unread``) are known.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    problems_before = len(problems)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        problems.append(Problem(1, "", "the file is empty"))
        return
    except csv.Error as error:  # a field over the csv module's limit (131,072 characters)
        problems.append(Problem(1, "", f"unreadable CSV: {error}"))
        return
    # A column given twice would have its second value taken silently (notes lost to a quote).
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    for name in repeated:
        problems.append(
            Problem(1, name, f"column given {header.count(name)} times; give each column once")
        )
    missing = [name for name in required if name not in header]
    if missing:
        first_line = text.split("\n", 1)[0]
        for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            names = {n.strip().strip('"').lower() for n in first_line.split(delimiter)}
            if len(names) > 1 and not [n for n in required if n not in names]:
                problems.append(
                    Problem(1, "", f"wrong delimiter: columns are separated by {label}; use commas")
                )
                return
    known = {*columns, *published_unread}
    meant = set()
    for name in (name for name in header if name and name not in known):
        close = difflib.get_close_matches(name, columns, n=1)
        meant.update(close)
        hint = f"did you mean “{close[0]}”?" if close else READ_COLUMNS_HINT
        problems.append(Problem(1, name, f"unknown column; {hint}"))
    for name in missing:
        if name not in meant:  # (a misspelt column is reported once, as unknown)
            problems.append(Problem(1, name, "required column is missing"))
    if len(problems) > problems_before:  # the header's problems end the file
        return
    width = len(header)
    line = reader.line_num + 1
    may_hold_nul = "\x00" in text
    # Cells ConflictKB's own exports defused (core.spreadsheets) are read back as written.
    may_hold_defused = any(f"'{start}" in text for start in FORMULA_STARTS)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # the reader cannot go on past such a field
            problems.append(Problem(line, "", f"unreadable CSV: {error}"))
            return
        start, line = line, reader.line_num + 1
        if not values or values == [""]:
            continue
        if len(values) != width:
            problems.append(
                Problem(start, "", f"{len(values)} fields where the header has {width}")
            )
            continue
        # PostgreSQL text cannot hold NUL: the load would fail with a database error. (Most
        # files hold none: one look through the whole text saves a look at every field.)
        if may_hold_nul:
            nul = [n for n, v in zip(header, values, strict=True) if "\x00" in v and n in columns]
            if nul:
                problems.append(Problem(start, nul[0], "contains a NUL character (byte 0x00)"))
                continue
        if may_hold_defused:
            values = [spreadsheet_value(value) for value in values]
        yield start, dict(zip(header, values, strict=True)), record_digest(values)


# --- Field parsers --------------------------------------------------------------------------


def text_field(row: dict[str, str], column: str, *, required: bool = False, limit: int = 0) -> str:
    value = row.get(column, "").strip()
    if required and not value:
        raise RowError(column, "is required")
    if limit and len(value) > limit:
        raise RowError(column, f"is longer than {limit} characters")
    return value


def int_field(
    row: dict[str, str], column: str, *, low: int = 0, high: int | None = None, blank: bool = False
) -> int | None:
    value = row.get(column, "").strip()
    if not value:
        if blank:
            return None
        raise RowError(column, "is required")
    try:
        number = int(value)
    except ValueError:
        raise RowError(column, f"“{value}” is not a whole number") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise RowError(column, f"{number} is out of range: must be {bounds}")
    return number


def whole(row: dict[str, str], column: str, *, low: int = 0, high: int | None = None) -> int:
    """A required whole number (``int_field`` without blanks never returns None)."""
    return int_field(row, column, low=low, high=high) or 0


DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")


def date_field(row: dict[str, str], column: str, *, blank: bool = False) -> datetime.date | None:
    value = row.get(column, "").strip()
    if not value:
        if blank:
            return None
        raise RowError(column, "is required")
    # UCDP writes "2018-09-04 00:00:00.000"; ACLED "2018-09-04" or "04 September 2018".
    head = value.split(" ")[0] if value[:4].isdigit() else value
    try:
        return datetime.date.fromisoformat(head)  # the usual case; strptime is 20x slower
    except ValueError:
        pass
    for fmt in DATE_FORMATS[1:]:
        try:
            return datetime.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise RowError(column, f"“{value}” is not a date (use YYYY-MM-DD)")


def day(row: dict[str, str], column: str) -> datetime.date:
    """An event's date: required, and inside the dates events can have."""
    value = date_field(row, column)
    assert value is not None  # required: date_field raised otherwise
    if problem := date_out_of_range(value):
        raise RowError(column, problem)
    return value


def coordinates(row: dict[str, str]) -> tuple[float | None, float | None]:
    values: list[float | None] = []
    for column, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = row.get(column, "").strip()
        if not value:
            values.append(None)
            continue
        try:
            number = float(value)
        except ValueError:
            raise RowError(column, f"“{value}” is not a number") from None
        if not -limit <= number <= limit:
            raise RowError(
                column, f"{number} is out of range: must be between -{limit:g} and {limit:g}"
            )
        values.append(number)
    if (values[0] is None) != (values[1] is None):
        raise RowError(
            "longitude" if values[1] is None else "latitude", "give both coordinates or neither"
        )
    return values[0], values[1]


def first_date(value: str) -> datetime.date | None:
    """UCDP's source_date may list several dates, or none: keep the first readable one."""
    try:
        return date_field({"d": value.split(";")[0]}, "d", blank=True)
    except RowError:
        return None


def names(value: str) -> list[str]:
    """Actor lists are separated by semicolons in both formats."""
    return [name.strip() for name in value.split(";") if name.strip()]


def key(value: str) -> tuple[str, uuid.UUID | None]:
    """An external id, or a ConflictKB uuid (our own export of an event with no external id)."""
    if len(value) == 36:
        try:
            return "", uuid.UUID(value)
        except ValueError:
            pass
    if len(value) > ID_MAX:
        raise RowError("id", f"is longer than {ID_MAX} characters")
    return value, None


def check_names(row_names: list[str], column: str) -> None:
    for name in row_names:
        if len(name) > NAME_MAX:
            raise RowError(column, f"actor name longer than {NAME_MAX} characters")


# ACLED's inter codes as the closest actor kind, for actors an import creates.
KIND_OF_INTER: dict[int | None, str] = {
    AcledActorType.STATE_FORCES: ActorKind.STATE_FORCES,
    AcledActorType.REBEL_GROUPS: ActorKind.REBEL_GROUP,
    AcledActorType.POLITICAL_MILITIAS: ActorKind.MILITIA,
    AcledActorType.IDENTITY_MILITIAS: ActorKind.MILITIA,
    AcledActorType.RIOTERS: ActorKind.CIVILIANS,
    AcledActorType.PROTESTERS: ActorKind.CIVILIANS,
    AcledActorType.CIVILIANS: ActorKind.CIVILIANS,
    AcledActorType.EXTERNAL_OTHER: ActorKind.STATE_FORCES,
}


def acled_types() -> dict[tuple[str, str], int]:
    """(event_type, sub_event_type) in lower case → EventType id; ACLED's own types win."""
    found: dict[tuple[str, str], int] = {}
    for event_type in EventType.objects.order_by("-is_acled", "parent_id", "pk"):
        pair = (event_type.acled_event_type.lower(), event_type.acled_sub_event_type.lower())
        if event_type.parent_id is None and event_type.is_acled:
            pair = (event_type.acled_event_type.lower(), "")
        found.setdefault(pair, event_type.pk)
    return found


def parse_rows(
    text: str,
    columns: list[str],
    required: list[str],
    id_column: str,
    make_row: Callable[[int, dict[str, str]], Row],
    published_unread: tuple[str, ...],
) -> Parsed:
    parsed = Parsed()
    seen: dict[str, int] = {}
    rows = records(text, columns, required, parsed.problems, published_unread)
    for line, record, digest in rows:
        try:
            row = make_row(line, record)
            row.digest = digest
        except RowError as error:
            column = id_column if error.column == "id" else error.column
            parsed.problems.append(Problem(line, column, error.reason))
            continue
        ident = row.external_id or str(row.event_uuid)
        if ident in seen:
            parsed.problems.append(
                Problem(line, id_column, f"“{ident}” already appears on line {seen[ident]}")
            )
            continue
        seen[ident] = line
        parsed.rows.append(row)
    return parsed


# --- ACLED ----------------------------------------------------------------------------------

ACLED_REQUIRED = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
]
# ACLED's time_precision 1 day, 2 week, 3 month; geo_precision 1 exact, 2 near, 3 region.
ACLED_DATE_PRECISION = {1: DatePrecision.DAY, 2: DatePrecision.WEEK, 3: DatePrecision.MONTH}
ACLED_GEO_PRECISION = {1: GeoPrecision.EXACT, 2: GeoPrecision.NEAR, 3: GeoPrecision.ADMIN1}
# Battles have two sides; in every other ACLED type actor1 acts on actor2.
BATTLES = "battles"


def parse_acled(text: str) -> Parsed:

    types = acled_types()

    def make_row(line: int, row: dict[str, str]) -> Row:
        external_id, event_uuid = key(text_field(row, "event_id_cnty", required=True))
        event_date = day(row, "event_date")
        time_precision = whole(row, "time_precision", low=1, high=3)
        event_type = text_field(row, "event_type", required=True)
        sub_type = text_field(row, "sub_event_type")
        type_id = types.get((event_type.lower(), sub_type.lower()))
        if type_id is None:
            label = f"{event_type} / {sub_type}" if sub_type else event_type
            raise RowError(
                "sub_event_type" if sub_type else "event_type", f"unknown event type “{label}”"
            )
        actor1 = text_field(row, "actor1", required=True, limit=NAME_MAX)
        actor2 = text_field(row, "actor2", limit=NAME_MAX)
        inter1 = int_field(row, "inter1", high=8, blank=True)
        inter2 = int_field(row, "inter2", high=8, blank=True)
        side1 = [actor1, *names(row.get("assoc_actor_1", ""))]
        side2 = [*([actor2] if actor2 else []), *names(row.get("assoc_actor_2", ""))]
        check_names(side1, "assoc_actor_1")
        check_names(side2, "assoc_actor_2")
        places = tuple(
            text_field(row, column, required=column == "country", limit=NAME_MAX)
            for column in LEVELS
        )
        latitude, longitude = coordinates(row)
        geo = whole(row, "geo_precision", low=1, high=3)
        fatalities = whole(row, "fatalities", high=FATALITIES_MAX)
        iso = int_field(row, "iso", blank=True, high=999)
        notes = text_field(row, "notes")
        source = text_field(row, "source")
        location = places[4] or next(p for p in reversed(places) if p)
        battle = event_type.lower() == BATTLES
        return Row(
            line=line,
            external_id=external_id,
            event_uuid=event_uuid,
            title=f"{sub_type or event_type}: {actor1} in {location}"[:TITLE_MAX],
            summary=notes,
            event_type_id=type_id,
            start_date=event_date,
            end_date=event_date,
            date_precision=ACLED_DATE_PRECISION[time_precision],
            geo_precision=ACLED_GEO_PRECISION[geo],
            places=places,  # type: ignore[arg-type]
            country_code=ALPHA2_OF_NUMERIC.get(iso or 0, ""),
            latitude=latitude,
            longitude=longitude,
            side1=list(dict.fromkeys(side1)),
            side2=list(dict.fromkeys(side2)),
            role1=Role.SIDE_A if battle else Role.PERPETRATOR,
            role2=Role.SIDE_B if battle else Role.TARGET,
            # 0 means "no actor" in ACLED; only the main actors carry a code.
            actor_types={actor1: inter1 or None, **({actor2: inter2 or None} if actor2 else {})},
            low=None,
            best=fatalities,
            high=None,
            civilians=None,
            combatants=None,
            value_text="",
            quote=notes or f"{fatalities} fatalities",
            source_title=(source or "ACLED")[:400],
            source_text=source,
            source_date=None,
        )

    return parse_rows(
        text, ACLED_COLUMNS, ACLED_REQUIRED, "event_id_cnty", make_row, ACLED_PUBLISHED_UNREAD
    )


# --- UCDP GED -------------------------------------------------------------------------------

# Columns the datasets publish (in some releases or on request) that ConflictKB reads past.
ACLED_PUBLISHED_UNREAD = (
    *("data_id", "iso3", "event_id_no_cnty"),
    *("population_1km", "population_2km", "population_5km", "population_best"),
)
UCDP_PUBLISHED_UNREAD = (
    *("active_year", "code_status", "conflict_dset_id", "dyad_dset_id"),
    *("side_a_dset_id", "side_b_dset_id", "geom_wkt", "priogrid_gid", "event_clarity"),
    *("gwnoa", "gwnob"),
)

# The importers read the columns the layouts write (interchange.layouts).
ACLED_COLUMNS = ACLED.header
UCDP_COLUMNS = UCDP.header
UCDP_REQUIRED = [
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "country",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
]
# type_of_violence: 1 state-based, 2 non-state (two armed sides), 3 one-sided (against civilians).
UCDP_TYPES = {1: "armed-clash", 2: "armed-clash", 3: "attack"}
# How the per-side split of a UCDP figure is kept on its claim (and read back on export).


def parse_ucdp(text: str) -> Parsed:
    slugs = dict(EventType.objects.filter(slug__in=UCDP_TYPES.values()).values_list("slug", "pk"))

    def make_row(line: int, row: dict[str, str]) -> Row:
        external_id, event_uuid = key(text_field(row, "id", required=True))
        violence = whole(row, "type_of_violence", low=1, high=3)
        start = day(row, "date_start")
        end = day(row, "date_end")
        if end < start:
            raise RowError("date_end", f"{end} is before date_start {start}")
        side_a = names(text_field(row, "side_a", required=True))
        side_b = names(text_field(row, "side_b", required=True))
        check_names(side_a, "side_a")
        check_names(side_b, "side_b")
        low = whole(row, "low", high=FATALITIES_MAX)
        best = whole(row, "best", high=FATALITIES_MAX)
        high = whole(row, "high", high=FATALITIES_MAX)
        if low > best:
            raise RowError("low", f"low ({low}) is above best ({best})")
        if best > high:
            raise RowError("high", f"high ({high}) is below best ({best})")
        deaths = [
            int_field(row, c, blank=True)
            for c in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
        ]
        latitude, longitude = coordinates(row)
        places = (
            text_field(row, "country", required=True, limit=NAME_MAX),
            text_field(row, "adm_1", limit=NAME_MAX),
            text_field(row, "adm_2", limit=NAME_MAX),
            "",
            text_field(row, "where_coordinates", limit=NAME_MAX),
        )
        article = text_field(row, "source_article")
        headline = text_field(row, "source_headline")
        one_sided = violence == 3
        a_type = (
            AcledActorType.STATE_FORCES
            if violence == 1 or side_a[0].startswith("Government of")
            else AcledActorType.REBEL_GROUPS
        )
        b_type = AcledActorType.CIVILIANS if one_sided else AcledActorType.REBEL_GROUPS
        combatants = (
            (deaths[0] or 0) + (deaths[1] or 0)
            if deaths[0] is not None or deaths[1] is not None
            else None
        )
        split = DEATHS_TEXT.format(**dict(zip("abcu", (d or 0 for d in deaths), strict=True)))
        location = places[4] or next(p for p in reversed(places) if p)
        return Row(
            line=line,
            external_id=external_id,
            event_uuid=event_uuid,
            title=f"{' / '.join(side_a)} – {' / '.join(side_b)} in {location}"[:TITLE_MAX],
            summary=headline,
            event_type_id=slugs[UCDP_TYPES[violence]],
            start_date=start,
            end_date=end,
            date_precision=whole(row, "date_prec", low=1, high=5),
            geo_precision=whole(row, "where_prec", low=1, high=7),
            places=places,
            country_code=ALPHA2_OF_GW.get(int_field(row, "country_id", blank=True) or 0, ""),
            latitude=latitude,
            longitude=longitude,
            side1=list(dict.fromkeys(side_a)),
            side2=list(dict.fromkeys(side_b)),
            role1=Role.PERPETRATOR if one_sided else Role.SIDE_A,
            role2=Role.TARGET if one_sided else Role.SIDE_B,
            actor_types={side_a[0]: a_type, side_b[0]: b_type},
            low=low,
            best=best,
            high=high,
            civilians=deaths[2],
            combatants=combatants,
            value_text=split if any(d is not None for d in deaths) else "",
            quote=headline or article or f"{best} deaths (low {low}, high {high})",
            source_title=(headline or article or "UCDP GED")[:400],
            source_text=article,
            source_date=first_date(row.get("source_date", "")),
        )

    return parse_rows(text, UCDP_COLUMNS, UCDP_REQUIRED, "id", make_row, UCDP_PUBLISHED_UNREAD)
