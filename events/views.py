"""Pages for analysts: the timeline, an event, a place, the map and the exports."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, DateField, F, Model, QuerySet, Sum, Value
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThan, LessThan
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.views.generic import DetailView
from django_filters.views import FilterView

from core.data_version import cached_until_data_changes
from core.models import Row
from core.reader_cache import CachedForReaders
from events.disagreements import contested_because
from events.filters import EventFilter
from events.models import (
    DatePrecision,
    Event,
    EventDaySpan,
    Location,
)
from events.templatetags.conflictkb import date_span_label, fatality_range

PAGE_SIZE = 50
# Above this many days between the first and last event the histogram counts months, and
# from this many months, years: a bar stays wide enough to see and to tap.
DAILY_HISTOGRAM_MAX_DAYS = 62
MONTHLY_HISTOGRAM_MAX_MONTHS = 120
# The filters a selection's day spans answer (EventDaySpan): any other needs the events.
DATES = {"date_from", "date_to"}
MIN_HISTOGRAM_DAYS = 7
MAP_MARKER_LIMIT = 5000


QS = TypeVar("QS", bound=QuerySet[Any])


class PublicationMixin:
    """Anonymous visitors see published rows; staff also see drafts (marked in templates)."""

    request: HttpRequest

    def visible(self, queryset: QS) -> QS:
        return queryset.visible_to(self.request.user)  # type: ignore[attr-defined]


def admin_history_url(model: type[Model], pk: int) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])
    except NoReverseMatch:
        return None


# --- Timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the (start_date, id) order: the keyset the timeline pages on."""

    start_date: datetime.date
    pk: int

    def __str__(self) -> str:
        return f"{self.start_date.isoformat()}.{self.pk}"

    # A row comparison, (start_date, id) < (d, n), not an OR of columns: PostgreSQL then
    # starts the index scan on event_timeline at the cursor, so page 1,000 costs as page 1.
    def older(self) -> LessThan:
        return LessThan(Row(F("start_date"), F("pk")), Row(Value(self.start_date), Value(self.pk)))

    def newer(self) -> GreaterThan:
        return GreaterThan(
            Row(F("start_date"), F("pk")), Row(Value(self.start_date), Value(self.pk))
        )

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            day, pk = text.split(".", 1)
            return cls(datetime.date.fromisoformat(day), int(pk))
        except ValueError:
            return None


@dataclass
class Bar:
    label: str
    count: int
    date_from: datetime.date
    date_to: datetime.date
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0

    @property
    def description(self) -> str:
        return f"{self.label}: {self.count:,} event{'' if self.count == 1 else 's'}"


@dataclass
class Histogram:
    """The bars over the timeline, and what the caption must say about the events they count.

    Every filtered event is counted once, so ``total`` is the number of events in the list.
    """

    bars: list[Bar] = field(default_factory=list)
    unit: str = "day"
    total: int = 0
    # Events that overlap the range but began before date_from: counted in its first bar.
    began_before: int = 0
    # Events dated only to a month (on a day's bars) or a year (on a month's bars): counting them
    # on their first day or month would draw a spike that never happened, so they are in the
    # total and named in the caption instead.
    too_vague: int = 0
    vague_unit: str = "month"

    @property
    def busiest(self) -> int:
        return max((bar.count for bar in self.bars), default=0)


def histogram(
    events: QuerySet[Event] | QuerySet[EventDaySpan],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Histogram:
    """Events per day, or per month or year over long spans, from one GROUP BY query over the
    events or, for a selection narrowed by dates alone, over their day spans.

    ``date_from`` and ``date_to`` are the timeline's date filter, which selects the events
    overlapping it: the axis stays inside it and an event that began earlier is counted on its
    first day, so no bar lies outside the range and selecting a bar only ever narrows it.
    Days with no event are included (bars of height 0) so the axis is even.
    """
    first_day_in_range: Any = F("start_date")
    began_before: Any = Value(False)
    if date_from:
        since = Value(date_from, output_field=DateField())
        first_day_in_range = Greatest("start_date", since, output_field=DateField())
        began_before = LessThan(F("start_date"), since)
    rows = list(
        events.order_by()
        .annotate(day=first_day_in_range, began_before=began_before)
        .values_list("day", "date_precision", "began_before")
        .annotate(n=Sum("events") if events.model is EventDaySpan else Count("id"))
        .values_list("day", "date_precision", "began_before", "n")
    )
    if not rows:
        return Histogram()
    first, last = min(row[0] for row in rows), max(row[0] for row in rows)
    if (last - first).days <= DAILY_HISTOGRAM_MAX_DAYS:
        unit = "day"
    elif (last.year - first.year) * 12 + last.month - first.month < MONTHLY_HISTOGRAM_MAX_MONTHS:
        unit = "month"
    else:
        unit = "year"
    label_precision, vaguest_drawn, vague_unit = HISTOGRAM_UNITS[unit]
    result = Histogram(unit=unit, vague_unit=vague_unit)
    per_bucket: dict[datetime.date, int] = defaultdict(int)
    # One pass over the aggregate's rows (a few per day), not over events.
    for day, precision, began_early, n in rows:
        result.total += n
        if precision > vaguest_drawn:
            result.too_vague += n
            continue
        result.began_before += n if began_early else 0
        per_bucket[bucket_of(day, unit)] += n
    if unit == "day":
        first, last = widen_to_a_week(first, last, date_from, date_to)
    bucket = bucket_of(first, unit)
    while bucket <= last:
        following = bucket_after(bucket, unit)
        # The first and last months or years are cut to the filter, so their links never
        # widen it.
        start = max(bucket, date_from) if date_from else bucket
        end = following - datetime.timedelta(days=1)
        end = min(end, date_to) if date_to else end
        whole = start == bucket and end == following - datetime.timedelta(days=1)
        label = (
            date_span_label(bucket, None, label_precision)
            if whole
            else date_span_label(start, end, DatePrecision.DAYS)
        )
        result.bars.append(Bar(label, per_bucket[bucket], start, end))
        bucket = following
    tallest = result.busiest or 1
    width = 100 / len(result.bars)
    for i, bar in enumerate(result.bars):
        bar.x = round(i * width, 3)
        bar.width = round(width * 0.85, 3)  # a gap between bars
        bar.height = round(40 * bar.count / tallest, 2)
        bar.y = round(40 - bar.height, 2)
    return result


# Per unit: how its bars are labelled ("4 Sep 2018", "Sep 2018", "2018"), the vaguest date
# precision drawn on its bars, and what is too vague for them.
HISTOGRAM_UNITS = {
    "day": (DatePrecision.DAY, DatePrecision.WEEK, "month"),
    "month": (DatePrecision.MONTH, DatePrecision.MONTH, "year"),
    "year": (DatePrecision.YEAR, DatePrecision.YEAR, ""),
}


def bucket_of(day: datetime.date, unit: str) -> datetime.date:
    if unit == "day":
        return day
    return day.replace(day=1) if unit == "month" else day.replace(month=1, day=1)


def bucket_after(bucket: datetime.date, unit: str) -> datetime.date:
    if unit == "day":
        return bucket + datetime.timedelta(days=1)
    if unit == "month":
        return (bucket + datetime.timedelta(days=32)).replace(day=1)
    return bucket.replace(year=bucket.year + 1)


def widen_to_a_week(
    first: datetime.date,
    last: datetime.date,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> tuple[datetime.date, datetime.date]:
    """At least a week on the axis with the events in the middle, so one day is not one wide
    slab; but never past the date filter, whose outside the list does not show."""
    missing = MIN_HISTOGRAM_DAYS - ((last - first).days + 1)
    if missing <= 0:
        return first, last
    week = datetime.timedelta(days=MIN_HISTOGRAM_DAYS - 1)
    first -= datetime.timedelta(days=missing // 2)
    if date_from:
        first = max(first, date_from)
    last = max(last, first + week)
    if date_to:
        last = min(last, date_to)
    first = min(first, last - week)
    if date_from:
        first = max(first, date_from)
    return first, last


@dataclass
class DayGroup:
    label: str
    events: list[Event]


def group_by_date(events: Iterable[Event]) -> list[DayGroup]:
    """Consecutive events that share a date label ("4 Sep 2018", "Sep 2018") under one heading."""
    groups: list[DayGroup] = []
    for event in events:
        label = date_span_label(event.start_date, event.end_date, event.date_precision)
        if groups and groups[-1].label == label:
            groups[-1].events.append(event)
        else:
            groups.append(DayGroup(label, [event]))
    return groups


# A long search or name would push the rest of the folded panel's summary off a phone's screen.
SUMMARY_TEXT_LIMIT = 30


def active_filters(filterset: EventFilter) -> list[str]:
    """The filters in use, each in a few words ("actor HTS", "from 1 Sep 2018"), for the summary
    of the filter panel, which a phone shows folded. From the cleaned values the filtering
    already fetched: no query. Filters that could not be read are counted, to be corrected."""
    filterset.is_valid()  # an unbound form (no query string) has no cleaned_data
    data = getattr(filterset.form, "cleaned_data", {})

    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= SUMMARY_TEXT_LIMIT else text[: SUMMARY_TEXT_LIMIT - 1] + "…"

    described: list[str] = []
    if data.get("q", "").strip():
        described.append(f"words “{short(data['q'])}”")
    if data.get("actor", "").strip():
        narrowed = {"participant": " taking part", "named": " named in a claim"}
        described.append(
            f"actor {short(data['actor'])}{narrowed.get(data.get('actor_as') or '', '')}"
            + matched_names(filterset, "actor")
        )
    if data.get("claimant", "").strip():
        described.append(
            f"claimed by {short(data['claimant'])}" + matched_names(filterset, "claimant")
        )
    if data.get("place"):
        described.append(f"in {short(data['place'].name)}")
    if data.get("type"):
        described.append(short(data["type"].name))
    if data.get("date_from"):
        described.append(f"from {date_span_label(data['date_from'], None)}")
    if data.get("date_to"):
        described.append(f"to {date_span_label(data['date_to'], None)}")
    if data.get("contested") is not None:
        described.append("contested only" if data["contested"] else "not contested")
    if data.get("bbox"):
        described.append("in a map area")
    if data.get("min_fatalities") is not None:
        described.append(f"at least {int(data['min_fatalities']):,} killed")
    if data.get("updated_since"):
        described.append(f"changed since {date_span_label(data['updated_since'].date(), None)}")
    if filterset.errors:
        described.append(f"{len(filterset.errors)} to correct")
    return described


def matched_names(filterset: Any, name: str, shown: int = 5) -> str:
    """ " (matched A, B and 3 more)": which records a name filter found, so that an ambiguous
    or loosely spelled name says what it was taken to mean."""
    if filterset.errors:
        return ""
    filterset.qs  # noqa: B018 — builds the selection (once; cached), which finds the names
    names = filterset.matched.get(name, [])
    if not names:
        return " (matched nothing)"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f" (matched {', '.join(names[:shown])}{more})"


class FilteredEventsMixin(PublicationMixin):
    """The published (or, for staff, all) events narrowed by EventFilter from the query string."""

    filterset_class = EventFilter

    def get_queryset(self) -> QuerySet[Event]:
        return self.visible(Event.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["active_filters"] = active_filters(self.filterset)  # type: ignore[attr-defined]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        response = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        # Malformed filters: the page still renders, with each reason next to its field.
        if self.filterset.errors:  # type: ignore[attr-defined]
            response.status_code = 400
        return response


class TimelineView(CachedForReaders, FilteredEventsMixin, FilterView):
    template_name = "events/event_list.html"
    context_object_name = "events"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        filtered = self.object_list.order_by()
        words = self.filterset.form.cleaned_data.get("q") if self.filterset.is_valid() else ""
        by_relevance = bool(words) and self.request.GET.get("order") == "relevance"
        if by_relevance:
            rows, paging = self.best_matches()
        else:
            rows, paging = self.newest_first(filtered)
        chart = self.cached_histogram(filtered)
        context = super().get_context_data(**kwargs)
        context.update(
            events=rows,
            groups=[] if by_relevance else group_by_date(rows),
            words=words,
            by_relevance=by_relevance,
            histogram=chart,
            total=chart.total,
            filter_query=filter_query(self.request),
            **paging,
        )
        return context

    def cached_histogram(self, filtered: QuerySet[Event]) -> Histogram:
        """The filtered events' histogram; for readers, cached until the data changes.

        Its GROUP BY reads every matching event (a second at a million); the page of events
        beside it reads fifty. Staff see drafts and their own edits at once: never cached.
        """
        if self.filterset.is_bound and not self.filterset.is_valid():
            return histogram(filtered)
        data = self.filterset.form.cleaned_data if self.filterset.is_bound else {}

        def compute() -> Histogram:
            counted: QuerySet[Any] = filtered
            if {name for name, value in data.items() if value not in (None, "", [])} <= DATES:
                # The same filter over the events' day spans (EventDaySpan): a few rows a day.
                spans = self.visible(EventDaySpan.objects.all())
                counted = self.filterset_class(self.request.GET, queryset=spans).qs
            return histogram(counted, data.get("date_from"), data.get("date_to"))

        if getattr(self.request.user, "is_staff", False):
            return compute()
        key = "&".join(
            f"{name}={getattr(value, 'pk', value)}"
            for name, value in sorted(data.items())
            if value not in (None, "", [])
        )
        return cached_until_data_changes("timeline-histogram", key, compute)

    def newest_first(self, filtered: QuerySet[Event]) -> tuple[list[Event], dict[str, Any]]:
        """A page of the timeline, keyset-paged on (start_date, id) in either direction."""
        after = Cursor.parse(self.request.GET.get("after"))
        before = Cursor.parse(self.request.GET.get("before"))
        page = filtered.for_list(self.request.user)  # type: ignore[attr-defined]
        if before:
            # Newer events: walk forwards from the cursor, then show them newest first.
            page = page.filter(before.newer()).order_by("start_date", "pk")
            rows = list(page[: PAGE_SIZE + 1])
            has_newer, has_older = len(rows) > PAGE_SIZE, True
            rows = rows[:PAGE_SIZE][::-1]
        else:
            if after:
                page = page.filter(after.older())
            rows = list(page.order_by("-start_date", "-pk")[: PAGE_SIZE + 1])
            has_newer, has_older = after is not None, len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE]
        return rows, {
            "newer_cursor": Cursor(rows[0].start_date, rows[0].pk) if rows and has_newer else None,
            "older_cursor": Cursor(rows[-1].start_date, rows[-1].pk)
            if rows and has_older
            else None,
        }

    def best_matches(self) -> tuple[list[Event], dict[str, Any]]:
        """Events ranked by how well their words match (EventFilter orders by search_rank).

        Numbered pages: every match must be ranked before the first page is known, so an
        offset adds little to what ranking already costs.
        """
        try:
            number = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            number = 1
        start = (number - 1) * PAGE_SIZE
        ranked = self.object_list.for_list(self.request.user)
        rows = list(ranked[start : start + PAGE_SIZE + 1])
        return rows[:PAGE_SIZE], {
            "page_number": number,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if len(rows) > PAGE_SIZE else None,
        }


def filter_query(request: HttpRequest) -> str:
    """The filters of the current query string, without paging: for export and map links."""
    params = request.GET.copy()
    for key in ("after", "before", "page", "order"):
        params.pop(key, None)
    return params.urlencode()


# --- Event ----------------------------------------------------------------------------------


def to_kept_event(request: HttpRequest, absorbed: str) -> HttpResponsePermanentRedirect:
    """A merged event's address (page or API record) leads to the event it was merged into,
    the same view of it (format and query kept); 404 where there is none the user may see."""
    kept = Event.objects.visible_to(request.user).absorbing(absorbed).only("uuid").first()
    if kept is None:
        raise Http404("No event has this id.")
    # The id is replaced in the path alone: the query goes on as it was asked.
    path, mark, query = request.get_full_path().partition("?")
    return HttpResponsePermanentRedirect(path.replace(absorbed, str(kept.uuid)) + mark + query)


class EventDetailView(CachedForReaders, PublicationMixin, DetailView):
    model = Event
    slug_field = slug_url_kwarg = "uuid"
    template_name = "events/event_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            return to_kept_event(request, str(kwargs["uuid"]))

    def get_queryset(self) -> QuerySet[Event]:
        return self.visible(Event.objects.for_detail(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event: Event = self.object
        claims = list(event.claims.all())
        by_kind: dict[str, list[Any]] = {}
        for claim in claims:
            by_kind.setdefault(claim.get_kind_display(), []).append(claim)
        related = [(r.get_kind_display(), r.to_event) for r in event.relations_from.all()] + [
            (f"{r.get_kind_display()} (from)", r.from_event) for r in event.relations_to.all()
        ]
        context = super().get_context_data(**kwargs)
        context.update(
            contested_because=contested_because(claims) if event.contested else [],
            claim_groups=by_kind,
            related=related,
            children=list(event.children.all()),
            participations=list(event.participations.all()),
        )
        if self.request.user.is_staff:
            last = event.audit_events.order_by("-pgh_id").select_related("pgh_context").first()  # type: ignore[attr-defined]
            context["last_change"] = last
            context["last_change_user"] = last_change_user(last)
            context["history_url"] = admin_history_url(Event, event.pk)
        return context


def last_change_user(history_row: Any) -> str:
    """The user recorded in a history row's context, by name (one query, staff only)."""
    if history_row is None or history_row.pgh_context is None:
        return ""
    user_id = (history_row.pgh_context.metadata or {}).get("user")
    if not user_id:
        return ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).only("username").first()
    return user.get_username() if user else ""


# --- Place ----------------------------------------------------------------------------------


class PlaceDetailView(CachedForReaders, PublicationMixin, DetailView):
    model = Location
    slug_field = slug_url_kwarg = "uuid"
    template_name = "events/place_detail.html"
    context_object_name = "place"

    def get_queryset(self) -> QuerySet[Location]:
        return self.visible(Location.objects.for_detail(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        place: Location = self.object
        events = (
            self.visible(Event.objects.in_place(place))
            .for_list(self.request.user)
            .order_by("-start_date", "-pk")
        )
        rows = list(events[: PAGE_SIZE + 1])
        claims = list(place.claims.all())
        context = super().get_context_data(**kwargs)
        context.update(
            ancestors=list(self.visible(Location.objects.filter(pk__in=place.ancestor_ids))),
            events=rows[:PAGE_SIZE],
            groups=group_by_date(rows[:PAGE_SIZE]),
            more_events=len(rows) > PAGE_SIZE,
            figures=[claim for claim in claims if claim.is_numeric],
            statements=[claim for claim in claims if not claim.is_numeric],
        )
        return context


# --- Map ------------------------------------------------------------------------------------


class MapView(CachedForReaders, FilteredEventsMixin, FilterView):
    template_name = "events/event_map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        events = list(
            self.object_list.for_map(self.request.user).order_by("-start_date", "-pk")[
                : MAP_MARKER_LIMIT + 1
            ]
        )
        context = super().get_context_data(**kwargs)
        context.update(
            markers=[
                {
                    "title": e.title,
                    "url": e.get_absolute_url(),
                    "date": date_span_label(e.start_date, e.end_date, e.date_precision),
                    "type": e.event_type.name,
                    "place": e.location.name,
                    "lat": e.location.latitude,
                    "lon": e.location.longitude,
                    "geo_precision": e.geo_precision,
                    "contested": e.contested,
                    "fatalities": fatality_range(e),
                }
                for e in events[:MAP_MARKER_LIMIT]
                if e.location
            ],
            truncated=len(events) > MAP_MARKER_LIMIT,
            map_settings={
                "tileUrl": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            },
            filter_query=filter_query(self.request),
        )
        return context


# --- Exports --------------------------------------------------------------------------------
