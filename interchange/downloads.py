"""Downloads: events and claims streamed in a layout of ``interchange.layouts``, named alike
whether a page or the API offers them."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import NoReverseMatch

from core.links import page_url
from core.spreadsheets import csv_writer
from core.streaming import streamed
from events.models import Event
from interchange.layouts import CLAIMS, GEOJSON, EventRecord, Layout, event_records, feature
from sources.models import Claim

# Rows read per query while a download streams.
CHUNK_SIZE = 2000


def as_attachment(response: StreamingHttpResponse, what: str, suffix: str) -> StreamingHttpResponse:
    """Names the file ``conflictkb-<what>-<UTC time>.<suffix>``, from a page or the API."""
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="conflictkb-{what}-{stamp}.{suffix}"'
    return response


def events_download(
    events: QuerySet[Event], request: HttpRequest, layout: Layout
) -> StreamingHttpResponse:
    """``events`` in ``layout``: CSV rows, or a FeatureCollection for GeoJSON, chunk by chunk.

    Related rows are read per chunk (``event_records``), so ``events`` should not prefetch."""
    records = event_records(
        events.prefetch_related(None),
        request.user,
        layout=layout,
        chunk_size=CHUNK_SIZE,
        page_url=page_urls(request),
    )
    if layout is GEOJSON:
        response = streamed(write_feature_collection(records), content_type="application/geo+json")
        return as_attachment(response, "events", "geojson")
    response = streamed(
        write_rows(csv_writer(), layout, records), content_type="text/csv; charset=utf-8"
    )
    return as_attachment(response, "events", f"{layout.key}.csv")


# The claims' downloads: CSV, or JSON Lines (one object a line: a client reads it as it comes).
CLAIM_FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}


def claims_download(claims: QuerySet[Claim], file_format: str) -> StreamingHttpResponse:
    """Every claim of ``claims`` (loaded by ``Claim.objects.cited_for``), streamed in
    ``file_format``."""
    rows = claims.iterator(chunk_size=CHUNK_SIZE)
    chunks = (
        write_rows(csv_writer(), CLAIMS, rows)
        if file_format == "csv"
        else write_json_lines(CLAIMS, rows)
    )
    response = streamed(chunks, content_type=CLAIM_FORMATS[file_format])
    return as_attachment(response, "claims", file_format)


def write_rows(writer: Any, layout: Layout, records: Iterable[Any]) -> Iterator[Any]:
    """The header, then each record's row, through ``writer`` (core.spreadsheets)."""
    yield writer.writerow(layout.header)
    for record in records:
        yield writer.writerow(layout.row(record))


def write_json_lines(layout: Layout, records: Iterable[Any]) -> Iterator[str]:
    """Each record as one JSON object on its line, with the layout's columns as keys."""
    for record in records:
        yield json.dumps(layout.as_dict(record), ensure_ascii=False) + "\n"


def write_feature_collection(records: Iterable[EventRecord]) -> Iterator[str]:
    """A FeatureCollection, streamed feature by feature."""
    yield '{"type": "FeatureCollection", "features": ['
    for number, record in enumerate(records):
        yield ("," if number else "") + json.dumps(feature(record), ensure_ascii=False)
    yield "]}"


def page_urls(request: HttpRequest) -> Callable[[Event], str | None]:
    """Each event's page as an absolute URL: one URL resolution, not one per row (none where
    the site's URLs have no event pages: an API-only configuration)."""
    site = request.build_absolute_uri("/")[:-1]

    def url_of(event: Event) -> str | None:
        try:
            return site + page_url("events:detail", event.uuid)
        except NoReverseMatch:
            return None

    return url_of
