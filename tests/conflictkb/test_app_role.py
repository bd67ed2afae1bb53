"""The role the site runs as can write data but cannot rewrite or silence the audit trail."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction

from actors.models import Actor
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_role():
    role = f"ckb_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_app_role", role, stdout=None)
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def as_role(role: str, statement: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params or [])


def test_the_app_role_writes_data_and_its_changes_are_audited(app_role):
    actor = ActorFactory(name="Free Syrian Army")
    as_role(app_role, "UPDATE actors_actor SET description = 'FSA' WHERE id = %s", [actor.pk])
    assert Actor.objects.get(pk=actor.pk).description == "FSA"
    assert actor.audit_events.filter(pgh_label="update").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE actors_actorevent SET name = 'rewritten'",
        "DELETE FROM actors_actorevent",
        "TRUNCATE actors_actorevent",
        "DELETE FROM pghistory_context",
        "ALTER TABLE actors_actor DISABLE TRIGGER ALL",
        "TRUNCATE actors_actor CASCADE",
    ],
)
def test_the_app_role_cannot_rewrite_or_silence_the_audit_trail(app_role, statement):
    ActorFactory()
    with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
        as_role(app_role, statement)


def test_the_owner_is_refused_as_the_app_role():
    owner = connection.settings_dict["USER"] or "postgres"
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("grant_app_role", owner)


def test_the_app_role_cannot_skip_the_audit_triggers_with_pgtriggers_session_setting(app_role):
    # pgtrigger lets a session name triggers to skip (SET pgtrigger.ignore); any role may set
    # it, so the audit triggers do not read it.
    actor = ActorFactory(name="Free Syrian Army")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(tgname)::text FROM pg_trigger"
            " WHERE tgrelid = 'actors_actor'::regclass AND NOT tgisinternal"
        )
        every_trigger = cursor.fetchone()[0]
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [every_trigger])
        cursor.execute("UPDATE actors_actor SET description = 'unseen?' WHERE id = %s", [actor.pk])
    assert "update_update" in every_trigger
    assert actor.audit_events.filter(pgh_label="update", description="unseen?").exists()
