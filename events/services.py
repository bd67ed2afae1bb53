"""Writes about events that the database does not do by itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from events.models import Event


def event_recompute_figures(*, events: Iterable[Event | int]) -> None:
    """Recompute the fatality range, contested flag and evidence counts of ``events``.

    Claim changes already do this through database triggers (sources/sql/fatality_rule.sql);
    call it after loading claims with triggers disabled, or to repair figures after a manual
    SQL fix.
    """
    event_ids = [event.pk if isinstance(event, Event) else event for event in events]
    with connection.cursor() as cursor:
        cursor.execute("SELECT ckb_recompute_event_figures(%s::bigint[])", [event_ids])
