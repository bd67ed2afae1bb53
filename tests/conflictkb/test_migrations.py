"""The models and the migrations agree: a model change without its migration fails here, not
on a deployment that migrates and finds the schema short of what the code expects."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail("A model change has no migration:\n" + out.getvalue())
    assert "No changes detected" in out.getvalue()
