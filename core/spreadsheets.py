"""Every CSV file ConflictKB writes — pages, API, ``export_acled`` and ``export_ucdp`` — is
written by :func:`csv_writer`, so every one defuses formula cells the same way, and the
importers read such cells back with :func:`spreadsheet_value`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

# A spreadsheet runs a cell that starts with one of these as a formula (a tab or carriage
# return is dropped and the rest then runs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def would_run(text: str) -> bool:
    """True if the text, after any leading apostrophes, starts a formula."""
    return text.lstrip("'")[:1] in FORMULA_STARTS


def spreadsheet_safe(value: object) -> object:
    """The value as a cell no spreadsheet runs: text that starts a formula gets an apostrophe
    in front (spreadsheets show the rest as text). Text that already starts with apostrophes
    before a formula gets one more, so that :func:`spreadsheet_value` restores every text."""
    if isinstance(value, str) and would_run(value):
        return "'" + value
    return value


def spreadsheet_value(cell: str) -> str:
    """The text :func:`spreadsheet_safe` wrote as ``cell``."""
    return cell[1:] if cell[:1] == "'" and would_run(cell) else cell


class _Line:
    """csv.writer writes into this and gets the line back, so rows stream one by one."""

    def write(self, line: str) -> str:
        return line


class SpreadsheetSafeWriter:
    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([spreadsheet_safe(value) for value in row])


def csv_writer(out: Any = None, **options: Any) -> SpreadsheetSafeWriter:
    """A CSV writer into ``out``; without one, ``writerow`` returns the line (for streaming)."""
    return SpreadsheetSafeWriter(_Line() if out is None else out, **options)
