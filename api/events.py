"""API for places, event types and events (JSON, ACLED-layout CSV and GeoJSON).

Events are filtered by ``events.filters.EventFilter``, the same FilterSet as the timeline page.
An event's claims come from ``sources``: the API layer composes the apps, so it may look
"down" the dependency chain where the models do not.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import django_filters
import orjson
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from actors.models import Actor
from api.actors import ActorSummarySerializer
from api.event_rows import EXPANSIONS, FULL, Shape, event_rows
from api.filters import StrictOrderingFilter
from api.renderers import CSVRenderer, JSONRenderer, WrittenJSON
from api.serializers import DetailLinks, ModelCleanSerializer, UUIDRelatedField
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
from events.views import to_kept_event
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


# What every record that names an event type gives of it.
EVENT_TYPE_REF = ["slug", "url", "name"]


class EventTypeRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:eventtype-detail", lookup_field="slug"
    )

    class Meta:
        model = EventType
        fields = EVENT_TYPE_REF


class EventTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:eventtype-detail", lookup_field="slug"
    )
    parent = EventTypeRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EventType
        fields = [
            *EVENT_TYPE_REF,
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
        # Lists give them with ?expand=place.ancestors; a record always has them.
        optional_in_schema = ["ancestors"]


class EventTypeOfEventSerializer(EventTypeSerializer):
    class Meta(EventTypeSerializer.Meta):
        # Lists give slug, url and name; ?expand=event_type (and a record) the type in full.
        optional_in_schema = [
            field for field in EventTypeSerializer.Meta.fields if field not in EVENT_TYPE_REF
        ]


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
    """An event's fields, declared: the OpenAPI schema, the browsable API's description and
    the reference ``tests/api/test_event_representation.py`` holds the JSON to. The JSON
    itself is written by PostgreSQL (``api.event_rows``)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:event-detail", lookup_field="uuid")
    event_type = EventTypeOfEventSerializer(read_only=True)
    place = EventPlaceSerializer(source="location", read_only=True, allow_null=True)
    participants = ParticipantSerializer(source="participations", many=True, read_only=True)
    fatalities = FatalitiesSerializer(source="*", read_only=True)
    claim_summary = ClaimSummarySerializer(source="*", read_only=True)
    parent = EventRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Event
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
        # ?fields= chooses which are present; without it, all are.
        optional_in_schema = fields


class EventDetailSerializer(EventSerializer):
    """An event with its claims in full (a record, and lists with ``?expand=claims``)."""

    claims = ClaimSerializer(many=True, read_only=True)
    contested_because = serializers.SerializerMethodField(
        help_text="Each disagreement among the claims given here that makes the event "
        "contested, in words: a denial, different figures, different actors named as "
        "perpetrator or target. Empty when the event is not contested.",
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "contested_because", "claims"]
        optional_in_schema = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_contested_because(self, instance: Event) -> list[str]:
        return contested_because(instance.claims.all()) if instance.contested else []


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


def chosen(
    params: Any, name: str, choices: Sequence[str], what: str, *, at_least_one: bool = False
) -> frozenset[str]:
    """A comma-separated parameter's values, each one of ``choices`` (a 400 otherwise)."""
    values = frozenset(params.get(name, "").split(",")) - {""}
    unknown = sorted(values - set(choices))
    if unknown or (at_least_one and not values):
        wrong = f"No {what} given" if not unknown else f"Unknown {what} {', '.join(unknown)}"
        hint = ""
        if name == "fields" and {"claims", "contested_because"} & set(unknown):
            hint = " (claims and contested_because come with expand=claims)"
        raise ValidationError({name: [f"{wrong}; choose from {', '.join(choices)}{hint}."]})
    return values


def comma_separated(choices: Sequence[str]) -> str:
    """A pattern for a comma-separated selection of ``choices``."""
    one = "|".join(re.escape(choice) for choice in choices)
    return f"^({one})(,({one}))*$"


EXPAND = OpenApiParameter(
    "expand",
    str,
    pattern=comma_separated(EXPANSIONS),
    description="Parts a list leaves out, comma-separated: event_type (the type in full: parent "
    "type, description, ACLED mapping), place.ancestors (the places the event's place is "
    "inside, country first), claims (each event's claims in full, with contested_because). "
    "`expand=event_type,place.ancestors` gives the list records of v1 before compact lists; a "
    "record on its own always has every part.",
)
FIELDS = OpenApiParameter(
    "fields",
    str,
    pattern=comma_separated(EventDetailSerializer.Meta.fields),
    description="Only these top-level fields of each event, comma-separated (e.g. "
    "`id,title,start_date,fatalities`), in the usual order (JSON; CSV and GeoJSON have their layouts). claims and contested_because need "
    "expand=claims in a list. Without it, every field.",
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
        parameters=[FIELDS, RECORD_FORMAT, LAYOUT],
        responses={
            (200, "application/json"): EventDetailSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
        },
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.record(request)
        except Http404:
            return to_kept_event(request, kwargs["uuid"])

    def record(self, request: Request) -> Any:
        file_format = request.accepted_renderer.format
        if file_format not in ("csv", "geojson"):
            self.shape  # noqa: B018  (a bad fields= is a 400 before the cache is asked)
            return self.for_readers(request, self.json_record)
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

    @functools.cached_property
    def shape(self) -> Shape:
        """The parts and fields the request asks for (every part for a record); a 400 naming
        the parameter for anything else."""
        params = self.request.query_params
        expand = chosen(params, "expand", EXPANSIONS, "part")
        if self.action != "list":
            expand = frozenset(EXPANSIONS)
        serializer = EventDetailSerializer if "claims" in expand else EventSerializer
        fields = (
            chosen(params, "fields", serializer.Meta.fields, "field", at_least_one=True)
            if "fields" in params
            else None
        )
        return Shape(expand=expand, fields=fields)

    @property
    def reads_json(self) -> bool:
        """Events read as JSON are written by PostgreSQL (``api.event_rows``); CSV and GeoJSON
        have their layouts (``interchange.layouts``)."""
        return self.action in ("list", "retrieve") and self.request.accepted_renderer.format in (
            "json",
            "api",
        )

    def base_queryset(self) -> QuerySet[Event]:
        if self.reads_json:
            return self.json_queryset(self.shape)
        # Writes, CSV and GeoJSON: the timeline's loading strategy: type, parent type and
        # place joined, participants with their actors in one query; plus the parent event.
        return Event.objects.for_list(self.request.user).select_related("parent")

    def json_queryset(self, shape: Shape) -> QuerySet[Event]:
        """Only what filtering, paging and the claims read: the rest comes from event_rows."""
        events = Event.objects.only("pk", "contested", "staff_contested", *self.ordering_fields)
        if "claims" in shape.expand:
            # Claims with claimant, document and outlet: one query instead of several per claim.
            user = self.request.user
            claims = Claim.objects.cited_for(user).visible_to(user)
            events = events.prefetch_related(models.Prefetch("claims", queryset=claims))
        return events

    def representations(self, events: Sequence[Event], shape: Shape) -> list[Any]:
        """The events' JSON in ``shape``: PostgreSQL's text as it is, or, with claims, read
        back and completed with them."""
        context = self.get_serializer_context()
        rows = event_rows(events, self.request.user, DetailLinks.of(context), shape)
        if "claims" not in shape.expand:
            return [WrittenJSON(row) for _, row in rows]
        detail = EventDetailSerializer(context=context)
        claims_field = detail.fields["claims"]
        records = []
        for event, row in rows:
            record = orjson.loads(row)
            if shape.has("contested_because"):
                record["contested_because"] = detail.get_contested_because(event)
            if shape.has("claims"):
                record["claims"] = claims_field.to_representation(event.claims.all())
            records.append(record)
        return records

    def read_representation(self, instance: models.Model) -> Any:
        """A record as a GET gives it, fresh from the database (the answer to a write)."""
        [record] = self.representations([self.json_queryset(FULL).get(pk=instance.pk)], FULL)
        return record

    @extend_schema(
        parameters=[EXPAND, FIELDS, FORMAT, LAYOUT],
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
            events = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            records = records_of(
                list(events or []), request.user, layout=GEOJSON, page_url=page_urls(request)
            )
            return self.get_paginated_response([feature(record) for record in records])
        self.shape  # noqa: B018  (a bad expand= or fields= is a 400 before the cache is asked)
        return self.for_readers(request, self.json_page)

    def json_record(self) -> Response:
        records = self.representations([self.get_object()], self.shape)
        if not records:  # deleted between the two reads
            raise Http404
        return Response(records[0])

    def json_page(self) -> Response:
        events = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(self.representations(events, self.shape))

    def csv_response(self, queryset: QuerySet[Event]) -> StreamingHttpResponse:
        ordering = StrictOrderingFilter().get_ordering(self.request, queryset, self)
        return events_download(queryset.order_by(*ordering), self.request, self.chosen_layout())
