"""FilterSets for outlets, documents and claims.

Every filter names its field and lookup; malformed values are form errors, which the API
answers with a 400.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q, QuerySet

from core.filters import UpdatedSinceFilter
from core.models import Publication
from sources.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Credibility,
    Document,
    Outlet,
    OutletKind,
    Reliability,
    Stance,
)


class OutletFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=200, help_text="Part of the name."
    )
    kind = django_filters.ChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=OutletKind.choices
    )
    country = django_filters.CharFilter(
        field_name="country_code", lookup_expr="iexact", max_length=2, help_text="e.g. GB."
    )
    reliability = django_filters.MultipleChoiceFilter(
        field_name="reliability",
        lookup_expr="exact",
        choices=Reliability.choices,
        help_text="Admiralty source reliability A–F; repeat for several.",
    )
    affiliated_actor = django_filters.UUIDFilter(
        field_name="affiliated_actor__uuid", lookup_expr="exact"
    )
    status = django_filters.ChoiceFilter(
        field_name="status", lookup_expr="exact", choices=Publication.choices
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Outlet
        fields: list[str] = []


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=200, help_text="Part of the title."
    )
    outlet = django_filters.UUIDFilter(
        method="filter_outlet", help_text="Published by this outlet or relaying its reporting."
    )
    published_from = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_to = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact", max_length=12)
    status = django_filters.ChoiceFilter(
        field_name="status", lookup_expr="exact", choices=Publication.choices
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Document
        fields: list[str] = []

    def filter_outlet(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        return queryset.filter(
            Q(outlet__uuid=value)
            | Q(pk__in=Document.objects.filter(relays__uuid=value).values("pk"))
        )


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_words", max_length=200, help_text="Words in the quote (web-search syntax)."
    )
    event = django_filters.UUIDFilter(field_name="event__uuid", lookup_expr="exact")
    actor = django_filters.UUIDFilter(
        field_name="actor__uuid", lookup_expr="exact", help_text="Claims about this actor."
    )
    place = django_filters.UUIDFilter(
        field_name="location__uuid", lookup_expr="exact", help_text="Claims about this place."
    )
    actor_relation = django_filters.UUIDFilter(
        field_name="actor_relation__uuid", lookup_expr="exact"
    )
    claimant = django_filters.UUIDFilter(
        method="filter_claimant", help_text="Made by this actor or outlet (its id)."
    )
    document = django_filters.UUIDFilter(field_name="document__uuid", lookup_expr="exact")
    kind = django_filters.MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=ClaimKind.choices
    )
    stance = django_filters.ChoiceFilter(
        field_name="stance", lookup_expr="exact", choices=Stance.choices
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status", lookup_expr="exact", choices=ClaimStatus.choices
    )
    max_credibility = django_filters.TypedChoiceFilter(
        field_name="credibility",
        lookup_expr="lte",
        choices=Credibility.choices,
        coerce=int,
        help_text="Credibility 1 (confirmed) up to this grade.",
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_claimant(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        return queryset.filter(Q(claimant_actor__uuid=value) | Q(claimant_outlet__uuid=value))

    def filter_words(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value.strip():
            return queryset
        return queryset.filter(
            search_vector=SearchQuery(value, search_type="websearch", config="english")
        )
