"""A short load run in the suite: 8 readers and 2 writers under gunicorn, nothing lost.
`manage.py load_test` runs the same for 60 s (README, Security).

The site runs as production runs it: as a login role that does not own the tables and may only
read the audit trail (``manage.py grant_app_role``); every write is still recorded with its
writer, through the context the site signs."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from api.loadtest import gunicorn, run_load, verify_writes
from api.management.commands.load_test import prepare
from core.database_url import database_url

# gunicorn's workers read committed rows: the data must be committed.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def site_role() -> Iterator[str]:
    role = f"ckb_site_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)).as_string())
    call_command("grant_app_role", role, stdout=io.StringIO())
    yield role
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role]
        )
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)).as_string())
        cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)).as_string())


def test_concurrent_readers_and_writers_get_no_errors_and_every_write_is_audited(
    committed_idlib, site_role
):
    token, template, pages, user = prepare()
    with gunicorn(database_url(), workers=2, as_role=site_role) as base:
        result = run_load(base, token=token, claim_template=template, event_paths=pages, seconds=5)
        with connection.cursor() as cursor:  # the workers' connections are the role's
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", [site_role])
            assert cursor.fetchone()[0] >= 1
    assert result.failures == []
    assert sum(result.reads.values()) > 50
    assert len(result.created) > 5
    assert verify_writes(result, user.pk) == (len(result.created), len(result.created))
