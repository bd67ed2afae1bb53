"""API for outlets, documents and claims."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from actors.models import Actor, ActorRelation
from api.actors import ActorSummarySerializer
from api.permissions import require_permission
from api.renderers import CSVRenderer, JSONLinesRenderer
from api.serializers import ModelCleanSerializer, UUIDRelatedField
from api.viewsets import ApiViewSet
from core.models import Publication
from events.models import Event, Location
from interchange.downloads import CLAIM_FORMATS, claims_download
from sources.filters import ClaimFilter, DocumentFilter, OutletFilter
from sources.models import Claim, ClaimStatus, Document, Outlet


class RecordRefSerializer(serializers.Serializer):
    """A reference to a record of one of several types (a claim's subject or claimant)."""

    type = serializers.ChoiceField(
        choices=["event", "actor", "actor_relation", "place", "outlet"], read_only=True
    )
    id = serializers.UUIDField(read_only=True)
    url = serializers.URLField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=Publication.choices,
        read_only=True,
        allow_null=True,
        help_text="draft or published; null for an actor relation, which has no status of its own.",
    )


def record_ref(record: models.Model | None, request: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    kinds: dict[type[models.Model], str] = {
        Event: "event",
        Actor: "actor",
        ActorRelation: "actor_relation",
        Location: "place",
        Outlet: "outlet",
    }
    kind = kinds[type(record)]
    view_name = {"actor_relation": "actorrelation", "place": "place"}.get(kind, kind)
    return {
        "type": kind,
        "id": record.uuid,  # type: ignore[attr-defined]
        "url": reverse(f"api:{view_name}-detail", kwargs={"uuid": record.uuid}, request=request),  # type: ignore[attr-defined]
        "name": str(record),
        "status": getattr(record, "status", None),
    }


class OutletSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:outlet-detail", lookup_field="uuid")

    class Meta:
        model = Outlet
        fields = ["id", "url", "name", "kind", "reliability", "status"]


class OutletSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:outlet-detail", lookup_field="uuid")
    # Read as plain strings: blank URLs are "" and would break the schema's uri format.
    website = serializers.CharField(source="url", read_only=True)
    affiliated_actor = ActorSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "country_code",
            "website",
            "affiliated_actor",
            "reliability",
            "reliability_note",
            "status",
            "created_at",
            "updated_at",
        ]


class OutletWriteSerializer(ModelCleanSerializer):
    website = serializers.URLField(source="url", required=False, allow_blank=True)
    affiliated_actor = UUIDRelatedField(
        queryset=Actor.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Outlet
        fields = [
            "name",
            "kind",
            "country_code",
            "website",
            "affiliated_actor",
            "reliability",
            "reliability_note",
            "status",
        ]


class DocumentSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:document-detail", lookup_field="uuid")
    link = serializers.CharField(source="url", read_only=True)
    outlet = serializers.CharField(source="outlet.name", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "url", "title", "outlet", "published_on", "link", "status"]


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:document-detail", lookup_field="uuid")
    link = serializers.CharField(source="url", read_only=True)
    archive_url = serializers.CharField(read_only=True)
    outlet = OutletSummarySerializer(read_only=True)
    relays = OutletSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "url",
            "title",
            "outlet",
            "relays",
            "link",
            "author",
            "published_on",
            "language",
            "archive_url",
            "text",
            "status",
            "created_at",
            "updated_at",
        ]


class DocumentWriteSerializer(ModelCleanSerializer):
    outlet = UUIDRelatedField(queryset=Outlet.objects.all())
    link = serializers.URLField(source="url", required=False, allow_blank=True, max_length=600)
    relays = serializers.ListField(
        child=UUIDRelatedField(queryset=Outlet.objects.all()),
        required=False,
        help_text="Ids of the outlets whose reporting this document carries (replaces the list).",
    )

    class Meta:
        model = Document
        fields = [
            "outlet",
            "title",
            "link",
            "author",
            "published_on",
            "language",
            "archive_url",
            "text",
            "status",
            "relays",
        ]

    def create(self, validated_data: dict[str, Any]) -> Document:
        relays = validated_data.pop("relays", None)
        document = super().create(validated_data)
        if relays is not None:
            document.relays.set(relays)
        return document

    def update(self, instance: Document, validated_data: dict[str, Any]) -> Document:
        relays = validated_data.pop("relays", None)
        document = super().update(instance, validated_data)
        if relays is not None:
            document.relays.set(relays)
        return document


# What a claim says and how it is graded, read and written alike.
CLAIM_CONTENT_FIELDS = [
    "document",
    "locator",
    "quote",
    "value_low",
    "value_best",
    "value_high",
    "civilians",
    "combatants",
    "value_actor",
    "value_text",
    "stance",
    "credibility",
    "status",
]


class ClaimSerializer(serializers.ModelSerializer):
    """A claim in full: who claims what, where it was published, how credible, and its stance."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:claim-detail", lookup_field="uuid")
    subject = serializers.SerializerMethodField()
    claimant = serializers.SerializerMethodField()
    claimant_is_party = serializers.BooleanField(
        read_only=True,
        help_text="The claimant (or the actor its outlet speaks for) takes part in the event: "
        "a conflict of interest.",
    )
    document = DocumentSummarySerializer(read_only=True)
    value_actor = ActorSummarySerializer(read_only=True, allow_null=True)
    is_public = serializers.BooleanField(
        read_only=True,
        help_text="Readers can open this claim and it counts in the figures they see: it is not "
        "deprecated and does not need work, and its document, the document's outlet and its "
        "claimant are published. Staff also see claims that are not public.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "subject",
            "kind",
            "claimant",
            "claimant_is_party",
            *CLAIM_CONTENT_FIELDS,
            "is_public",
            "deprecation_reason",
            "is_preferred",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(RecordRefSerializer)
    def get_subject(self, claim: Claim) -> dict[str, Any] | None:
        return record_ref(claim.subject, self.context.get("request"))

    @extend_schema_field(RecordRefSerializer(allow_null=True))
    def get_claimant(self, claim: Claim) -> dict[str, Any] | None:
        return record_ref(claim.claimant, self.context.get("request"))


class ClaimWriteSerializer(ModelCleanSerializer):
    event = UUIDRelatedField(queryset=Event.objects.all(), required=False, allow_null=True)
    actor = UUIDRelatedField(queryset=Actor.objects.all(), required=False, allow_null=True)
    actor_relation = UUIDRelatedField(
        queryset=ActorRelation.objects.all(), required=False, allow_null=True
    )
    place = UUIDRelatedField(
        source="location", queryset=Location.objects.all(), required=False, allow_null=True
    )
    claimant_actor = UUIDRelatedField(queryset=Actor.objects.all(), required=False, allow_null=True)
    claimant_outlet = UUIDRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    document = UUIDRelatedField(queryset=Document.objects.all())
    value_actor = UUIDRelatedField(queryset=Actor.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "event",
            "actor",
            "actor_relation",
            "place",
            "kind",
            "claimant_actor",
            "claimant_outlet",
            *CLAIM_CONTENT_FIELDS,
            "deprecation_reason",
            "is_preferred",
            "note",
        ]


class OutletViewSet(ApiViewSet):
    """Outlets: news agencies, newspapers, monitors, ministries — who publishes documents."""

    queryset = Outlet.objects.all()
    serializer_class = OutletSerializer
    write_serializer_class = OutletWriteSerializer
    filterset_class = OutletFilter
    ordering = ("name",)
    ordering_fields = ("name", "kind", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[Outlet]:
        # The affiliated actor joined: one query instead of one per outlet.
        return Outlet.objects.select_related("affiliated_actor")


class DocumentViewSet(ApiViewSet):
    """Documents: an article, a statement, a report — with its outlet and the outlets it relays."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    write_serializer_class = DocumentWriteSerializer
    filterset_class = DocumentFilter
    ordering = ("-updated_at",)
    ordering_fields = ("title", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[Document]:
        # Outlet joined (one per document otherwise) and relayed outlets in one query.
        return Document.objects.for_list(self.request.user)


CLAIMS_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "jsonl"],
    description="json (default, paged); csv or jsonl (JSON Lines): every matching claim, "
    "streamed, unpaged, with its event, subject, claimant (and whether it is a party), "
    "document, outlet and reliability, credibility, stance, status, values, quote and locator.",
)


class ClaimViewSet(ApiViewSet):
    """Claims: one assertion by one claimant in one document about one subject.

    Deprecating a claim (or restoring a deprecated one) needs the "Can deprecate claims"
    permission; deprecated claims stay readable with their reason.
    """

    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilter
    ordering = ("-updated_at",)
    ordering_fields = ("kind", "credibility", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[Claim]:
        return Claim.objects.cited_for()

    def get_renderers(self) -> list[renderers.BaseRenderer]:
        renderer_list = super().get_renderers()
        if self.action == "list":
            renderer_list += [CSVRenderer(), JSONLinesRenderer()]
        return renderer_list

    @extend_schema(
        parameters=[CLAIMS_FORMAT],
        responses={
            (200, "application/json"): ClaimSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/jsonl"): OpenApiTypes.STR,
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        file_format = request.accepted_renderer.format
        if file_format in CLAIM_FORMATS:
            claims = self.filter_queryset(self.get_queryset())
            return claims_download(claims, file_format)
        return super().list(request, *args, **kwargs)

    def check_status_change(self, instance: models.Model | None, data: dict[str, Any]) -> None:
        if "status" not in data:
            return
        before = instance.status if instance is not None else ClaimStatus.ACCEPTED  # type: ignore[attr-defined]
        if (data["status"] == ClaimStatus.DEPRECATED) != (before == ClaimStatus.DEPRECATED):
            require_permission(
                self.request.user,
                "sources.deprecate_claim",
                "Deprecating a claim (or restoring one) needs the “Can deprecate claims” "
                "permission (reviewers have it).",
            )
