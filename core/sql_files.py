"""SQL the database runs, kept in ``<app>/sql/*.sql`` beside the app that owns it.

A file holds one of three things, and its header says which and who runs it:

- database functions (``CREATE OR REPLACE FUNCTION``), put in the database by a migration
  (:class:`RunSQLFile`) — or, for the audit guard, after every ``migrate``;
- bodies of the triggers a model declares to pgtrigger, read with :func:`statements`;
- statements the site runs itself (the importer's, the candidate search's), read with
  :func:`statements`, under :func:`settings` where they need their own.

To change a function, edit its file and add a migration that runs the file again,
``RunSQLFile(app, name, file_digest=...)`` with the file's new :func:`digest`:
``tests/core/test_sql_files.py``, which holds the database to the files, prints that line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from django.db import migrations

# A named statement starts at its name line; the comment lines right under it describe it.
STATEMENT_NAME = re.compile(r"^-- name: (\w+)\n", re.M)


def read(app: str, name: str) -> str:
    """The text of ``<app>/sql/<name>`` (``app`` is the app's package: "core", "events")."""
    return (resources.files(app) / "sql" / name).read_text(encoding="utf-8")


def digest(app: str, name: str) -> str:
    return hashlib.sha256(read(app, name).encode()).hexdigest()[:16]


def statements(app: str, name: str) -> dict[str, str]:
    """The statements of a file, by the name on each one's ``-- name: …`` line.

    A statement is the text after its name line and the comment lines right under it, up to
    the next name line, without the blank lines that end it. What it starts with (a blank
    line, indentation) is kept: pgtrigger compares trigger bodies byte for byte.
    """
    named = STATEMENT_NAME.split(read(app, name))[1:]
    found = {}
    for key, text in zip(named[::2], named[1::2], strict=True):
        lines = text.split("\n")
        while lines and lines[0].startswith("--"):
            lines.pop(0)
        found[key] = "\n".join(lines).rstrip() + "\n"
    return found


class RunSQLFile(migrations.RunSQL):
    """Run ``<app>/sql/<name>`` (its ``CREATE OR REPLACE FUNCTION`` statements) as it was when
    the migration was written: ``file_digest`` is :func:`digest` then.

    When the file has changed since, a later migration runs it with the new digest (the
    test of the SQL files insists on one), and this migration does nothing: the newer text
    may need tables or columns that only later migrations create. Reversed, it leaves the
    functions as they are.
    """

    def __init__(self, app: str, name: str, *, file_digest: str) -> None:
        self.app, self.name, self.file_digest = app, name, file_digest
        current = digest(app, name) == file_digest
        # A list is run as given, one statement each: the file goes to the server whole.
        super().__init__([read(app, name)] if current else [], migrations.RunSQL.noop)

    def describe(self) -> str:
        return f"Run {self.app}/sql/{self.name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            f"{__name__}.{type(self).__name__}",
            [self.app, self.name],
            {"file_digest": self.file_digest},
        )


@contextmanager
def settings(cursor: Any, **values: str) -> Iterator[None]:
    """Settings for the enclosed statements, restored afterwards (same transaction)."""
    # missing_ok: a setting of our own ("conflictkb.…") does not exist until first set.
    cursor.execute(
        "SELECT ARRAY(SELECT current_setting(name, true)"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS s (name, n) ORDER BY n)",
        [list(values)],
    )
    saved = {name: value or "" for name, value in zip(values, cursor.fetchone()[0], strict=True)}
    for name, value in values.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    try:
        yield
    finally:
        for name, value in saved.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
