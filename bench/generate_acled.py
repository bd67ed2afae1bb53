"""Write a synthetic, ACLED-shaped CSV file for benchmarks: deterministic for a given seed.

Real ACLED data is heavily skewed: a few actors (state forces, the big armed groups) and a few
places (front-line towns) appear in most events, with a long tail of rare ones. Actors, places,
sources and event types are drawn with Zipf-like weights (rank ** -1.1) to match that, so the
importer's deduplication and matching see realistic shapes.

    python bench/generate_acled.py --rows 100000 --seed 1 > /tmp/acled-100k.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime
import itertools
import random
import sys
from typing import TextIO

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
COUNTRIES = [("Syria", "SYR", 760), ("Iraq", "IRQ", 368), ("Lebanon", "LBN", 422)]
TYPES = [
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    ("Political violence", "Battles", "Government regains territory"),
    ("Demonstrations", "Riots", "Violent demonstration"),
    ("Political violence", "Violence against civilians", "Abduction/forced disappearance"),
    ("Strategic developments", "Strategic developments", "Arrests"),
    ("Political violence", "Explosions/Remote violence", "Suicide bomb"),
]
SYLLABLES = ["al", "ra", "ka", "shi", "mun", "dar", "bu", "ha", "qa", "zi", "tal", "jis", "ma"]
SOURCE_SCALES = ["National", "Local partner-Other", "Subnational", "International", "Regional"]


def zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    return list(itertools.accumulate((rank + 1) ** -exponent for rank in range(n)))


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def places(
    rng: random.Random, count: int
) -> list[tuple[str, str, int, str, str, str, str, float, float]]:
    """(country, cnty code, iso, admin1, admin2, admin3, location, lat, lon) for ``count`` towns."""
    admin1s = {c: [word(rng, 2) for _ in range(14)] for c, _, _ in COUNTRIES}
    towns = []
    for _ in range(count):
        country, code, iso = rng.choices(COUNTRIES, weights=[6, 3, 1])[0]
        admin1 = rng.choice(admin1s[country])
        admin2 = f"{admin1} {rng.choice(['', 'North', 'South', 'East', 'West'])}".strip()
        admin3 = f"{word(rng, 2)}"
        towns.append(
            (
                country,
                code,
                iso,
                admin1,
                admin2,
                admin3,
                word(rng, rng.randint(2, 3)),
                round(rng.uniform(32.5, 37.0), 4),
                round(rng.uniform(35.7, 42.0), 4),
            )
        )
    return towns


def actors(rng: random.Random, count: int) -> list[tuple[str, int]]:
    found = [
        ("Military Forces of Syria (2000-)", 1),
        ("Military Forces of Russia (2000-)", 8),
        ("Hayat Tahrir al-Sham", 2),
        ("Islamic State (Syria)", 2),
        ("Civilians (Syria)", 7),
        ("Protesters (Syria)", 6),
        ("SDF: Syrian Democratic Forces", 2),
        ("Military Forces of Turkey (2016-)", 8),
    ]
    while len(found) < count:
        inter = rng.choice([2, 3, 4, 4, 3])
        kind = {2: "Brigade", 3: "Militia", 4: "Clan Militia"}[inter]
        found.append((f"{word(rng, 3)} {kind} ({rng.choice(['Syria', 'Iraq'])})", inter))
    return found


def generate(out: TextIO, *, rows: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (synthetic data must be reproducible, not secret)
    towns = places(rng, 8000)
    town_weights = zipf_weights(len(towns))
    pool = actors(rng, 1500)
    actor_weights = zipf_weights(len(pool))
    sources = [
        f"{word(rng, 3)} {rng.choice(['News', 'Network', 'Observatory', 'Media'])}"
        for _ in range(400)
    ]
    source_weights = zipf_weights(len(sources))
    type_weights = zipf_weights(len(TYPES), 0.8)
    first_day = datetime.date(2018, 1, 1)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    picks_town = rng.choices(towns, cum_weights=town_weights, k=rows)
    picks_type = rng.choices(TYPES, cum_weights=type_weights, k=rows)
    picks_actor = rng.choices(pool, cum_weights=actor_weights, k=rows * 3)
    picks_source = rng.choices(sources, cum_weights=source_weights, k=rows * 2)
    for n in range(rows):
        country, code, iso, admin1, admin2, admin3, location, lat, lon = picks_town[n]
        disorder, event_type, sub_type = picks_type[n]
        (actor1, inter1), (actor2, inter2), (assoc, _) = picks_actor[3 * n : 3 * n + 3]
        if actor2 == actor1 or event_type == "Protests":
            actor2, inter2 = "", 0
        source = (
            picks_source[2 * n]
            if rng.random() < 0.7
            else "; ".join(sorted({picks_source[2 * n], picks_source[2 * n + 1]}))
        )
        day = first_day + datetime.timedelta(days=rng.randrange(6 * 365))
        fatalities = 0 if rng.random() < 0.6 else int(rng.paretovariate(1.2))
        writer.writerow(
            [
                f"{code}{n + 1}",
                day.isoformat(),
                day.year,
                rng.choices([1, 2, 3], weights=[90, 8, 2])[0],
                disorder,
                event_type,
                sub_type,
                actor1,
                assoc if rng.random() < 0.2 and assoc not in (actor1, actor2) else "",
                inter1,
                actor2,
                "",
                inter2 or "",
                f"{min(inter1, inter2 or 0)}{max(inter1, inter2 or 0)}" if inter2 else f"{inter1}0",
                "Civilian targeting" if inter2 == 7 else "",
                iso,
                "Middle East",
                country,
                admin1,
                admin2,
                admin3,
                location,
                lat,
                lon,
                rng.choices([1, 2, 3], weights=[70, 25, 5])[0],
                source,
                rng.choice(SOURCE_SCALES),
                f"On {day:%d %B %Y}, {actor1} {sub_type.lower()} in {location} ({admin1}). "
                f"[{fatalities} fatalities]",
                fatalities,
                "",
                1_700_000_000 + n,
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(sys.stdout, rows=args.rows, seed=args.seed)


if __name__ == "__main__":
    main()
