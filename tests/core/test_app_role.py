"""The role the site runs as can write data but cannot write, rewrite or silence the audit trail.

Every statement here runs as that role (``SET LOCAL ROLE``) on the test's PostgreSQL server,
as an attacker holding the site's database credentials would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pghistory
import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction
from psycopg import sql

from actors.models import Actor
from core.audit import context_key
from core.management.commands.grant_app_role import audit_tables
from interchange.matching import search
from tests.api.fixtures import API_URLS, results
from tests.factories import ActorFactory, EventFactory, LocationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_role():
    role = f"ckb_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)).as_string())
    call_command("grant_app_role", role, stdout=None)
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)).as_string())
        cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)).as_string())


def set_local_role(cursor, role: str) -> None:
    cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)).as_string())


def as_role(role: str, statement: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        set_local_role(cursor, role)
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
        set_local_role(cursor, app_role)
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [every_trigger])
        cursor.execute("UPDATE actors_actor SET description = 'unseen?' WHERE id = %s", [actor.pk])
    assert "update_update" in every_trigger
    assert actor.audit_events.filter(pgh_label="update", description="unseen?").exists()


FORGED_AUDIT_ROW = """
    INSERT INTO events_eventevent
    SELECT (jsonb_populate_record(NULL::events_eventevent, to_jsonb(audit) || jsonb_build_object(
        'pgh_id', (SELECT max(pgh_id) + 1 FROM events_eventevent),
        'pgh_label', %s, 'pgh_created_at', %s::timestamptz
    ))).*
    FROM events_eventevent AS audit WHERE pgh_obj_id = %s LIMIT 1
"""


@pytest.mark.parametrize(
    ("label", "when"),
    [("delete", "now"), ("update", "2018-09-04 08:00+03")],
    ids=["a deletion of a live event", "a back-dated update"],
)
@pytest.mark.urls(API_URLS)
def test_the_app_role_cannot_insert_an_audit_row(app_role, anon_client, label, when):
    event = EventFactory(title="Russian airstrikes on Idlib", status="published")
    with pytest.raises(ProgrammingError, match="permission denied for table events_eventevent"):
        as_role(app_role, FORGED_AUDIT_ROW, [label, when, event.pk])
    assert list(event.audit_events.values_list("pgh_label", flat=True)) == ["insert"]
    # Mirrors read deletions from the feed: it announces none.
    assert results(anon_client.get("/api/v1/deleted/", {"since": "2018-01-01T00:00Z"})) == []


def test_the_app_role_cannot_reattribute_a_change(app_role, editor, reviewer):
    with pghistory.context(user=editor.pk, url="/admin/actors/actor/add/"):
        actor = ActorFactory(name="Hay'at Tahrir al-Sham")
    context = actor.audit_events.get().pgh_context
    with pytest.raises(ProgrammingError, match="permission denied for table pghistory_context"):
        as_role(
            app_role,
            "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{user}', %s::jsonb)",
            [str(reviewer.pk)],
        )
    context.refresh_from_db()
    assert context.metadata["user"] == editor.pk


def forged_context(cursor, user_id: int, signature: Callable[[str, str], str] | None) -> None:
    context_id, metadata = str(uuid.uuid4()), f'{{"user": {user_id}}}'
    cursor.execute(
        "SELECT set_config('pghistory.context_id', %s, true),"
        " set_config('pghistory.context_metadata', %s, true),"
        " set_config('ckb.context_signature', %s, true)",
        [context_id, metadata, signature(context_id, metadata) if signature else ""],
    )


def signed_for_another_session(context_id: str, metadata: str) -> str:
    # A signature read from another session (pg_stat_activity shows the site's statements).
    from core.audit import context_signature

    return context_signature(context_id, metadata, connection.connection.info.backend_pid + 1)


def signed_with_a_guessed_key(context_id: str, metadata: str) -> str:
    import hashlib
    import hmac

    message = f"{context_id}\n{metadata}\n{connection.connection.info.backend_pid}".encode()
    return hmac.new(context_key("guessed"), message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "signature",
    [None, signed_for_another_session, signed_with_a_guessed_key],
    ids=["unsigned", "replayed from another session", "signed with a guessed key"],
)
@pytest.mark.parametrize("as_app_role", [True, False], ids=["app role", "owner"])
def test_a_change_cannot_be_recorded_under_a_user_chosen_in_sql(
    app_role, reviewer, signature, as_app_role
):
    actor = ActorFactory(name="Free Syrian Army")
    with transaction.atomic(), connection.cursor() as cursor:
        if as_app_role:
            set_local_role(cursor, app_role)
        forged_context(cursor, reviewer.pk, signature)
        refused = "the audit context of this change was not set by the site"
        with pytest.raises(ProgrammingError, match=refused), transaction.atomic():
            cursor.execute(
                "UPDATE actors_actor SET description = 'forged' WHERE id = %s", [actor.pk]
            )
    actor.refresh_from_db()
    assert actor.description == ""
    assert list(actor.audit_events.values_list("pgh_label", flat=True)) == ["insert"]


def test_the_site_running_as_the_app_role_records_who_made_a_change(app_role, editor):
    actor = ActorFactory(name="Free Syrian Army")
    with transaction.atomic(), pghistory.context(user=editor.pk, url="/admin/"):
        with connection.cursor() as cursor:
            set_local_role(cursor, app_role)
        Actor.objects.filter(pk=actor.pk).update(description="FSA")
    change = actor.audit_events.get(pgh_label="update")
    assert change.pgh_context.metadata == {"user": editor.pk, "url": "/admin/"}


def test_the_audit_functions_write_as_the_owner_and_the_app_role_cannot_call_them(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE prosecdef"
            " AND proconfig = '{\"search_path=pg_catalog, public, pg_temp\"}')"
            " FROM pg_proc WHERE prorettype = 'trigger'::regtype"
            " AND prosrc LIKE '%%_pgh_attach_context()%%'"
        )
        functions, as_owner = cursor.fetchone()
    assert functions == 3 * len(audit_tables())  # insert, update and delete on each
    assert as_owner == functions
    for statement in ("SELECT _pgh_attach_context()", "SELECT key FROM ckb_private.audit_keys"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            as_role(app_role, statement)


def test_the_app_role_runs_a_candidate_search_in_its_own_schema_and_leaves_no_table(app_role):
    """An import from the admin runs the search as the site's role: its working tables are
    made in ckb_search, the only schema the role may create in, and dropped at the end."""
    place, actor = LocationFactory(), ActorFactory(name="Military Forces of Russia (2000-)")
    events = [EventFactory(location=place) for _ in range(2)]
    for event in events:
        ParticipationFactory(event=event, actor=actor)
    with transaction.atomic(), connection.cursor() as cursor:
        set_local_role(cursor, app_role)
        search(cursor, "SELECT id FROM events_event")
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'ckb_search'")
        (left,) = cursor.fetchone()
        cursor.execute("SELECT event_a_id, event_b_id FROM events_eventcandidate")
        found = cursor.fetchall()
    assert left == 0
    assert found == [tuple(sorted(event.pk for event in events))]


def test_the_app_role_cannot_create_tables_beside_the_data(app_role):
    with pytest.raises(ProgrammingError, match="permission denied for schema public"):
        as_role(app_role, "CREATE TABLE public.planted (id int)")
