"""How well the candidate search finds ACLED's and UCDP's records of the same event.

Writes an ACLED file and a UCDP GED file with a known truth, imports both into a fresh
database (the second import runs the candidate search, as every import does), then compares
the open candidates with the truth:

- **same events**: each coded by both datasets, as the two code one strike: UCDP's date the
  same day (70 %) or a day off (25 %) or a window of days around it (5 %); its point up to
  2 km off (where_prec 1) or up to 10 km (where_prec 2, one in five); the actors under each
  dataset's own names ("Military Forces of Russia (2000-)" / "Government of Russia (Soviet
  Union)"); types in each vocabulary; figures that differ;
- **near-misses**, pairs that are two events: the same actors on the same day in a town
  15–60 km away; in the same town a week later; the same place and day with other actors;
- **singletons**: events only one dataset has.

Precision is the share of proposed pairs (at the default threshold) that are true; recall the
share of true pairs proposed. Then ``manage.py match_events`` over every event is timed.

    .venv/bin/python bench/match_events.py --pairs 2000 --seed 1
"""

# ruff: noqa: S311, S603 (a seeded generator for test data; manage.py from this checkout)

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg.sql import SQL, Identifier

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

# (ACLED's name, UCDP's name, ACLED inter code): how each dataset names the same actor.
ARMED = [
    ("Military Forces of Russia (2000-)", "Government of Russia (Soviet Union)", 8),
    ("Military Forces of Syria (2000-)", "Government of Syria", 1),
    ("Islamic State (Syria)", "IS", 2),
    ("Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham", 2),
    ("Military Forces of Turkey (2016-)", "Government of Turkey", 8),
    ("SDF: Syrian Democratic Forces", "SDF", 2),
    ("Jaysh al-Izza", "Jaish al-Izza", 2),
]


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    h = (
        math.sin(math.radians(lat2 - lat1) / 2) ** 2
        + math.cos(math.radians(lat1))
        * math.cos(math.radians(lat2))
        * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(h))


def moved(point: tuple[float, float], km: float, rng: random.Random) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    return (
        round(point[0] + km / 111.0 * math.cos(bearing), 4),
        round(point[1] + km / (111.0 * math.cos(math.radians(point[0]))) * math.sin(bearing), 4),
    )


def towns(count: int, rng: random.Random) -> list[tuple[str, tuple[float, float]]]:
    """Towns in northern Syria's box, at least 15 km apart."""
    found: list[tuple[str, tuple[float, float]]] = []
    while len(found) < count:
        point = (round(rng.uniform(32.5, 37.0), 4), round(rng.uniform(36.0, 41.5), 4))
        if all(km_between(point, other) >= 15 for _, other in found):
            found.append((f"Town {len(found) + 1}", point))
    return found


class Writer:
    """The two files and the truth."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.acled: list[dict[str, object]] = []
        self.ucdp: list[dict[str, object]] = []
        self.true_pairs: set[tuple[str, str]] = set()
        self.kinds: dict[tuple[str, str], str] = {}

    def acled_row(
        self, day: datetime.date, town: tuple[str, tuple[float, float]], actor: int, battle: bool
    ) -> str:
        event_id = f"SYR{900000 + len(self.acled)}"
        name, point = town
        acled_name, _, inter = ARMED[actor]
        if battle:
            kind, sub, actor2, inter2 = "Battles", "Armed clash", "Syrian Insurgents", 2
        else:
            kind, sub, actor2, inter2 = (
                "Explosions/Remote violence",
                "Shelling/artillery/missile attack",
                "Civilians (Syria)",
                7,
            )
        self.acled.append(
            {
                "event_id_cnty": event_id,
                "event_date": day.isoformat(),
                "year": day.year,
                "time_precision": 1,
                "disorder_type": "Political violence",
                "event_type": kind,
                "sub_event_type": sub,
                "actor1": acled_name,
                "inter1": inter,
                "actor2": actor2,
                "inter2": inter2,
                "interaction": inter * 10 + inter2,
                "iso": 760,
                "region": "Middle East",
                "country": "Syria",
                "admin1": "Governorate",
                "location": name,
                "latitude": point[0],
                "longitude": point[1],
                "geo_precision": 1,
                "source": "SOHR",
                "source_scale": "National",
                "notes": f"{sub} in {name}",
                "fatalities": self.rng.randint(0, 30),
                "timestamp": 1600000000,
            }
        )
        return event_id

    def ucdp_row(
        self,
        day: datetime.date,
        town: tuple[str, tuple[float, float]],
        actor: int,
        battle: bool,
        *,
        days_off: int = 0,
        window: bool = False,
        km_off: float = 0.0,
        near: bool = False,
    ) -> str:
        ged_id = str(800000 + len(self.ucdp))
        name, point = town
        _, ucdp_name, _ = ARMED[actor]
        start = end = day + datetime.timedelta(days=days_off)
        if window:
            start, end = day - datetime.timedelta(days=1), day + datetime.timedelta(days=2)
        latitude, longitude = moved(point, km_off, self.rng) if km_off else point
        best = self.rng.randint(0, 30)
        self.ucdp.append(
            {
                "id": ged_id,
                "relid": f"SYR-{ged_id}",
                "year": day.year,
                "type_of_violence": 1 if battle else 3,
                "side_a": ucdp_name,
                "side_b": "Syrian insurgents" if battle else "Civilians",
                "number_of_sources": 1,
                "source_office": "SOHR",
                "source_headline": f"Violence near {name}",
                "where_prec": 2 if near else 1,
                "where_coordinates": f"{name} town",
                "where_description": name,
                "adm_1": "Governorate",
                "latitude": latitude,
                "longitude": longitude,
                "country": "Syria",
                "country_id": 652,
                "region": "Middle East",
                "date_prec": 2 if window else 1,
                "date_start": start.isoformat(),
                "date_end": end.isoformat(),
                "deaths_a": 0,
                "deaths_b": 0,
                "deaths_civilians": best,
                "deaths_unknown": 0,
                "best": best,
                "high": best + self.rng.randint(0, 5),
                "low": best,
            }
        )
        return ged_id

    @staticmethod
    def csv_of(header: list[str], rows: list[dict[str, object]]) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()


def generate(pairs: int, seed: int) -> Writer:
    rng = random.Random(seed)
    places = towns(max(60, pairs // 10), rng)
    first = datetime.date(2018, 1, 1)
    w = Writer(rng)

    # Events of the truth that are different events must be distinguishable: no two with
    # the same actor within three days and 30 km of each other, except the near-misses,
    # which are built to be close on purpose.
    taken: dict[tuple[int, datetime.date], list[tuple[float, float]]] = {}

    def take(day: datetime.date, town: tuple[str, tuple[float, float]], actor: int) -> None:
        taken.setdefault((actor, day), []).append(town[1])

    def clear(day: datetime.date, town: tuple[str, tuple[float, float]], actor: int) -> bool:
        return not any(
            km_between(point, town[1]) < 30
            for offset in range(-3, 4)
            for point in taken.get((actor, day + datetime.timedelta(days=offset)), ())
        )

    def new_event() -> tuple[datetime.date, tuple[str, tuple[float, float]], int]:
        while True:
            day = first + datetime.timedelta(days=rng.randrange(3 * 365))
            town, actor = rng.choice(places), rng.randrange(len(ARMED))
            if clear(day, town, actor):
                take(day, town, actor)
                return day, town, actor

    def far_town(town: tuple[str, tuple[float, float]]) -> tuple[str, tuple[float, float]]:
        options = [t for t in places if 15 <= km_between(t[1], town[1]) <= 60]
        return rng.choice(options or places)

    for _ in range(pairs):
        day, town, actor = new_event()
        battle = rng.random() < 0.4
        draw = rng.random()
        days_off = 0 if draw < 0.70 else (rng.choice([-1, 1]) if draw < 0.95 else 0)
        near = rng.random() < 0.2
        pair = (
            w.acled_row(day, town, actor, battle),
            w.ucdp_row(
                day,
                town,
                actor,
                battle,
                days_off=days_off,
                window=draw >= 0.95,
                km_off=rng.uniform(0, 10 if near else 2),
                near=near,
            ),
        )
        w.true_pairs.add(pair)
    for index in range(pairs // 2):
        # Near-misses: two events, one in each file, close on purpose.
        day, town, actor = new_event()
        kind = index % 3
        if kind == 0:
            other_town = far_town(town)
            take(day, other_town, actor)
            pair = (w.acled_row(day, town, actor, False), w.ucdp_row(day, other_town, actor, False))
            w.kinds[pair] = "same day, another town"
        elif kind == 1:
            later = day + datetime.timedelta(days=7)
            take(later, town, actor)
            pair = (w.acled_row(day, town, actor, False), w.ucdp_row(later, town, actor, False))
            w.kinds[pair] = "same town, a week apart"
        else:
            other = (actor + 1 + rng.randrange(len(ARMED) - 1)) % len(ARMED)
            take(day, town, other)
            pair = (w.acled_row(day, town, actor, True), w.ucdp_row(day, town, other, True))
            w.kinds[pair] = "same place and day, other actors"
    for _ in range(pairs // 2):
        w.acled_row(*new_event(), rng.random() < 0.4)
        w.ucdp_row(*new_event(), rng.random() < 0.4)
    return w


def database_url(db: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{db}"


def fresh_database(db: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(db)))
        conn.execute(SQL("CREATE DATABASE {}").format(Identifier(db)))
    env = {**os.environ, "DATABASE_URL": database_url(db)}
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=2000, help="events both datasets code")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="ckb_bench_match")
    parser.add_argument("--json", type=Path, help="write the results here as well")
    args = parser.parse_args()

    fresh_database(args.db)
    os.environ["DATABASE_URL"] = database_url(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conflictkb.settings")
    import django

    django.setup()
    from django.db.models import Q

    from events.models import CandidateStatus, Event, EventCandidate
    from interchange.matching import THRESHOLD, search_events
    from interchange.reading import ACLED_COLUMNS, UCDP_COLUMNS
    from interchange.services import events_import

    w = generate(args.pairs, args.seed)
    loaded = {}
    for dataset, header, rows in (
        ("acled", ACLED_COLUMNS, w.acled),
        ("ucdp", UCDP_COLUMNS, w.ucdp),
    ):
        report = events_import(
            data=Writer.csv_of(header, rows),
            dataset=dataset,
            file_name=f"{dataset}.csv",
            publish=True,
        )
        assert report.ok, report.lines()[:5]
        assert report.result is not None
        loaded[dataset] = {
            "rows": len(rows),
            "seconds": round(report.seconds, 2),
            "candidate_search_seconds": report.result.seconds.get("candidates"),
        }
    events = Event.objects.count()
    started = time.monotonic()
    whole = search_events(Event.objects.all())
    whole_seconds = time.monotonic() - started

    ids = dict(Event.objects.values_list("pk", "acled_id").filter(~Q(acled_id=""))) | dict(
        Event.objects.values_list("pk", "ucdp_id").filter(~Q(ucdp_id=""))
    )

    def acled_first(a: int, b: int) -> tuple[str, str]:
        return (ids[a], ids[b]) if ids[a].startswith("SYR") else (ids[b], ids[a])

    proposed = {
        acled_first(a, b)
        for a, b in EventCandidate.objects.filter(
            status=CandidateStatus.OPEN, score__gte=THRESHOLD
        ).values_list("event_a_id", "event_b_id")
    }
    true_found = proposed & w.true_pairs
    near_misses_proposed: dict[str, int] = {}
    for pair in proposed & set(w.kinds):
        near_misses_proposed[w.kinds[pair]] = near_misses_proposed.get(w.kinds[pair], 0) + 1
    results = {
        "pairs": args.pairs,
        "seed": args.seed,
        "events": events,
        "threshold": THRESHOLD,
        "proposed": len(proposed),
        "true_proposed": len(true_found),
        "precision": round(len(true_found) / len(proposed), 4) if proposed else None,
        "recall": round(len(true_found) / len(w.true_pairs), 4),
        "near_misses": len(w.kinds),
        "near_misses_proposed": near_misses_proposed,
        "imports": loaded,
        "search_all_seconds": round(whole_seconds, 2),
        "search_all_found": whole.found,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
