"""ConflictKB at a million events, side by side with Datasette and raw PostgreSQL.

One command (see BENCHMARKS.md)::

    bench/run_scale_benchmark.sh              # = .venv/bin/python bench/scale.py

1. **Fill** (skipped when the database already holds ``--rows`` events): creates the database,
   migrates, writes ``--files`` synthetic ACLED files (``generate_acled.py --shape scale``),
   imports each with ``manage.py import_acled --publish``, then makes a few percent of the
   events contested with a second, differing fatality claim by another outlet in its own
   document (the database's triggers recompute the figures), and runs VACUUM ANALYZE.
2. **Datasette**: copies the same published events into one SQLite file with sqlite-utils
   (FTS5 on title and notes, indexes on every filter column) unless it is already there.
3. **Serve**: ConflictKB under gunicorn with production settings (``gunicorn.conf.py``,
   WhiteNoise after ``collectstatic``), Datasette with ``datasette serve``, both on loopback.
4. **Measure** with wrk at concurrency 1 and 8: the timeline and the API list (unfiltered, by
   place and dates, by actor, by words and type), API cursor page 10,000, the event page and its
   API record, and the equivalent Datasette queries; the SQL each ConflictKB request runs, replayed
   directly on PostgreSQL; CSV exports of growing size with the serving worker's peak memory.
5. **Explain**: EXPLAIN ANALYZE of each request's slowest query and a cProfile of one request.

Results go to ``--workdir`` (results.json, results.md, explain/, profiles/, logs).
"""

# The harness runs its own fixed programs (manage.py, gunicorn, datasette, wrk, git), all on
# loopback:
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier, Literal

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FORBIDDEN_DATABASES = {"conflictkb", "test_conflictkb", "ckb_import_bench"}
CONTESTED_OUTLET = "Independent Casualty Monitor"
PAGE = 50
MAX_API_PAGE = 500  # api.pagination.MAX_PAGE_SIZE

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRKJSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"max_us\\": %d, \\"status_errors\\": %d, \\"connect_errors\\": %d, "
    .. "\\"read_errors\\": %d, \\"timeouts\\": %d, \\"bytes\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.timeout, summary.bytes))
end
"""


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- 1. Fill ---------------------------------------------------------------------------------


def database_url(db: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{db}"


def admin_connection() -> psycopg.Connection[Any]:
    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)


def event_count(db: str) -> int | None:
    """Published events in ``db``, or None when the database (or its schema) is missing."""
    with admin_connection() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            return None
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('events_event')").fetchone()[0]:  # type: ignore[index]
            return 0
        row = conn.execute("SELECT count(*) FROM events_event WHERE status = 'published'")
        return int(row.fetchone()[0])  # type: ignore[index]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def fill(args: argparse.Namespace) -> dict[str, Any]:
    """Load ``args.rows`` events unless they are there; return what was done and how long."""
    found = event_count(args.db)
    env = {**os.environ, "DATABASE_URL": database_url(args.db)}
    env.pop("DJANGO_ENV", None)
    if found is not None and found >= args.rows:
        # The code measured may have new migrations (an index) since the database was filled.
        manage(env, "migrate", "-v0")
        log(f"{args.db} holds {found:,} published events: loading skipped")
        return {"skipped": True, "events": found}
    if args.skip_load:
        sys.exit(f"{args.db} holds {found or 0:,} events, fewer than --rows; drop --skip-load")
    if found is None:
        with admin_connection() as conn:
            conn.execute(SQL("CREATE DATABASE {}").format(Identifier(args.db)))
    manage(env, "migrate", "-v0")
    workdir = Path(args.workdir)
    files = [workdir / f"acled-{i:02d}.csv" for i in range(1, args.files + 1)]
    if not all(path.exists() and path.stat().st_size for path in files):
        log(f"writing {args.rows:,} rows into {args.files} files")
        subprocess.run(
            [
                str(BIN / "python"),
                str(ROOT / "bench" / "generate_acled.py"),
                "--shape=scale",
                f"--rows={args.rows}",
                f"--seed={args.seed}",
                f"--files={args.files}",
                f"--out={workdir / 'acled'}",
            ],
            check=True,
        )
    timings = []
    for path in files:
        # A file imported before (an interrupted fill) is matched by its ACLED ids and
        # changes nothing: re-running is safe and quick.
        log(f"importing {path.name} (load average {load_average()})")
        started = time.monotonic()
        manage(env, "import_acled", "--publish", "-v0", str(path))
        timings.append(round(time.monotonic() - started, 1))
        log(f"  {timings[-1]} s")
    return {"skipped": False, "import_seconds": timings}


def contest(every: int) -> dict[str, Any]:
    """A second, differing fatality claim for every ``every``-th event (by id): contested.

    The claimant is another outlet, each claim in its own document; the database's triggers
    recompute the events' figures and contested flags. Idempotent.
    """
    from django.db import connection, transaction

    from core.models import Publication
    from sources.models import Outlet, OutletKind

    outlet, _ = Outlet.objects.get_or_create(
        name=CONTESTED_OUTLET,
        defaults={"kind": OutletKind.MONITOR, "status": Publication.PUBLISHED, "reliability": "B"},
    )
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        cursor.execute(
            """
            INSERT INTO sources_document (uuid, created_at, updated_at, status, outlet_id, title,
                                          url, author, published_on, language, archive_url, text)
            SELECT gen_random_uuid(), now(), now(), 'published', %(outlet)s,
                   'Casualty report ' || e.id || ': ' || left(e.title, 300), '', '',
                   e.start_date + 1, 'en', '', ''
              FROM events_event e
             WHERE e.id %% %(every)s = 0
               AND NOT EXISTS (SELECT 1 FROM sources_claim c
                                WHERE c.event_id = e.id AND c.claimant_outlet_id = %(outlet)s)
             ORDER BY e.id
            """,
            {"outlet": outlet.pk, "every": every},
        )
        documents = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO sources_claim (uuid, created_at, updated_at, event_id, kind,
                                       claimant_outlet_id, document_id, locator, quote, value_low,
                                       value_best, value_high, civilians, combatants, value_text,
                                       stance, credibility, status, deprecation_reason,
                                       is_preferred, note)
            SELECT gen_random_uuid(), now(), now(), e.id, 'fatalities', %(outlet)s, d.id, '¶ 2',
                   'The monitor counted ' || (coalesce(e.fatalities_best, 0) * 2 + 3)
                   || ' dead, most of them civilians, according to hospital records.',
                   NULL, coalesce(e.fatalities_best, 0) * 2 + 3, NULL, NULL, NULL, '', 'asserts',
                   3, 'accepted', '', false, ''
              FROM sources_document d
              JOIN events_event e ON e.id = split_part(substr(d.title, 17), ':', 1)::bigint
             WHERE d.outlet_id = %(outlet)s
               AND NOT EXISTS (SELECT 1 FROM sources_claim c WHERE c.document_id = d.id)
             ORDER BY e.id
            """,
            {"outlet": outlet.pk},
        )
        claims = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_event WHERE contested")
        contested = cursor.fetchone()[0]
    took = round(time.monotonic() - started, 1)
    log(f"contested: {documents:,} documents, {claims:,} claims added; {contested:,} contested")
    return {"documents_added": documents, "claims_added": claims, "contested": contested, "s": took}


def vacuum_analyze(db: str) -> None:
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# --- 2. The same rows in SQLite for Datasette -----------------------------------------------


def export_sqlite(db: str, path: Path) -> dict[str, Any]:
    """Published events with what the queries need, into ``path`` (built once, then reused)."""
    import sqlite_utils

    if path.exists():
        size = sqlite_utils.Database(path)["events"].count
        log(f"{path} holds {size:,} events: export skipped")
        return {"skipped": True, "events": size}
    started = time.monotonic()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    lite = sqlite_utils.Database(partial)
    with psycopg.connect(database_url(db)) as conn:
        places = {
            row[0]: row[1:]
            for row in conn.execute("SELECT id, name, kind, path FROM events_location")
        }
        actors: dict[int, str] = dict(conn.execute("SELECT id, name FROM actors_actor").fetchall())

        found: dict[tuple[int | None, str], tuple[int | None, str]] = {}

        def enclosing(location_id: int | None, kind: str) -> tuple[int | None, str]:
            key = (location_id, kind)
            if key not in found:
                found[key] = None, ""
                path = places[location_id][2] if location_id is not None else "/"
                for ancestor in [int(p) for p in path.strip("/").split("/") if p]:
                    if ancestor in places and places[ancestor][1] == kind:
                        found[key] = ancestor, places[ancestor][0]
                        break
            return found[key]

        def rows() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
            with conn.cursor(name="events") as cursor:
                cursor.itersize = 20_000
                cursor.execute(
                    """
                    SELECT e.id, e.uuid::text, e.start_date::text, t.slug,
                           coalesce(pt.slug, t.slug), e.location_id, e.title, e.summary,
                           e.fatalities_best, e.contested,
                           array(SELECT p.actor_id FROM events_participation p
                                  WHERE p.event_id = e.id ORDER BY p.id)
                      FROM events_event e
                      JOIN events_eventtype t ON t.id = e.event_type_id
                      LEFT JOIN events_eventtype pt ON pt.id = t.parent_id
                     WHERE e.status = 'published'
                    """
                )
                for pk, uuid, day, kind, top, place, title, notes, dead, contested, ids in cursor:
                    country = enclosing(place, "country")[1]
                    admin1_id, admin1 = enclosing(place, "admin1")
                    names = [actors[i] for i in ids]
                    yield (
                        {
                            "id": pk,
                            "uuid": uuid,
                            "date": day,
                            "type": kind,
                            "parent_type": top,
                            "country": country,
                            "admin1_id": admin1_id,
                            "admin1": admin1,
                            "location": places[place][0] if place else "",
                            "actor1": names[0] if names else "",
                            "actor2": names[1] if len(names) > 1 else "",
                            "title": title,
                            "notes": notes,
                            "fatalities": dead,
                            "contested": int(contested),
                        },
                        [{"event_id": pk, "actor_id": i, "actor": actors[i]} for i in ids],
                    )

        batch: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        # Tables, not views (sqlite-utils types them as either); Any also when it is not installed.
        events: Any = lite["events"]
        participants: Any = lite["event_actors"]
        for event, actor_rows in rows():
            batch.append(event)
            links += actor_rows
            if len(batch) >= 20_000:
                events.insert_all(batch, pk="id", batch_size=5_000)
                participants.insert_all(links, batch_size=5_000)
                batch, links = [], []
        events.insert_all(batch, pk="id", batch_size=5_000)
        participants.insert_all(links, batch_size=5_000)
    log("SQLite: indexes and full-text index")
    events.create_index(["date"])
    events.create_index(["admin1_id", "date"])
    events.create_index(["parent_type", "date"])
    events.create_index(["type", "date"])
    participants.create_index(["actor_id", "event_id"])
    participants.create_index(["actor", "event_id"])
    events.enable_fts(["title", "notes"], fts_version="FTS5")
    lite.analyze()
    lite.close()
    partial.rename(path)
    took = round(time.monotonic() - started, 1)
    log(f"SQLite file written in {took} s ({path.stat().st_size / 1e6:.0f} MB)")
    return {"skipped": False, "s": took, "mb": round(path.stat().st_size / 1e6)}


# --- 3. Serving -----------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """gunicorn's workers (the children of its arbiter), or Datasette's one process."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        return found or [self.process.pid]


def production_env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "scale-benchmark-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(args.db),
        # Plain HTTP on loopback: no proxy in front to terminate TLS.
        "SECURE_SSL_REDIRECT": "false",
        # All the load comes from one address, which the throttle would answer with 429. A
        # very high rate is no substitute: DRF keeps one timestamp per request of the last
        # minute, and reads and writes that list on every request.
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
        # As served; the harness's own process (captures, profiles) and the computed-responses
        # server turn it off.
        "READER_CACHE": "on",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def ensure_free(port: int) -> None:
    """Refuse to start when something else listens there: its answers would be measured."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"port {port} is in use; choose another (--port, --datasette-port)")


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=30),  # noqa: S310 (loopback only)
        ):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def start_gunicorn(
    args: argparse.Namespace, port: int, workers: str | None, **extra: str
) -> Server:
    ensure_free(port)
    env = production_env(args, GUNICORN_LOG_LEVEL="warning", **extra)
    if workers:
        env["WEB_CONCURRENCY"] = workers
    logfile = (Path(args.workdir) / f"gunicorn-{port}.log").open("ab")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    wait_until_up(f"http://127.0.0.1:{port}/api/v1/event-types/", process)
    return Server("gunicorn", process, port)


def start_datasette(args: argparse.Namespace, path: Path) -> Server:
    ensure_free(args.datasette_port)
    logfile = (Path(args.workdir) / "datasette.log").open("ab")
    process = subprocess.Popen(
        [
            str(BIN / "datasette"),
            "serve",
            "-i",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(args.datasette_port),
            # Every query may run as long as ConflictKB's requests do; no facet suggestions
            # (they run extra queries per page), as ConflictKB pages compute no facets.
            "--setting",
            "sql_time_limit_ms",
            "60000",
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "max_returned_rows",
            "1000",
        ],
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    wait_until_up(f"http://127.0.0.1:{args.datasette_port}/bench.json", process)
    return Server("datasette", process, args.datasette_port)


# --- 4. Measuring -----------------------------------------------------------------------------


# Steady state is measured: each side first serves the query for a few seconds at c=8, unmeasured,
# so that every gunicorn worker has loaded its templates and cached the counts it reuses (each
# worker keeps its own memory cache of answers), and SQLite's and PostgreSQL's pages are read.
# The first request's time, cold, is reported apart (kb_first_s, ds_first_s).
WARM_UP_SECONDS = 3


def warm_up(url: str, script: Path) -> None:
    wrk(url, 8, WARM_UP_SECONDS, script)


def wrk(url: str, concurrency: int, seconds: int, script: Path) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{min(concurrency, 2)}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"WRKJSON (\{.*\})", output)
    if not match:
        raise RuntimeError(f"wrk printed no summary for {url}:\n{output}")
    raw = json.loads(match.group(1))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw[key] for key in ("status_errors", "connect_errors", "read_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 2),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": errors,
        "bytes_per_request": round(raw["bytes"] / max(raw["requests"], 1)),
    }


def fetch(url: str, timeout: float = 120) -> tuple[int, bytes]:
    """Status and body; 0 when the request failed or took longer than ``timeout``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (TimeoutError, OSError) as error:
        return 0, str(error).encode()


@dataclass
class Case:
    """One query, asked with ``ROTATION`` parameter sets in turn: its ConflictKB URLs and the
    Datasette URLs that answer the same questions, in the same order."""

    name: str
    group: str  # timeline / api / cursor / detail / histogram
    kb_paths: list[str]
    ds_paths: list[str]
    note: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def kb_path(self) -> str | None:
        return self.kb_paths[0] if self.kb_paths else None

    @property
    def ds_path(self) -> str | None:
        return self.ds_paths[0] if self.ds_paths else None


# The API list's 50 events, newest first, as Datasette is asked for them: the list's columns,
# filtered by a WHERE clause with :named values, or not at all.
DS_NEWEST = SQL(
    "SELECT id, uuid, date, type, parent_type, country, admin1, location, actor1, actor2, title, "
    "notes, fatalities, contested FROM events {} ORDER BY date DESC, id DESC LIMIT 50"
)


def ds_sql(sql: str, **params: Any) -> str:
    return "/bench.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array", **params})


def ds_newest(where: str = "", **params: Any) -> str:
    return ds_sql(DS_NEWEST.format(SQL(where)).as_string(), **params)


def ds_table(**params: Any) -> str:
    return "/bench/events?" + urllib.parse.urlencode(
        {"_sort_desc": "date", "_size": PAGE, **params}
    )


# Every case asks this many different questions in turn (provinces and date ranges, actors,
# words, cursors, events), so that no answer kept by either side serves a repeat: a request is
# the same as the one ROTATION requests before it, never as the one just before.
ROTATION = 20
TOP_TYPES = [
    "battles",
    "explosions-remote-violence",
    "violence-against-civilians",
    "protests",
    "riots",
    "strategic-developments",
]


def choose_parameters(db: str) -> dict[str, Any]:
    """The filter values the cases use, read off the data (deterministic for a seed)."""
    from generate_acled import VOCABULARY  # the generator's words (bench/ is on sys.path)

    with psycopg.connect(database_url(db), autocommit=True) as conn:

        def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
            return conn.execute(sql, params).fetchall()

        # The busiest provinces (admin1): most events anywhere inside each.
        provinces = rows(
            """
            SELECT a.id, a.uuid::text, a.name, n
              FROM (SELECT split_part(l.path, '/', 3)::bigint AS admin1, count(*) AS n
                      FROM events_event e JOIN events_location l ON l.id = e.location_id
                     WHERE l.kind NOT IN ('country') AND split_part(l.path, '/', 3) <> ''
                     GROUP BY 1 ORDER BY n DESC LIMIT %s) busiest
              JOIN events_location a ON a.id = busiest.admin1
             ORDER BY n DESC
            """,
            ROTATION,
        )
        # Actors of middling frequency: the tenth by events and the next ones.
        actors = rows(
            """
            SELECT a.id, a.uuid::text, a.name, n
              FROM (SELECT actor_id, count(DISTINCT event_id) AS n FROM events_participation
                     GROUP BY actor_id ORDER BY n DESC, actor_id LIMIT %s OFFSET 9) ranked
              JOIN actors_actor a ON a.id = ranked.actor_id
             ORDER BY n DESC, a.id
            """,
            ROTATION,
        )
        details = rows(
            "SELECT id, uuid::text FROM events_event WHERE contested AND status = 'published' "
            "ORDER BY md5(id::text) LIMIT %s",
            ROTATION,
        )
        total = rows("SELECT count(*) FROM events_event WHERE status = 'published'")[0][0]
        newest = rows("SELECT max(start_date) FROM events_event WHERE status = 'published'")[0][0]
        # Cursor pages spread from page 1,000 to page 10,000 (a smaller database: to its last).
        last_page = min(10_000, total // PAGE)
        pages = sorted({max(2, last_page * (k + 1) // ROTATION) for k in range(ROTATION)})
        cursors = []
        for page in pages:
            day, pk = rows(
                "SELECT start_date, id FROM events_event WHERE status = 'published' "
                "ORDER BY start_date DESC, id DESC OFFSET %s LIMIT 1",
                (page - 1) * PAGE - 1,
            )[0]
            cursors.append({"page": page, "start_date": day.isoformat(), "id": pk})
    # Three-year windows, and the newest events before each of 20 days of the last year.
    windows = [(f"{year}-01-01", f"{year + 2}-12-31") for year in range(1999, 1999 + ROTATION)]
    befores = [(newest - datetime.timedelta(days=18 * k)).isoformat() for k in range(ROTATION)]
    return {
        "provinces": [{"id": i, "uuid": u, "name": n, "events": c} for i, u, n, c in provinces],
        "windows": windows,
        "actors": [{"id": i, "uuid": u, "name": n, "events": c} for i, u, n, c in actors],
        "words": VOCABULARY[100 : 100 + ROTATION],
        "types": [TOP_TYPES[k % len(TOP_TYPES)] for k in range(ROTATION)],
        "befores": befores,
        "details": [{"id": i, "uuid": u} for i, u in details],
        "cursors": cursors,
        "published_events": total,
    }


def api_cursor(start_date: str, pk: int) -> str:
    data = {"r": 0, "o": ["-start_date", "-pk"], "p": [start_date, pk]}
    text = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def query(path: str, params: dict[str, Any]) -> str:
    return path + "?" + urllib.parse.urlencode(params)


def cases(p: dict[str, Any]) -> list[Case]:
    """Each case's ConflictKB filters and Datasette's same question, one per parameter set."""
    newest = [
        ({"date_to": d}, ("WHERE date <= :t", {"t": d}), {"date__lte": d}) for d in p["befores"]
    ]
    by_province = [
        (
            {"place": prov["uuid"], "date_from": w[0], "date_to": w[1]},
            (
                "WHERE admin1_id = :a AND date >= :f AND date <= :t",
                {"a": prov["id"], "f": w[0], "t": w[1]},
            ),
            {"admin1_id": prov["id"], "date__gte": w[0], "date__lte": w[1]},
        )
        for prov, w in zip(p["provinces"], p["windows"], strict=False)
    ]
    by_actor = [
        (
            {"actor": actor["name"]},
            (
                "WHERE id IN (SELECT event_id FROM event_actors WHERE actor = :a)",
                {"a": actor["name"]},
            ),
            {
                "_where": SQL("id in (select event_id from event_actors where actor_id = {})")
                .format(Literal(actor["id"]))
                .as_string()
            },
        )
        for actor in p["actors"]
    ]
    by_words = [
        (
            {"q": word, "type": kind},
            (
                "WHERE id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH :q)"
                " AND parent_type = :t",
                {"q": word, "t": kind},
            ),
            {"_search": word, "parent_type": kind},
        )
        for word, kind in zip(p["words"], p["types"], strict=True)
    ]
    filters = [
        ("newest before a date", newest),
        ("province + dates", by_province),
        ("actor", by_actor),
        ("words + type", by_words),
    ]
    found = [
        Case(
            f"timeline: {name}",
            "timeline",
            [query("/", kb) for kb, _, _ in sets],
            [ds_table(**table) for _, _, table in sets],
            note="Datasette: its HTML table page (50 rows and the filtered count)",
        )
        for name, sets in filters
    ]
    found += [
        Case(
            f"API list 50: {name}",
            "api",
            [query("/api/v1/events/", {**kb, "page_size": PAGE}) for kb, _, _ in sets],
            [ds_newest(where, **values) for _, (where, values), _ in sets],
            note="Datasette: SQL query, JSON array of 50 rows",
        )
        for name, sets in filters
    ]
    found.append(
        Case(
            f"API cursor pages {p['cursors'][0]['page']:,}–{p['cursors'][-1]['page']:,}",
            "cursor",
            [
                query(
                    "/api/v1/events/",
                    {"page_size": PAGE, "cursor": api_cursor(at["start_date"], at["id"])},
                )
                for at in p["cursors"]
            ],
            [
                ds_newest("WHERE (date, id) < (:d, :i)", d=at["start_date"], i=at["id"])
                for at in p["cursors"]
            ],
            note="keyset: 50 rows newest first from deep pages",
        )
    )
    found += [
        Case(
            "event page",
            "detail",
            [f"/events/{d['uuid']}/" for d in p["details"]],
            [f"/bench/events/{d['id']}" for d in p["details"]],
            note="Datasette: its HTML row page",
        ),
        Case(
            "event API",
            "detail",
            [f"/api/v1/events/{d['uuid']}/" for d in p["details"]],
            [f"/bench/events/{d['id']}.json" for d in p["details"]],
            note="Datasette: its JSON row",
        ),
    ]
    return found


# --- Raw SQL: the queries each ConflictKB request runs, replayed on PostgreSQL --------------


def capture(client: Any, path: str, limit_ms: int) -> list[str]:
    """The SQL one request runs (in-process, same settings), each statement at most ``limit_ms``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(limit_ms)])
    with CaptureQueriesContext(connection) as captured:
        try:
            response = client.get(path)
            if getattr(response, "streaming", False):
                for _ in response.streaming_content:
                    pass
        except Exception as error:  # a statement timeout: the SQL is recorded all the same
            log(f"  in-process request failed: {str(error)[:200]}")
    return [query["sql"] for query in captured.captured_queries]


# Django reads ModelChoiceField choices through a server-side cursor: replay its SELECT.
DECLARE = re.compile(r"^DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.S)


def site_connection(db: str) -> psycopg.Connection[Any]:
    """A connection with the session settings the site's carry (work_mem, jit=off): the raw
    SQL runs as the site runs it."""
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options", "")
    return psycopg.connect(database_url(db), autocommit=True, options=options)


def replay(db: str, statements: list[str], repeat: int, limit_ms: int) -> dict[str, Any]:
    """Median wall time of running ``statements`` in order, each fetched in full.

    The first round warms the cache and is not counted, unless ``repeat`` is 0. A statement
    cancelled by the ``limit_ms`` timeout makes the result a lower bound (``timed_out``).
    """
    statements = [DECLARE.sub("", sql) for sql in statements]
    totals: list[float] = []
    slowest: tuple[float, str] = (0.0, "")
    timed_out = False
    with site_connection(db) as conn:
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [str(limit_ms)])
        for _ in range(repeat + 1):
            total = 0.0
            for sql in statements:
                started = time.perf_counter()
                try:
                    with conn.cursor() as cursor:
                        cursor.execute(sql.encode())
                        if cursor.description is not None:
                            cursor.fetchall()
                except psycopg.errors.QueryCanceled:
                    timed_out = True
                took = time.perf_counter() - started
                total += took
                if took > slowest[0]:
                    slowest = (took, sql)
            totals.append(total)
            if timed_out:
                break
    counted = totals[1:] or totals
    return {
        "ms": round(statistics.median(counted) * 1000, 2),
        "queries": len(statements),
        "timed_out": timed_out,
        "slowest_sql": slowest[1],
    }


def explain(db: str, sql: str, limit_ms: int) -> str:
    """EXPLAIN ANALYZE, or the plan alone when the query outruns ``limit_ms``."""
    sql = DECLARE.sub("", sql)
    with site_connection(db) as conn:
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [str(limit_ms)])
        try:
            rows = conn.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) {}").format(SQL(sql))).fetchall()
        except psycopg.errors.QueryCanceled:
            rows = [(f"-- EXPLAIN ANALYZE cancelled after {limit_ms} ms; the plan alone:",)]
            rows += conn.execute(SQL("EXPLAIN {}").format(SQL(sql))).fetchall()
    return "\n".join(row[0] for row in rows)


def profile(client: Any, path: str, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    response = client.get(path)
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --- CSV export: time and the serving worker's peak memory ----------------------------------


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def download(url: str, pids: list[int]) -> dict[str, Any]:
    """GET ``url`` to the end, sampling the servers' resident memory every 20 ms."""
    peak = {pid: rss_kb(pid) for pid in pids}
    before = dict(peak)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in pids:
                with contextlib.suppress(OSError):
                    peak[pid] = max(peak[pid], rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(url, timeout=600) as response:  # noqa: S310 (loopback only)
        status = response.status
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    took = time.perf_counter() - started
    done.set()
    sampler.join()
    worker = max(pids, key=lambda pid: peak[pid] - before[pid])
    return {
        "status": status,
        "s": round(took, 2),
        "mb": round(size / 1e6, 1),
        "lines": lines,
        "rss_before_mb": round(before[worker] / 1024, 1),
        "rss_peak_mb": round(peak[worker] / 1024, 1),
        "rss_growth_mb": round((peak[worker] - before[worker]) / 1024, 1),
    }


def date_for_newest(db: str, rows: int) -> str:
    """The date from which on about ``rows`` published events start (the first day of all,
    when there are fewer)."""
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        day = conn.execute(
            "SELECT coalesce((SELECT start_date FROM events_event WHERE status = 'published' "
            "ORDER BY start_date DESC, id DESC OFFSET %s LIMIT 1), "
            "(SELECT min(start_date) FROM events_event WHERE status = 'published'))",
            [rows - 1],
        ).fetchone()[0]  # type: ignore[index]
    return str(day.isoformat())


def copy_seconds(db: str, date_from: str) -> dict[str, Any]:
    """The export's rows straight out of PostgreSQL (COPY, no ORM): the floor for an export."""
    sql = """
        COPY (SELECT e.acled_id, e.start_date, t.acled_event_type, t.acled_sub_event_type,
                     (SELECT string_agg(a.name, '; ' ORDER BY p.id) FROM events_participation p
                        JOIN actors_actor a ON a.id = p.actor_id WHERE p.event_id = e.id),
                     l.name, l.latitude, l.longitude,
                     (SELECT c.name FROM events_location c
                       WHERE c.kind = 'country' AND l.path LIKE c.path || '%%' LIMIT 1),
                     (SELECT c.name FROM events_location c
                       WHERE c.kind = 'admin1' AND l.path LIKE c.path || '%%' LIMIT 1),
                     e.summary, e.fatalities_best, e.contested
                FROM events_event e
                JOIN events_eventtype t ON t.id = e.event_type_id
                LEFT JOIN events_location l ON l.id = e.location_id
               WHERE e.status = 'published' AND e.end_date >= %s
               ORDER BY e.start_date DESC, e.id DESC) TO STDOUT (FORMAT csv)
    """
    size = 0
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(sql, [date_from]) as copy:
            for block in copy:
                size += len(block)
        took = time.perf_counter() - started
    return {"s": round(took, 2), "mb": round(size / 1e6, 1)}


def first_request(url: str, args: argparse.Namespace) -> tuple[int, bytes, float]:
    """Status, body and seconds of the faster of two requests (one when the first is slow)."""
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        status, body = fetch(url, timeout=args.slow * 1.5)
        timings.append(round(time.perf_counter() - started, 2))
        if status != 200 or timings[-1] >= args.slow:
            break
    return status, body, min(timings)


def cancel_runaway_queries(db: str) -> None:
    """After a request timed out, stop its query: a worker would run it on, loading the CPUs."""
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND state = 'active' AND pid <> pg_backend_pid()",
            [db],
        )


def rotation(workdir: Path, name: str, paths: list[str]) -> Path:
    """A wrk script that asks ``paths`` in turn, each thread from its own place in the list."""
    listed = ",\n  ".join(json.dumps(path) for path in paths)
    script = workdir / "scripts" / f"{name}.lua"
    script.write_text(
        f"local paths = {{\n  {listed}\n}}\n"
        "local threads = 0\n"
        "setup = function(thread) thread:set('offset', threads * 7); threads = threads + 1 end\n"
        "local i = 0\n"
        "init = function(args) i = offset or 0 end\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n" + WRK_REPORT
    )
    return script


# Raw SQL: the queries of the first few parameter sets, each replayed.
RAW_SQL_SETS = 3


def measure(
    case: Case,
    args: argparse.Namespace,
    client: Any,
    kb_base: str,
    computed_base: str,
    ds_base: str,
) -> None:
    """One case: a first request each side, the SQL replayed, EXPLAIN, a profile, then wrk
    asking the case's parameter sets in turn.

    ConflictKB is measured twice: computing every response (``READER_CACHE=off``, its own
    gunicorn: the headline), and as served (anonymous answers kept by the reader cache until
    the data changes; with the parameter sets in turn, a kept answer serves every ROTATION-th
    request).

    A request slower than ``--slow`` seconds is not load-tested (wrk would only time out and
    hold the workers): its single time is recorded instead, and its SQL is bounded by
    ``--slow`` × 4 as a statement timeout.
    """
    workdir = Path(args.workdir)
    slug = re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")
    limit_ms = int(args.slow * 1500)
    case.results["parameter_sets"] = len(case.kb_paths)
    if case.kb_path:
        status, body, first = first_request(computed_base + case.kb_path, args)
        if status == 0:
            cancel_runaway_queries(args.db)
        case.results.update(kb_status=status, kb_first_s=first)
        if status == 200 and case.group in ("api", "cursor"):
            case.results["kb_rows"] = len(json.loads(body)["results"])
        timings, slowest, statements = [], "", []
        for path in case.kb_paths[:RAW_SQL_SETS]:
            statements = capture(client, path, limit_ms)
            repeat = args.raw_repeat if first < args.slow else 0
            raw = replay(args.db, statements, repeat, limit_ms)
            slowest = slowest or raw.pop("slowest_sql")
            timings.append(raw)
        case.results["raw_sql"] = {
            "ms": statistics.median(r["ms"] for r in timings),
            "queries": statements and len(statements),
            "timed_out": any(r["timed_out"] for r in timings),
        }
        (workdir / "explain" / f"{slug}.txt").write_text(
            f"-- {case.name}: slowest of the request's {len(statements)} queries\n"
            f"{slowest}\n\n{explain(args.db, slowest, limit_ms)}\n"
        )
        if status == 200 and first < args.slow:
            (workdir / "profiles" / f"{slug}.txt").write_text(profile(client, case.kb_path))
            script = rotation(workdir, f"kb-{slug}", case.kb_paths)
            for label, base in (("computed", computed_base), ("kb", kb_base)):
                warm_up(base + case.kb_path, script)
                for concurrency in (1, 8):
                    case.results[f"{label}_c{concurrency}"] = wrk(
                        base + case.kb_path, concurrency, args.seconds, script
                    )
    if case.ds_path:
        status, body, first = first_request(ds_base + case.ds_path, args)
        case.results.update(ds_status=status, ds_first_s=first)
        if status == 200 and case.ds_path.startswith("/bench.json"):
            case.results["ds_rows"] = len(json.loads(body))
        if status == 200 and first < args.slow:
            script = rotation(workdir, f"ds-{slug}", case.ds_paths)
            warm_up(ds_base + case.ds_path, script)
            for concurrency in (1, 8):
                case.results[f"ds_c{concurrency}"] = wrk(
                    ds_base + case.ds_path, concurrency, args.seconds, script
                )


# --- Sync: a client walking a filtered selection page by page -------------------------------


def walk(first_url: str, next_of: Any, rows_of: Any) -> dict[str, Any]:
    """Follow ``next_of(body)`` from ``first_url`` to the end: rows, requests, rows per second."""
    url: str | None = first_url
    rows = requests = 0
    started = time.perf_counter()
    while url:
        status, body = fetch(url, timeout=600)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}: {body[:300]!r}")
        data = json.loads(body)
        rows += rows_of(data)
        requests += 1
        url = next_of(data)
    took = time.perf_counter() - started
    return {
        "rows": rows,
        "requests": requests,
        "s": round(took, 2),
        "rows_per_s": round(rows / took),
    }


def sync_walk(args: argparse.Namespace, computed_base: str, ds_base: str) -> dict[str, Any]:
    """About ``--sync-rows`` published events, newest first, through every cursor page at the
    largest page size; the same rows from Datasette by its ``_next`` tokens; and a COPY."""
    day = date_for_newest(args.db, args.sync_rows)
    log(f"sync walk of ~{args.sync_rows:,} events (from {day})")
    kb = walk(
        computed_base + query("/api/v1/events/", {"date_from": day, "page_size": MAX_API_PAGE}),
        lambda data: data["next"],
        lambda data: len(data["results"]),
    )
    ds = walk(
        ds_base
        + query(
            "/bench/events.json",
            {"date__gte": day, "_sort_desc": "date", "_size": "max", "_shape": "objects"},
        ),
        lambda data: data.get("next_url"),
        lambda data: len(data["rows"]),
    )
    return {"date_from": day, "conflictkb": kb, "datasette": ds, "copy": copy_seconds(args.db, day)}


# --- Report ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with admin_connection() as conn:
        version = conn.execute("SELECT version()").fetchone()[0]  # type: ignore[index]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip() or os.environ.get("CKB_COMMIT", "")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "postgresql": version,
        "python": platform.python_version(),
        "commit": commit,
        "date": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
    }


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def cell(run: dict[str, Any] | None) -> str:
    if not run:
        return "–"
    errors = f" ({run['errors']} errors)" if run.get("errors") else ""
    return f"{run['p50_ms']} / {run['p95_ms']} ms, {run['rps']}/s{errors}"


def table(found: list[Case]) -> str:
    """Computed first (every response computed: what an analyst moving through filters, a tool
    walking pages and every reader after a write get), then as served."""
    lines = [
        "| query | computed c=1 p50 / p95, req/s | computed c=8 | Datasette c=1 | Datasette c=8 | "
        "computed/DS c=1 | c=8 | raw SQL (queries) | computed p50 / raw SQL | served c=1 | "
        "served c=8 | served/DS c=1 | c=8 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for case in found:
        r = case.results
        co1, co8, ds1, ds8, kb1, kb8 = (
            r.get(k) for k in ("computed_c1", "computed_c8", "ds_c1", "ds_c8", "kb_c1", "kb_c8")
        )
        raw = r.get("raw_sql")
        raw_text = f"{raw['ms']} ms ({raw['queries']})" if raw else "–"
        lines.append(
            f"| {case.name} | {cell(co1)} | {cell(co8)} | {cell(ds1)} | {cell(ds8)} | "
            f"{ratio(co1 and co1['rps'], ds1 and ds1['rps'])} | "
            f"{ratio(co8 and co8['rps'], ds8 and ds8['rps'])} | {raw_text} | "
            f"{ratio(co1 and co1['p50_ms'], raw and raw['ms'])} | {cell(kb1)} | {cell(kb8)} | "
            f"{ratio(kb1 and kb1['rps'], ds1 and ds1['rps'])} | "
            f"{ratio(kb8 and kb8['rps'], ds8 and ds8['rps'])} |"
        )
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="ckb_bench_1m", help="database on 127.0.0.1:5432")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contest-every", type=int, default=33, help="every n-th event contested")
    parser.add_argument("--skip-load", action="store_true", help="fail instead of loading")
    parser.add_argument(
        "--load-only", action="store_true", help="fill, contest and copy to SQLite; no measuring"
    )
    parser.add_argument("--workdir", default="/tmp/ckb-scale")  # noqa: S108
    parser.add_argument("--seconds", type=int, default=15, help="per wrk run")
    parser.add_argument(
        "--port", type=int, default=18765, help="gunicorn; CSV step: +2; READER_CACHE off: +4"
    )
    parser.add_argument("--datasette-port", type=int, default=18766)
    parser.add_argument("--workers", help="WEB_CONCURRENCY (default: gunicorn.conf.py's)")
    parser.add_argument("--raw-repeat", type=int, default=5)
    parser.add_argument(
        "--slow", type=float, default=20, help="seconds: a slower first request is not load-tested"
    )
    parser.add_argument("--csv-rows", default="10000,100000", help="rows per CSV export, ascending")
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    parser.add_argument("--no-csv", action="store_true")
    parser.add_argument("--sync-rows", type=int, default=100_000, help="events the sync walks")
    parser.add_argument("--no-sync", action="store_true")
    args = parser.parse_args()
    if args.db in FORBIDDEN_DATABASES:
        sys.exit(f"{args.db} belongs to others; choose another --db")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "explain").mkdir(exist_ok=True)
    (workdir / "profiles").mkdir(exist_ok=True)
    (workdir / "scripts").mkdir(exist_ok=True)
    report: dict[str, Any] = {"machine": machine(), "load_average": {"start": load_average()}}
    report["command"] = " ".join(["bench/scale.py", *sys.argv[1:]])
    log(f"load average {load_average()}")

    # The harness's own Django, for the fill's ORM step, query capture and profiles: the same
    # production settings the server runs with.
    # Captures and profiles are of computed responses, not of answers from the reader cache.
    os.environ.update(
        production_env(args), DJANGO_SETTINGS_MODULE="conflictkb.settings", READER_CACHE="off"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    report["fill"] = fill(args)
    report["contest"] = contest(args.contest_every)
    if not report["fill"]["skipped"] or report["contest"]["claims_added"]:
        log("VACUUM ANALYZE")
        vacuum_analyze(args.db)
    report["sqlite"] = export_sqlite(args.db, workdir / "bench.db")
    if args.load_only:
        (workdir / "load.json").write_text(json.dumps(report, indent=2, default=str))
        return
    params = choose_parameters(args.db)
    report["parameters"] = params
    log(f"parameters: {json.dumps(params, default=str)}")
    found = cases(params)
    if args.only:
        found = [case for case in found if args.only in case.name]

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    kb_base = f"http://127.0.0.1:{args.port}"
    computed_base = f"http://127.0.0.1:{args.port + 4}"
    ds_base = f"http://127.0.0.1:{args.datasette_port}"

    log("collectstatic")
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env(args),
        check=True,
    )
    servers: list[Server] = []
    try:
        kb = start_gunicorn(args, args.port, args.workers)
        servers.append(kb)
        computed = start_gunicorn(args, args.port + 4, args.workers, READER_CACHE="off")
        servers.append(computed)
        ds = start_datasette(args, workdir / "bench.db")
        servers.append(ds)
        report["gunicorn_workers"] = len(kb.worker_pids())
        # Every worker loads its URLs, serializers and templates on its first requests.
        warm = [f"/events/{params['details'][0]['uuid']}/", "/api/v1/events/?page_size=1"]
        for path in warm:
            wrk(kb_base + path, 10, 5, script)
            wrk(computed_base + path, 10, 5, script)
        log(f"gunicorn up with {report['gunicorn_workers']} workers; Datasette up")
        for case in found:
            log(f"{case.name} (load average {load_average()})")
            measure(case, args, client, kb_base, computed_base, ds_base)
            log(f"  {json.dumps(case.results)}")
        report["cases"] = [asdict(case) for case in found]
        (workdir / "results.json").write_text(json.dumps(report, indent=2, default=str))
        if not args.no_sync:
            report["sync"] = sync_walk(args, computed_base, ds_base)
            log(f"  {json.dumps(report['sync'])}")

        if not args.no_csv:
            # One worker, so its memory is the export's: ascending sizes, so a peak that grows
            # with the rows shows as growth from one export to the next.
            for server in (kb, computed):
                server.stop()
                servers.remove(server)
            # A sync worker is killed after GUNICORN_TIMEOUT (120 s by default) even while it
            # streams: the exports get 600 s, and their times say whether 120 s would do.
            one = start_gunicorn(args, args.port + 2, "1", GUNICORN_TIMEOUT="600")
            servers.append(one)
            exports = []
            for rows in [int(n) for n in args.csv_rows.split(",")]:
                day = date_for_newest(args.db, rows)
                log(f"CSV export of ~{rows:,} rows (from {day})")
                entry: dict[str, Any] = {"rows": rows, "date_from": day}
                query = urllib.parse.urlencode({"date_from": day})
                base = f"http://127.0.0.1:{one.port}"
                entry["timeline_csv"] = download(
                    f"{base}/export/events.csv?{query}", one.worker_pids()
                )
                entry["api_csv"] = download(
                    f"{base}/api/v1/events/?format=csv&{query}", one.worker_pids()
                )
                entry["datasette_csv"] = download(
                    ds_base
                    + "/bench/events.csv?"
                    + urllib.parse.urlencode(
                        {"date__gte": day, "_stream": "on", "_size": "max", "_sort_desc": "date"}
                    ),
                    ds.worker_pids(),
                )
                entry["raw_copy"] = copy_seconds(args.db, day)
                log(f"  {json.dumps(entry)}")
                exports.append(entry)
            report["csv"] = exports
    finally:
        for server in servers:
            server.stop()
    report["load_average"]["end"] = load_average()
    (workdir / "results.json").write_text(json.dumps(report, indent=2, default=str))
    markdown = table(found)
    (workdir / "results.md").write_text(markdown + "\n")
    print()
    print(json.dumps(report["machine"], indent=2))
    print(f"load average: {report['load_average']}")
    print(markdown)
    if "sync" in report:
        print(f"sync walk: {json.dumps(report['sync'])}")
    for entry in report.get("csv", []):
        print(
            f"CSV ~{entry['rows']:,} rows: timeline export {entry['timeline_csv']}, "
            f"API {entry['api_csv']}, Datasette {entry['datasette_csv']}, COPY {entry['raw_copy']}"
        )
    print(f"\nresults: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
