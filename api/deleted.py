"""``/api/v1/deleted/?since=``: what was removed since a time, read from the audit trail.

A mirror syncs with ``updated_since`` on each resource plus this feed. Every tracked model has
a pghistory event model (``<Model>Event``) whose ``delete`` rows keep the record's last state,
its public id included.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.pagination import KeysetCursorPagination
from api.viewsets import ApiViewSettings
from core.audit import REMOVAL_LABELS
from core.models import Publication
from events.models import Event

# Resource name in the feed → tracked model. Types sort by these names.
PUBLISHABLE = {"actor", "document", "event", "outlet", "place"}
RESOURCES = {
    "actor": "actors.Actor",
    "actor_relation": "actors.ActorRelation",
    "claim": "sources.Claim",
    "document": "sources.Document",
    "event": "events.Event",
    "outlet": "sources.Outlet",
    "place": "events.Location",
}


def audit_model(label: str) -> type[models.Model]:
    app_label, name = label.split(".")
    return apps.get_model(app_label, f"{name}Event")


# What readers held of each resource: the column of its audit snapshots that says so, and
# the value meaning "readers could see it". A claim is the readers' when it was public (its
# document, outlet and claimant published, and it neither deprecated nor needing work).
READERS_HELD = dict.fromkeys(PUBLISHABLE, ("status", Publication.PUBLISHED)) | {
    "claim": ("is_public", True)
}


def deletions(
    resource: str, *, since: datetime.datetime, after: tuple[str, str, int] | None, staff: bool
) -> QuerySet[Any]:
    """One resource's removals at or after ``since`` and past the cursor ``after``.

    Readers hear only of records they could have held: a deleted draft, a deleted claim
    readers could not open, a relation to a draft actor are left out. They also lose a record
    when it leaves their view: an update whose previous state they held and whose new one they
    do not counts as a removal ("unpublished"), a claim whose document is unpublished too.
    """
    model = audit_model(RESOURCES[resource])
    # Inserts never tell of a removal: leaving them out reads the audit rows through their
    # removals index (core.audit.removals_index).
    rows = model.objects.filter(  # type: ignore[attr-defined]
        pgh_created_at__gte=since, pgh_label__in=REMOVAL_LABELS
    )
    removed = Q(pgh_label="delete")
    if not staff and resource in READERS_HELD:
        column, held = READERS_HELD[resource]
        previous = (
            model.objects.filter(  # type: ignore[attr-defined]
                pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")
            )
            .order_by("-pgh_id")
            .values(column)[:1]
        )
        rows = rows.annotate(previous_value=Subquery(previous))
        removed = (removed & Q(**{column: held})) | (
            Q(pgh_label="update", previous_value=held) & ~Q(**{column: held})
        )
    elif not staff and resource == "actor_relation":
        # Readers saw a relation only between published actors.
        actors = apps.get_model("actors", "Actor").objects.published()
        removed &= Exists(actors.filter(pk=OuterRef("subject_id"))) & Exists(
            actors.filter(pk=OuterRef("object_id"))
        )
    rows = rows.filter(removed)
    if after is not None:
        at, after_type, pgh_id = after
        if resource > after_type:
            rows = rows.filter(pgh_created_at__gte=at)
        elif resource == after_type:
            rows = rows.filter(Q(pgh_created_at__gt=at) | Q(pgh_created_at=at, pgh_id__gt=pgh_id))
        else:
            rows = rows.filter(pgh_created_at__gt=at)
    merged_into: Any = Cast(Value(None), models.UUIDField())
    if resource == "event":
        events = Event.objects.all() if staff else Event.objects.published()
        kept = events.filter(absorbed__absorbed_uuid=OuterRef("uuid"))
        merged_into = Subquery(kept.values("uuid")[:1])
    return (
        rows.annotate(
            resource=Value(resource, output_field=models.CharField()),
            merged_into=merged_into,
            reason=Case(
                When(pgh_label="delete", merged_into__isnull=False, then=Value("merged")),
                When(pgh_label="delete", then=Value("deleted")),
                default=Value("unpublished"),
                output_field=models.CharField(),
            ),
        )
        .values("pgh_created_at", "resource", "pgh_id", "uuid", "reason", "merged_into")
        .order_by()
    )


class DeletedSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(RESOURCES))
    id = serializers.UUIDField()
    deleted_at = serializers.DateTimeField(help_text="When it was deleted or unpublished.")
    reason = serializers.ChoiceField(
        choices=["deleted", "merged", "unpublished"],
        help_text="unpublished: back to draft, so gone for readers without editor rights; "
        "merged: an event merged into its duplicate (merged_into), whose claims it now has.",
    )
    merged_into = serializers.UUIDField(
        allow_null=True,
        help_text="The event a merged event now is (its old address redirects there).",
    )


class DeletedView(ApiViewSettings, GenericAPIView):
    """Records deleted at or after ``since``, oldest first, 100 a page (``page_size`` up to 500)."""

    permission_classes = [AllowAny]
    serializer_class = DeletedSerializer
    pagination_class = None

    @extend_schema(
        operation_id="deleted_list",
        parameters=[
            OpenApiParameter(
                "since",
                datetime.datetime,
                required=True,
                description="ISO 8601 date-time; deletions at or after it.",
            ),
            OpenApiParameter("cursor", str, description="From the previous page's 'next' link."),
            OpenApiParameter("page_size", int, description="1–500, default 100."),
        ],
        responses=inline_serializer(
            "DeletedPage",
            {
                "next": serializers.URLField(allow_null=True),
                "results": DeletedSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("since", "")
        try:
            since = parse_datetime(raw) if raw else None
        except ValueError:
            since = None
        if since is None:
            raise exceptions.ValidationError(
                {"since": ["Give the time to list deletions from, e.g. 2018-09-01T00:00:00Z."]}
            )
        if since.tzinfo is None:
            since = since.replace(tzinfo=datetime.UTC)
        try:
            since = since.astimezone(datetime.UTC)  # PostgreSQL takes offsets up to ±15:59 only
        except (OverflowError, ValueError):
            raise exceptions.ValidationError({"since": ["Out of range."]}) from None
        page_size = KeysetCursorPagination().get_page_size(request)
        after = self.decode_cursor(request.query_params.get("cursor"))
        staff = bool(getattr(request.user, "is_staff", False))
        parts = [deletions(name, since=since, after=after, staff=staff) for name in RESOURCES]
        union = (
            parts[0].union(*parts[1:], all=True).order_by("pgh_created_at", "resource", "pgh_id")
        )
        rows = list(union[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        next_link = None
        if more:
            last = rows[-1]
            cursor = json.dumps(
                [last["pgh_created_at"].isoformat(), last["resource"], last["pgh_id"]]
            )
            next_link = replace_query_param(
                request.build_absolute_uri(),
                "cursor",
                base64.urlsafe_b64encode(cursor.encode()).decode(),
            )
        results = [
            {
                "type": row["resource"],
                "id": row["uuid"],
                "deleted_at": row["pgh_created_at"],
                "reason": row["reason"],
                "merged_into": row["merged_into"],
            }
            for row in rows
        ]
        return Response({"next": next_link, "results": DeletedSerializer(results, many=True).data})

    @staticmethod
    def decode_cursor(raw: str | None) -> tuple[str, str, int] | None:
        if not raw:
            return None
        try:
            at, resource, pgh_id = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            moment = parse_datetime(at)
            if moment is None or resource not in RESOURCES or not isinstance(pgh_id, int):
                raise ValueError(raw)
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
        return at, resource, pgh_id
