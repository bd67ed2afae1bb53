"""A child process handed ``database_url()`` reaches the very database the parent uses, over
TCP (``DATABASE_URL``) and through the embedded server's socket folder alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from core.database_url import connection_url, database_url

PROJECT = Path(__file__).resolve().parents[2]
IDENTITY = "SELECT current_database(), pg_postmaster_start_time()::text, current_setting('port')"


def read_back(url: str) -> dict[str, object]:
    """What Django connects to when settings.py parses ``url``."""
    handler = ConnectionHandler({"default": dj_database_url.parse(url)})
    params = handler["default"].get_connection_params()
    return {key: params.get(key) for key in ("host", "port", "user", "password", "dbname")}


@pytest.mark.parametrize(
    "params",
    [
        # The embedded PostgreSQL: a socket folder and its port, no TCP.
        {"host": "/srv/ckb/.pgdata", "port": 5433, "user": "postgres", "dbname": "test_postgres"},
        # A server over TCP, with characters a URL must escape in the password and the name.
        {
            "host": "db.example",
            "port": 6432,
            "user": "ckb",
            "password": "p@ss:/w?#",
            "dbname": "c k",
        },
        {"host": "::1", "port": 5432, "user": "ckb", "dbname": "conflictkb"},
    ],
    ids=["socket-folder", "tcp-with-escapes", "ipv6"],
)
def test_dj_database_url_reads_the_url_back_to_the_same_connection(params):
    expected = {"password": None, **params}
    got = read_back(connection_url(params))
    assert {key: got[key] or None for key in expected} == expected


@pytest.mark.django_db
def test_a_child_process_given_the_url_connects_to_this_test_database_on_this_server():
    with connection.cursor() as cursor:
        cursor.execute(IDENTITY)
        here = list(cursor.fetchone())
    script = (
        "from django.db import connection\n"
        "import json\n"
        f"cursor = connection.cursor(); cursor.execute({IDENTITY!r})\n"
        "print(json.dumps(list(cursor.fetchone())))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=PROJECT,
        env=os.environ | {"DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == here
    assert here[0].startswith("test_")
