"""A backup restores into a fresh database with every record and every history row."""

from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path

import pghistory
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from core.backup import audited_tables, connect, record_counts
from core.database_url import database_url
from events.models import Event

# pg_dump reads committed rows only.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def empty_database():
    """A new, empty database on the same server, dropped afterwards."""
    settings = dict(connection.settings_dict)
    name = f"ckb_restore_{uuid.uuid4().hex[:8]}"
    admin = connect({**settings, "NAME": "postgres"})
    admin.autocommit = True
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**settings, "NAME": name}
    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def test_a_restored_backup_has_every_record_and_every_history_row(
    committed_idlib, reviewer, empty_database, tmp_path: Path
):
    with pghistory.context(user=reviewer.pk):
        Event.objects.filter(status="draft").update(status="published")
    with connection.cursor() as cursor:
        before = record_counts(cursor, audited_tables())
    assert before["events_eventevent"] > before["events_event"]  # the publication is history

    dump = tmp_path / "conflictkb.dump"
    call_command("backup", str(dump), stdout=StringIO())
    out = StringIO()
    call_command("restore", str(dump), into=database_url(name=empty_database["NAME"]), stdout=out)

    with connect(empty_database) as restored, restored.cursor() as cursor:
        after = record_counts(cursor, audited_tables())
        airstrike = cursor.execute(
            "SELECT contested, fatalities_best FROM events_event WHERE title = %s",
            ["Russian airstrikes on Idlib"],
        ).fetchone()
    assert after == before
    assert airstrike == (True, 13)
    assert f"Restored {sum(before.values())} rows" in out.getvalue()


def test_restoring_into_a_database_that_is_not_empty_is_refused(tmp_path: Path):
    dump = tmp_path / "conflictkb.dump"
    call_command("backup", str(dump), stdout=StringIO())
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(dump), into=database_url())
