"""Ordering the API's lists: only the fields a resource offers, always with a tiebreaker."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request


def flip(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` over the view's explicit ``ordering_fields``; unknown fields are a 400.

    The primary key is appended as the tie-breaker, so the order (and the cursor) is total.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        params = request.query_params.get(self.ordering_param)
        allowed = set(view.ordering_fields)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            unknown = [f for f in fields if f.lstrip("-") not in allowed]
            if unknown or not fields:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Order by one or more of: {', '.join(sorted(allowed))} "
                            "(prefix '-' for descending)."
                        ]
                    }
                )
            ordering = fields
        else:
            ordering = list(view.ordering)
        if ordering[-1].lstrip("-") not in ("pk", "id"):
            ordering.append("-pk" if ordering[-1].startswith("-") else "pk")
        return ordering

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        choices = [f"{prefix}{field}" for field in view.ordering_fields for prefix in ("", "-")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order, default {','.join(view.ordering)}. One of: "
                + ", ".join(choices)
                + " (comma-separate several).",
                "schema": {"type": "string", "enum": choices},
            }
        ]
