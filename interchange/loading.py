"""Set-based loading of validated rows: COPY into staging tables, then one statement per step.

No row is saved one by one. Python only deduplicates names (actors, place paths, source
texts) while it streams rows into temporary tables; every match, insert and update after that
is one SQL statement over all rows. The audit triggers still see every changed row, and the
claim triggers recompute each affected event's figures once per statement.

Editors' work survives re-imports: ``events_import_snapshot`` keeps, per event and dataset,
what the last import said (one column per managed value). A field whose current value
differs from that snapshot was changed by hand, and is kept and reported. Database triggers
mark an imported event as soon as it is edited (``events_import_edit``), so a re-import
compares current fields only for the events edited since. Before any of that, a row that is
the very record that made its event's snapshot (same digest), of an event no one has edited
since, is settled: it is left out of everything else.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F
from psycopg import sql

from core import sql_files
from core.models import Publication
from events.models import Event, EventMerge, LocationKind
from interchange import matching
from interchange.layouts import OWN_ACLED_ID, own_acled_id
from interchange.reading import KIND_OF_INTER, LEVELS, Row

# The managed fields (what an import writes and the snapshot remembers), each with the
# snapshot's columns that hold it. The claim's fields exist only where the event has the
# dataset's claim.
MANAGED_COLUMNS = {
    "title": ["title"],
    "summary": ["summary"],
    "event_type": ["event_type_id"],
    "start_date": ["start_date"],
    "end_date": ["end_date"],
    "date_precision": ["date_precision"],
    "location": ["location_id"],
    "geo_precision": ["geo_precision"],
    "participants": ["actor_ids", "roles"],
    "fatalities": [
        "value_low",
        "value_best",
        "value_high",
        "civilians",
        "combatants",
        "value_text",
    ],
    "source": ["document_id", "quote"],
}
CLAIM_FIELDS = ("fatalities", "source")
EVENT_FIELDS = [f for f in MANAGED_COLUMNS if f not in ("participants", *CLAIM_FIELDS)]
SNAPSHOT_COLUMNS = [column for columns in MANAGED_COLUMNS.values() for column in columns]

LEVEL_KINDS = [
    LocationKind.COUNTRY,
    LocationKind.ADMIN1,
    LocationKind.ADMIN2,
    LocationKind.ADMIN3,
    LocationKind.TOWN,
]

Progress = Callable[[str], None]


@dataclass
class Kept:
    line: int
    external_id: str
    fields: list[str]


@dataclass
class Merged:
    """A row of an event merged into another that has its own row of the dataset: left out,
    since the kept event's row carries the dataset's claim."""

    line: int
    external_id: str
    kept_uuid: str


@dataclass
class LoadResult:
    events_created: int = 0
    events_updated: int = 0
    events_unchanged: int = 0
    actors_created: int = 0
    places_created: int = 0
    documents_created: int = 0
    claims_created: int = 0
    claims_updated: int = 0
    kept: list[Kept] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    candidates: int = 0  # pairs of events that may be one, for editors to review
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for profiling


# The statements, by step (interchange/sql/). Where a statement has generated parts (the
# snapshot's columns, the dataset's id column), they are composed with psycopg.sql.
STAGING = sql_files.statements("interchange", "staging.sql")
NAMES = sql_files.statements("interchange", "names.sql")
EVENTS = sql_files.statements("interchange", "events.sql")
CLAIMS = sql_files.statements("interchange", "claims.sql")
SNAPSHOTS = sql_files.statements("interchange", "snapshots.sql")


def composed(template: str, **parts: sql.Composable) -> str:
    """A statement of the files with its generated parts filled in."""
    return sql.SQL(template).format(**parts).as_string()


def columns_of(alias: str, columns: list[str] = SNAPSHOT_COLUMNS) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(alias, column) for column in columns)


def differs(current: str, other: str, field: str) -> sql.Composable:
    """Whether ``current``'s field differs from ``other``'s (which always has it)."""
    compared = sql.SQL("ROW({}) IS DISTINCT FROM ROW({})").format(
        columns_of(current, MANAGED_COLUMNS[field]), columns_of(other, MANAGED_COLUMNS[field])
    )
    if field in CLAIM_FIELDS:
        return sql.SQL("(NOT {} OR {})").format(sql.Identifier(current, "has_claim"), compared)
    return compared


def present(current: str, field: str) -> sql.Composable:
    """Whether the event has a value for the field (participants: always, maybe none)."""
    if field in CLAIM_FIELDS:
        return sql.Identifier(current, "has_claim")
    if field == "participants":
        return sql.SQL("true")
    return sql.SQL("{} IS NOT NULL").format(sql.Identifier(current, MANAGED_COLUMNS[field][0]))


# One managed field's judgement (events.sql, "edits", says what each means).
JUDGEMENT = sql.SQL(
    "{differs} AS {differs_name}, {differs} AND CASE WHEN NOT m.has_snapshot THEN {present} "
    "ELSE {edited} END AS {kept_name}"
)
EDITS = composed(
    EVENTS["edits"],
    snapshot=columns_of("snap"),
    incoming=columns_of("i"),
    matched=columns_of("m"),
    judgements=sql.SQL(", ").join(
        JUDGEMENT.format(
            differs=differs("cur", "i", field),
            differs_name=sql.Identifier(f"differs_{field}"),
            present=present("cur", field),
            edited=differs("cur", "m", field),
            kept_name=sql.Identifier(f"kept_{field}"),
        )
        for field in MANAGED_COLUMNS
    ),
    kept_names=sql.SQL(", ").join(
        sql.SQL("CASE WHEN {} THEN {} END").format(
            sql.Identifier(f"kept_{field}"), sql.Literal(field)
        )
        for field in MANAGED_COLUMNS
    ),
    changed_names=sql.SQL(", ").join(
        sql.SQL("CASE WHEN {} AND NOT {} THEN {} END").format(
            sql.Identifier(f"differs_{field}"), sql.Identifier(f"kept_{field}"), sql.Literal(field)
        )
        for field in MANAGED_COLUMNS
    ),
)
UPDATE_EVENTS = composed(
    EVENTS["update_events"],
    one_claim_changes=sql.SQL(EVENTS["one_claim_changes"]),
    readers_claim_changes=sql.SQL(EVENTS["readers_claim_changes"]),
)
SAVE_SNAPSHOTS = composed(
    SNAPSHOTS["save_snapshots"],
    columns=sql.SQL(", ").join(map(sql.Identifier, SNAPSHOT_COLUMNS)),
    incoming=columns_of("i"),
    set_columns=sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Identifier("excluded", column))
        for column in SNAPSHOT_COLUMNS
    ),
    snapshot=columns_of("snap"),
    excluded=columns_of("excluded"),
)
# One statement per level of the place path: countries, then each level's parent's children.
MATCH_PLACES = [
    composed(NAMES["match_places"], places=sql.SQL(NAMES["children" if level else "countries"]))
    for level in range(len(LEVELS))
]
# Claims are inserted in two statements: a few first, then statistics, then the rest. See load().
FIRST_CLAIMS = 200


def events_by_key(table: str, id_column: str, columns: list[str]) -> sql.Composable:
    """``columns`` of each row staged in ``table`` with the id of the event its key names."""
    return sql.SQL(EVENTS["events_by_key"]).format(
        columns=sql.SQL(", ").join(sql.Identifier("s", column) for column in columns),
        table=sql.Identifier(table),
        id_column=sql.Identifier(id_column),
    )


def load(
    rows: list[Row],
    *,
    dataset: str,
    outlet_id: int,
    id_column: str,
    status: str,
    progress: Progress,
) -> LoadResult:
    """Write ``rows`` (already validated) inside the caller's transaction."""
    result = LoadResult()
    params: dict[str, Any] = {
        "status": status,
        "outlet": outlet_id,
        "dataset": dataset,
        "id_column": id_column,
        "event_fields": EVENT_FIELDS,
    }
    clock = time.monotonic()

    def timed(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        result.seconds[step] = round(now - clock, 2)
        clock = now

    if id_column == "acled_id":
        recognise_own_ids(rows)
    rows, result.merged = follow_merges(rows, id_column)
    small = len(rows) <= SMALL_FILE
    total = len(rows)
    with (
        connection.cursor() as cursor,
        sql_files.settings(cursor, **BULK_SETTINGS, enable_nestloop="on" if small else "off"),
    ):
        # pgtrigger's row triggers (the places' paths) read this setting inside an exception
        # block; unset, each row aborts a subtransaction, and those make a bulk insert slow
        # down quadratically (10,000 rows: 10 s instead of 0.6 s). An empty list ignores no
        # trigger (and the audit triggers never read it).
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        settled = settled_lines(cursor, rows, params)
        if settled:
            rows = [row for row in rows if row.line not in settled]
        timed("settling")
        cursor.execute(STAGING["create"])
        stage(cursor, rows)
        timed("staging")
        progress("actors")
        result.actors_created = match_or_create(
            cursor, NAMES["match_actors"], NAMES["insert_actors"], params
        )
        progress("places")
        for level, match in enumerate(MATCH_PLACES):
            result.places_created += match_or_create(
                cursor, match, NAMES["insert_places"], {**params, "level": level}
            )
        timed("actors and places")
        progress("documents")
        result.documents_created = match_or_create(
            cursor, NAMES["match_documents"], NAMES["insert_documents"], params
        )
        progress("events")
        by_key = events_by_key("ckb_stg_row", id_column, ["line"])
        cursor.execute(composed(EVENTS["match_events"], by_key=by_key))
        cursor.execute(EVENTS["marks"])
        cursor.execute(EVENTS["incoming"])
        # Temporary tables get no statistics unless asked: without them the planner guesses
        # a handful of rows and nests loops over 100,000.
        analyze_staging(cursor, "ckb_stg_match", "ckb_stg_fields")
        cursor.execute(EDITS, params)
        analyze_staging(cursor, "ckb_stg_edit")
        timed("match")
        cursor.execute(UPDATE_EVENTS, params)
        cursor.execute(EVENTS["insert_events"], params)
        result.events_created = cursor.rowcount
        analyze_staging(cursor, "ckb_stg_match")
        timed("write events")
        progress("participants")
        cursor.execute(EVENTS["delete_participants"])
        cursor.execute(EVENTS["insert_participants"])
        timed("participants")
        progress("claims")
        # Each claim statement makes the database recompute the figures of the events it
        # touched, with per-event lookups planned from sources_claim's statistics. Without
        # statistics for the new rows the planner pairs the event_id index with the status
        # index, and every lookup reads all accepted claims (quadratic: 4 s for 10,000 events).
        # So: a first few claims, ANALYZE, then the rest; and nested loops allowed again,
        # since those lookups are exactly that. Where the first few were there already (a
        # re-import), the statistics already know the file's claims: no ANALYZE. (ANALYZE
        # needs the table's owner; for another role it is skipped with a warning and
        # autovacuum's statistics have to do.)
        cutoff = rows[min(FIRST_CLAIMS, len(rows)) - 1].line if rows else 0
        with sql_files.settings(cursor, enable_nestloop="on"):
            cursor.execute(CLAIMS["insert_claims"], {**params, "from_line": 0, "to_line": cutoff})
            result.claims_created = cursor.rowcount
            if result.claims_created:
                cursor.execute("ANALYZE sources_claim")
            cursor.execute(
                CLAIMS["insert_claims"], {**params, "from_line": cutoff + 1, "to_line": 2**31 - 1}
            )
            result.claims_created += cursor.rowcount
            cursor.execute(CLAIMS["update_claims"], params)
            result.claims_updated = cursor.rowcount
        timed("claims")
        cursor.execute(SAVE_SNAPSHOTS, params)
        cursor.execute(SNAPSHOTS["settle_edits"])
        timed("snapshots")
        cursor.execute(SNAPSHOTS["updated"])
        result.events_updated = cursor.fetchone()[0]
        result.events_unchanged = total - result.events_created - result.events_updated
        cursor.execute(SNAPSHOTS["kept"])
        result.kept = [
            Kept(line, external_id or event_uuid, list(fields))
            for line, external_id, event_uuid, fields in cursor.fetchall()
        ]
        progress("candidates")
        # The file's events that may be others' records of the same event (or each other's).
        result.candidates = matching.search(cursor, "SELECT event_id FROM ckb_stg_match").recorded
        timed("candidates")
        cursor.execute(STAGING["drop"])
    return result


# Every statement here joins whole staging tables with whole tables whose statistics may
# predate this transaction's rows. For a file of thousands of rows hash joins are right and a
# mistaken nested loop over 100,000 rows is not, so nested loops are off. A file of up to
# SMALL_FILE rows is matched by index lookups instead (hashing whole tables took 0.7 s for 3
# rows into a million events): over so few rows even a misjudged nested loop stays cheap.
# JIT compilation costs more than it saves. The import's own writes are not editors' edits:
# they add no marks (migration events/0011).
BULK_SETTINGS = {"jit": "off", "conflictkb.importing": "on"}
SMALL_FILE = 1000


def recognise_own_ids(rows: list[Row]) -> None:
    """A row whose ``event_id_cnty`` is the id ConflictKB's ACLED layout gives an event of its
    own ("SYRCKB12") updates that event, as a row keyed by its uuid does, when this database
    holds it (event 12, in Syria, with no ACLED id); otherwise the id is another database's and
    is kept as the event's ACLED id. An event on a draft place has two such ids: staff's
    download names its country, a reader's (to whom the place is absent) "XXX"."""
    own = {row.line: OWN_ACLED_ID.fullmatch(row.external_id) for row in rows}
    numbers = {int(found["number"]) for found in own.values() if found}
    if not numbers:
        return
    events = Event.objects.filter(pk__in=numbers, acled_id="").values_list(
        "pk", "uuid", "location__country_code", "location__status"
    )
    uuid_of = {}
    for pk, uuid, country, place_status in events:
        uuid_of[own_acled_id(pk, country)] = uuid
        if place_status == Publication.DRAFT:
            uuid_of[own_acled_id(pk, None)] = uuid
    for row in rows:
        if own[row.line] and row.external_id in uuid_of:
            row.event_uuid, row.external_id = uuid_of[row.external_id], ""


def follow_merges(rows: list[Row], id_column: str) -> tuple[list[Row], list[Merged]]:
    """A row of an event merged into another (EventMerge) updates the kept event, and never
    makes the absorbed one again. Where the kept event took the absorbed one's id, the row
    finds it by that id as usual; where it kept its own id of the dataset, the row is left
    out and reported (the kept event's own row carries the dataset's claim); where it has
    none, the row updates it as a row keyed by its uuid does."""
    ids = {row.external_id for row in rows if row.external_id}
    if not ids:
        return rows, []
    absorbed = f"absorbed_{id_column}"
    found = (
        EventMerge.objects.filter(**{f"{absorbed}__in": ids})
        .exclude(**{f"kept__{id_column}": F(absorbed)})
        .values_list(absorbed, "kept__uuid", f"kept__{id_column}")
    )
    merges = {merged_id: (kept_uuid, kept_id) for merged_id, kept_uuid, kept_id in found}
    if not merges:
        return rows, []
    left_out = []
    for row in rows:
        if row.external_id not in merges:
            continue
        kept_uuid, kept_id = merges[row.external_id]
        if kept_id:
            left_out.append(Merged(row.line, row.external_id, str(kept_uuid)))
        else:
            row.event_uuid, row.external_id = kept_uuid, ""
    lines = {merged.line for merged in left_out}
    return [row for row in rows if row.line not in lines], left_out


def match_or_create(cursor: Any, match: str, insert: str, params: dict[str, Any]) -> int:
    """Match staged names to existing records, create the missing ones and match those."""
    cursor.execute(match, params)
    cursor.execute(insert, params)
    created: int = cursor.rowcount
    if created:
        cursor.execute(match, params)
    return created


def settled_lines(cursor: Any, rows: list[Row], params: dict[str, Any]) -> set[int]:
    """The lines of the rows that would change nothing (EVENTS["settled"]); none before a
    first import of the dataset."""
    cursor.execute(EVENTS["any_snapshot"], params)
    if not cursor.fetchone()[0]:
        return set()
    cursor.execute(STAGING["create_keys"])
    with cursor.cursor.copy("COPY ckb_stg_key FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                (row.line, row.external_id, row.event_uuid, row.event_type_id, row.digest)
            )
    analyze_staging(cursor, "ckb_stg_key")
    by_key = events_by_key("ckb_stg_key", params["id_column"], ["line", "event_type_id", "digest"])
    cursor.execute(composed(EVENTS["settled"], by_key=by_key), params)
    return {line for (line,) in cursor.fetchall()}


def analyze_staging(cursor: Any, *tables: str) -> None:
    """Statistics of staging tables, from a sample of 3,000 rows rather than 30,000: the
    planner needs their sizes and join keys, and they are read once."""
    with sql_files.settings(cursor, default_statistics_target="10"):
        cursor.execute(
            composed("ANALYZE {tables}", tables=sql.SQL(", ").join(map(sql.Identifier, tables)))
        )


def stage(cursor: Any, rows: list[Row]) -> None:
    """COPY the rows into the staging tables, with actors, place paths and sources deduplicated."""
    actors: dict[str, int] = {}
    actor_rows: list[tuple[int, str, int | None, str]] = []
    nodes: dict[tuple[int | None, str], int] = {}
    node_rows: list[list[Any]] = []
    docs: dict[str, int] = {}
    doc_rows: list[tuple[int, str, str, datetime.date | None]] = []
    raw = cursor.cursor  # psycopg's own cursor: COPY is not part of Django's API
    # One COPY at a time: participants and the deduplicated tables follow the rows.
    parts: list[tuple[int, int, int, str]] = []
    with raw.copy("COPY ckb_stg_row FROM STDIN") as copy_rows:
        for row in rows:
            # Place path: each level's node hangs under the previous non-blank one.
            parent: int | None = None
            names_above: list[str] = []
            for level, name in enumerate(row.places):
                if not name:
                    continue
                # A location named like the area around it is that area (as ACLED writes it).
                if level == 4 and names_above and name.lower() == names_above[-1].lower():
                    continue
                node_key = (parent, name.lower())
                node = nodes.get(node_key)
                if node is None:
                    node = nodes[node_key] = len(node_rows) + 1
                    node_rows.append(
                        [
                            node,
                            parent,
                            level,
                            name,
                            LEVEL_KINDS[level],
                            row.country_code,
                            None,
                            None,
                        ]
                    )
                parent = node
                names_above.append(name)
            if parent is not None and row.latitude is not None:
                place = node_rows[parent - 1]
                if place[6] is None:
                    place[6], place[7] = row.latitude, row.longitude
            doc = docs.get(row.source_title)
            if doc is None:
                doc = docs[row.source_title] = len(doc_rows) + 1
                doc_rows.append((doc, row.source_title, row.source_text, row.source_date))
            for pos, (name, role) in enumerate(
                [(n, row.role1) for n in row.side1] + [(n, row.role2) for n in row.side2]
            ):
                actor = actors.get(name.lower())
                inter = row.actor_types.get(name)
                if actor is None:
                    actor = actors[name.lower()] = len(actor_rows) + 1
                    actor_rows.append((actor, name, inter, KIND_OF_INTER.get(inter, "militia")))
                elif inter and actor_rows[actor - 1][2] is None:
                    actor_rows[actor - 1] = (actor, name, inter, KIND_OF_INTER[inter])
                parts.append((row.line, pos, actor, role))
            copy_rows.write_row(
                (
                    row.line,
                    row.external_id,
                    row.event_uuid,
                    row.title,
                    row.summary,
                    row.event_type_id,
                    row.start_date,
                    row.end_date,
                    row.date_precision,
                    row.geo_precision,
                    parent,
                    row.low,
                    row.best,
                    row.high,
                    row.civilians,
                    row.combatants,
                    row.value_text,
                    row.quote,
                    doc,
                    row.digest,
                )
            )
    for table, columns, data in (
        ("ckb_stg_part", ["line", "pos", "actor", "role"], parts),
        ("ckb_stg_actor", ["actor", "name", "inter", "kind"], actor_rows),
        (
            "ckb_stg_node",
            ["node", "parent", "level", "name", "kind", "country_code", "latitude", "longitude"],
            node_rows,
        ),
        ("ckb_stg_doc", ["doc", "title", "text", "published_on"], doc_rows),
    ):
        copy_in = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with raw.copy(copy_in) as copy:
            for item in data:
                copy.write_row(item)
    analyze_staging(
        cursor, "ckb_stg_row", "ckb_stg_part", "ckb_stg_actor", "ckb_stg_node", "ckb_stg_doc"
    )
