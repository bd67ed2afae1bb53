"""API for places, event types and events (JSON, ACLED-layout CSV and GeoJSON).

Events are filtered by ``events.filters.EventFilter``, the same FilterSet as the timeline page.
An event's claims come from ``sources``: the API layer composes the apps, so it may look
"down" the dependency chain where the models do not.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from actors.models import Actor
from api.actors import ActorSummarySerializer
from api.event_rows import event_rows
from api.filters import StrictOrderingFilter
from api.renderers import CSVRenderer, JSONRenderer, WrittenJSON
from api.serializers import DetailLinks, ModelCleanSerializer, UUIDRelatedField, api_datetime
from api.sources import ClaimSerializer
from api.viewsets import ApiViewSet
from core.filters import UpdatedSinceFilter
from core.spreadsheets import csv_writer
from events.disagreements import contested_because
from events.filters import EventFilter
from events.models import (
    Event,
    EventType,
    Location,
    LocationKind,
    Participation,
    Role,
    attach_ancestors,
)
from interchange.downloads import events_download, page_urls, write_rows
from interchange.layouts import ACLED, GEOJSON, LAYOUTS, Layout, feature, records_of
from sources.models import Claim

# --- Places ---------------------------------------------------------------------------------


class PlaceRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_field="uuid")

    class Meta:
        model = Location
        fields = ["id", "url", "name", "kind", "status"]


class AncestorsMixin(serializers.Serializer):
    ancestors = serializers.SerializerMethodField(
        help_text="The places this one is inside, country first."
    )

    @extend_schema_field(PlaceRefSerializer(many=True))
    def get_ancestors(self, place: Location) -> Any:
        if not hasattr(place, "api_ancestors"):
            attach_ancestors([place], getattr(self.context.get("request"), "user", None))
        return PlaceRefSerializer(place.api_ancestors, many=True, context=self.context).data  # type: ignore[attr-defined]


class PlaceListSerializer(serializers.ListSerializer):
    """Loads every listed place's ancestors with one query."""

    def to_representation(self, data: Any) -> Any:
        places = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        attach_ancestors(places, getattr(self.context.get("request"), "user", None))
        return super().to_representation(places)


class PlaceSerializer(AncestorsMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_field="uuid")

    class Meta:
        model = Location
        list_serializer_class = PlaceListSerializer
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "ancestors",
            "country_code",
            "latitude",
            "longitude",
            "alternate_names",
            "status",
            "created_at",
            "updated_at",
        ]


class PlaceWriteSerializer(ModelCleanSerializer):
    # Declared fields are popped off the class by DRF; the stubs see Field.parent.
    parent = UUIDRelatedField(  # type: ignore[assignment]
        queryset=Location.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Location
        fields = [
            "name",
            "kind",
            "parent",
            "country_code",
            "latitude",
            "longitude",
            "alternate_names",
            "status",
        ]


# FilterSets for places and event types live here: events/filters.py holds the events' one.


class PlaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, help_text="Part of the name or another spelling."
    )
    kind = django_filters.ChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=LocationKind.choices
    )
    country = django_filters.CharFilter(
        field_name="country_code", lookup_expr="iexact", max_length=2, help_text="e.g. SY."
    )
    within = django_filters.UUIDFilter(
        method="filter_within", help_text="A place's id: that place and everything inside it."
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Location
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.matching_name(value) if value else queryset  # type: ignore[attr-defined]

    def filter_within(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        place = Location.objects.filter(uuid=value).only("path").first()
        return queryset.within(place) if place else queryset.none()  # type: ignore[attr-defined]


class EventTypeFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(
        field_name="parent__slug",
        lookup_expr="exact",
        max_length=60,
        help_text="Sub-types of this top-level type (its slug).",
    )
    is_acled = django_filters.BooleanFilter(field_name="is_acled", lookup_expr="exact")

    class Meta:
        model = EventType
        fields: list[str] = []


class ApiEventFilter(EventFilter):
    """The timeline's EventFilter, with ``updated_since`` turned into UTC before the query.

    (Offsets beyond ±15:59 are valid ISO 8601 but PostgreSQL refuses them.)
    """

    updated_since = UpdatedSinceFilter(
        label="Changed since",
        help_text="ISO 8601 date-time; events created or changed at or after it.",
    )


# --- Event types ----------------------------------------------------------------------------


class EventTypeRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:eventtype-detail", lookup_field="slug"
    )

    class Meta:
        model = EventType
        fields = ["slug", "url", "name"]


class EventTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:eventtype-detail", lookup_field="slug"
    )
    parent = EventTypeRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EventType
        fields = [
            "slug",
            "url",
            "name",
            "parent",
            "description",
            "is_acled",
            "disorder_type",
            "acled_event_type",
            "acled_sub_event_type",
        ]


# --- Events ---------------------------------------------------------------------------------


class EventPlaceSerializer(AncestorsMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_field="uuid")

    class Meta:
        model = Location
        fields = ["id", "url", "name", "kind", "status", "ancestors", "latitude", "longitude"]


class ParticipantSerializer(serializers.ModelSerializer):
    actor = ActorSummarySerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ["actor", "role", "note"]


class FatalitiesSerializer(serializers.Serializer):
    low = serializers.IntegerField(source="fatalities_low", allow_null=True, read_only=True)
    best = serializers.IntegerField(source="fatalities_best", allow_null=True, read_only=True)
    high = serializers.IntegerField(source="fatalities_high", allow_null=True, read_only=True)
    rule = serializers.CharField(source="fatality_rule", read_only=True)
    contested = serializers.BooleanField(
        read_only=True, help_text="The event's claims disagree (figures, denial, perpetrator)."
    )


class ClaimSummarySerializer(serializers.Serializer):
    claims = serializers.IntegerField(source="claim_count", read_only=True)
    independent_sources = serializers.IntegerField(source="source_count", read_only=True)


class EventRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:event-detail", lookup_field="uuid")

    class Meta:
        model = Event
        fields = ["id", "url", "title", "status"]


class EventListSerializer(serializers.ListSerializer):
    """Loads every listed event's place ancestors with one query."""

    def to_representation(self, data: Any) -> Any:
        events = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        attach_ancestors(
            (event.location for event in events),
            getattr(self.context.get("request"), "user", None),
        )
        return super().to_representation(events)


# What happened, when and where, read and written alike.
EVENT_CONTENT_FIELDS = [
    "title",
    "summary",
    "event_type",
    "start_date",
    "end_date",
    "date_precision",
    "place",
    "geo_precision",
]


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:event-detail", lookup_field="uuid")
    event_type = EventTypeSerializer(read_only=True)
    place = EventPlaceSerializer(source="location", read_only=True, allow_null=True)
    participants = ParticipantSerializer(source="participations", many=True, read_only=True)
    fatalities = FatalitiesSerializer(source="*", read_only=True)
    claim_summary = ClaimSummarySerializer(source="*", read_only=True)
    parent = EventRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Event
        list_serializer_class = EventListSerializer
        fields = [
            "id",
            "url",
            *EVENT_CONTENT_FIELDS,
            "participants",
            "fatalities",
            "claim_summary",
            "parent",
            "acled_id",
            "ucdp_id",
            "status",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance: Event) -> Any:
        """What the declared fields give, written out field by field.

        The declarations above stay: they are the OpenAPI schema and the browsable API's
        description. Walking them costs about 2 ms per event (a field object per value, a URL
        resolution per link), most of a list page; this builds the same dictionary directly.
        For a reader, a draft place or parent event is absent (``as_seen_by``), so null.
        ``tests/api/test_event_representation.py`` checks it against DRF's walk of the
        declared fields.
        """
        link = DetailLinks.of(self.context)
        event_type = instance.event_type
        place, parent = instance.location, instance.parent
        return {
            "id": str(instance.uuid),
            "url": link("api:event-detail", instance.uuid),
            "title": instance.title,
            "summary": instance.summary,
            "event_type": {
                **event_type_ref(event_type, link),
                "parent": event_type_ref(event_type.parent, link) if event_type.parent else None,
                "description": event_type.description,
                "is_acled": event_type.is_acled,
                "disorder_type": event_type.disorder_type,
                "acled_event_type": event_type.acled_event_type,
                "acled_sub_event_type": event_type.acled_sub_event_type,
            },
            "start_date": instance.start_date.isoformat(),
            "end_date": instance.end_date.isoformat() if instance.end_date else None,
            "date_precision": instance.date_precision,
            "place": self.place_data(place, link) if place else None,
            "geo_precision": instance.geo_precision,
            "participants": [
                {
                    "actor": summary_ref(participation.actor, "api:actor-detail", link),
                    "role": participation.role,
                    "note": participation.note,
                }
                for participation in instance.participations.all()
            ],
            "fatalities": {
                "low": instance.fatalities_low,
                "best": instance.fatalities_best,
                "high": instance.fatalities_high,
                "rule": instance.fatality_rule,
                "contested": instance.contested,
            },
            "claim_summary": {
                "claims": instance.claim_count,
                "independent_sources": instance.source_count,
            },
            "parent": {
                "id": str(parent.uuid),
                "url": link("api:event-detail", parent.uuid),
                "title": parent.title,
                "status": parent.status,
            }
            if parent
            else None,
            "acled_id": instance.acled_id,
            "ucdp_id": instance.ucdp_id,
            "status": instance.status,
            "created_at": api_datetime(instance.created_at),
            "updated_at": api_datetime(instance.updated_at),
        }

    def place_data(self, place: Location, link: DetailLinks) -> dict[str, Any]:
        if not hasattr(place, "api_ancestors"):
            attach_ancestors([place], getattr(self.context.get("request"), "user", None))
        return {
            **summary_ref(place, "api:place-detail", link),
            "ancestors": [
                summary_ref(ancestor, "api:place-detail", link)
                for ancestor in place.api_ancestors  # type: ignore[attr-defined]
            ],
            "latitude": place.latitude,
            "longitude": place.longitude,
        }


def summary_ref(record: Actor | Location, view_name: str, link: DetailLinks) -> dict[str, Any]:
    """An actor or place as other records embed it: id, link, name, kind and status (staff
    see drafts, marked as such)."""
    return {
        "id": str(record.uuid),
        "url": link(view_name, record.uuid),
        "name": record.name,
        "kind": record.kind,
        "status": record.status,
    }


def event_type_ref(event_type: EventType, link: DetailLinks) -> dict[str, Any]:
    return {
        "slug": event_type.slug,
        "url": link("api:eventtype-detail", event_type.slug, lookup="slug"),
        "name": event_type.name,
    }


class EventDetailSerializer(EventSerializer):
    """An event with its claims in full (the detail, and lists with ``?expand=claims``)."""

    claims = ClaimSerializer(many=True, read_only=True)
    contested_because = serializers.SerializerMethodField(
        help_text="Each disagreement among the claims given here that makes the event "
        "contested, in words: a denial, different figures, different actors named as "
        "perpetrator or target. Empty when the event is not contested.",
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "contested_because", "claims"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_contested_because(self, instance: Event) -> list[str]:
        return contested_because(instance.claims.all()) if instance.contested else []

    def to_representation(self, instance: Event) -> Any:
        return {
            **super().to_representation(instance),
            "contested_because": self.get_contested_because(instance),
            "claims": self.fields["claims"].to_representation(instance.claims.all()),
        }


class ParticipantWriteSerializer(serializers.Serializer):
    actor = UUIDRelatedField(queryset=Actor.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventWriteSerializer(ModelCleanSerializer):
    event_type = serializers.SlugRelatedField(slug_field="slug", queryset=EventType.objects.all())
    place = UUIDRelatedField(
        source="location", queryset=Location.objects.all(), required=False, allow_null=True
    )
    parent = UUIDRelatedField(  # type: ignore[assignment]
        queryset=Event.objects.all(), required=False, allow_null=True
    )
    participants = ParticipantWriteSerializer(
        many=True, required=False, help_text="Replaces the event's participants when given."
    )

    class Meta:
        model = Event
        fields = [
            *EVENT_CONTENT_FIELDS,
            "parent",
            "acled_id",
            "ucdp_id",
            "fatality_rule",
            "status",
            "participants",
        ]

    def validate_participants(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = [(entry["actor"].pk, entry["role"]) for entry in entries]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("An actor is listed twice with the same role.")
        return entries

    def create(self, validated_data: dict[str, Any]) -> Event:
        participants = validated_data.pop("participants", None)
        event = super().create(validated_data)
        if participants is not None:
            event_replace_participants(event=event, participants=participants)
        return event

    def update(self, instance: Event, validated_data: dict[str, Any]) -> Event:
        participants = validated_data.pop("participants", None)
        event = super().update(instance, validated_data)
        if participants is not None:
            event_replace_participants(event=event, participants=participants)
        return event


def event_replace_participants(*, event: Event, participants: list[dict[str, Any]]) -> None:
    """Make ``participants`` the event's (runs inside the caller's transaction)."""
    event.participations.all().delete()
    Participation.objects.bulk_create(Participation(event=event, **entry) for entry in participants)


# --- Formats --------------------------------------------------------------------------------


class GeoJSONRenderer(JSONRenderer):
    """A page of events as a GeoJSON FeatureCollection; ``next``/``previous`` as foreign members."""

    media_type = "application/geo+json"
    format = "geojson"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "results" in data:  # a page of features (EventViewSet)
            data = {
                "type": "FeatureCollection",
                "features": data["results"],
                "next": data.get("next"),
                "previous": data.get("previous"),
            }
        return super().render(data, accepted_media_type, renderer_context)


GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string"},
                    "geometry": {
                        "type": "object",
                        "nullable": True,
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 2,
                                "maxItems": 2,
                                "description": "[longitude, latitude]",
                            },
                        },
                    },
                    "properties": {"type": "object", "additionalProperties": True},
                },
            },
        },
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
    },
}


# --- Viewsets -------------------------------------------------------------------------------


class PlaceViewSet(ApiViewSet):
    """Places: a tree from country to site; each carries its ancestors."""

    queryset = Location.objects.all()
    serializer_class = PlaceSerializer
    write_serializer_class = PlaceWriteSerializer
    filterset_class = PlaceFilter
    ordering = ("path",)
    ordering_fields = ("path", "name", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[Location]:
        # Ancestors for the whole page come from one query (PlaceListSerializer).
        return Location.objects.all()


class EventTypeViewSet(ApiViewSet):
    """The two-level event taxonomy: ACLED's types and sub-types plus this domain's own."""

    queryset = EventType.objects.all()
    serializer_class = EventTypeSerializer
    filterset_class = EventTypeFilter
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    http_method_names = ["get", "head", "options"]
    ordering = ("position", "slug")
    ordering_fields = ("position", "slug", "name")

    def get_queryset(self) -> QuerySet[EventType]:
        # The parent type joined: one query instead of one per sub-type. Types have no drafts.
        return EventType.objects.select_related("parent")


EXPAND = OpenApiParameter(
    "expand",
    str,
    enum=["claims"],
    description="claims: include each event's claims in full (the detail always does).",
)
FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "geojson"],
    description="json (default); csv: every matching event, streamed, unpaged, in the layout "
    "`layout` names; geojson: a page as a FeatureCollection with [longitude, latitude] points, "
    "its properties those of the timeline's GeoJSON download.",
)
RECORD_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "geojson"],
    description="json (default); csv: the event's row in the layout `layout` names; geojson: "
    "the event as a Feature, as in the list's FeatureCollection.",
)
LAYOUT = OpenApiParameter(
    "layout",
    str,
    enum=list(LAYOUTS),
    description="With format=csv: acled (default; ACLED's columns), ucdp (UCDP GED's) or "
    "conflictkb (ConflictKB's own: ACLED's columns plus its ids, title, fatality range, "
    "claims, sources and page). The timeline's downloads offer the same layouts, with the "
    "same values for the same filters.",
)


class EventViewSet(ApiViewSet):
    """Consolidated events with their type, place, participants and fatality range."""

    # The list's GeoJSON and CSV are whole documents, not pages of serializer rows.
    unpaginated_media_types = ("application/geo+json", "text/csv")

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    detail_serializer_class = EventDetailSerializer
    write_serializer_class = EventWriteSerializer
    filterset_class = ApiEventFilter
    ordering = ("-start_date",)
    ordering_fields = ("start_date", "end_date", "title", "created_at", "updated_at")

    def get_renderers(self) -> list[renderers.BaseRenderer]:
        renderer_list = super().get_renderers()
        if self.action in ("list", "retrieve"):
            renderer_list += [CSVRenderer(), GeoJSONRenderer()]
        return renderer_list

    def chosen_layout(self) -> Layout:
        layout = LAYOUTS.get(self.request.query_params.get("layout") or ACLED.key)
        if layout is None:
            raise ValidationError({"layout": [f"Choose one of: {', '.join(LAYOUTS)}."]})
        return layout

    @extend_schema(
        parameters=[RECORD_FORMAT, LAYOUT],
        responses={
            (200, "application/json"): EventDetailSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
        },
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        file_format = request.accepted_renderer.format
        if file_format not in ("csv", "geojson"):
            return super().retrieve(request, *args, **kwargs)
        # One event in the downloads' layouts: the row or feature the list gives it.
        layout = self.chosen_layout() if file_format == "csv" else GEOJSON
        event = self.get_object()
        [record] = records_of([event], request.user, layout=layout, page_url=page_urls(request))
        if file_format == "geojson":
            return Response(feature(record))
        response = HttpResponse(
            "".join(write_rows(csv_writer(), layout, [record])),
            content_type="text/csv; charset=utf-8",
        )
        name = f"conflictkb-event-{event.uuid}-{layout.key}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @property
    def expands_claims(self) -> bool:
        return self.action != "list" or self.request.query_params.get("expand") == "claims"

    @property
    def lists_rows_from_sql(self) -> bool:
        """A JSON list without claims is written by PostgreSQL (``api.event_rows``)."""
        return (
            self.action == "list"
            and not self.expands_claims
            and self.request.accepted_renderer.format in ("json", "api")
        )

    def base_queryset(self) -> QuerySet[Event]:
        user = self.request.user
        if self.lists_rows_from_sql:
            # Only what filtering and paging read: the rows come from event_rows.
            return Event.objects.only("pk", *self.ordering_fields)
        # The timeline's loading strategy: type, parent type and place joined, participants
        # with their actors in one query (not one per event and actor); plus the parent event.
        events = Event.objects.for_list(user).select_related("parent")
        if self.expands_claims:
            # Claims with claimant, document and outlet: one query instead of several per claim.
            events = events.prefetch_related(
                models.Prefetch("claims", queryset=Claim.objects.cited_for(user).visible_to(user))
            )
        return events

    def get_serializer_class(self) -> Any:
        if self.action == "list" and self.expands_claims:
            return EventDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        parameters=[EXPAND, FORMAT, LAYOUT],
        responses={
            (200, "application/json"): EventSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): GEOJSON_SCHEMA,
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.accepted_renderer.format == "csv":
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        if request.accepted_renderer.format == "geojson":
            # The timeline's GeoJSON layout, a page at a time (interchange.layouts).
            queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
            events = self.paginate_queryset(queryset)
            records = records_of(
                list(events or []), request.user, layout=GEOJSON, page_url=page_urls(request)
            )
            return self.get_paginated_response([feature(record) for record in records])
        if self.lists_rows_from_sql:
            return self.for_readers(request, self.rows_from_sql)
        return super().list(request, *args, **kwargs)

    def rows_from_sql(self) -> Response:
        events = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        links = DetailLinks.of(self.get_serializer_context())
        rows = event_rows(events, self.request.user, links)
        return self.get_paginated_response([WrittenJSON(row) for row in rows])

    def csv_response(self, queryset: QuerySet[Event]) -> StreamingHttpResponse:
        ordering = StrictOrderingFilter().get_ordering(self.request, queryset, self)
        return events_download(queryset.order_by(*ordering), self.request, self.chosen_layout())
