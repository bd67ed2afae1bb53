"""The pages' downloads: the timeline's filtered events in every layout, and their claims.

Each takes the timeline's filters (``events.filters.EventFilter``) and streams the layout
``interchange.layouts`` defines, the same rows the API's ``?format=`` gives for that filter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django_filters.views import FilterView

from events.views import FilteredEventsMixin
from interchange.downloads import CLAIM_FORMATS, claims_download, events_download
from interchange.layouts import CONFLICTKB, GEOJSON, LAYOUTS, Layout
from sources.filters import ClaimFilter
from sources.models import Claim


def bad_request(errors: Mapping[str, Any]) -> HttpResponse:
    """A download's filter errors, field by field, as the API gives them."""
    return HttpResponse(json.dumps(errors), status=400, content_type="application/json")


class FilteredDownloadView(FilteredEventsMixin, FilterView):
    """A download of the events the timeline's filters choose (no page, no context)."""

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        if self.filterset.errors:
            return bad_request(self.filterset.errors)
        return self.download()

    def download(self) -> HttpResponseBase:
        raise NotImplementedError

    def events_in(self, layout: Layout) -> HttpResponseBase:
        events = self.object_list.for_list(self.request.user).order_by("-start_date", "-pk")
        return events_download(events, self.request, layout)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {}


class EventsCSVView(FilteredDownloadView):
    """The filtered events as CSV in the chosen layout (``?layout=conflictkb|acled|ucdp``)."""

    def download(self) -> HttpResponseBase:
        layout = LAYOUTS.get(self.request.GET.get("layout") or CONFLICTKB.key)
        if layout is None:
            return bad_request({"layout": [f"Choose one of: {', '.join(LAYOUTS)}."]})
        return self.events_in(layout)


class EventsGeoJSONView(FilteredDownloadView):
    """The filtered events as a GeoJSON FeatureCollection ([lon, lat]; an event without a
    point has a null geometry), in the layout the API's ``?format=geojson`` uses."""

    def download(self) -> HttpResponseBase:
        return self.events_in(GEOJSON)


class ClaimsView(FilteredDownloadView):
    """The evidence behind the filtered events: each claim a reader may open about them, as
    CSV or JSON Lines (``interchange.layouts.CLAIMS``, as the API's claims download).

    The timeline's filters choose the events; the claims' own filters (``kind``, ``stance``,
    ``status``, ``max_credibility``) narrow the claims.
    """

    CLAIM_FILTERS = ("kind", "stance", "status", "max_credibility")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        if self.kwargs["file_format"] not in CLAIM_FORMATS:
            raise Http404("Claims download as claims.csv or claims.jsonl.")
        user = self.request.user
        claims = (
            Claim.objects.cited_for(user)
            .visible_to(user)
            .filter(event__in=self.object_list.values("pk"))
        )
        own_filters = MultiValueDict(
            {n: self.request.GET.getlist(n) for n in self.CLAIM_FILTERS if n in self.request.GET}
        )
        claim_filter = ClaimFilter(data=own_filters, queryset=claims)
        errors = {**self.filterset.errors, **claim_filter.errors}
        if errors:
            return bad_request(errors)
        claims = claim_filter.qs.order_by("-event__start_date", "event_id", "pk")
        return claims_download(claims, self.kwargs["file_format"])
