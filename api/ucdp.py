"""UCDP's GED API, served from the knowledge base: ``/api/gedevents/<version>`` answers as
``https://ucdpapi.pcr.uu.se/api/gedevents/<version>`` does, so scripts written for UCDP read
ConflictKB's events by changing the host.

Rows are the UCDP GED layout's (``interchange.layouts.UCDP``, the same mapping as the UCDP CSV
downloads) with GED's types: numbers as numbers, the rest text. Pages count from 0, as UCDP's
do; ``<version>`` is accepted and echoed in the page links (ConflictKB keeps one version).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from actors.models import AcledActorType
from api.acled import NOTHING, PLACE_SEEN, passes, readers_records, side
from api.acled_grammar import MOST_SKIPPED, GrammarError, bounded, day, whole
from events.models import Event
from interchange.layouts import UCDP
from interchange.ucdp_countries import GW_OF_ALPHA2

DEFAULT_PAGE_SIZE = 100
MOST_PER_PAGE = 1000
# GED's numeric columns; the others are text.
INTEGERS = {
    *("year", "type_of_violence", "number_of_sources", "where_prec", "country_id", "date_prec"),
    *("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low"),
}
FLOATS = {"latitude", "longitude"}
VIOLENCE_AGAINST_CIVILIANS = "violence-against-civilians"
UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def typed(name: str, value: Any) -> Any:
    if value in ("", None):
        return None if name in INTEGERS | FLOATS else ""
    if name in INTEGERS:
        return int(value)
    if name in FLOATS:
        return float(value)
    if name == "id":
        return int(value) if str(value).isdigit() else str(value)
    return str(value)


def listed(raw: str, read: Callable[[str], Any], name: str) -> list[Any]:
    """UCDP's comma-separated lists: ``Country=652,630``."""
    try:
        return [read(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise GrammarError(
            name, f"'{raw}' is not a comma-separated list of the right kind."
        ) from None


def violence(types: list[int]) -> Q:
    """UCDP's type of violence as the layout decides it (``layouts.violence_type``): 3 for
    violence against civilians, else 1 when side A's first actor is a state's force, else 2."""
    one_sided = Q(event_type__slug=VIOLENCE_AGAINST_CIVILIANS) | Q(
        event_type__parent__slug=VIOLENCE_AGAINST_CIVILIANS
    )
    first_type = Coalesce(Subquery(side(1).values("actor__acled_type")[:1]), Value(0))
    state = passes(first_type, "=", AcledActorType.STATE_FORCES)
    choices = {3: one_sided, 1: ~one_sided & state, 2: ~one_sided & ~state}
    found = NOTHING
    for number in types:
        if number not in choices:
            raise GrammarError("TypeOfViolence", f"{number} is not 1, 2 or 3.")
        found |= choices[number]
    return found


def chosen_events(params: dict[str, str]) -> QuerySet[Event]:
    events = Event.objects.published()
    if "country" in params:
        numbers = set(listed(params["country"], whole, "Country"))
        codes = [code for code, number in GW_OF_ALPHA2.items() if number in numbers]
        events = events.filter(PLACE_SEEN, location__country_code__in=codes)
    if "startdate" in params:
        events = events.filter(start_date__gte=read_day(params["startdate"], "StartDate"))
    if "enddate" in params:
        events = events.filter(end_date__lte=read_day(params["enddate"], "EndDate"))
    if "typeofviolence" in params:
        events = events.filter(violence(listed(params["typeofviolence"], whole, "TypeOfViolence")))
    if "id" in params:
        ids = listed(params["id"], str, "Id")
        own = [UUID(i) for i in ids if UUID_TEXT.fullmatch(i)]
        events = events.filter(Q(ucdp_id__in=ids) & ~Q(ucdp_id="") | Q(uuid__in=own, ucdp_id=""))
    return events.order_by("start_date", "pk")


def read_day(raw: str, name: str) -> Any:
    try:
        return day(raw.strip()[:10])
    except ValueError:
        raise GrammarError(name, f"'{raw}' is not a date (yyyy-mm-dd).") from None


PAGE = inline_serializer(
    "GedEventsPage",
    {
        "TotalCount": serializers.IntegerField(),
        "TotalPages": serializers.IntegerField(),
        "PreviousPageUrl": serializers.CharField(),
        "NextPageUrl": serializers.CharField(),
        "Result": inline_serializer(
            "GedEvent",
            {
                name: serializers.IntegerField(allow_null=True)
                if name in INTEGERS
                else serializers.FloatField(allow_null=True)
                if name in FLOATS
                else serializers.CharField()
                for name in UCDP.header
            },
            many=True,
        ),
    },
)


class GedEventsView(APIView):
    """UCDP GED events, oldest first, ``pagesize`` (up to 1,000) a page from page 0."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, GrammarError):
            return answer({"error": str(exc)}, status=400)
        if isinstance(exc, exceptions.Throttled):
            wait = str(int(getattr(exc, "wait", None) or 1))
            response = answer({"error": f"Too many requests: try again in {wait} s."}, status=429)
            response["Retry-After"] = wait
            return response
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="ucdp_gedevents",
        summary="Events in UCDP GED's columns",
        tags=["UCDP-compatible"],
        parameters=[
            OpenApiParameter(
                "version", str, OpenApiParameter.PATH, description="E.g. 25.1; echoed."
            ),
            OpenApiParameter("pagesize", int, description="1–1000, default 100."),
            OpenApiParameter("page", int, description="From 0."),
            OpenApiParameter(
                "Country", str, description="Gleditsch and Ward numbers, e.g. 652,630."
            ),
            OpenApiParameter("StartDate", OpenApiTypes.DATE, description="Events from this day."),
            OpenApiParameter(
                "EndDate", OpenApiTypes.DATE, description="Events ending by this day."
            ),
            OpenApiParameter("TypeOfViolence", str, description="1, 2 and/or 3, e.g. 1,3."),
            OpenApiParameter("Id", str, description="GED ids (or ConflictKB's uuids), e.g. 1,2."),
        ],
        responses={200: PAGE, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, version: str) -> HttpResponse:
        params = {name.lower(): str(value) for name, value in request.query_params.items()}
        size = bounded(params, "pagesize", default=DEFAULT_PAGE_SIZE, low=1, high=MOST_PER_PAGE)
        page = bounded(params, "page", default=0, low=0, high=MOST_SKIPPED // MOST_PER_PAGE)
        events = chosen_events(params)
        total = events.count()
        pages = math.ceil(total / size)
        chunk = events[page * size : (page + 1) * size]
        rows = [
            {name: typed(name, value) for name, value in UCDP.as_dict(record).items()}
            for record in readers_records(chunk, UCDP)
        ]
        here = request.build_absolute_uri()
        return answer(
            {
                "TotalCount": total,
                "TotalPages": pages,
                "PreviousPageUrl": replace_query_param(here, "page", page - 1) if page else "",
                "NextPageUrl": replace_query_param(here, "page", page + 1)
                if page + 1 < pages
                else "",
                "Result": rows,
            }
        )


def answer(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


class GedEventsAnyCase(GedEventsView):
    """The same, at the path spelled in any case (``/api/GEDEvents/…``); documented once."""

    @extend_schema(exclude=True)
    def get(self, request: Request, version: str) -> HttpResponse:
        return super().get(request, version)
