"""Concurrent readers and writers against a served site, then a check that nothing was lost.

Used by ``manage.py load_test`` (the documented 60-second run) and by the test suite (a few
seconds). Traffic goes to loopback only, and every loop stops at its deadline.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

PROJECT = Path(__file__).resolve().parent.parent
READ_PATHS = ["/", "/search/?q=Idleb", "/api/v1/events/", "/api/v1/events/?format=geojson"]


@dataclass
class LoadResult:
    reads: Counter[int] = field(default_factory=Counter)
    writes: Counter[int] = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def errors(self) -> int:
        return sum(n for status, n in (self.reads + self.writes).items() if status >= 400)


def _request(url: str, *, data: bytes | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # connection refused or reset: counted as a failed request
        return 599, str(error).encode()


def run_load(
    base_url: str,
    *,
    token: str,
    claim_template: dict[str, object],
    event_paths: list[str],
    seconds: float,
    readers: int = 8,
    writers: int = 2,
) -> LoadResult:
    """``readers`` threads read pages and API lists, ``writers`` threads record claims."""
    result = LoadResult()
    deadline = time.monotonic() + seconds
    paths = READ_PATHS + event_paths

    def read(worker: int) -> None:
        n = worker
        while time.monotonic() < deadline:
            path = paths[n % len(paths)]
            status, body = _request(base_url + path)
            with result.lock:
                result.reads[status] += 1
                if status >= 400:
                    result.failures.append(f"GET {path}: {status} {body[:200]!r}")
            n += 1

    def write(worker: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            claim = {**claim_template, "quote": f"Load test claim {worker}-{n}", "value_best": n}
            status, body = _request(
                base_url + "/api/v1/claims/", data=json.dumps(claim).encode(), token=token
            )
            with result.lock:
                result.writes[status] += 1
                if status == 201:
                    result.created.append(json.loads(body)["id"])
                else:
                    result.failures.append(f"POST claim: {status} {body[:200]!r}")
            n += 1

    threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
    threads += [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    database_url: str, *, workers: int = 4, as_role: str = "", **settings_env: str
) -> Iterator[str]:
    """The site under gunicorn with production settings, on a free loopback port.

    ``database_url`` is the owner's (migrate runs with it); ``as_role`` serves the site as
    another login role, as production does (``manage.py grant_app_role``). ``settings_env``:
    environment variables that override the defaults below.
    """
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",
        # The load is the point here: no throttling of the test clients.
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        **settings_env,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    # Deploying a site with a new key: migrate stores its key for signing audit contexts
    # (core/audit.py), keeping this process's own as a fallback so it can still write.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT,
        env=env | {"DJANGO_ENV": "development", "SECRET_KEY_FALLBACKS": settings.SECRET_KEY},
        check=True,
    )
    if as_role:
        parts = urlsplit(database_url)
        host = parts.netloc.rpartition("@")[2]
        env["DATABASE_URL"] = urlunsplit(parts._replace(netloc=f"{quote(as_role)}@{host}"))
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "conflictkb.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if _request(base + "/favicon.ico")[0] < 500:
                break
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def verify_writes(result: LoadResult, user_id: int) -> tuple[int, int]:
    """(claims present, claims whose insert is audited with the writer) among those created."""
    from sources.models import Claim

    created = Claim.objects.filter(uuid__in=result.created)
    audited = created.filter(
        audit_event__pgh_label="insert", audit_event__pgh_context__metadata__user=user_id
    ).distinct()
    return created.count(), audited.count()
