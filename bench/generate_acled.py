"""Write a synthetic, ACLED-shaped CSV file for benchmarks: deterministic for a given seed.

Real ACLED data is heavily skewed: a few actors (state forces, the big armed groups) and a few
places (front-line towns) appear in most events, with a long tail of rare ones. Actors, places,
sources and event types are drawn with Zipf-like weights (rank ** -1.1) to match that, so the
importer's deduplication and matching see realistic shapes.

    python bench/generate_acled.py --rows 100000 --seed 1 > /tmp/acled-100k.csv

``--shape scale`` writes the data of the scale benchmark (BENCHMARKS.md): ~20 countries with
provinces, districts and sub-districts, a few hundred actors, dates 1997–2026 and notes of real
words; ``--files N --out PREFIX`` splits it into PREFIX-01.csv … PREFIX-NN.csv, because the
importer holds a whole file in memory:

    python bench/generate_acled.py --shape scale --rows 1000000 --files 10 --out /tmp/ckb-1m
"""

from __future__ import annotations

import argparse
import csv
import datetime
import itertools
import random
import sys
from collections.abc import Sequence
from typing import Any, TextIO

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


def record(
    rng: random.Random,
    *,
    event_id: str,
    day: datetime.date,
    event: tuple[str, str, str],
    actors: tuple[str, int, str, int, str],
    place: tuple[Any, ...],
    source: str,
    notes: str,
    fatalities: int,
    timestamp: int,
) -> list[Any]:
    """One row in ACLED's column order; draws time and geo precision, an associated actor and
    the source scale from ``rng`` (in this order, so files stay the same for a seed)."""
    disorder, event_type, sub_type = event
    actor1, inter1, actor2, inter2, assoc = actors
    iso, region, country, admin1, admin2, admin3, location, lat, lon = place
    return [
        event_id,
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
        f"{min(inter1, inter2)}{max(inter1, inter2)}" if inter2 else f"{inter1}0",
        "Civilian targeting" if inter2 == 7 else "",
        iso,
        region,
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
        notes,
        fatalities,
        "",
        timestamp,
    ]


def generate(out: TextIO, *, rows: int, seed: int, revise: int = 0) -> None:
    """The import benchmark's file; with ``revise`` N, the newer export of the same events in
    which every Nth row was revised (one more fatality, one more sentence of notes)."""
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
        notes = (
            f"On {day:%d %B %Y}, {actor1} {sub_type.lower()} in {location} ({admin1}). "
            f"[{fatalities} fatalities]"
        )
        if revise and n % revise == 0:
            fatalities += 1
            notes += " Revised: one more death reported."
        writer.writerow(
            record(
                rng,
                event_id=f"{code}{n + 1}",
                day=day,
                event=(disorder, event_type, sub_type),
                actors=(actor1, inter1, actor2, inter2, assoc),
                place=(iso, "Middle East", country, admin1, admin2, admin3, location, lat, lon),
                source=source,
                notes=notes,
                fatalities=fatalities,
                timestamp=1_700_000_000 + n,
            )
        )


# --- Scale shape: a million events across ~20 countries, 1997–2026 ---------------------------
#
# ``--shape scale`` (bench/run_scale_benchmark.sh): the data BENCHMARKS.md measures. Countries,
# provinces (admin1), districts (admin2) and sub-districts (admin3) form a real hierarchy; a few
# hundred actors, each tied to a country (plus a few foreign ones), are drawn per country with
# Zipf weights, so state forces and one or two armed groups dominate, as in ACLED; years are
# weighted towards the present (ACLED's coverage grows); notes are sentences of real English
# words, so full-text search sees realistic term frequencies.

# name, ISO 3166 numeric, ACLED region, centre latitude, centre longitude
SCALE_COUNTRIES = [
    ("Syria", 760, "Middle East", 35.0, 38.5),
    ("Yemen", 887, "Middle East", 15.5, 47.5),
    ("Iraq", 368, "Middle East", 33.0, 43.5),
    ("Afghanistan", 4, "Caucasus and Central Asia", 34.0, 66.0),
    ("Ukraine", 804, "Europe", 49.0, 32.0),
    ("Nigeria", 566, "Western Africa", 9.0, 8.0),
    ("Somalia", 706, "Eastern Africa", 5.0, 46.0),
    ("Myanmar", 104, "Southeast Asia", 21.0, 96.0),
    ("Democratic Republic of Congo", 180, "Middle Africa", -2.5, 23.5),
    ("Sudan", 729, "Northern Africa", 15.0, 30.0),
    ("Mali", 466, "Western Africa", 16.0, -2.0),
    ("Burkina Faso", 854, "Western Africa", 12.5, -1.5),
    ("Pakistan", 586, "Southern Asia", 30.0, 70.0),
    ("Turkey", 792, "Middle East", 39.0, 35.0),
    ("Lebanon", 422, "Middle East", 33.9, 35.8),
    ("Libya", 434, "Northern Africa", 27.0, 17.0),
    ("Ethiopia", 231, "Eastern Africa", 9.0, 39.5),
    ("South Sudan", 728, "Eastern Africa", 7.5, 30.5),
    ("Iran", 364, "Middle East", 32.5, 54.0),
    ("Jordan", 400, "Middle East", 31.2, 36.5),
]
SCALE_TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Demonstrations", "Riots", "Violent demonstration"),
    ("Strategic developments", "Strategic developments", "Arrests"),
    ("Political violence", "Violence against civilians", "Abduction/forced disappearance"),
    ("Political violence", "Battles", "Government regains territory"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    ("Political violence", "Battles", "Non-state actor overtakes territory"),
    ("Demonstrations", "Protests", "Protest with intervention"),
    ("Demonstrations", "Riots", "Mob violence"),
    ("Political violence", "Explosions/Remote violence", "Grenade"),
    ("Political violence", "Explosions/Remote violence", "Suicide bomb"),
    ("Strategic developments", "Strategic developments", "Disrupted weapons use"),
    ("Strategic developments", "Strategic developments", "Headquarters or base established"),
    ("Political violence", "Violence against civilians", "Sexual violence"),
    ("Strategic developments", "Strategic developments", "Agreement"),
]
GROUP_ADJECTIVES = [
    "National",
    "Popular",
    "Islamic",
    "Democratic",
    "Revolutionary",
    "United",
    "Free",
    "Patriotic",
    "Liberation",
    "Unity",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Federal",
    "Independent",
    "Tribal",
    "Republican",
    "Sovereign",
    "Central",
]
GROUP_NOUNS = [
    "Front",
    "Army",
    "Movement",
    "Brigade",
    "Council",
    "Alliance",
    "Forces",
    "Resistance",
    "Guard",
    "Coalition",
    "Union",
    "Battalion",
    "Militia",
    "Party",
    "Committee",
]
FOREIGN_ACTORS = [
    ("Military Forces of Russia (2000-)", 8),
    ("Military Forces of the United States (2021-)", 8),
    ("Military Forces of Turkey (2016-)", 8),
    ("Military Forces of Israel (2022-)", 8),
    ("UN: United Nations", 8),
    ("Wagner Group", 8),
    ("Military Forces of France (2017-)", 8),
    ("Unidentified Armed Group (International)", 3),
]
# Real words of conflict reporting, most frequent first (drawn with Zipf weights).
VOCABULARY_TEXT = """
reported local sources said residents according area forces killed attack village town
security fighters people civilians wounded early morning night positions military near
armed clashes road checkpoint group members vehicle market district police government
injured houses several least two three heavy gunfire later withdrew control killing
artillery shells fired targeted convoy soldiers commander unknown gunmen motorcycles
explosion device detonated passing patrol displaced families fled homes nearby camp
hospital school mosque church bridge farm market fuel supplies water electricity
protest demonstrators gathered demanding release detained students teachers workers
prices salaries corruption elections curfew arrested dozens authorities dispersed tear
gas rubber bullets crowd stones burned tyres blocked main highway opposition rally
ambush raid offensive ceasefire truce negotiations agreement released hostages prisoners
abducted kidnapped ransom missing bodies found outskirts valley river hills border
crossing smuggling weapons ammunition cache seized drone strike aircraft warplanes
rockets mortar shelling sniper landmine roadside bomb suicide bomber compound base
headquarters barracks airport port harbour oil field pipeline power station tower
clan dispute cattle herders farmers land grazing rivals revenge tensions escalated
militia recruited youths fighters loyal rebel splinter faction leader killed captured
"""
VOCABULARY = list(dict.fromkeys(VOCABULARY_TEXT.split()))


def scale_places(rng: random.Random, towns: int) -> list[tuple[Any, ...]]:
    """(country row, admin1, admin2, admin3, town, lat, lon) for ``towns`` towns."""
    tree: dict[str, list[tuple[str, str, str]]] = {}
    for country in SCALE_COUNTRIES:
        units = []
        for _ in range(rng.randint(8, 18)):
            admin1 = word(rng, rng.randint(2, 3))
            for _ in range(rng.randint(2, 5)):
                admin2 = word(rng, rng.randint(2, 3))
                units += [(admin1, admin2, word(rng, 2)) for _ in range(rng.randint(1, 3))]
        tree[country[0]] = units
    country_weights = zipf_weights(len(SCALE_COUNTRIES), 0.9)
    found = []
    for country in rng.choices(SCALE_COUNTRIES, cum_weights=country_weights, k=towns):
        admin1, admin2, admin3 = rng.choice(tree[country[0]])
        found.append(
            (
                country,
                admin1,
                admin2,
                admin3,
                word(rng, rng.randint(2, 3)),
                round(country[3] + rng.uniform(-3, 3), 4),
                round(country[4] + rng.uniform(-3, 3), 4),
            )
        )
    return found


def scale_actors(rng: random.Random) -> dict[str, list[tuple[str, int]]]:
    """Each country's actors, most active first: state forces, then groups, then the rest."""
    pools: dict[str, list[tuple[str, int]]] = {}
    for name, *_ in SCALE_COUNTRIES:
        groups = {
            f"{rng.choice(GROUP_ADJECTIVES)} {rng.choice(GROUP_NOUNS)} of {name}" for _ in range(14)
        }
        pool = [(f"Military Forces of {name} ({rng.choice([1990, 2000, 2011, 2019])}-)", 1)]
        pool += [(group, rng.choice([2, 3, 4])) for group in sorted(groups)[:3]]
        pool += [(f"Civilians ({name})", 7), (f"Protesters ({name})", 6)]
        pool += [(group, rng.choice([2, 3, 4])) for group in sorted(groups)[3:]]
        pool += [
            (f"Police Forces of {name}", 1),
            (f"Rioters ({name})", 5),
            (f"Unidentified Armed Group ({name})", 3),
        ]
        pools[name] = pool
    return pools


def sentence(rng: random.Random, weights: list[float]) -> str:
    words = rng.choices(VOCABULARY, cum_weights=weights, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + "."


def generate_scale(outs: Sequence[TextIO], *, rows: int, seed: int) -> None:
    """``rows`` events spread evenly over the files in ``outs`` (each with its header)."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data must be reproducible, not secret)
    towns = scale_places(rng, 6000)
    by_country: dict[str, list[tuple[Any, ...]]] = {}
    for town in towns:
        by_country.setdefault(town[0][0], []).append(town)
    pools = scale_actors(rng)
    pool_weights = {name: zipf_weights(len(pool), 1.2) for name, pool in pools.items()}
    town_weights = {name: zipf_weights(len(found)) for name, found in by_country.items()}
    countries = [c for c in SCALE_COUNTRIES if c[0] in by_country]
    country_weights = zipf_weights(len(countries), 0.9)
    sources = sorted(
        {
            f"{rng.choice(GROUP_ADJECTIVES)} {rng.choice(['News', 'Times', 'Observer', 'Post', 'Radio', 'Monitor'])}"
            for _ in range(200)
        }
        | {f"{c[0]} {rng.choice(['Observatory', 'Network', 'Watch'])}" for c in SCALE_COUNTRIES}
    )
    source_weights = zipf_weights(len(sources))
    type_weights = zipf_weights(len(SCALE_TYPES), 0.9)
    word_weights = zipf_weights(len(VOCABULARY), 0.8)
    years = list(range(1997, 2027))
    year_weights = list(itertools.accumulate((y - 1995) ** 1.5 for y in years))
    per_file = -(-rows // len(outs))
    writers = [csv.writer(out, lineterminator="\n") for out in outs]
    for writer in writers:
        writer.writerow(COLUMNS)
    for n in range(rows):
        country = rng.choices(countries, cum_weights=country_weights)[0]
        name, iso, region = country[0], country[1], country[2]
        _, admin1, admin2, admin3, location, lat, lon = rng.choices(
            by_country[name], cum_weights=town_weights[name]
        )[0]
        disorder, event_type, sub_type = rng.choices(SCALE_TYPES, cum_weights=type_weights)[0]
        pool = pools[name] + FOREIGN_ACTORS if rng.random() < 0.05 else pools[name]
        weights = pool_weights[name] if len(pool) == len(pools[name]) else None
        (actor1, inter1), (actor2, inter2), (assoc, _) = rng.choices(pool, cum_weights=weights, k=3)
        if event_type == "Protests":
            actor1, inter1, actor2, inter2 = f"Protesters ({name})", 6, "", 0
        elif event_type == "Riots":
            actor1, inter1 = f"Rioters ({name})", 5
        elif event_type == "Violence against civilians":
            actor2, inter2 = f"Civilians ({name})", 7
        if actor2 == actor1:
            actor2, inter2 = "", 0
        year = rng.choices(years, cum_weights=year_weights)[0]
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if day > datetime.date(2026, 9, 30):
            day -= datetime.timedelta(days=200)
        fatalities = 0 if rng.random() < 0.6 else int(rng.paretovariate(1.2))
        source = "; ".join(
            sorted(set(rng.choices(sources, cum_weights=source_weights, k=rng.choice([1, 1, 2]))))
        )
        notes = (
            f"On {day.day} {day:%B %Y}, {actor1} {sub_type.lower()} "
            + (f"against {actor2} " if actor2 else "")
            + f"in {location} ({admin2}, {admin1}). "
            + " ".join(sentence(rng, word_weights) for _ in range(rng.randint(1, 3)))
            + f" [{fatalities} fatalities]"
        )
        writers[min(n // per_file, len(writers) - 1)].writerow(
            record(
                rng,
                event_id=f"{name[:3].upper()}{n + 1}",
                day=day,
                event=(disorder, event_type, sub_type),
                actors=(actor1, inter1, actor2, inter2, assoc),
                place=(iso, region, name, admin1, admin2, admin3, location, lat, lon),
                source=source,
                notes=notes,
                fatalities=fatalities,
                timestamp=1_700_000_000 + n,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--shape",
        choices=["import", "scale"],
        default="import",
        help="import: the import benchmark's file (unchanged); scale: BENCHMARKS.md's data",
    )
    parser.add_argument(
        "--revise",
        type=int,
        default=0,
        metavar="N",
        help="import shape: a newer export of the same events, every Nth row revised",
    )
    parser.add_argument("--files", type=int, default=1, help="split into this many files")
    parser.add_argument("--out", help="write PREFIX-01.csv … instead of standard output")
    args = parser.parse_args()
    if args.files > 1 and not args.out:
        parser.error("--files needs --out")
    if args.shape == "import":
        if args.files > 1:
            parser.error("--files is for --shape scale")
        if args.out:
            with open(f"{args.out}-01.csv", "w", encoding="utf-8", newline="") as out:
                generate(out, rows=args.rows, seed=args.seed, revise=args.revise)
        else:
            generate(sys.stdout, rows=args.rows, seed=args.seed, revise=args.revise)
        return
    if not args.out:
        generate_scale([sys.stdout], rows=args.rows, seed=args.seed)
        return
    outs = [
        open(f"{args.out}-{i:02d}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        for i in range(1, args.files + 1)
    ]
    try:
        generate_scale(outs, rows=args.rows, seed=args.seed)
    finally:
        for out in outs:
            out.close()


if __name__ == "__main__":
    main()
