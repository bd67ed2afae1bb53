"""Formats whose documents a list writes itself, streamed (``streamed``): the renderer only
names the format for content negotiation (``?format=``, ``Accept``)."""

from __future__ import annotations

from typing import Any

from rest_framework import renderers


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
