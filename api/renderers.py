"""The API's renderers: JSON, and formats whose documents a list writes itself, streamed
(``streamed``), for which the renderer only names the format for content negotiation
(``?format=``, ``Accept``)."""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# Characters JSON allows raw but JavaScript source does not; DRF escapes them too.
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class WrittenJSON:
    """A value already written as JSON (the event list's rows, written by PostgreSQL): orjson
    puts the text in as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def json_default(value: Any) -> Any:
    """What orjson does not write itself: written JSON as it is, the rest as DRF writes it."""
    if isinstance(value, WrittenJSON):
        return orjson.Fragment(value.text)
    return JSONEncoder().default(value)


def as_python(data: Any) -> Any:
    """``data`` with each piece of written JSON read back, for a writer other than orjson."""
    if isinstance(data, WrittenJSON):
        return orjson.loads(data.text)
    if isinstance(data, dict):
        return {key: as_python(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [as_python(item) for item in data]
    return data


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: the same document (compact, UTF-8, datetimes and every
    other type orjson does not write itself through DRF's encoder) in a tenth of the time — a
    tenth of a list request's time went to encoding 50 events. An ``indent`` asked for in the
    ``Accept`` header is DRF's own."""

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) is not None:
            return super().render(as_python(data), accepted_media_type, renderer_context)
        text = orjson.dumps(
            data,
            default=json_default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )
        for raw, escaped in LINE_SEPARATORS:
            text = text.replace(raw, escaped)
        return text


class CSVRenderer(renderers.BaseRenderer):
    """Records as CSV, in a layout of ``interchange.layouts``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return b""


class JSONLinesRenderer(CSVRenderer):
    """Records as JSON Lines: one object a line, readable as it arrives."""

    media_type = "application/jsonl"
    format = "jsonl"
