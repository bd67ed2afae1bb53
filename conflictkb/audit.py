"""Audit trail: every insert, update and delete of every model, recorded by database triggers.

Triggers (django-pghistory) also see ``QuerySet.update()``, ``bulk_create`` and raw SQL, which
model signals would miss. The acting user and request URL come from
``pghistory.middleware.HistoryMiddleware`` or an explicit ``pghistory.context(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pghistory

M = TypeVar("M")


def audited(*, exclude: list[str] | None = None) -> Callable[[M], M]:
    """Track inserts, updates and deletes of a model.

    Trackers are built per model (sharing instances breaks makemigrations), and the history
    foreign key gets the reverse name ``audit_events`` because ``events`` is a domain relation.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        obj_field=pghistory.ObjForeignKey(
            related_name="audit_events", related_query_name="audit_event"
        ),
        exclude=exclude,
    )
