from __future__ import annotations

from django.contrib import admin
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import QuerySet
from django.http import HttpRequest

from actors.models import Actor, ActorName, ActorRelation
from core.admin import AuditedAdmin, DuplicateNameForm, PublishableAdmin


class ActorForm(DuplicateNameForm):
    class Meta:
        model = Actor
        fields = "__all__"

    def similar_records(self, name: str) -> QuerySet[Actor]:
        return Actor.objects.similar_to(name)


class ActorNameInline(admin.TabularInline):
    model = ActorName
    extra = 1
    fields = ["name", "kind", "language", "valid_from", "valid_to"]


class ActorRelationInline(admin.TabularInline):
    model = ActorRelation
    fk_name = "subject"
    extra = 0
    autocomplete_fields = ["object"]
    fields = ["kind", "object", "valid_from", "valid_to", "note"]
    verbose_name = "relation (this actor … other actor)"
    verbose_name_plural = "relations (this actor … other actor)"


@admin.register(Actor)
class ActorAdmin(PublishableAdmin):
    form = ActorForm
    list_display = ["name", "kind", "country_code", "acled_type", "aliases", "status", "updated_at"]
    list_filter = ["status", "kind", "acled_type", "country_code"]
    search_fields = ["name", "names__name"]
    inlines = [ActorNameInline, ActorRelationInline]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "not_a_duplicate",
                    "kind",
                    "acled_type",
                    "country_code",
                    "description",
                ]
            },
        ),
        ("Publication", {"fields": ["status", "uuid", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Actor]:
        # Aliases in the changelist come from one aggregated column, not a query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(alias_list=StringAgg("names__name", ", ", distinct=True, default=""))
        )

    @admin.display(description="other names", ordering="alias_list")
    def aliases(self, actor: Actor) -> str:
        return getattr(actor, "alias_list", "")


@admin.register(ActorRelation)
class ActorRelationAdmin(AuditedAdmin):
    list_display = ["subject", "kind", "object", "valid_from", "valid_to"]
    list_select_related = ["subject", "object"]
    list_filter = ["kind"]
    search_fields = ["subject__name", "subject__names__name", "object__name", "object__names__name"]
    autocomplete_fields = ["subject", "object"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(ActorName)
class ActorNameAdmin(AuditedAdmin):
    list_display = ["name", "kind", "actor", "language", "valid_from", "valid_to"]
    list_select_related = ["actor"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]
