"""Audit trail: every insert, update and delete of every model, recorded by database triggers.

Triggers (django-pghistory) also see ``QuerySet.update()``, ``bulk_create`` and raw SQL, which
model signals would miss. The acting user and request URL come from
``pghistory.middleware.HistoryMiddleware`` or an explicit ``pghistory.context(...)``.

They cannot be switched off from a session (``UnskippableTriggerSql``). The triggers fire
once per statement, not once per row: each reads the statement's changed
rows from a transition table and writes their audit rows with one INSERT ... SELECT. A row
trigger runs a PL/pgSQL function and attaches the context for every row, which made auditing
most of the time of a bulk import (100,000 participations: 33 s audited row by row, 9.5 s by
statement, 6 s unaudited).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
import pghistory.config
import pghistory.runtime
import pgtrigger
import pgtrigger.compiler
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from pghistory.trigger import Event as PghistoryTrigger

from core import sql_files

M = TypeVar("M")

# How every audit function runs: as its owner, with a search path no caller can change.
AS_OWNER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"


class UnskippableTriggerSql(pgtrigger.compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without its escape hatch, writing as the tables' owner.

    pgtrigger's trigger functions return early when the session setting ``pgtrigger.ignore``
    names them. Any role may set a session setting, the site's own included, so a session of
    the site's role could write without being audited. The audit triggers leave the check out.

    The trigger function is ``SECURITY DEFINER``: it writes the audit rows as the role that
    owns it (the one that ran ``migrate``), so the role the site runs as needs, and gets from
    ``grant_app_role``, nothing but SELECT on the audit tables. Its ``search_path`` is fixed,
    as PostgreSQL asks of such functions, so a caller's schema cannot stand in for a table.
    """

    SKIP_CHECK = re.compile(
        r"IF \(\{ignore_func_name\}\(TG_NAME\) IS TRUE\) THEN.*?END IF;\s*END IF;", re.S
    )
    TRIGGER_FUNCTION_END = re.compile(
        r"(CREATE OR REPLACE FUNCTION \{pgid\}\(\).*?\$\$ LANGUAGE plpgsql)", re.S
    )

    def get_template(self) -> str:
        template = super().get_template()
        if (
            len(self.SKIP_CHECK.findall(template)) != 1
            or len(self.TRIGGER_FUNCTION_END.findall(template)) != 1
        ):  # pragma: no cover - a new pgtrigger
            raise RuntimeError("pgtrigger's trigger template changed shape; review audit.py")
        template = self.SKIP_CHECK.sub("", template)
        return self.TRIGGER_FUNCTION_END.sub(rf"\1 {AS_OWNER}", template)


class StatementAuditTrigger(PghistoryTrigger):
    """pghistory's statement-level trigger, attaching the context only when rows changed.

    pghistory's own statement trigger attaches (upserts) the request's context even when the
    statement changed nothing, e.g. an UPDATE that matched no row or changed none of the
    tracked fields, so a re-import that changes nothing would leave an empty context behind.
    Here the changed rows are selected first and the context is attached only if there are any.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(level=pgtrigger.Statement, **kwargs)

    def compile(self, model: Any) -> pgtrigger.compiler.Trigger:
        compiled = super().compile(model)
        return pgtrigger.compiler.Trigger(
            name=compiled.name, sql=UnskippableTriggerSql(**compiled.sql.kwargs)
        )

    # pghistory's SQL as this edit expects it: the context attached up front, then the changed
    # rows read from the transition table (new_values or old_values) under {cond_...}, the
    # placeholder pgtrigger fills with the update condition.
    ATTACH = "WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value )"
    CHANGED_ROWS = re.compile(r"FROM \( SELECT (\w+)\.\* FROM (\{cond_\1\}) \) AS \1")
    # The changed rows first; the context only if there are any (\1: the transition table).
    ATTACH_IF_CHANGED = (
        r"WITH _pgh_rows AS MATERIALIZED ( SELECT \1.* FROM \2 ), "
        "_pgh_attached_context AS ( SELECT _pgh_attach_context() AS value "
        "WHERE EXISTS (SELECT FROM _pgh_rows) )"
    )

    def get_func(self, model: Any) -> pgtrigger.Func:
        sql = super().get_func(model).func
        changed = self.CHANGED_ROWS.search(sql)
        if self.ATTACH not in sql or changed is None:  # pragma: no cover - a new pghistory
            raise RuntimeError("pghistory's statement trigger changed shape; review audit.py")
        sql = sql.replace(self.ATTACH, changed.expand(self.ATTACH_IF_CHANGED))
        return pgtrigger.Func(self.CHANGED_ROWS.sub(r"FROM _pgh_rows AS \1", sql))


class _ByStatement(pghistory.RowEvent):
    """Register a :class:`StatementAuditTrigger` instead of pghistory's row trigger."""

    def add_event_trigger(self, event_model: Any) -> None:
        pgtrigger.register(
            StatementAuditTrigger(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
            )
        )(event_model.pgh_tracked_model)


class InsertAudit(_ByStatement, pghistory.InsertEvent):
    pass


class UpdateAudit(_ByStatement, pghistory.UpdateEvent):
    pass


class DeleteAudit(_ByStatement, pghistory.DeleteEvent):
    pass


# The audit rows that can tell of a removal: a delete, or an update that unpublished.
REMOVAL_LABELS = ("update", "delete")


def audited(*, exclude: list[str] | None = None) -> Callable[[M], M]:
    """Track inserts, updates and deletes of a model.

    Trackers are built per model (sharing instances breaks makemigrations), and the history
    foreign key gets the reverse name ``audit_events`` because ``events`` is a domain relation.
    """

    def track(model: M) -> M:
        return pghistory.track(
            InsertAudit(),
            UpdateAudit(),
            DeleteAudit(),
            # The audit trail is read by object and by context (core/admin.py, the API's
            # deletions): those two keep their indexes. The copies of the model's own foreign
            # keys get none (PGHISTORY_FOREIGN_KEY_FIELD): nothing reads audit rows by them,
            # and every audited write paid for them (an import's 100,000 claims, eight each).
            obj_field=pghistory.ObjForeignKey(
                related_name="audit_events", related_query_name="audit_event", db_index=True
            ),
            context_field=pghistory.ContextForeignKey(db_index=True),
            exclude=exclude,
            meta={"indexes": [removals_index(model)]},
        )(model)

    return track


def removals_index(model: Any) -> models.Index:
    """The deletions feeds (``/api/v1/deleted/``, ACLED's ``/api/deleted/read``) read the
    updates and deletes since a time: by time, leaving out the inserts, every record's first
    row (at a million events, the feed read a million insert rows to find none)."""
    return models.Index(
        fields=["pgh_created_at"],
        condition=Q(pgh_label__in=REMOVAL_LABELS),
        name=f"{model.__name__.lower()[:14]}_audit_removals",
    )


# --- Who made a change: only the site can say --------------------------------------------
#
# pghistory records the request's user and address from two session settings that the site
# sets before each statement (pghistory.context_id, pghistory.context_metadata). Any SQL
# session may set them, so a session of the site's role could record its change under another
# user. The site therefore also sets ckb.context_signature: an HMAC of the context id, its
# metadata and the session's backend pid, under a key derived from SECRET_KEY. The database
# keeps the same keys (``migrate`` stores them) in a schema the site's role cannot read, and
# _pgh_attach_context (called by the audit triggers, as the owner) refuses a context whose
# signature does not match. The pid binds a signature to one session: one read from
# pg_stat_activity cannot be replayed from another. A statement without any context is
# recorded without a user, which is true.

# The statement that sets the signature, in the placeholder style of the statement it goes
# before: psycopg takes named or positional parameters, not both in one execute.
SIGN_NAMED = "SELECT set_config('ckb.context_signature', %(ckb__context_signature)s, true); "
SIGN_POSITIONAL = "SELECT set_config('ckb.context_signature', %s, true); "


@functools.lru_cache(maxsize=8)
def context_key(secret: str) -> bytes:
    """The key the site signs audit contexts with, derived from one of its secrets."""
    return salted_hmac(
        "conflictkb.audit.context", "key", secret=secret, algorithm="sha256"
    ).digest()


def context_signature(context_id: str, metadata: str, backend_pid: int) -> str:
    message = "\n".join((context_id, metadata, str(backend_pid))).encode()
    return hmac.new(context_key(settings.SECRET_KEY), message, hashlib.sha256).hexdigest()


def install_audit_guard(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After every ``migrate`` (as the owner): the signed _pgh_attach_context and its keys.

    Replaces pghistory's own function (PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE is off), and
    stores the keys of the secrets migrate ran with: SECRET_KEY, and SECRET_KEY_FALLBACKS so
    that during a key rotation the sites still on the old key keep writing.
    """
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    with connections[using].cursor() as cursor:
        cursor.execute(sql_files.read("core", "audit_guard.sql"))
        cursor.execute("DELETE FROM ckb_private.audit_keys")
        cursor.execute(
            "INSERT INTO ckb_private.audit_keys (key) SELECT DISTINCT unnest(%s::bytea[])",
            [[context_key(secret) for secret in secrets]],
        )


def signing_history_context(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """pghistory's execute wrapper, followed by the signature of the context it set.

    pghistory decides which statements carry the context and prepends its settings; where it
    did, the signature goes in front of them (after them would run after the statement).
    Installed in place of ``pghistory.runtime._inject_history_context`` (apps.py), which
    ``pghistory.context`` looks up each time it is entered.
    """

    def execute_signed(sql_with_context: Any, params_with_context: Any, *rest: Any) -> Any:
        if sql_with_context == sql:  # pghistory left this statement alone
            return execute(sql_with_context, params_with_context, *rest)
        tracked = pghistory.runtime._tracker.value
        metadata = json.dumps(tracked.metadata, cls=pghistory.config.json_encoder())
        pid = context["connection"].connection.info.backend_pid
        signature = context_signature(str(tracked.id), metadata, pid)
        is_bytes = isinstance(sql_with_context, bytes)
        text = sql_with_context.decode() if is_bytes else sql_with_context
        if isinstance(params_with_context, dict):
            text = SIGN_NAMED + text
            params_with_context = {**params_with_context, "ckb__context_signature": signature}
        else:
            text = SIGN_POSITIONAL + text
            params_with_context = (signature, *params_with_context)
        return execute(text.encode() if is_bytes else text, params_with_context, *rest)

    return PGHISTORY_INJECT_CONTEXT(execute_signed, sql, params, many, context)


PGHISTORY_INJECT_CONTEXT = pghistory.runtime._inject_history_context
