"""Filter pieces shared by the resources' FilterSets."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

# The request attribute in which name filters leave the names they matched (EventFilter).
MATCHED_NAMES = "matched_names"


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned into UTC.

    Python accepts offsets up to ±24 h, PostgreSQL only up to ±15:59; in UTC every valid
    value reaches the database, and one that cannot be expressed in UTC is a form error.
    """

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise ValidationError(
                "Give a date-time between years 1 and 9999, e.g. 2018-09-01T00:00:00Z.",
                code="invalid",
            ) from None


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault(
            "help_text", "ISO 8601 date-time; records created or changed at or after it."
        )
        super().__init__(**kwargs)
