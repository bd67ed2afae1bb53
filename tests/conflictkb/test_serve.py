"""``make serve``: gunicorn with production settings, static files collected and served by
WhiteNoise, worker count and timeouts from gunicorn.conf.py."""

from __future__ import annotations

import gc
import os
import re
import runpy
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core.database_url import database_url

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]
# The tests run inside the project's own .venv: never let make reinstall it.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"]


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except OSError:
        return 0, b"", {}


def production_env(**extra: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k3y-" + "x7Qp" * 14,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "1",  # two cores, shared with the test run
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db
def test_make_serve_runs_the_site_under_gunicorn_with_hashed_static_files(tmp_path):
    port = free_port()
    access_log = (tmp_path / "access.log").open("w+b")
    # Its own process group, so that make and gunicorn stop together. Unthrottled: its API call
    # would otherwise leave a count in the test database's shared cache for later tests.
    server = subprocess.Popen(
        [*MAKE, "HOST=127.0.0.1", f"PORT={port}"],
        cwd=PROJECT,
        env=production_env(API_THROTTLE_ANON="off", API_THROTTLE_USER="off"),
        stdout=access_log,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            status, body, headers = get(base + "/")
            if status or server.poll() is not None:
                break
            time.sleep(0.1)
        assert status == 200, server.stderr.read().decode() if server.poll() is not None else ""
        assert "gunicorn" in headers.get("Server", "")
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, "production pages link the hashed copy of the stylesheet"
        status, css, headers = get(base + stylesheet.group(1).decode())
        assert status == 200
        assert css
        # WhiteNoise marks hashed files cacheable forever.
        assert "immutable" in headers["Cache-Control"]
        # An ACLED client's key and e-mail reach the site, not its access log.
        status, _, _ = get(base + "/api/acled/read?limit=1&key=S3CRET-KEY&email=me%40example.org")
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    access_log.seek(0)
    logged = access_log.read().decode()
    assert "/api/acled/read?limit=1&key=[redacted]&email=[redacted]" in logged
    assert "S3CRET" not in logged
    assert "example.org" not in logged


def test_make_serve_refuses_to_start_without_the_production_settings():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [*MAKE, "HOST=127.0.0.1", f"PORT={free_port()}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs these environment variables: SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("environment", "workers"),
    [({}, 2 * (os.cpu_count() or 1) + 1), ({"WEB_CONCURRENCY": "3"}, 3)],
)
def test_the_worker_count_is_two_per_core_plus_one_unless_web_concurrency_says(
    monkeypatch, environment, workers
):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert config["workers"] == workers
    assert config["timeout"] == 120
    assert config["wsgi_app"] == "conflictkb.wsgi:application"


def test_each_worker_freezes_the_loaded_application_out_of_full_garbage_collections():
    config = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](object())
        # Django and the app, imported by now, are no longer walked by every full collection.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
