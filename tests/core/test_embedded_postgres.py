"""Without DATABASE_URL the project starts its own PostgreSQL, reuses it and never leaks it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from core.embedded_db import drop_dead_handles

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]

# Creates a table on first use and reports the server's PID and the table's row count.
PROBE = """
import django, os
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (n int)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    cursor.execute("SELECT pg_backend_pid(), count(*), version() FROM probe")
    backend, rows, version = cursor.fetchone()
import psutil
print(psutil.Process(backend).ppid(), rows, version.split()[1])
"""

HOLD = """
import django, sys, time
django.setup()
from django.db import connection
connection.ensure_connection()
print("ready", flush=True)
time.sleep(600)
"""


def embedded_env(pgdata: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"EMBEDDED_PGDATA": str(pgdata), "DJANGO_SETTINGS_MODULE": "conflictkb.settings"}


def run_probe(pgdata: Path) -> tuple[int, int, str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT,
        env=embedded_env(pgdata),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1]), out[2]


def postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().splitlines()[0])
    return pid if psutil.pid_exists(pid) else None


def wait_until_stopped(pgdata: Path, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postmaster_pid(pgdata) is None:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def pgdata(tmp_path: Path):
    folder = tmp_path / "pgdata"
    yield folder
    pid = postmaster_pid(folder)  # never leave a server behind, even when a test fails
    if pid:
        psutil.Process(pid).terminate()


def test_the_embedded_server_keeps_its_data_and_stops_after_the_last_process(pgdata):
    _first_server, rows, version = run_probe(pgdata)
    assert version.startswith("18")
    assert rows == 1
    assert wait_until_stopped(pgdata), "the server outlived the only process using it"
    _second_server, rows, _ = run_probe(pgdata)
    assert rows == 2  # the same data folder, reused
    assert wait_until_stopped(pgdata)


def test_a_running_server_is_reused_by_the_next_process(pgdata):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=PROJECT,
        env=embedded_env(pgdata),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        server = postmaster_pid(pgdata)
        assert run_probe(pgdata)[0] == server
        assert postmaster_pid(pgdata) == server  # still serving the holder
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert wait_until_stopped(pgdata), "SIGTERM must release the server like a normal exit"


def test_a_server_left_by_a_killed_process_is_reused_then_stopped(pgdata):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=PROJECT,
        env=embedded_env(pgdata),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "ready"
    server = postmaster_pid(pgdata)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    time.sleep(0.5)
    assert postmaster_pid(pgdata) == server  # orphaned, still registered to the dead PID
    assert holder.pid in json.loads((pgdata / ".handle_pids.json").read_text())

    assert run_probe(pgdata)[0] == server  # reused, not a second server on the same folder
    assert wait_until_stopped(pgdata), "the orphaned server was leaked"
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == []


def test_dropping_dead_handles_keeps_live_ones(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    dead = subprocess.Popen(["true"])
    dead.wait()
    handles.write_text(json.dumps([os.getpid(), dead.pid]))
    assert drop_dead_handles(tmp_path) == [dead.pid]
    assert json.loads(handles.read_text()) == [os.getpid()]
