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

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
import pgtrigger
import pgtrigger.compiler
from pghistory.trigger import Event as PghistoryTrigger

M = TypeVar("M")


class UnskippableTriggerSql(pgtrigger.compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without its escape hatch.

    pgtrigger's trigger functions return early when the session setting ``pgtrigger.ignore``
    names them. Any role may set a session setting, the site's own included, so a session of
    the site's role could write without being audited. The audit triggers leave the check out.
    """

    SKIP_CHECK = re.compile(
        r"IF \(\{ignore_func_name\}\(TG_NAME\) IS TRUE\) THEN.*?END IF;\s*END IF;", re.S
    )

    def get_template(self) -> str:
        template = super().get_template()
        if len(self.SKIP_CHECK.findall(template)) != 1:  # pragma: no cover - a new pgtrigger
            raise RuntimeError("pgtrigger's trigger template changed shape; review audit.py")
        return self.SKIP_CHECK.sub("", template)


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

    def get_func(self, model: Any) -> pgtrigger.Func:
        sql = super().get_func(model).func
        # Fragments of pghistory's generated SQL (no outside input): the transition table's
        # name, and the {cond_...} placeholder pgtrigger fills with the update condition.
        rows = "new_values" if self.row == "NEW" else "old_values"
        attach = "WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value )"
        changed = f"FROM ( SELECT {rows}.* FROM {{cond_{rows}}} ) AS {rows}"  # noqa: S608
        if attach not in sql or changed not in sql:  # pragma: no cover - a new pghistory
            raise RuntimeError("pghistory's statement trigger changed shape; review audit.py")
        sql = sql.replace(
            attach,
            f"WITH _pgh_rows AS MATERIALIZED ( SELECT {rows}.* FROM {{cond_{rows}}} ), "  # noqa: S608
            "_pgh_attached_context AS ( SELECT _pgh_attach_context() AS value "
            "WHERE EXISTS (SELECT FROM _pgh_rows) )",
        ).replace(changed, f"FROM _pgh_rows AS {rows}")
        return pgtrigger.Func(sql)


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


def audited(*, exclude: list[str] | None = None) -> Callable[[M], M]:
    """Track inserts, updates and deletes of a model.

    Trackers are built per model (sharing instances breaks makemigrations), and the history
    foreign key gets the reverse name ``audit_events`` because ``events`` is a domain relation.
    """
    return pghistory.track(
        InsertAudit(),
        UpdateAudit(),
        DeleteAudit(),
        # The audit trail is read by object and by context (conflictkb/admin.py, the API's
        # deletions): those two keep their indexes. The copies of the model's own foreign keys
        # get none (PGHISTORY_FOREIGN_KEY_FIELD): nothing reads audit rows by them, and
        # every audited write paid for them (an import's 100,000 claims, eight each).
        obj_field=pghistory.ObjForeignKey(
            related_name="audit_events", related_query_name="audit_event", db_index=True
        ),
        context_field=pghistory.ContextForeignKey(db_index=True),
        exclude=exclude,
    )
