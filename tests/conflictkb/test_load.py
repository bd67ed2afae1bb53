"""A short load run in the suite: 8 readers and 2 writers under gunicorn, nothing lost.
`manage.py load_test` runs the same for 60 s (README, Security)."""

from __future__ import annotations

import pytest

from conflictkb.database_url import database_url
from conflictkb.loadtest import gunicorn, run_load, verify_writes
from conflictkb.management.commands.load_test import prepare

# gunicorn's workers read committed rows: the data must be committed.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_readers_and_writers_get_no_errors_and_every_write_is_audited(committed_idlib):
    token, template, pages, user = prepare()
    with gunicorn(database_url(), workers=2) as base:
        result = run_load(base, token=token, claim_template=template, event_paths=pages, seconds=5)
    assert result.failures == []
    assert sum(result.reads.values()) > 50
    assert len(result.created) > 5
    assert verify_writes(result, user.pk) == (len(result.created), len(result.created))
