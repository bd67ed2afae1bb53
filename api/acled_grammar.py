"""ACLED's query grammar: which operator a column takes, ``<column>_where`` overrides, OR-lists
and ``BETWEEN``, read from a request's parameters into :class:`Condition` values that the
filters (``api.acled``) turn into SQL or, for the small lists, apply to rows in Python.

The grammar, as ACLED's API documents it: ``country=Iran|Iraq`` is an OR-list (the older
``country=Iran:OR:country=Iraq`` too); ``event_date=2018-09-01|2018-09-30`` with
``event_date_where=BETWEEN`` an inclusive range; ``fatalities=10`` with ``fatalities_where=>``
a comparison. LIKE is a case-insensitive substring match.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("=", ">", "<", ">=", "<=", "LIKE", "BETWEEN")


# The last second of year 9999, the last a date can hold.
LAST_SECOND = 253402300799
# The most rows a page may skip (PostgreSQL's OFFSET is a bigint).
MOST_SKIPPED = 2**62


class GrammarError(ValueError):
    """A parameter ConflictKB cannot read: the message names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class Condition:
    """One column's test: ``operator`` and the values of its OR-list (two for BETWEEN)."""

    column: str
    operator: str
    values: tuple[Any, ...]

    def matches(self, value: Any) -> bool:
        """Whether a row's value (as the API writes it) passes, for lists filtered in Python."""
        if self.operator == "BETWEEN":
            low, high = self.values
            return compare(value, ">=", low) and compare(value, "<=", high)
        return any(compare(value, self.operator, wanted) for wanted in self.values)


def compare(value: Any, operator: str, wanted: Any) -> bool:
    if operator == "LIKE":
        return str(wanted).lower() in str(value).lower()
    if isinstance(wanted, str):
        value, wanted = str(value).lower(), wanted.lower()
    elif value in ("", None):
        return False
    elif isinstance(wanted, datetime.date) and isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    else:
        value = type(wanted)(value)
    return {
        "=": value == wanted,
        ">": value > wanted,
        "<": value < wanted,
        ">=": value >= wanted,
        "<=": value <= wanted,
    }[operator]


def whole(text: str) -> int:
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        raise ValueError(text)
    return int(text)


def a_year(text: str) -> int:
    value = whole(text)
    if not 1 <= value <= 9999:
        raise ValueError(text)
    return value


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def unix_time(text: str) -> int:
    """ACLED's timestamps: Unix seconds, or a day (its midnight, UTC)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return int(datetime.datetime.combine(day(text), datetime.time(), datetime.UTC).timestamp())
    value = whole(text)
    if not 0 <= value <= LAST_SECOND:
        raise ValueError(text)
    return value


KIND_NAMES: dict[Callable[[str], Any], str] = {
    whole: "a whole number",
    a_year: "a year (1–9999)",
    float: "a number",
    day: "a date (yyyy-mm-dd)",
    unix_time: "Unix seconds or a date (yyyy-mm-dd)",
    str: "text",
}


@dataclass(frozen=True)
class Column:
    """A filterable column: its default operator and how a value given for it is read."""

    name: str
    default: str
    read: Callable[[str], Any] = str


def conditions(params: Mapping[str, str], columns: Iterable[Column]) -> list[Condition]:
    """The conditions ``params`` set on ``columns``; GrammarError for what cannot be read."""
    found = []
    for column in columns:
        raw = params.get(column.name)
        operator = params.get(f"{column.name}_where", column.default).strip().upper()
        if operator not in OPERATORS:
            raise GrammarError(
                f"{column.name}_where",
                f"'{operator}' is not an operator; use one of {', '.join(OPERATORS)}.",
            )
        if raw is None:
            continue
        if operator == "BETWEEN":
            parts = raw.split("|")
            if len(parts) != 2:
                raise GrammarError(column.name, "with BETWEEN, give two values: low|high.")
        else:
            # "Iran|Iraq", and the older "Iran:OR:country=Iraq".
            parts = [
                part.removeprefix(f"{column.name}=")
                for alternative in raw.split("|")
                for part in alternative.split(":OR:")
            ]
        # LIKE looks for text, in numbers and dates too ("year LIKE 201").
        read = str if operator == "LIKE" else column.read
        try:
            values = tuple(read(part.strip()) for part in parts)
        except (ValueError, OverflowError):
            raise GrammarError(
                column.name, f"'{raw}' is not {KIND_NAMES[read]} (or a list of them)."
            ) from None
        found.append(Condition(column.name, operator, values))
    return found


def fields(params: Mapping[str, str], allowed: list[str]) -> list[str]:
    """``fields=a|b|c``: those columns, in the layout's order; every column by default."""
    raw = params.get("fields", "").strip()
    if not raw:
        return allowed
    asked = [name.strip() for name in re.split(r"[|,]", raw) if name.strip()]
    unknown = [name for name in asked if name not in allowed]
    if unknown:
        raise GrammarError(
            "fields", f"no column named {', '.join(unknown)}; choose from {'|'.join(allowed)}."
        )
    return [name for name in allowed if name in asked]


def bounded(
    params: Mapping[str, str], name: str, *, default: int, low: int, high: int | None = None
) -> int:
    """A whole number parameter (``limit``, ``page``, UCDP's ``pagesize``) within bounds."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = whole(raw)
    except ValueError:
        raise GrammarError(name, f"'{raw}' is not a whole number.") from None
    if high is not None and not low <= value <= high:
        raise GrammarError(name, f"must be from {low} to {high}.")
    if value < low:
        raise GrammarError(name, f"must be {low} or more.")
    return value
