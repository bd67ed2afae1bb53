"""The scale benchmark's data generator (bench/generate_acled.py --shape scale): deterministic
for a seed, and shaped as BENCHMARKS.md says (about 20 countries, a few hundred actors, dates
1997–2026, files split evenly)."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path
from types import ModuleType

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate_acled.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_acled", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scale_files(rows: int, seed: int, files: int) -> list[str]:
    outs = [io.StringIO() for _ in range(files)]
    load_generator().generate_scale(outs, rows=rows, seed=seed)
    return [out.getvalue() for out in outs]


def test_same_seed_same_files_other_seed_other_files() -> None:
    assert scale_files(600, 7, 2) == scale_files(600, 7, 2)
    assert scale_files(600, 7, 2) != scale_files(600, 8, 2)


def test_scale_shape() -> None:
    first, second = scale_files(4000, 1, 2)
    rows = [*csv.DictReader(io.StringIO(first)), *csv.DictReader(io.StringIO(second))]
    assert len(rows) == 4000
    assert len(list(csv.DictReader(io.StringIO(first)))) == 2000
    assert len({row["event_id_cnty"] for row in rows}) == 4000
    assert 15 <= len({row["country"] for row in rows}) <= 20
    actors = {row["actor1"] for row in rows} | {row["actor2"] for row in rows} - {""}
    assert 150 <= len(actors) <= 500
    assert min(row["event_date"] for row in rows) < "2000"
    assert "2026-01-01" <= max(row["event_date"] for row in rows) <= "2026-12-31"
    assert all(row["admin1"] and row["admin2"] and row["admin3"] for row in rows)
    assert all(len(row["notes"].split()) > 12 for row in rows)
