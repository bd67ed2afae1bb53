"""An import killed half-way (SIGKILL) leaves the database exactly as before.

The import runs as ``manage.py import_acled`` in a child process against the test database;
once its backend is writing inside the import's transaction, the child is killed. PostgreSQL
rolls the transaction back when the client's connection drops, so every table must hold the
rows it held before. docs/kill-test.md says how to run this by hand.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from core.backup import record_counts
from core.database_url import database_url

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = 20_000  # about 10 s of import on two cores: long enough to be killed mid-write

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# pghistory prefixes each statement with its context; the statement itself follows.
WRITING = r"INSERT INTO (events_participation|sources_claim) "
# Tables the issue names; every other table is compared too.
NAMED_TABLES = [
    "events_event",
    "actors_actor",
    "events_location",
    "sources_claim",
    "sources_document",
    "events_eventevent",
    "pghistory_context",
    "events_import_snapshot",
]


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return record_counts(cursor, sorted(connection.introspection.table_names(cursor)))


def other_backends() -> list[tuple[int, str, str | None]]:
    """(pid, query, xid) of every other client backend on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, query, backend_xid::text FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
        return list(cursor.fetchall())


def wait_until_writing(child: subprocess.Popen[bytes], timeout: float) -> tuple[int, str]:
    """The child's backend once it inserts participants or claims, its longest steps.

    By then the import's transaction holds new actors, places, documents, events, their audit
    rows and the audit context (loading.py's order); ``backend_xid`` confirms it has written.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, "the import ended before it could be killed"
        for pid, query, xid in other_backends():
            if xid is not None and re.search(WRITING, query):
                return pid, query
        time.sleep(0.02)
    raise AssertionError(f"the import did not start writing within {timeout} s")


def wait_until_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid not in {p for p, _, _ in other_backends()}:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def acled_file(tmp_path: Path) -> Path:
    path = tmp_path / "acled.csv"
    with path.open("w") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate_acled.py"), "--rows", str(ROWS)],
            stdout=out,
            check=True,
        )
    return path


def test_an_import_killed_while_writing_leaves_every_table_as_it_was(
    committed_idlib: None, acled_file: Path, tmp_path: Path
) -> None:
    before = row_counts()
    assert set(NAMED_TABLES) <= set(before), set(NAMED_TABLES) - set(before)
    assert before["events_event"] > 0  # the demo data set is there to be preserved

    log = (tmp_path / "import.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_acled", str(acled_file)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        pid, query = wait_until_writing(child, timeout=120)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        log.close()

    assert wait_until_gone(pid, timeout=30), f"backend {pid} of the killed import still runs"
    assert row_counts() == before, f"killed during: {query[-300:]}"


def test_the_same_import_left_alone_changes_the_counts_the_kill_test_compares(
    committed_idlib: None, tmp_path: Path
) -> None:
    """The comparison above can fail: a completed import of a few rows changes those counts."""
    path = tmp_path / "small.csv"
    with path.open("w") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate_acled.py"), "--rows", "50"],
            stdout=out,
            check=True,
        )
    before = row_counts()

    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_acled", str(path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        capture_output=True,
        check=True,
    )

    after = row_counts()
    for table in ["events_event", "sources_claim", "events_import_snapshot", "pghistory_context"]:
        assert after[table] > before[table], table
