"""FilterSets for actors and their relations (the API's, and any page's that lists them).

Every filter names its field and lookup; malformed values are form errors, which the API
answers with a 400.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

import django_filters
from django.db.models import Q, QuerySet

from actors.models import AcledActorType, Actor, ActorKind, ActorRelation, RelationKind
from core.filters import UpdatedSinceFilter
from core.models import Publication


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Any of the actor's names: current, former, abbreviation, transliteration.",
    )
    kind = django_filters.ChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=ActorKind.choices
    )
    country = django_filters.CharFilter(
        field_name="country_code",
        lookup_expr="iexact",
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code, e.g. SY.",
    )
    acled_type = django_filters.TypedChoiceFilter(
        field_name="acled_type", lookup_expr="exact", choices=AcledActorType.choices, coerce=int
    )
    status = django_filters.ChoiceFilter(
        field_name="status",
        lookup_expr="exact",
        choices=Publication.choices,
        help_text="Drafts are visible to editors only.",
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Actor
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Actor], name: str, value: str) -> QuerySet[Actor]:
        return queryset.matching_name(value) if value else queryset  # type: ignore[attr-defined]


class ActorRelationFilter(django_filters.FilterSet):
    actor = django_filters.UUIDFilter(
        method="filter_actor", help_text="Relations with this actor at either end (its id)."
    )
    subject = django_filters.UUIDFilter(field_name="subject__uuid", lookup_expr="exact")
    object = django_filters.UUIDFilter(field_name="object__uuid", lookup_expr="exact")
    kind = django_filters.ChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=RelationKind.choices
    )
    valid_on = django_filters.DateFilter(
        method="filter_valid_on", help_text="Relations in force on this date."
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ActorRelation
        fields: list[str] = []

    def filter_actor(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        return queryset.filter(Q(subject__uuid=value) | Q(object__uuid=value))

    def filter_valid_on(
        self, queryset: QuerySet[Any], name: str, value: datetime.date
    ) -> QuerySet[Any]:
        return queryset.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=value),
            Q(valid_to__isnull=True) | Q(valid_to__gte=value),
        )
