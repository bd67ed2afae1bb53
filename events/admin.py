from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.admin import DuplicateNameForm, PublishableAdmin
from events.models import (
    DERIVED_FROM_CLAIMS,
    READERS_FIGURES,
    STAFF_FIGURES,
    Event,
    EventRelation,
    EventType,
    Figures,
    Location,
    Participation,
)
from events.templatetags.conflictkb import fatality_range


class LocationForm(DuplicateNameForm):
    class Meta:
        model = Location
        fields = "__all__"

    def similar_records(self, name: str) -> QuerySet[Location]:
        return Location.objects.similar_to(name)


@admin.register(Location)
class LocationAdmin(PublishableAdmin):
    form = LocationForm
    list_display = ["name", "kind", "parent", "country_code", "latitude", "longitude", "status"]
    list_select_related = ["parent"]
    list_filter = ["status", "kind", "country_code"]
    search_fields = ["search_names"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "uuid", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "not_a_duplicate",
                    "alternate_names",
                    "kind",
                    "parent",
                    "country_code",
                ]
            },
        ),
        ("Coordinates", {"fields": ["latitude", "longitude"]}),
        ("Publication", {"fields": ["status", "path", "uuid", "created_at", "updated_at"]}),
    ]


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "parent",
        "is_acled",
        "disorder_type",
        "acled_event_type",
        "acled_sub_event_type",
    ]
    list_select_related = ["parent"]
    list_filter = ["is_acled", "disorder_type", "parent"]
    search_fields = ["name", "slug", "parent__name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]


class EventTypeFilter(admin.SimpleListFilter):
    """Top-level types only; each includes its sub-types (the full list has 34 entries)."""

    title = "event type"
    parameter_name = "type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(t.slug, t.name) for t in EventType.objects.filter(parent__isnull=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> QuerySet[Event]:
        if not self.value():
            return queryset
        return queryset.filter(
            Q(event_type__slug=self.value()) | Q(event_type__parent__slug=self.value())
        )


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "note"]


class EventRelationInline(admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "relation (this event … other event)"
    verbose_name_plural = "relations (this event … other event)"


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = [
        "title",
        "event_type",
        "start_date",
        "location",
        "fatalities",
        "contested",
        "claim_count",
        "status",
    ]
    list_select_related = ["event_type__parent", "location"]
    list_filter = [
        "status",
        "contested",
        EventTypeFilter,
        "date_precision",
        "location__country_code",
    ]
    date_hierarchy = "start_date"
    search_fields = [
        "title",
        "summary",
        "acled_id",
        "ucdp_id",
        "participations__actor__name",
        "participations__actor__names__name",
        "location__search_names",
    ]
    autocomplete_fields = ["event_type", "location", "parent"]
    inlines = [ParticipationInline, EventRelationInline]
    history_with_parts: tuple[str, ...] = ("events.ParticipationEvent", "events.EventRelationEvent")
    readonly_fields = [
        *DERIVED_FROM_CLAIMS,
        "figures_with_unpublished_evidence",
        "uuid",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "summary", "event_type", "parent"]}),
        ("When", {"fields": [("start_date", "end_date"), "date_precision"]}),
        ("Where", {"fields": ["location", "geo_precision"]}),
        (
            "Figures (derived from the claims below)",
            {
                "fields": [
                    "fatality_rule",
                    ("fatalities_low", "fatalities_best", "fatalities_high"),
                    ("contested", "claim_count", "source_count"),
                    "figures_with_unpublished_evidence",
                ],
                "description": "The figures readers see count only the claims they can open: "
                "not deprecated, not needing work, in a published document of a published "
                "outlet, by a published claimant.",
            },
        ),
        ("Identifiers", {"fields": ["acled_id", "ucdp_id", "uuid"], "classes": ["collapse"]}),
        ("Publication", {"fields": ["status", "created_at", "updated_at"]}),
    ]

    @admin.display(description="With unpublished evidence")
    def figures_with_unpublished_evidence(self, event: Event) -> str:
        """What staff see besides the readers' figures: the same derivation over every claim
        that is not deprecated (drafts and claims needing work included)."""
        if event.pk is None:
            return "–"
        staff = Figures(*(getattr(event, name) for name in STAFF_FIGURES))
        if staff == Figures(*(getattr(event, name) for name in READERS_FIGURES)):
            return "The same: readers can open every claim that counts."
        unseen = event.staff_claim_count - event.claim_count
        killed = fatality_range(staff) or "no figures claimed"
        return (
            f"Killed {killed}; {'contested' if staff.contested else 'not contested'}; "
            f"{staff.claim_count} claims from {staff.source_count} independent sources, "
            f"{unseen} of them not yet public."
        )

    @admin.display(description="fatalities")
    def fatalities(self, event: Event) -> str:
        low, best, high = event.fatality_range()
        if best is None and low is None:
            return "—"
        return str(best) if low == high else f"{low}–{high} (best {best})"
