"""Writing events as ACLED and UCDP GED CSV (``export_acled``, ``export_ucdp``), filtered like
the timeline. The layouts are defined once, in ``interchange.layouts``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TextIO

from django.db.models import QuerySet

from core.spreadsheets import csv_writer
from events.filters import EventFilter
from events.models import Event
from interchange.downloads import write_rows
from interchange.layouts import ACLED, UCDP, Layout, event_records

BATCH = 500

# What the two layouts read of an event, and no more. Whole records, with their search
# vectors, timestamps and the claims' subjects and claimants the API shows, made an export of
# 100,000 events take 43 s, twice an import's time.
EVENT_FIELDS = [
    *("uuid", "acled_id", "ucdp_id", "title", "summary", "start_date", "end_date"),
    *("date_precision", "geo_precision", "fatalities_low", "fatalities_best", "fatalities_high"),
    *("contested", "source_count", "updated_at"),
    *("staff_fatalities_low", "staff_fatalities_best", "staff_fatalities_high"),
    *("staff_contested", "staff_source_count", "location__status"),
    *("event_type__slug", "event_type__disorder_type", "event_type__acled_event_type"),
    *("event_type__acled_sub_event_type", "event_type__parent__slug"),
    *("location__name", "location__kind", "location__path", "location__country_code"),
    *("location__latitude", "location__longitude"),
]


class FilterError(ValueError):
    pass


def filtered_events(filters: dict[str, Any], *, with_drafts: bool) -> QuerySet[Event]:
    """Events chosen by the timeline's own FilterSet, from command-line style options."""
    user = SimpleNamespace(is_staff=with_drafts, is_authenticated=with_drafts)
    data = {name: value for name, value in filters.items() if value not in (None, "")}
    events = Event.objects.visible_to(user)
    event_filter = EventFilter(data=data, queryset=events, request=SimpleNamespace(user=user))
    if not event_filter.is_valid():
        raise FilterError(
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in event_filter.errors.items()
            )
        )
    return event_filter.qs.order_by("start_date", "pk")


def write_layout(out: TextIO, events: QuerySet[Event], *, user: Any, layout: Layout) -> int:
    """Writes the events in ``layout`` to ``out``; the number of events written."""
    events = (
        events.select_related("event_type__parent", "location").only(*EVENT_FIELDS).as_seen_by(user)  # type: ignore[attr-defined]
    )
    records = event_records(events, user, layout=layout, chunk_size=BATCH)
    lines = write_rows(csv_writer(out, lineterminator="\n"), layout, records)
    return sum(1 for _ in lines) - 1  # (the header)


def write_acled(out: TextIO, events: QuerySet[Event], *, user: Any) -> int:
    return write_layout(out, events, user=user, layout=ACLED)


def write_ucdp(out: TextIO, events: QuerySet[Event], *, user: Any) -> int:
    return write_layout(out, events, user=user, layout=UCDP)
