"""Importing an ACLED or UCDP GED file: validate everything, then write everything or nothing."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.db import connection, transaction
from psycopg import sql

from core.models import Publication
from interchange.loading import LoadResult, Progress, load
from interchange.reading import Parsed, Problem, decode, parse_acled, parse_ucdp
from sources.models import Outlet, OutletKind


@dataclass(frozen=True)
class Dataset:
    key: str  # the snapshot's dataset key
    outlet: str  # the Outlet that is the claimant of the dataset's figures
    id_column: str  # Event's external id column
    parse: Any


DATASETS = {
    "acled": Dataset("acled", "ACLED", "acled_id", parse_acled),
    "ucdp": Dataset("ucdp", "UCDP GED", "ucdp_id", parse_ucdp),
}


# Over a few rows a rate measures the import's fixed costs, not its speed ("4 rows/s").
RATE_FROM = 1000


@dataclass
class ImportReport:
    file_name: str
    dataset: str
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    result: LoadResult | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as text, as the commands print it."""
        if self.problems:
            out = [f"{self.file_name}: {len(self.problems)} problem(s); nothing was written."]
            return out + [str(problem) for problem in self.problems]
        r = self.result
        assert r is not None
        verb = "would be" if self.dry_run else "were"
        out = [
            f"{self.file_name}: {self.rows} rows in {self.seconds:.1f} s"
            + (f" ({self.rows / self.seconds:,.0f} rows/s)" if self.rows >= RATE_FROM else "")
            + (" — dry run, nothing was written." if self.dry_run else "."),
            f"Events: {r.events_created} {verb} created, {r.events_updated} updated, "
            f"{r.events_unchanged} unchanged.",
            f"Actors created: {r.actors_created}; places created: {r.places_created}; "
            f"documents created: {r.documents_created}; claims created: {r.claims_created}, "
            f"updated: {r.claims_updated}.",
        ]
        if r.candidates:
            out.append(
                f"Events that may be one: {r.candidates} pair(s) to review "
                "(admin: Event candidates; manage.py match_events)."
            )
        out.append("Seconds per step: " + ", ".join(f"{k} {v}" for k, v in r.seconds.items()))
        if r.kept:
            out.append(f"Kept editors' changes on {len(r.kept)} event(s):")
            out += [f"line {k.line}, {k.external_id}: {', '.join(k.fields)}" for k in r.kept]
        if r.merged:
            out.append(
                f"Left out {len(r.merged)} row(s) of events merged into another with its own row:"
            )
            out += [f"line {m.line}, {m.external_id}: merged into {m.kept_uuid}" for m in r.merged]
        return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is read and loaded.

    Reading makes millions of objects (a row, its strings and lists), none of them in a cycle.
    The collector still walks the ones that survive, again and again as they accumulate,
    which was a quarter of the reading time (100,000 ACLED rows: 2.9 s, 2.1 s without it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Tables an import writes (the audit tables aside). After a large import they are analysed
# at once: on a server whose autovacuum is off or late, 20,000 freshly imported events served
# the API lists 2–7 times slower until statistics existed. An import that writes fewer events
# (the admin's upload of a few rows) leaves it to autovacuum.
IMPORTED_TABLES = (
    "events_event",
    "events_participation",
    "events_location",
    "events_import_snapshot",
    "events_import_edit",
    "actors_actor",
    "sources_document",
    "sources_claim",
)
ANALYZE_FROM_EVENTS = 1000


def analyze_imported_tables() -> None:
    """ANALYZE what an import wrote, once it is committed. PostgreSQL analyses only tables the
    role owns: run as the app role (``grant_app_role``), it warns and leaves them to
    autovacuum."""
    with connection.cursor() as cursor:
        tables = sql.SQL(", ").join(map(sql.Identifier, IMPORTED_TABLES))
        cursor.execute(sql.SQL("ANALYZE {}").format(tables).as_string())


@collector_paused()
def events_import(
    *,
    data: bytes,
    dataset: str,
    file_name: str,
    user: Any = None,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row of an ACLED or UCDP GED file, then load it in one transaction.

    Any invalid row means nothing is written; the report lists every problem by line and
    column. A dry run does the whole load and rolls it back, so its counts are exact. The audit
    trail records the import as one context (user, file, rows).
    """
    spec = DATASETS[dataset]
    progress = progress or (lambda step: None)
    report = ImportReport(file_name=file_name, dataset=dataset, dry_run=dry_run)
    started = time.monotonic()
    progress("reading")
    text, problem = decode(data)
    if problem is not None:
        report.problems.append(problem)
        return report
    assert text is not None
    parsed: Parsed = spec.parse(text)
    parse_seconds = time.monotonic() - started
    report.rows = len(parsed.rows) + len({p.line for p in parsed.problems if p.line > 1})
    if parsed.problems:
        report.problems = parsed.problems
        return report
    status = Publication.PUBLISHED if publish else Publication.DRAFT
    with (
        transaction.atomic(),
        pghistory.context(
            import_file=file_name,
            import_dataset=spec.outlet,
            import_rows=len(parsed.rows),
            user=getattr(user, "pk", None),
            username=getattr(user, "username", None),
        ),
    ):
        outlet, _ = Outlet.objects.get_or_create(
            name=spec.outlet, defaults={"kind": OutletKind.DATASET, "status": status}
        )
        report.result = load(
            parsed.rows,
            dataset=spec.key,
            outlet_id=outlet.pk,
            id_column=spec.id_column,
            status=status,
            progress=progress,
        )
        report.result.seconds = {"reading": round(parse_seconds, 2), **report.result.seconds}
        if dry_run:
            transaction.set_rollback(True)
        elif report.result.events_created + report.result.events_updated >= ANALYZE_FROM_EVENTS:
            transaction.on_commit(analyze_imported_tables)
    report.seconds = time.monotonic() - started
    progress("done")
    return report
