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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from events.models import LocationKind
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


def columns_of(alias: str, columns: list[str] = SNAPSHOT_COLUMNS) -> str:
    return ", ".join(f"{alias}.{column}" for column in columns)


def differs(current: str, other: str, field: str) -> str:
    """SQL: whether ``current``'s field differs from ``other``'s (which always has it)."""
    compared = (
        f"ROW({columns_of(current, MANAGED_COLUMNS[field])}) "
        f"IS DISTINCT FROM ROW({columns_of(other, MANAGED_COLUMNS[field])})"
    )
    return f"(NOT {current}.has_claim OR {compared})" if field in CLAIM_FIELDS else compared


def present(current: str, field: str) -> str:
    """SQL: whether the event has a value for the field (participants: always, maybe none)."""
    if field in CLAIM_FIELDS:
        return f"{current}.has_claim"
    if field == "participants":
        return "true"
    return f"{current}.{MANAGED_COLUMNS[field][0]} IS NOT NULL"


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
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for profiling


STAGING = """
DROP TABLE IF EXISTS ckb_stg_row, ckb_stg_part, ckb_stg_actor, ckb_stg_node, ckb_stg_doc,
    ckb_stg_match, ckb_stg_marks, ckb_stg_fields, ckb_stg_edit;
CREATE TEMP TABLE ckb_stg_row (
    line int PRIMARY KEY, external_id text, event_uuid uuid, title text, summary text,
    event_type_id bigint, start_date date, end_date date, date_precision smallint,
    geo_precision smallint, node int, low bigint, best bigint, high bigint, civilians int,
    combatants int, value_text text, quote text, doc int, digest bytea);
CREATE TEMP TABLE ckb_stg_part (line int, pos int, actor int, role text);
CREATE TEMP TABLE ckb_stg_actor (
    actor int PRIMARY KEY, name text, inter smallint, kind text, actor_id bigint);
CREATE TEMP TABLE ckb_stg_node (
    node int PRIMARY KEY, parent int, level int, name text, kind text, country_code text,
    latitude float8, longitude float8, location_id bigint);
CREATE TEMP TABLE ckb_stg_doc (
    doc int PRIMARY KEY, title text, text text, published_on date, document_id bigint);
CREATE TEMP TABLE ckb_stg_match (line int PRIMARY KEY, event_id bigint, is_new boolean);
"""

DROP_STAGING = """
DROP TABLE IF EXISTS ckb_stg_key, ckb_stg_row, ckb_stg_part, ckb_stg_actor, ckb_stg_node,
    ckb_stg_doc, ckb_stg_match, ckb_stg_marks, ckb_stg_fields, ckb_stg_edit;
"""

# Settling (a re-import's first step): each row's key, digest and event type, just enough to
# find the rows that are the records that made their events' snapshots, of events no one has
# edited since (no mark). Such a row would change nothing and keep nothing: the rest of the
# import does not see it. The event type is compared too: it is looked up in the database,
# where an administrator may have mapped the dataset's types anew.
STAGE_KEYS = """
DROP TABLE IF EXISTS ckb_stg_key;
CREATE TEMP TABLE ckb_stg_key (
    line int, external_id text, event_uuid uuid, event_type_id bigint, digest bytea);
"""
SETTLED = """
SELECT m.line
  FROM ({by_key}) m
  JOIN events_import_snapshot snap ON snap.event_id = m.event_id AND snap.dataset = %(dataset)s
 WHERE snap.digest = m.digest AND snap.event_type_id = m.event_type_id
   AND NOT EXISTS (SELECT 1 FROM events_import_edit x WHERE x.event_id = m.event_id)
"""

# Names match case-insensitively; an actor's own name wins over another actor's alias.
MATCH_ACTORS = """
UPDATE ckb_stg_actor s SET actor_id = m.id
  FROM (SELECT DISTINCT ON (s2.actor) s2.actor, n.id
          FROM ckb_stg_actor s2
          JOIN (SELECT lower(name) AS k, id, 0 AS pri FROM actors_actor
                UNION ALL SELECT lower(name), actor_id, 1 FROM actors_actorname) n
            ON n.k = lower(s2.name)
         WHERE s2.actor_id IS NULL
         ORDER BY s2.actor, n.pri, n.id) m
 WHERE s.actor = m.actor
"""
INSERT_ACTORS = """
INSERT INTO actors_actor (uuid, created_at, updated_at, status, name, kind, acled_type,
                          country_code, description)
SELECT gen_random_uuid(), now(), now(), %(status)s, name, kind, inter, '', ''
  FROM ckb_stg_actor WHERE actor_id IS NULL ORDER BY actor
"""

# A place matches by name or alternate spelling among its parent's children (countries: roots).
MATCH_PLACES = """
UPDATE ckb_stg_node n SET location_id = m.id
  FROM (SELECT DISTINCT ON (n2.node) n2.node, l.id
          FROM ckb_stg_node n2
          {parent_join}
         WHERE n2.level = %(level)s AND n2.location_id IS NULL
           AND (lower(l.name) = lower(n2.name)
                OR lower(n2.name) = ANY(SELECT lower(x) FROM unnest(l.alternate_names) x))
         ORDER BY n2.node, lower(l.name) = lower(n2.name) DESC, l.id) m
 WHERE n.node = m.node
"""
ROOT_JOIN = "JOIN events_location l ON l.parent_id IS NULL"
CHILD_JOIN = """JOIN ckb_stg_node p ON p.node = n2.parent
          JOIN events_location l ON l.parent_id = p.location_id"""
INSERT_PLACES = """
INSERT INTO events_location (uuid, created_at, updated_at, status, name, kind, parent_id, path,
                             country_code, latitude, longitude, alternate_names)
SELECT gen_random_uuid(), now(), now(), %(status)s, n.name, n.kind, p.location_id, '',
       n.country_code, n.latitude, n.longitude, '{}'
  FROM ckb_stg_node n LEFT JOIN ckb_stg_node p ON p.node = n.parent
 WHERE n.level = %(level)s AND n.location_id IS NULL
 ORDER BY n.node
"""

MATCH_DOCUMENTS = """
UPDATE ckb_stg_doc s SET document_id = m.id
  FROM (SELECT DISTINCT ON (s2.doc) s2.doc, d.id
          FROM ckb_stg_doc s2 JOIN sources_document d
            ON d.outlet_id = %(outlet)s AND d.title = s2.title
         WHERE s2.document_id IS NULL ORDER BY s2.doc, d.id) m
 WHERE s.doc = m.doc
"""
INSERT_DOCUMENTS = """
INSERT INTO sources_document (uuid, created_at, updated_at, status, outlet_id, title, url, author,
                              published_on, language, archive_url, text)
SELECT gen_random_uuid(), now(), now(), %(status)s, %(outlet)s, title, '', '', published_on,
       'en', '', text
  FROM ckb_stg_doc WHERE document_id IS NULL ORDER BY doc
"""


def events_by_key(table: str, id_column: str, columns: str) -> str:
    """SQL: ``columns`` of each row staged in ``table`` (as ``s``) with the id of the event
    its key names (``event_id``): by external id, or by ConflictKB uuid where it has none.
    (The external id's index is partial, WHERE it is not blank: said of the event's column
    too.)"""
    return f"""
SELECT {columns}, e.id AS event_id
  FROM {table} s JOIN events_event e ON e.{id_column} = s.external_id
 WHERE s.external_id <> '' AND e.{id_column} <> ''
UNION ALL
SELECT {columns}, e.id FROM {table} s JOIN events_event e ON e.uuid = s.event_uuid
 WHERE s.external_id = ''"""  # noqa: S608 - table and columns are the importer's own


MATCH_EVENTS = """
INSERT INTO ckb_stg_match (line, event_id, is_new)
SELECT line, event_id, false FROM ({by_key}) m
"""

# The marks of the matched events edited since their import, as they are now.
MARKS = """
CREATE TEMP TABLE ckb_stg_marks AS
SELECT id, event_id FROM events_import_edit
 WHERE event_id IN (SELECT event_id FROM ckb_stg_match)
"""

# Each row's managed fields as the import would set them, in the snapshot's columns.
INCOMING = """
CREATE TEMP TABLE ckb_stg_fields AS
SELECT s.line, s.title, s.summary, s.event_type_id, s.start_date, s.end_date, s.date_precision,
       n.location_id, s.geo_precision,
       coalesce(p.actor_ids, '{}') AS actor_ids, coalesce(p.roles, '{}') AS roles,
       s.low AS value_low, s.best AS value_best, s.high AS value_high, s.civilians,
       s.combatants, s.value_text, d.document_id, s.quote
  FROM ckb_stg_row s
  LEFT JOIN ckb_stg_node n ON n.node = s.node
  LEFT JOIN ckb_stg_doc d ON d.doc = s.doc
  LEFT JOIN (SELECT line, array_agg(actor_id ORDER BY actor_id, role) AS actor_ids,
                    array_agg(role ORDER BY actor_id, role) AS roles
               FROM (SELECT DISTINCT sp.line, a.actor_id, sp.role
                       FROM ckb_stg_part sp JOIN ckb_stg_actor a ON a.actor = sp.actor) d
              GROUP BY line) p ON p.line = s.line
"""

# For matched events: the fields an editor changed (kept) and the ones this import changes.
# An event not edited since its snapshot still is what the snapshot says. So an event whose
# snapshot is what the file says now (most of a re-import) has nothing kept and nothing to
# change, and is left out; of the others, only events edited since (or never imported from
# this dataset) have their current fields read; the rest are their snapshots.
# Without a snapshot (an event made by hand, or before its first import of this dataset)
# whatever an event already has is the editors'; only what it lacks is filled in.
# Per field: differs_<field>, the file says otherwise than the event; kept_<field>, and an
# editor changed it since the snapshot (or, without one, the event has a value of its own).
# Matched rows carry their snapshot's columns, so the snapshots are read once.
JUDGEMENTS = ", ".join(
    f"{differs('cur', 'i', f)} AS differs_{f}, {differs('cur', 'i', f)} AND CASE "
    f"WHEN NOT m.has_snapshot THEN {present('cur', f)} "
    f"ELSE {differs('cur', 'm', f)} END AS kept_{f}"
    for f in MANAGED_COLUMNS
)
KEPT_NAMES = ", ".join(f"CASE WHEN kept_{f} THEN '{f}' END" for f in MANAGED_COLUMNS)
CHANGED_NAMES = ", ".join(
    f"CASE WHEN differs_{f} AND NOT kept_{f} THEN '{f}' END" for f in MANAGED_COLUMNS
)
EDITS = f"""
CREATE TEMP TABLE ckb_stg_edit AS
WITH matched AS MATERIALIZED (
    SELECT m.line, m.event_id, snap.event_id IS NOT NULL AS has_snapshot,
           snap.event_id IS NOT NULL AND k.event_id IS NULL AS clean, {columns_of("snap")}
      FROM ckb_stg_match m
      JOIN ckb_stg_fields i ON i.line = m.line
      LEFT JOIN events_import_snapshot snap
        ON snap.event_id = m.event_id AND snap.dataset = %(dataset)s
      LEFT JOIN (SELECT DISTINCT event_id FROM ckb_stg_marks) k ON k.event_id = m.event_id
     WHERE NOT m.is_new
       AND NOT coalesce(snap.event_id IS NOT NULL AND k.event_id IS NULL
                        AND ROW({columns_of("snap")}) IS NOT DISTINCT FROM ROW({columns_of("i")}),
                        false)
), claim AS MATERIALIZED (
    SELECT DISTINCT ON (event_id) *
      FROM sources_claim
     WHERE claimant_outlet_id = %(outlet)s AND kind = 'fatalities'
       AND event_id IN (SELECT event_id FROM matched)
     ORDER BY event_id, id
), current AS MATERIALIZED (
    SELECT m.line, true AS has_claim, {columns_of("m")}
      FROM matched m
     WHERE m.clean
    UNION ALL
    SELECT m.line, c.id IS NOT NULL, e.title, e.summary, e.event_type_id, e.start_date,
           e.end_date, e.date_precision, e.location_id, e.geo_precision,
           coalesce(p.actor_ids, '{{}}'), coalesce(p.roles, '{{}}'),
           c.value_low, c.value_best, c.value_high, c.civilians, c.combatants, c.value_text,
           c.document_id, c.quote
      FROM matched m
      JOIN events_event e ON e.id = m.event_id
      LEFT JOIN claim c ON c.event_id = m.event_id
      LEFT JOIN (SELECT event_id, array_agg(actor_id ORDER BY actor_id, role) AS actor_ids,
                        array_agg(role::text ORDER BY actor_id, role) AS roles
                   FROM events_participation
                  WHERE event_id IN (SELECT event_id FROM matched WHERE NOT clean)
                  GROUP BY event_id) p ON p.event_id = m.event_id
     WHERE NOT m.clean
), judged AS MATERIALIZED (
    SELECT m.line, m.event_id, {JUDGEMENTS}
      FROM matched m
      JOIN current cur ON cur.line = m.line
      JOIN ckb_stg_fields i ON i.line = m.line
)
SELECT j.line, j.event_id, c.id AS claim_id,
       array_remove(ARRAY[{KEPT_NAMES}], NULL) AS kept,
       array_remove(ARRAY[{CHANGED_NAMES}], NULL) AS changed
  FROM judged j LEFT JOIN claim c ON c.event_id = j.event_id
"""  # noqa: S608 - built from the constant column lists above

# The figures an event gets from its one claim: that claim's low, best and high from the
# staged row, each borrowing from the others as sources migration 0002 does.
LOW, BEST, HIGH = (
    "coalesce(s.low, s.best, s.high)",
    "coalesce(s.best, s.low, s.high)",
    "coalesce(s.high, s.best, s.low)",
)

UPDATE_EVENTS = """
UPDATE events_event e SET
       title = CASE WHEN 'title' = ANY(x.changed) THEN s.title ELSE e.title END,
       summary = CASE WHEN 'summary' = ANY(x.changed) THEN s.summary ELSE e.summary END,
       event_type_id = CASE WHEN 'event_type' = ANY(x.changed)
                            THEN s.event_type_id ELSE e.event_type_id END,
       start_date = CASE WHEN 'start_date' = ANY(x.changed) THEN s.start_date ELSE e.start_date END,
       end_date = CASE WHEN 'end_date' = ANY(x.changed) THEN s.end_date ELSE e.end_date END,
       date_precision = CASE WHEN 'date_precision' = ANY(x.changed)
                             THEN s.date_precision ELSE e.date_precision END,
       location_id = CASE WHEN 'location' = ANY(x.changed) THEN n.location_id ELSE e.location_id END,
       geo_precision = CASE WHEN 'geo_precision' = ANY(x.changed)
                            THEN s.geo_precision ELSE e.geo_precision END,
       fatalities_low = CASE WHEN {readers_claim_changes} THEN {low} ELSE e.fatalities_low END,
       fatalities_best = CASE WHEN {readers_claim_changes} THEN {best}
                              ELSE e.fatalities_best END,
       fatalities_high = CASE WHEN {readers_claim_changes} THEN {high}
                              ELSE e.fatalities_high END,
       staff_fatalities_low = CASE WHEN {one_claim_changes} THEN {low}
                                   ELSE e.staff_fatalities_low END,
       staff_fatalities_best = CASE WHEN {one_claim_changes} THEN {best}
                                    ELSE e.staff_fatalities_best END,
       staff_fatalities_high = CASE WHEN {one_claim_changes} THEN {high}
                                    ELSE e.staff_fatalities_high END,
       updated_at = now()
  FROM ckb_stg_edit x
  JOIN ckb_stg_row s ON s.line = x.line
  LEFT JOIN ckb_stg_node n ON n.node = s.node
 WHERE e.id = x.event_id AND x.changed && %(event_fields)s::text[]
""".format(
    # The event's figures are its one claim's, and this import changes that claim's figure;
    # readers' too when that claim is theirs to open.
    one_claim_changes="'fatalities' = ANY(x.changed) AND x.claim_id IS NOT NULL "
    "AND e.staff_claim_count = 1",
    readers_claim_changes="'fatalities' = ANY(x.changed) AND x.claim_id IS NOT NULL "
    "AND e.staff_claim_count = 1 AND e.claim_count = 1",
    low=LOW,
    best=BEST,
    high=HIGH,
)

# A new event's figures are written as its one claim (INSERT_CLAIMS) will make them: one
# claim's figures, one source; for readers too when that claim will be theirs to open (by the
# database's own rule, asked once per document). The recomputation the claims trigger then
# finds nothing to change, instead of rewriting every new event (and its search vector and a
# dozen index entries) a second time.
# The database stays the judge: where a reused document relays wire stories, it corrects them.
INSERT_EVENTS = f"""
WITH public_document AS MATERIALIZED (
    SELECT doc, coalesce(ckb_claim_is_public('accepted', document_id, NULL, %(outlet)s), false)
           AS public
      FROM ckb_stg_doc
), created AS (
    INSERT INTO events_event (uuid, created_at, updated_at, status, title, summary, event_type_id,
                              start_date, end_date, date_precision, location_id, geo_precision,
                              acled_id, ucdp_id, fatality_rule, contested, claim_count,
                              source_count, fatalities_low, fatalities_best, fatalities_high,
                              staff_contested, staff_claim_count, staff_source_count,
                              staff_fatalities_low, staff_fatalities_best, staff_fatalities_high)
    SELECT coalesce(s.event_uuid, gen_random_uuid()), now(), now(), %(status)s, s.title,
           s.summary, s.event_type_id, s.start_date, s.end_date, s.date_precision,
           n.location_id, s.geo_precision,
           CASE WHEN %(id_column)s = 'acled_id' THEN s.external_id ELSE '' END,
           CASE WHEN %(id_column)s = 'ucdp_id' THEN s.external_id ELSE '' END,
           'range', false, coalesce(pd.public, false)::int, coalesce(pd.public, false)::int,
           CASE WHEN pd.public THEN {LOW} END, CASE WHEN pd.public THEN {BEST} END,
           CASE WHEN pd.public THEN {HIGH} END,
           false, 1, 1, {LOW}, {BEST}, {HIGH}
      FROM ckb_stg_row s LEFT JOIN ckb_stg_node n ON n.node = s.node
      LEFT JOIN public_document pd ON pd.doc = s.doc
     WHERE NOT EXISTS (SELECT 1 FROM ckb_stg_match m WHERE m.line = s.line)
     ORDER BY s.line
    RETURNING id, uuid, CASE WHEN %(id_column)s = 'acled_id' THEN acled_id ELSE ucdp_id END
                        AS external_id
)
INSERT INTO ckb_stg_match (line, event_id, is_new)
SELECT s.line, c.id, true FROM created c JOIN ckb_stg_row s ON s.external_id = c.external_id
 WHERE s.external_id <> ''
UNION ALL
SELECT s.line, c.id, true FROM created c JOIN ckb_stg_row s ON s.event_uuid = c.uuid
 WHERE s.external_id = ''
"""  # noqa: S608 - the figures are the constant expressions above

# Participants are rewritten as a whole (in file order, so actor1 comes first on export) for
# new events and for events whose participants changed and were not edited by hand.
DELETE_PARTICIPANTS = """
DELETE FROM events_participation
 WHERE event_id IN (SELECT event_id FROM ckb_stg_edit WHERE 'participants' = ANY(changed))
"""
INSERT_PARTICIPANTS = """
INSERT INTO events_participation (event_id, actor_id, role, note)
SELECT event_id, actor_id, role, ''
  FROM (SELECT DISTINCT ON (m.event_id, a.actor_id, p.role)
               m.event_id, a.actor_id, p.role, p.line, p.pos
          FROM ckb_stg_part p
          JOIN ckb_stg_actor a ON a.actor = p.actor
          JOIN ckb_stg_match m ON m.line = p.line
          LEFT JOIN ckb_stg_edit x ON x.line = p.line
         WHERE m.is_new OR 'participants' = ANY(x.changed)
         ORDER BY m.event_id, a.actor_id, p.role, p.pos) q
 ORDER BY line, pos
"""

# The dataset's own figure: one claim per event, by the dataset as claimant.
INSERT_CLAIMS = """
INSERT INTO sources_claim (uuid, created_at, updated_at, event_id, kind, claimant_outlet_id,
                           document_id, locator, quote, value_low, value_best, value_high,
                           civilians, combatants, value_text, stance, credibility, status,
                           deprecation_reason, is_preferred, note)
SELECT gen_random_uuid(), now(), now(), m.event_id, 'fatalities', %(outlet)s, d.document_id,
       '', s.quote, s.low, s.best, s.high, s.civilians, s.combatants, s.value_text, 'asserts',
       6, 'accepted', '', false, ''
  FROM ckb_stg_match m
  JOIN ckb_stg_row s ON s.line = m.line
  JOIN ckb_stg_doc d ON d.doc = s.doc
  LEFT JOIN ckb_stg_edit x ON x.line = m.line
 WHERE (m.is_new OR (x.claim_id IS NULL AND 'fatalities' = ANY(x.changed)))
   AND m.line BETWEEN %(from_line)s AND %(to_line)s
 ORDER BY m.line
"""
# Claims are inserted in two statements: a few first, then statistics, then the rest. See load().
FIRST_CLAIMS = 200
UPDATE_CLAIMS = """
UPDATE sources_claim c SET
       value_low = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.low ELSE c.value_low END,
       value_best = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.best ELSE c.value_best END,
       value_high = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.high ELSE c.value_high END,
       civilians = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.civilians ELSE c.civilians END,
       combatants = CASE WHEN 'fatalities' = ANY(x.changed)
                         THEN s.combatants ELSE c.combatants END,
       value_text = CASE WHEN 'fatalities' = ANY(x.changed)
                         THEN s.value_text ELSE c.value_text END,
       document_id = CASE WHEN 'source' = ANY(x.changed) THEN d.document_id ELSE c.document_id END,
       quote = CASE WHEN 'source' = ANY(x.changed) THEN s.quote ELSE c.quote END,
       updated_at = now()
  FROM ckb_stg_edit x
  JOIN ckb_stg_row s ON s.line = x.line
  JOIN ckb_stg_doc d ON d.doc = s.doc
 WHERE c.id = x.claim_id AND x.changed && ARRAY['fatalities', 'source']
"""

# Every row that was not settled: the snapshot says what the file says, and the digest which
# record said it (a snapshot that already does both is left alone).
SAVE_SNAPSHOTS = f"""
INSERT INTO events_import_snapshot AS snap (event_id, dataset, digest,
                                            {", ".join(SNAPSHOT_COLUMNS)})
SELECT m.event_id, %(dataset)s, s.digest, {columns_of("i")}
  FROM ckb_stg_match m
  JOIN ckb_stg_fields i ON i.line = m.line
  JOIN ckb_stg_row s ON s.line = m.line
ON CONFLICT (event_id, dataset) DO UPDATE
   SET imported_at = now(), digest = EXCLUDED.digest,
       {", ".join(f"{c} = EXCLUDED.{c}" for c in SNAPSHOT_COLUMNS)}
 WHERE ROW(snap.digest, {columns_of("snap")})
       IS DISTINCT FROM ROW(EXCLUDED.digest, {columns_of("EXCLUDED")})
"""  # noqa: S608 - built from the constant column lists above

# The edits this import has seen are settled: the events are now what the file says, but for
# the fields it kept, which leave them edited since their snapshots. Marks made while the
# import ran were not read, and stay for the next one.
SETTLE_EDITS = """
DELETE FROM events_import_edit WHERE id IN (SELECT id FROM ckb_stg_marks);
INSERT INTO events_import_edit (event_id)
SELECT event_id FROM ckb_stg_edit WHERE cardinality(kept) > 0;
"""

KEPT = """
SELECT x.line, s.external_id, coalesce(e.uuid::text, ''), x.kept
  FROM ckb_stg_edit x JOIN ckb_stg_row s ON s.line = x.line
  JOIN events_event e ON e.id = x.event_id
 WHERE cardinality(x.kept) > 0 ORDER BY x.line
"""


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

    small = len(rows) <= SMALL_FILE
    total = len(rows)
    with (
        connection.cursor() as cursor,
        settings(cursor, **BULK_SETTINGS, enable_nestloop="on" if small else "off"),
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
        cursor.execute(STAGING)
        stage(cursor, rows)
        timed("staging")
        progress("actors")
        result.actors_created = match_or_create(cursor, MATCH_ACTORS, INSERT_ACTORS, params)
        progress("places")
        for level in range(len(LEVELS)):
            match = MATCH_PLACES.format(parent_join=CHILD_JOIN if level else ROOT_JOIN)
            result.places_created += match_or_create(
                cursor, match, INSERT_PLACES, {**params, "level": level}
            )
        timed("actors and places")
        progress("documents")
        result.documents_created = match_or_create(
            cursor, MATCH_DOCUMENTS, INSERT_DOCUMENTS, params
        )
        progress("events")
        cursor.execute(
            MATCH_EVENTS.format(by_key=events_by_key("ckb_stg_row", id_column, "s.line"))
        )
        cursor.execute(MARKS)
        cursor.execute(INCOMING)
        # Temporary tables get no statistics unless asked: without them the planner guesses
        # a handful of rows and nests loops over 100,000.
        analyze_staging(cursor, "ckb_stg_match, ckb_stg_fields")
        cursor.execute(EDITS, params)
        analyze_staging(cursor, "ckb_stg_edit")
        timed("match")
        cursor.execute(UPDATE_EVENTS, params)
        cursor.execute(INSERT_EVENTS, params)
        result.events_created = cursor.rowcount
        analyze_staging(cursor, "ckb_stg_match")
        timed("write events")
        progress("participants")
        cursor.execute(DELETE_PARTICIPANTS)
        cursor.execute(INSERT_PARTICIPANTS)
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
        with settings(cursor, enable_nestloop="on"):
            cursor.execute(INSERT_CLAIMS, {**params, "from_line": 0, "to_line": cutoff})
            result.claims_created = cursor.rowcount
            if result.claims_created:
                cursor.execute("ANALYZE sources_claim")
            cursor.execute(INSERT_CLAIMS, {**params, "from_line": cutoff + 1, "to_line": 2**31 - 1})
            result.claims_created += cursor.rowcount
            cursor.execute(UPDATE_CLAIMS, params)
            result.claims_updated = cursor.rowcount
        timed("claims")
        cursor.execute(SAVE_SNAPSHOTS, params)
        cursor.execute(SETTLE_EDITS)
        timed("snapshots")
        cursor.execute("SELECT count(*) FROM ckb_stg_edit WHERE cardinality(changed) > 0")
        result.events_updated = cursor.fetchone()[0]
        result.events_unchanged = total - result.events_created - result.events_updated
        cursor.execute(KEPT)
        result.kept = [
            Kept(line, external_id or event_uuid, list(fields))
            for line, external_id, event_uuid, fields in cursor.fetchall()
        ]
        cursor.execute(DROP_STAGING)
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


def match_or_create(cursor: Any, match: str, insert: str, params: dict[str, Any]) -> int:
    """Match staged names to existing records, create the missing ones and match those."""
    cursor.execute(match, params)
    cursor.execute(insert, params)
    created: int = cursor.rowcount
    if created:
        cursor.execute(match, params)
    return created


def settled_lines(cursor: Any, rows: list[Row], params: dict[str, Any]) -> set[int]:
    """The lines of the rows that would change nothing (SETTLED); none before a first import
    of the dataset."""
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM events_import_snapshot WHERE dataset = %(dataset)s)",
        params,
    )
    if not cursor.fetchone()[0]:
        return set()
    cursor.execute(STAGE_KEYS)
    with cursor.cursor.copy("COPY ckb_stg_key FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                (row.line, row.external_id, row.event_uuid, row.event_type_id, row.digest)
            )
    analyze_staging(cursor, "ckb_stg_key")
    by_key = events_by_key("ckb_stg_key", params["id_column"], "s.line, s.event_type_id, s.digest")
    cursor.execute(SETTLED.format(by_key=by_key), params)
    return {line for (line,) in cursor.fetchall()}


def analyze_staging(cursor: Any, tables: str) -> None:
    """Statistics of staging tables, from a sample of 3,000 rows rather than 30,000: the
    planner needs their sizes and join keys, and they are read once."""
    with settings(cursor, default_statistics_target="10"):
        cursor.execute(f"ANALYZE {tables}")


@contextmanager
def settings(cursor: Any, **values: str) -> Iterator[None]:
    """Settings for the enclosed statements, restored afterwards (same transaction)."""
    # missing_ok: a setting of our own ("conflictkb.…") does not exist until first set.
    cursor.execute("SELECT " + ", ".join(f"current_setting('{name}', true)" for name in values))
    saved = {name: value or "" for name, value in zip(values, cursor.fetchone(), strict=True)}
    for name, value in values.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    try:
        yield
    finally:
        for name, value in saved.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


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
    for table, data in (
        ("ckb_stg_part", parts),
        ("ckb_stg_actor (actor, name, inter, kind)", actor_rows),
        (
            "ckb_stg_node (node, parent, level, name, kind, country_code, latitude, longitude)",
            node_rows,
        ),
        ("ckb_stg_doc (doc, title, text, published_on)", doc_rows),
    ):
        with raw.copy(f"COPY {table} FROM STDIN") as copy:
            for item in data:
                copy.write_row(item)
    analyze_staging(cursor, "ckb_stg_row, ckb_stg_part, ckb_stg_actor, ckb_stg_node, ckb_stg_doc")
