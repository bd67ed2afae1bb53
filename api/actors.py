"""API for actors (with their names and relations) and actor relations."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.filters import ActorFilter, ActorRelationFilter
from actors.models import Actor, ActorName, ActorRelation
from api.serializers import ModelCleanSerializer, UUIDRelatedField
from api.viewsets import ApiViewSet
from core.models import visible


class ActorSummarySerializer(serializers.ModelSerializer):
    """An actor as other records embed it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:actor-detail", lookup_field="uuid")

    class Meta:
        model = Actor
        fields = ["id", "url", "name", "kind", "status"]


class ActorNameSerializer(ModelCleanSerializer):
    clean_exclude = ("actor",)

    class Meta:
        model = ActorName
        fields = ["name", "kind", "language", "valid_from", "valid_to"]


class ActorRelationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:actorrelation-detail", lookup_field="uuid"
    )
    subject = ActorSummarySerializer(read_only=True)
    object = ActorSummarySerializer(read_only=True)

    class Meta:
        model = ActorRelation
        fields = [
            "id",
            "url",
            "subject",
            "kind",
            "object",
            "valid_from",
            "valid_to",
            "note",
            "created_at",
            "updated_at",
        ]


class ActorRelationWriteSerializer(ModelCleanSerializer):
    subject = UUIDRelatedField(queryset=Actor.objects.all())
    object = UUIDRelatedField(queryset=Actor.objects.all())

    class Meta:
        model = ActorRelation
        fields = ["subject", "kind", "object", "valid_from", "valid_to", "note"]


class ActorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:actor-detail", lookup_field="uuid")
    names = ActorNameSerializer(many=True, read_only=True)
    relations = serializers.SerializerMethodField()

    class Meta:
        model = Actor
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "acled_type",
            "country_code",
            "description",
            "status",
            "names",
            "relations",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ActorRelationSerializer(many=True))
    def get_relations(self, actor: Actor) -> list[dict[str, Any]]:
        relations = [*actor.relations_as_subject.all(), *actor.relations_as_object.all()]
        relations.sort(key=lambda r: (r.valid_from is not None, r.valid_from, r.kind, r.pk))
        return ActorRelationSerializer(relations, many=True, context=self.context).data  # type: ignore[return-value]


class ActorWriteSerializer(ModelCleanSerializer):
    names = ActorNameSerializer(
        many=True,
        required=False,
        help_text="Replaces all of the actor's other names when given.",
    )

    class Meta:
        model = Actor
        fields = [
            "name",
            "kind",
            "acled_type",
            "country_code",
            "description",
            "status",
            "names",
        ]

    def validate_names(self, names: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = set()
        for entry in names:
            key = (entry["name"], entry.get("kind"))
            if key in seen:
                raise serializers.ValidationError(f"“{entry['name']}” is listed twice.")
            seen.add(key)
        return names

    def create(self, validated_data: dict[str, Any]) -> Actor:
        names = validated_data.pop("names", None)
        actor = super().create(validated_data)
        if names is not None:
            actor_replace_names(actor=actor, names=names)
        return actor

    def update(self, instance: Actor, validated_data: dict[str, Any]) -> Actor:
        names = validated_data.pop("names", None)
        actor = super().update(instance, validated_data)
        if names is not None:
            actor_replace_names(actor=actor, names=names)
        return actor


def actor_replace_names(*, actor: Actor, names: list[dict[str, Any]]) -> None:
    """Make ``names`` the actor's other names (runs inside the caller's transaction)."""
    actor.names.all().delete()
    ActorName.objects.bulk_create(ActorName(actor=actor, **entry) for entry in names)


class ActorViewSet(ApiViewSet):
    """Actors: states, armed groups, ministries, monitors, people — with names and relations."""

    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorFilter
    ordering = ("name",)
    ordering_fields = ("name", "kind", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[Actor]:
        user = self.request.user
        return Actor.objects.prefetch_related(
            # One query for every actor's names instead of one per actor.
            "names",
            # Relations where the actor is subject, then object, each with the other end
            # joined: two queries instead of two per actor plus one per related actor.
            models.Prefetch(
                "relations_as_subject",
                queryset=visible(ActorRelation.objects.select_related("subject", "object"), user),
            ),
            models.Prefetch(
                "relations_as_object",
                queryset=visible(ActorRelation.objects.select_related("subject", "object"), user),
            ),
        )


class ActorRelationViewSet(ApiViewSet):
    """Dated relations between actors: HTS is designated as terrorist by Turkey, Russia backs Syria."""

    queryset = ActorRelation.objects.all()
    serializer_class = ActorRelationSerializer
    write_serializer_class = ActorRelationWriteSerializer
    filterset_class = ActorRelationFilter
    ordering = ("-updated_at",)
    ordering_fields = ("kind", "created_at", "updated_at")

    def base_queryset(self) -> QuerySet[ActorRelation]:
        # Both ends joined: one query instead of two per relation.
        return ActorRelation.objects.select_related("subject", "object")
