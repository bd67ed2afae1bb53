"""Events per status, first and last day and date precision (EventDaySpan), kept by the
database whoever writes the events; the timeline's histogram of a selection narrowed by dates
alone reads them and must draw what the events draw."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.filters import EventFilter
from events.models import DatePrecision, Event, EventDaySpan
from events.views import histogram
from tests.factories import ClaimFactory, EventFactory

pytestmark = pytest.mark.django_db

SPAN_KEY = ("status", "start_date", "end_date", "date_precision")


def spans() -> dict[tuple[object, ...], int]:
    return {
        tuple(getattr(span, key) for key in SPAN_KEY): span.events
        for span in EventDaySpan.objects.all()
    }


def counted_from_events() -> dict[tuple[object, ...], int]:
    counts: dict[tuple[object, ...], int] = {}
    for row in Event.objects.values_list(*SPAN_KEY):
        counts[row] = counts.get(row, 0) + 1
    return counts


def day(n: int) -> datetime.date:
    return datetime.date(2018, 9, n)


def test_the_spans_follow_every_kind_of_write():
    first = EventFactory(start_date=day(4))
    second = EventFactory(start_date=day(4))
    EventFactory(start_date=day(5), end_date=day(7), date_precision=DatePrecision.WEEK)
    assert spans() == counted_from_events()
    assert spans()[("published", day(4), day(4), DatePrecision.DAY)] == 2

    first.start_date = first.end_date = day(6)  # moved to another day (a save)
    first.save()
    second.status = "draft"
    second.save()
    assert spans() == counted_from_events()
    assert ("published", day(4), day(4), DatePrecision.DAY) not in spans()  # no row of 0

    ClaimFactory(event=first, value_best=7)  # the figures' update moves no event
    Event.objects.filter(start_date__lt=day(6)).update(start_date=day(3))  # one statement
    Event.objects.filter(pk=second.pk).delete()
    assert spans() == counted_from_events()
    Event.objects.all().delete()
    assert spans() == {}


def test_the_spans_follow_an_update_written_in_sql():
    events = [EventFactory(start_date=day(n % 3 + 1)) for n in range(9)]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET start_date = start_date + 1, end_date = end_date + 1 "
            "WHERE id = ANY(%s)",
            [[event.pk for event in events[:4]]],
        )
    assert spans() == counted_from_events()


@pytest.mark.parametrize(
    "dates",
    [
        {},
        {"date_from": "2018-09-04"},
        {"date_to": "2018-09-05"},
        {"date_from": "2018-09-01", "date_to": "2018-09-06"},
        {"date_from": "2017-01-01", "date_to": "2018-12-31"},
    ],
)
def test_the_histogram_of_the_spans_is_the_histogram_of_the_events(idlib, superuser, dates):
    def chart(queryset):
        filtered = EventFilter(dates, queryset=queryset).qs
        first, last = (
            datetime.date.fromisoformat(dates[key]) if key in dates else None
            for key in ("date_from", "date_to")
        )
        return histogram(filtered, first, last)

    for user in (None, superuser):
        events = Event.objects.visible_to(user)
        from_events = chart(events)
        from_spans = chart(EventDaySpan.objects.visible_to(user))
        assert from_events.total > 0
        assert from_spans == from_events


def test_the_timeline_counts_a_date_range_from_the_spans_and_other_filters_from_events(idlib):
    client = Client()
    for query, spans_read in (
        ({"date_from": "2018-09-04"}, True),
        ({}, True),
        ({"date_from": "2018-09-04", "contested": "true"}, False),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", query)
        assert response.status_code == 200
        read = any("events_event_day_span" in query["sql"] for query in queries.captured_queries)
        assert read == spans_read, query
        matching = EventFilter(query, queryset=Event.objects.published()).qs
        assert response.context["total"] == matching.count() > 0
