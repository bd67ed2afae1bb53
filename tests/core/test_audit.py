"""Nothing escapes the audit trail: saves, bulk updates and deletes, with who did them."""

from __future__ import annotations

import pghistory
import pgtrigger
import pytest
from django.db import connection
from django.urls import reverse
from pghistory.models import Events

from actors.models import Actor
from core.management.commands.grant_app_role import audit_tables
from events.models import Event, EventType
from tests.factories import ActorFactory, ClaimFactory, EventFactory

pytestmark = pytest.mark.django_db


def labels(obj) -> list[str]:
    return list(Events.objects.tracks(obj).order_by("pgh_id").values_list("pgh_label", flat=True))


def test_a_save_is_recorded_with_the_acting_user(editor):
    with pghistory.context(user=editor.pk, url="/admin/actors/actor/add/"):
        actor = ActorFactory(name="Free Syrian Army")
    event = Events.objects.tracks(actor).get()
    assert event.pgh_label == "insert"
    assert event.pgh_data["name"] == "Free Syrian Army"
    assert event.pgh_context == {"user": editor.pk, "url": "/admin/actors/actor/add/"}


def test_a_bulk_queryset_update_is_recorded_row_by_row(reviewer):
    first, second = ActorFactory(), ActorFactory()
    with pghistory.context(user=reviewer.pk):
        Actor.objects.filter(pk__in=[first.pk, second.pk]).update(description="Rebel coalition")
    for actor in (first, second):
        update = Events.objects.tracks(actor).filter(pgh_label="update").get()
        assert update.pgh_data["description"] == "Rebel coalition"
        assert update.pgh_context["user"] == reviewer.pk


def test_a_delete_is_recorded_and_keeps_the_last_state():
    claim = ClaimFactory(quote="killed 13 civilians")
    claim_pk = claim.pk
    claim.delete()
    deleted = Events.objects.filter(pgh_obj_model="sources.Claim", pgh_obj_id=str(claim_pk))
    assert list(deleted.order_by("pgh_id").values_list("pgh_label", flat=True)) == [
        "insert",
        "delete",
    ]
    assert deleted.get(pgh_label="delete").pgh_data["quote"] == "killed 13 civilians"


def test_derived_figures_do_not_flood_an_events_history():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)  # recomputes the event's figures by trigger
    assert labels(event) == ["insert"]


def test_the_admin_records_the_editor_and_shows_the_diff(editor_client, editor):
    event = EventFactory(title="Russian airstrikes on Idlib", status="draft")
    url = reverse("admin:events_event_change", args=[event.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    form = {
        "title": "Russian air strikes on Idlib governorate",
        "summary": "",
        "event_type": event.event_type_id,
        "start_date": "2018-09-04",
        "end_date": "2018-09-04",
        "date_precision": 1,
        "location": event.location_id,
        "geo_precision": 4,
        "fatality_rule": "range",
        "acled_id": "",
        "ucdp_id": "",
    }
    for prefix in ("participations", "relations_from", "claims"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    update = Events.objects.tracks(event).filter(pgh_label="update").get()
    assert update.pgh_context == {"user": editor.pk, "url": url}

    history = editor_client.get(reverse("admin:events_event_history", args=[event.pk]))
    html = history.content.decode()
    assert "Russian airstrikes on Idlib" in html  # before
    assert "Russian air strikes on Idlib governorate" in html  # after
    assert ">editor<" in html.replace("\n", "").replace(" ", "")
    assert f"{event.location.name} (#{event.location_id})" in html  # names, not bare ids


def test_the_history_page_runs_the_same_queries_for_one_change_or_fifty(
    editor_client, editor, reviewer, django_assert_num_queries
):
    def history_of(event: Event) -> int:
        url = reverse("admin:events_event_history", args=[event.pk])
        with django_assert_num_queries(9):
            # the session, the user, the event, the user's permissions and their groups'
            # permissions, the audit events (one union over the event tables), the users
            # named in them, then names for the event's type and place (its foreign keys)
            response = editor_client.get(url)
        assert response.status_code == 200
        return response.content.decode().count('<tr class="audit-')

    with pghistory.context(user=editor.pk):
        quiet, busy = EventFactory(), EventFactory()
    for n in range(50):
        with pghistory.context(user=(editor, reviewer)[n % 2].pk):
            Event.objects.filter(pk=busy.pk).update(summary=f"revision {n}")
    assert history_of(quiet) == 1
    assert history_of(busy) == 51


def test_the_history_of_a_place_shows_its_list_of_spellings(superuser, client):
    from tests.factories import LocationFactory

    place = LocationFactory(name="Idlib", alternate_names=["Idleb"])
    place.alternate_names = ["Idleb", "إدلب"]
    place.save()
    client.force_login(superuser)
    response = client.get(reverse("admin:events_location_history", args=[place.pk]))
    assert response.status_code == 200
    assert "إدلب" in response.content.decode()


# Tables that are not the knowledge base's records, each with the reason it has no audit trail.
NOT_AUDITED = {
    "auth_group": "editor and reviewer groups: created by migrations, not edited",
    "auth_group_permissions": "the groups' permissions: set by migrations",
    "auth_permission": "Django's permission list, written by migrate",
    "auth_user": "accounts: their admin changes are in django_admin_log",
    "auth_user_groups": "account roles: their admin changes are in django_admin_log",
    "auth_user_user_permissions": "account permissions: in django_admin_log",
    "authtoken_token": "API tokens: the key is a secret that an audit copy would leak",
    "conflictkb_cache": "the shared cache: sign-in and API rate counters, not records",
    "conflictkb_data_change": "the data version counter, moved by the audited writes",
    "django_admin_log": "the admin's own log",
    "django_content_type": "Django's model list, written by migrate",
    "django_migrations": "migrate's bookkeeping",
    "django_session": "sign-in sessions",
    "events_event_day_span": "how many events share a status and days, derived by triggers",
    "events_event_sides": "each event's first actors as readers see them, derived by triggers",
    "events_import_edit": "which imported events an editor changed, derived by triggers",
    "events_import_snapshot": "the last import of each dataset row, written with it",
    "pghistory_context": "the audit trail itself: who made each change",
}


def test_every_table_is_audited_or_named_with_a_reason():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT tables.relname,
                   array_agg(DISTINCT triggers.tgtype & 28 ORDER BY triggers.tgtype & 28)
                       FILTER (WHERE functions.prosrc LIKE '%%_pgh_attach_context()%%')
            FROM pg_class AS tables
            JOIN pg_namespace ON pg_namespace.oid = tables.relnamespace
            LEFT JOIN pg_trigger AS triggers ON triggers.tgrelid = tables.oid
            LEFT JOIN pg_proc AS functions ON functions.oid = triggers.tgfoid
            WHERE pg_namespace.nspname = 'public' AND tables.relkind IN ('r', 'p')
            GROUP BY tables.relname
            """
        )
        triggers = dict(cursor.fetchall())
    audited = {table: kinds for table, kinds in triggers.items() if table not in audit_tables()}
    # tgtype bits: 4 insert, 8 delete, 16 update.
    unaudited = {table for table, kinds in audited.items() if kinds != [4, 8, 16]}
    assert unaudited == set(NOT_AUDITED)
    assert "events_eventtype" in audited
    assert len(audited) - len(NOT_AUDITED) == 14  # with merges and merge candidates


def test_a_reviewers_edit_of_an_event_type_is_recorded(reviewer_client, reviewer):
    offensive = EventType.objects.get(slug="offensive")  # ConflictKB's own, from migrations
    with pghistory.context(user=reviewer.pk, url="/admin/events/eventtype/"):
        offensive.acled_sub_event_type = "Government regains territory"
        offensive.save()
    change = offensive.audit_events.get(pgh_label="update")
    assert (change.acled_sub_event_type, change.pgh_context.metadata["user"]) == (
        "Government regains territory",
        reviewer.pk,
    )


def test_the_sql_conflictkb_changes_in_pgtrigger_and_pghistory_is_still_there_to_change():
    """core/audit.py edits pgtrigger's trigger template and pghistory's statement trigger
    (why: each edit's docstring). It checks their shapes when the SQL is built; this test
    builds it, so a release of either that moved the SQL fails here, not in a migration."""
    from core.audit import AS_OWNER, UnskippableTriggerSql

    audit_triggers = [
        trigger.compile(model)
        for model, trigger in pgtrigger.registered()
        if model is EventType and trigger.name in {"insert_insert", "update_update"}
    ]
    assert len(audit_triggers) == 2
    for compiled in audit_triggers:
        assert isinstance(compiled.sql, UnskippableTriggerSql)
        template = compiled.sql.get_template()
        assert "ignore_func_name}(TG_NAME)" not in template  # pgtrigger.ignore cannot skip it
        assert f"$$ LANGUAGE plpgsql {AS_OWNER};" in template
        # The context is attached only when the statement changed rows.
        assert "WHERE EXISTS (SELECT FROM _pgh_rows)" in compiled.sql.kwargs["func"]
