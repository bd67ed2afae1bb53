"""Finding events that may be one: ACLED's and UCDP's rows of the same strike, or a dataset's
own duplicates. The search is SQL over whole sets (interchange/sql/candidates.sql); it keeps
each pair at or above the threshold as an ``EventCandidate`` for editors to merge or reject.
A rejected pair is never proposed again.

One layout for a candidate, wherever it is read (``manage.py match_events --json``, the API
at ``/api/v1/event-candidates/``): ``candidate_record``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from core import sql_files
from events.models import SIDE_1_ROLES, SIDE_2_ROLES, CandidateStatus, Event, EventCandidate

STATEMENTS = sql_files.statements("interchange", "candidates.sql")
# The schema of the working tables (events migration 0032); the statements name them
# ckb_cand_*, each search as its own (working_tables).
SCHEMA = "ckb_search"
# At the default threshold a pair needs more than a shared day and place: an actor in common
# (or related by name) as well, or its types and points agreeing closely. Measured on
# bench/match_events.py's generated datasets: see BENCHMARKS.md.
THRESHOLD = 0.7


@dataclass
class Search:
    found: int = 0  # pairs at or above the threshold
    blocked: int = 0  # pairs close enough in time and place to be one, all scored
    recorded: int = 0  # of them open candidates: not rejected or merged before
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, for profiling


# The datasets' two sides, for the profiles step: one definition, the layouts'.
SIDES = {"side_1": list(SIDE_1_ROLES), "side_2": list(SIDE_2_ROLES)}

# A search of a 100,000-event import at a million events joins and sorts some million pairs
# and links: with the site's work_mem they spilled 0.9 GB to disk. One search runs at a time
# (an import, a command), so it may take more memory; JIT costs more than it saves here. The
# planner chose merge joins for the block joins, sorting millions of blocks first, where a
# hash of the smaller side is half the time (at 200,000 events: 8 s against 13 s).
SEARCH_SETTINGS = {"work_mem": "512MB", "jit": "off", "enable_mergejoin": "off"}

# Recording compares each pair found with the queue: as a nested loop, one index probe per
# pair (a search of every event at a million events: 1.7 million probes, 8.6 s); hashed, both
# read once (2.6 s).
RECORD_SETTINGS = {"enable_nestloop": "off"}

# Each step's table: analysed as soon as it is made, since a new table has no statistics
# until asked and each join after needs them. Each step is a table of its own rather than a
# WITH query read twice, which one process would materialise: a table's joins may run in
# parallel (at a million events, scoring took 43.2 s as one statement, 34.3 s as four).
STEPS = {
    "profiles": "ckb_cand_profile",
    "actors": "ckb_cand_actor",
    "armed": "ckb_cand_armed",
    "events": "ckb_cand_event",
    "keys": "ckb_cand_key",
    "probes": "ckb_cand_probe",
    "days": "ckb_cand_day",
    "probe_days": "ckb_cand_probe_day",
    "pairs": "ckb_cand_pair",
    "lineups": "ckb_cand_lineups",
    "kept": "ckb_cand_kept",
    "score": "ckb_cand_found",
}


def working_tables(cursor: Any) -> Callable[[str], str]:
    """The statements with this connection's own working tables: ckb_cand_x becomes
    ckb_search.cand_<backend pid>_x, so that searches on two connections never meet."""
    cursor.execute("SELECT pg_backend_pid()")
    (pid,) = cursor.fetchone()
    own = f"{SCHEMA}.cand_{int(pid)}_"
    return lambda statement: statement.replace("ckb_cand_", own)


def search(cursor: Any, probes: str, params: Any = (), *, threshold: float = THRESHOLD) -> Search:
    """Find and record the candidates of the events whose ids ``probes`` selects, inside the
    caller's transaction. Open pairs found again get the new score; rejected ones stay so."""
    started = clock = time.monotonic()
    steps = {}

    def timed(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        steps[step] = round(now - clock, 2)
        clock = now

    own = working_tables(cursor)
    cursor.execute(own(STATEMENTS["drop"]))
    cursor.execute(own(STATEMENTS["create"]))
    cursor.execute(own(f"INSERT INTO ckb_cand_probe_ids {probes} ON CONFLICT DO NOTHING"), params)
    cursor.execute(own("ANALYZE ckb_cand_probe_ids"))
    cursor.execute(own(STATEMENTS["window"]))
    low, high = cursor.fetchone()
    named = {**SIDES, "threshold": threshold, "low": low, "high": high}
    rows = {}
    with sql_files.settings(cursor, **SEARCH_SETTINGS):
        for step, table in STEPS.items():
            cursor.execute(own(STATEMENTS[step]), named)
            rows[step] = cursor.rowcount
            cursor.execute(own(f"ANALYZE {table}"))
            timed(step)
        cursor.execute(own(STATEMENTS["forget"]))
        with sql_files.settings(cursor, **RECORD_SETTINGS):
            cursor.execute(own(STATEMENTS["record"]))
    cursor.execute(own(STATEMENTS["not_open"]))
    (not_open,) = cursor.fetchone()
    recorded = rows["score"] - not_open
    cursor.execute(own(STATEMENTS["drop"]))
    timed("record")
    seconds = round(time.monotonic() - started, 2)
    return Search(rows["score"], rows["pairs"], recorded, seconds, steps)


def search_events(events: QuerySet[Event], *, threshold: float = THRESHOLD) -> Search:
    """The candidates of ``events`` (every event by default), found and recorded."""
    probes, params = events.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        return search(cursor, probes, params, threshold=threshold)


def side(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.uuid),
        "acled_id": event.acled_id,
        "ucdp_id": event.ucdp_id,
        "title": event.title,
        "start_date": event.start_date.isoformat(),
        "place": event.location.name if event.location else None,
    }


def candidate_record(candidate: EventCandidate) -> dict[str, Any]:
    """A candidate as the command prints it and the API gives it."""
    return {
        "a": side(candidate.event_a),
        "b": side(candidate.event_b),
        "score": candidate.score,
        "reasons": candidate.reasons,
        "status": candidate.status,
    }


def candidates(threshold: float = THRESHOLD) -> QuerySet[EventCandidate]:
    """Open candidates at or above ``threshold``, best first, with both events (one query)."""
    return (
        EventCandidate.objects.filter(status=CandidateStatus.OPEN, score__gte=threshold)
        .select_related("event_a__location", "event_b__location")
        .order_by("-score", "id")
    )
