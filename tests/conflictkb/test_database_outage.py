"""With the database unreachable, pages answer a 503 page and the API a 503 JSON body, then
recover by themselves when it is back. The outage is real: the server refuses connections."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from core.database_url import database_url

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def site_on_its_own_database(db: None) -> Iterator[tuple[str, psycopg.Connection, str]]:
    """A migrated database on the test server, and the site served from it by runserver."""
    params = connection.get_connection_params()
    admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    name = f"ckb_outage_{uuid.uuid4().hex[:8]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "DATABASE_URL": database_url(name=name), "DJANGO_DEBUG": "false"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(base + "/favicon.ico")
                break
            except OSError:
                time.sleep(0.1)
        yield base, admin, name
    finally:
        server.terminate()
        server.wait(timeout=30)
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def take_down(admin: psycopg.Connection, name: str) -> None:
    admin.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
    )
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
    )


def test_pages_and_api_answer_503_while_the_database_is_down_and_recover(
    site_on_its_own_database,
):
    base, admin, name = site_on_its_own_database
    assert get(base + "/")[0] == 200
    assert get(base + "/api/v1/events/")[0] == 200

    take_down(admin, name)
    status, body, headers = get(base + "/")
    assert status == 503
    assert "ConflictKB is temporarily unavailable" in body
    assert "Traceback" not in body
    assert headers["Retry-After"] == "30"
    status, body, headers = get(base + "/api/v1/events/")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert body == '{"detail": "The database is unavailable. Please try again in a moment."}'
    # Downloads too: a 503 before the first byte, not a 200 with a header and a cut file.
    for export in ("/export/events.csv", "/export/events.geojson"):
        status, body, headers = get(base + export)
        assert (status, headers["Retry-After"]) == (503, "30"), export
        assert "ConflictKB is temporarily unavailable" in body

    admin.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))
    )
    assert get(base + "/")[0] == 200
    assert get(base + "/api/v1/events/")[0] == 200


@pytest.mark.parametrize("url", ["/export/events.csv", "/export/events.geojson"])
def test_a_download_cut_by_a_database_failure_is_not_a_well_formed_file(
    committed_idlib, monkeypatch, url
):
    from django.db import DatabaseError
    from django.test import Client

    from core.streaming import CUT_SHORT
    from interchange import downloads

    monkeypatch.setattr(downloads, "CHUNK_SIZE", 2)  # the database is read again mid-stream
    response = Client().get(url)
    assert response.status_code == 200  # the opening was read: the database was up
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])

    received: list[bytes] = []
    with pytest.raises(DatabaseError):  # raised to the server, which aborts the transfer
        received.extend(response.streaming_content)
    connection.close()
    body = b"".join(received).decode()
    assert body.endswith(CUT_SHORT)
    if url.endswith(".csv"):
        with pytest.raises(csv.Error, match="unexpected end of data"):
            list(csv.reader(io.StringIO(body), strict=True))
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
