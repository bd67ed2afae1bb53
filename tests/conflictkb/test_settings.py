"""Production settings refuse to start half-configured and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "x7Qp" * 14,
    "ALLOWED_HOSTS": "kb.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_names_each_missing_setting(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", EMBEDDED_PGDATA=str(tmp_path / "never-created"), **env)
    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs these environment variables: {missing}" in result.stderr
    assert not (tmp_path / "never-created").exists()  # no embedded server in production


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = manage("check", DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DJANGO_DEBUG", "true", "refuses DJANGO_DEBUG=true"),
        ("SECRET_KEY", "short-key", "refuses a weak SECRET_KEY"),
        ("SECRET_KEY", "ab" * 30, "refuses a weak SECRET_KEY"),
        ("SECRET_KEY", "django-insecure-" + "x7Qp" * 12, "refuses a weak SECRET_KEY"),
        ("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production", "weak SECRET_KEY"),
        ("SECRET_KEY_FALLBACKS", "old-short-key", "refuses a weak SECRET_KEY_FALLBACKS"),
    ],
)
def test_production_refuses_to_start_with_debug_or_a_weak_key(setting, value, message):
    result = manage("check", **(PRODUCTION | {setting: value}))
    assert result.returncode != 0
    assert message in result.stderr
    assert "System check" not in result.stdout


@pytest.mark.django_db
def test_the_site_s_connections_hash_in_memory_and_never_compile_queries():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == ("64MB", "off")
