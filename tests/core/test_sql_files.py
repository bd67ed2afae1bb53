"""The database runs the SQL in the apps' files (``<app>/sql/*.sql``), and nothing else of ours.

A function file is put in the database by the migration that last ran it
(``core.sql_files.RunSQLFile``), so a file edited without a new migration would reach fresh
databases and never the ones already migrated; these tests catch that before it ships.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

import pgtrigger
import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from core import sql_files
from core.data_version import COMMITTING_LOCK

pytestmark = pytest.mark.django_db

DEFINES = re.compile(r"^CREATE OR REPLACE FUNCTION ([\w.]+)\(", re.M)

ALL_FILES = [
    (config.name, path.name)
    for config in apps.get_app_configs()
    for path in sorted((Path(config.path) / "sql").glob("*.sql"))
]
FUNCTION_FILES = [file for file in ALL_FILES if DEFINES.search(sql_files.read(*file))]

# Function files that no migration runs, each with who runs it instead.
RUN_AFTER_MIGRATE = {
    ("core", "audit_guard.sql"): "core.audit.install_audit_guard, after every migrate",
}

# Functions of ours that are in no file, each with the reason.
NOT_IN_FILES = {
    "public._pgtrigger_should_ignore": "pgtrigger's own, installed by pgtrigger",
    "public.pgtrigger_*": "pgtrigger's wrappers of the triggers models declare: the audit "
    "triggers' SQL is pghistory's (reshaped by core/audit.py); the other bodies are in "
    "actors/sql and events/sql (test_every_trigger_a_model_declares_is_installed_as_declared)",
}


def file_id(file: tuple[str, str]) -> str:
    return f"{file[0]}/sql/{file[1]}"


def qualified(name: str) -> str:
    return name if "." in name else f"public.{name}"


def installed(names: list[str]) -> dict[str, str]:
    """Each function's definition as the database gives it, by signature."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid)"
            "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname || '.' || p.proname = ANY(%s)",
            [[qualified(name) for name in names]],
        )
        return dict(cursor.fetchall())


def last_run_by_migrations() -> dict[tuple[str, str], str]:
    """The digest each SQL file had when the last migration to run it was written."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: list[tuple[str, str]] = []
    for leaf in sorted(graph.leaf_nodes()):
        plan += [node for node in graph.forwards_plan(leaf) if node not in plan]
    return {
        (operation.app, operation.name): operation.file_digest
        for node in plan
        for operation in graph.nodes[node].operations
        if isinstance(operation, sql_files.RunSQLFile)
    }


@pytest.mark.parametrize("file", FUNCTION_FILES, ids=file_id)
def test_each_function_in_the_database_is_the_one_in_its_file(file):
    text = sql_files.read(*file)
    names = DEFINES.findall(text)
    before = installed(names)
    assert len(before) == len(set(names)), f"not in the database: {names}"
    with connection.cursor() as cursor:
        cursor.execute(text)  # inside the test's transaction, rolled back after it
    assert installed(names) == before


@pytest.mark.parametrize(
    "file", [file for file in FUNCTION_FILES if file not in RUN_AFTER_MIGRATE], ids=file_id
)
def test_each_function_file_is_run_by_a_migration_as_it_is_now(file):
    now = sql_files.digest(*file)
    assert last_run_by_migrations().get(file) == now, (
        f"{file_id(file)} changed since a migration last ran it: add a migration with "
        f"RunSQLFile({file[0]!r}, {file[1]!r}, file_digest={now!r})"
    )


def test_every_function_of_ours_is_in_a_file_or_named_with_a_reason():
    in_files = {
        qualified(name)
        for file in FUNCTION_FILES
        for name in DEFINES.findall(sql_files.read(*file))
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT n.nspname || '.' || p.proname"
            "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            "   AND NOT EXISTS (SELECT FROM pg_depend d"  # an extension's functions are not ours
            "                    WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
        ours = {name for (name,) in cursor.fetchall()}
    unexplained = {
        name
        for name in ours - in_files
        if not any(fnmatch(name, pattern) for pattern in NOT_IN_FILES)
    }
    assert unexplained == set()
    assert in_files <= ours


def test_every_trigger_a_model_declares_is_installed_as_declared():
    # pgtrigger keeps each trigger's hash in the database: a body edited in a file without the
    # migration makemigrations would write shows as OUTDATED.
    statuses = {
        f"{model._meta.label}.{trigger.name}": trigger.get_installation_status(model)[0]
        for model, trigger in pgtrigger.registered()
    }
    assert {name for name, status in statuses.items() if status != "INSTALLED"} == set()
    assert {"events.Location.location_set_path", "actors.Actor.actor_keep_old_name"} <= set(
        statuses
    )


def test_the_commit_time_lock_is_the_one_readers_check():
    assert f"pg_advisory_xact_lock_shared({COMMITTING_LOCK})" in sql_files.read(
        "core", "data_version.sql"
    )


def test_a_named_statement_keeps_its_first_lines_and_loses_its_description():
    # pgtrigger compares trigger bodies byte for byte, so the blank line and indentation that
    # start a body are part of it.
    body = sql_files.statements("events", "location_triggers.sql")["move_subtree"]
    assert body.startswith("\n    IF pg_trigger_depth() > 1 THEN\n")
    assert body.endswith("    RETURN NULL;\n")
    assert "--" not in body
