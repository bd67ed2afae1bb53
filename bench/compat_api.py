"""Server time of ACLED's API as ConflictKB serves it (docs/compatibility-apis.md): pages of
5,000 rows from a filled database, each case asking different questions in turn so that no
answer is a repeat, timed in-process (the time the site spends, without the network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ckb_bench_1m .venv/bin/python bench/compat_api.py

Fill the database first with bench/run_scale_benchmark.sh --load-only (a million events).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conflictkb.settings")
os.environ.setdefault("READER_CACHE", "off")

import django

django.setup()

from django.test import Client  # noqa: E402
from rest_framework.throttling import SimpleRateThrottle  # noqa: E402

PAGE = 5000
YEARS = [(f"{year}-01-01|{year}-12-31") for year in (2019, 2020, 2021)]
CASES: dict[str, list[dict[str, Any]]] = {
    "newest events": [{"page": page} for page in (1, 2, 3)],
    "newest, six columns no claim feeds (fields=)": [
        {"page": page, "fields": "event_id_cnty|event_date|actor1|country|latitude|fatalities"}
        for page in (4, 5, 6)
    ],
    "page 100 (495,000 rows skipped)": [{"page": page} for page in (100, 101)],
    "country": [{"country": name} for name in ("Syria", "Iraq", "Yemen")],
    "country and a year (BETWEEN)": [
        {"country": "Syria", "event_date": years, "event_date_where": "BETWEEN"} for years in YEARS
    ],
    "actor1 LIKE": [{"actor1": name} for name in ("Military Forces", "Hay'at", "Civilians")],
    "actor2 LIKE, common and rare": [
        {"actor2": name} for name in ("Civilians", "Unidentified Armed Group (Iran)")
    ],
    "inter1, inter2 (actor types)": [
        {"inter1": 7},
        {"inter2": 8},
        {"inter1": "Rioters", "inter1_where": "LIKE"},
    ],
    "interaction, common and rare": [{"interaction": code} for code in (13, 80, 68)],
    "civilian_targeting": [{"civilian_targeting": "Civilian targeting"}],
    "assoc_actor_1 LIKE, rare": [
        {"assoc_actor_1": name}
        for name in ("Unidentified Armed Group (Iran)", "Police Forces of Jordan")
    ],
    "source LIKE, rare and common": [{"source": name} for name in ("Iran Observatory", "Unity")],
    "event_type": [{"event_type": name} for name in ("Battles", "Protests", "Riots")],
    "region": [{"region": number} for number in (11, 1, 7)],
    "timestamp>=": [{"timestamp": "2026-12-01"}, {"timestamp": "2026-11-01"}],
    "notes LIKE": [{"notes": word} for word in ("checkpoint", "convoy")],
    "notes LIKE, a word in no description": [{"notes": word} for word in ("zeppelin", "quagga")],
    "notes LIKE, in 1.5 % and 0.02 % of descriptions": [
        {"notes": word} for word in ("jisra", "kabujis")
    ],
    "time_precision, geo_precision (rare)": [{"time_precision": 3}, {"geo_precision": 3}],
    "tags=contested": [{"tags": "contested"}],
    "fatalities>": [{"fatalities": n, "fatalities_where": ">"} for n in (50, 60)],
}


def cases_of_this_database() -> dict[str, list[dict[str, Any]]]:
    """Questions about its ids and its last changes (in seconds of its own clock)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT floor(extract(epoch FROM min(updated_at)))::int FROM events_event")
        first = cursor.fetchone()[0]
        cursor.execute("SELECT acled_id FROM events_event ORDER BY id DESC LIMIT 2")
        ids = [row[0] for row in cursor.fetchall()]
    return {
        "one id (=, and ACLED's default LIKE)": [
            {"event_id_cnty": ids[0], "event_id_cnty_where": "="},
            {"event_id_cnty": ids[1]},
        ],
        "timestamp =, < (one second, the first seconds)": [
            {"timestamp": first + 30, "timestamp_where": "="},
            {"timestamp": first + 5, "timestamp_where": "<"},
        ],
    }


def main() -> None:
    SimpleRateThrottle.THROTTLE_RATES = {"anon": None, "user": None}
    CASES.update(cases_of_this_database())
    client = Client(SERVER_NAME="localhost")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| question | median | slowest | rows |\n| --- | --- | --- | --- |")
    for name, questions in CASES.items():
        times, rows = [], 0
        for question in questions:
            started = time.perf_counter()
            response = client.get("/api/acled/read", {"limit": PAGE, **question})
            assert response.status_code == 200, (question, response.content)
            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - started)
            rows = body.count(b'"event_id_cnty"')
        print(
            f"| {name} | {statistics.median(times) * 1000:,.0f} ms"
            f" | {max(times) * 1000:,.0f} ms | {rows:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
