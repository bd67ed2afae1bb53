"""Template filters for analysts' pages: dates as precise as they are known, figures as ranges."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import QueryDict

from core.links import page_url
from events.models import DatePrecision

register = template.Library()


def _day(d: datetime.date) -> str:
    return f"{d.day} {d:%b %Y}"


def date_span_label(
    start: datetime.date, end: datetime.date | None, precision: int = DatePrecision.DAY
) -> str:
    """A date written as precisely as it is known.

    "4 Sep 2018", "4–6 Sep 2018", "30 Aug – 5 Sep 2018", "Sep 2018", "Aug–Sep 2018", "2018",
    "2017–2018". Day, days and week precisions show the days; month and year precisions do not.
    """
    end = end or start
    if precision == DatePrecision.YEAR:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if precision == DatePrecision.MONTH:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%b %Y}"
        if start.year == end.year:
            return f"{start:%b}–{end:%b %Y}"
        return f"{start:%b %Y} – {end:%b %Y}"
    if start == end:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


@register.filter
def date_span(event: Any) -> str:
    """``{{ event|date_span }}`` for anything with start_date, end_date and date_precision."""
    return date_span_label(event.start_date, event.end_date, event.date_precision)


def figure_range_label(low: int | None, best: int | None, high: int | None) -> str:
    """ "0–13" for a range, "13" when every figure agrees, "" when nothing is known."""
    known = [v for v in (low, best, high) if v is not None]
    if not known:
        return ""
    lowest, highest = min(known), max(known)
    return f"{lowest:,}" if lowest == highest else f"{lowest:,}–{highest:,}"


@register.filter
def fatality_range(event: Any) -> str:
    return figure_range_label(event.fatalities_low, event.fatalities_best, event.fatalities_high)


@register.filter
def claim_figures(claim: Any) -> str:
    return figure_range_label(claim.value_low, claim.value_best, claim.value_high)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" drops them)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = str(value)
    return "?" + urlencode(sorted(params.items())) if params else "?"


@register.simple_tag(takes_context=True)
def canonical_url(context: dict[str, Any], obj: Any = None) -> str:
    """The page's address without paging or tracking parameters (an object's own URL if given)."""
    request = context["request"]
    return str(request.build_absolute_uri(obj.get_absolute_url() if obj else request.path))


@register.filter
def subject_url(claim: Any) -> str:
    """Where a claim's subject is shown: its own page, or for a relation its subject's page."""
    if claim.actor_relation_id:
        return str(claim.actor_relation.subject.get_absolute_url())
    subject = claim.subject
    return str(subject.get_absolute_url()) if subject else ""


# {% page_url "events:detail" event.uuid %}: the page's address, without a reverse() per row.
register.simple_tag(page_url, name="page_url")


@register.simple_tag(takes_context=True)
def bar_href(context: dict[str, Any], bar: Any) -> str:
    """A histogram bar's link: the timeline of its own dates (paging dropped)."""
    params: QueryDict = context["request"].GET.copy()
    for name in ("after", "before"):
        params.pop(name, None)
    params["date_from"], params["date_to"] = bar.date_from.isoformat(), bar.date_to.isoformat()
    return "?" + urlencode(sorted(params.items()))
