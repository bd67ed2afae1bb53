"""Keyset (cursor) pages: stable under inserts, as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, Value
from django.db.models.lookups import GreaterThan, LessThan
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.filters import StrictOrderingFilter, flip
from core.filters import MATCHED_NAMES
from core.models import Row

MAX_PAGE_SIZE = 500


DEFAULT_PAGE_SIZE = 100


class KeysetCursorPagination(BasePagination):
    """Opaque cursors over the full ordering key (always ending in the primary key).

    A page is "rows after this key", one indexed range condition, so page 10,000 costs what
    page 1 costs and rows inserted meanwhile neither repeat nor vanish. DRF's own cursor keys on
    the first ordering field only and gives up after 1,000 ties (many events share a day).
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Page size must be a whole number from 1 to {self.max_page_size}; "
                        f"got {raw[:20]!r}. Follow the 'next' link for more rows."
                    ]
                }
            )
        return size

    def decode_cursor(self, request: Request, ordering: Sequence[str]) -> tuple[bool, list[Any]]:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return False, []
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            reverse, order, position = bool(data["r"]), data["o"], data["p"]
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
        if order != list(ordering) or not isinstance(position, list):
            raise exceptions.ValidationError(
                {"cursor": ["This cursor belongs to another ordering; start again without it."]}
            )
        if len(position) != len(ordering):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
        return reverse, position

    def encode_cursor(self, reverse: bool, position: list[Any]) -> str:
        data = {"r": int(reverse), "o": list(self.ordering), "p": position}
        text = json.dumps(data, cls=JSONEncoder, separators=(",", ":"))
        url = self.request.build_absolute_uri()
        url = replace_query_param(
            url, self.cursor_query_param, base64.urlsafe_b64encode(text.encode()).decode()
        )
        return url

    @staticmethod
    def after(ordering: Sequence[str], position: list[Any]) -> Q:
        """Rows after ``position`` in ``ordering``.

        When every term runs the same way, one row comparison, ``(a, b) > (x, y)``, which
        PostgreSQL answers by starting the index scan at the cursor (page 10,000 costs what
        page 1 does); otherwise (a > x) or (a = x and b > y) or …
        """
        directions = {term.startswith("-") for term in ordering}
        if len(directions) == 1:
            fields = [F(term.lstrip("-")) for term in ordering]
            values = [Value(value) for value in position]
            compare = LessThan if directions == {True} else GreaterThan
            return Q(compare(Row(*fields), Row(*values)))
        condition = Q()
        for index in range(len(ordering) - 1, -1, -1):
            field = ordering[index].lstrip("-")
            lookup = "lt" if ordering[index].startswith("-") else "gt"
            strictly = Q(**{f"{field}__{lookup}": position[index]})
            condition = (
                strictly
                if index == len(ordering) - 1
                else strictly | (Q(**{field: position[index]}) & condition)
            )
        return condition

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = tuple(StrictOrderingFilter().get_ordering(request, queryset, view))
        reverse, position = self.decode_cursor(request, self.ordering)
        order = [flip(term) for term in self.ordering] if reverse else list(self.ordering)
        if position:
            try:
                queryset = queryset.filter(self.after(order, position))
            except (DjangoValidationError, ValueError, TypeError):
                raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self.has_next = more if not reverse else True
        self.has_previous = more if reverse else bool(position)
        self.rows = rows
        return rows

    def position_of(self, row: Any) -> list[Any]:
        return [getattr(row, term.lstrip("-")) for term in self.ordering]

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return self.encode_cursor(False, self.position_of(self.rows[-1]))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self.encode_cursor(True, self.position_of(self.rows[0]))

    def get_paginated_response(self, data: Any) -> Response:
        page = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        # Name filters given loosely ("Tahrir al Sham") say which records they matched.
        matched = getattr(self.request, MATCHED_NAMES, None)
        return Response({**page, **({"matched": matched} if matched else {}), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        matched = {
            "type": "object",
            "description": "Given with a name filter (actor, claimant): the names of the "
            "records it matched, by filter.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "matched": matched, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's 'next' or 'previous' link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}); "
                "larger sizes are refused with 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
