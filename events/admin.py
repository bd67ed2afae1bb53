from __future__ import annotations

import io
import secrets
import zlib
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from conflictkb.admin import DuplicateNameForm, PublishableAdmin
from conflictkb.spreadsheets import csv_writer
from events.interchange.services import ImportReport, events_import
from events.models import (
    DERIVED_FIGURES,
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


def upload_limit_message(size: int) -> str:
    limit = settings.IMPORT_UPLOAD_MAX_MB
    return (
        f"The file is {size / 1_000_000:,.1f} MB; files uploaded here may be up to {limit} MB "
        "(IMPORT_UPLOAD_MAX_MB). Import a larger file with manage.py import_acled or import_ucdp."
    )


PROBLEMS_SHOWN = 1000
PROBLEM_LIST_SECONDS = 3600


def keep_problem_list(report: ImportReport, user_id: int | None) -> str:
    """Keeps the report's problems as CSV in the shared cache; the token to download them."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["line", "column", "problem"])
    for problem in report.problems:
        writer.writerow([problem.line, problem.column, problem.reason])
    token = secrets.token_urlsafe(16)
    compressed = zlib.compress(out.getvalue().encode(), 6)
    kept = (user_id, report.file_name, compressed)
    caches["default"].set(f"import-problems:{token}", kept, PROBLEM_LIST_SECONDS)
    return token


class EventImportForm(forms.Form):
    dataset = forms.ChoiceField(
        choices=[("acled", "ACLED (event_id_cnty … timestamp)"), ("ucdp", "UCDP GED (id … low)")]
    )
    file = forms.FileField(help_text="CSV, UTF-8, comma-separated, with its header row.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_UPLOAD_MAX_MB * 1_000_000:
            raise forms.ValidationError(upload_limit_message(upload.size))
        return upload

    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Validate and count only; write nothing."
    )
    publish = forms.BooleanField(
        required=False, help_text="Publish the records it creates (reviewers only)."
    )


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    change_list_template = "admin/import_event_changelist.html"
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
        *DERIVED_FIGURES,
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

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        problems = self.admin_site.admin_view(self.import_problems_view)
        return [
            path("import/", view, name="events_event_import"),
            path("import/problems/<str:token>/", problems, name="events_event_import_problems"),
            *super().get_urls(),
        ]

    def can_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an ACLED or UCDP GED file and see the report (events.interchange)."""
        if not self.can_import(request):
            raise PermissionDenied
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if request.method == "POST" and declared > settings.IMPORT_UPLOAD_MAX_MB * 1_000_000:
            # Refused before the upload is read (to a temporary file) at all.
            refusal = upload_limit_message(declared)
            return self.import_page(request, EventImportForm(), None, refusal, status=413)
        form = EventImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = events_import(
                data=upload.read(),
                dataset=form.cleaned_data["dataset"],
                file_name=upload.name,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                publish=form.cleaned_data["publish"] and self.can_publish(request),
            )
        return self.import_page(request, form, report)

    def import_page(
        self,
        request: HttpRequest,
        form: EventImportForm,
        report: ImportReport | None,
        refusal: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import events from a file",
            "form": form,
            "report": report,
            "refusal": refusal,
        }
        if report and report.problems:
            # A file can hold a problem on each of its 200,000 lines: the page shows the
            # first ones, and the whole list is a download (kept an hour, for this user).
            context["problems_shown"] = report.problems[:PROBLEMS_SHOWN]
            context["problems_not_shown"] = len(report.problems) - PROBLEMS_SHOWN
            context["problems_download"] = keep_problem_list(report, request.user.pk)
        return TemplateResponse(request, "admin/import_events.html", context, status=status)

    def import_problems_view(self, request: HttpRequest, token: str) -> HttpResponse:
        """The whole problem list of an import this user ran in the last hour, as CSV."""
        if not self.can_import(request):
            raise PermissionDenied
        kept = caches["default"].get(f"import-problems:{token}")
        if kept is None or kept[0] != request.user.pk:
            raise Http404("This problem list has expired; import the file again to see it.")
        _, file_name, compressed = kept
        response = HttpResponse(zlib.decompress(compressed), content_type="text/csv; charset=utf-8")
        name = Path(file_name).stem or "import"
        response["Content-Disposition"] = f'attachment; filename="{name}-problems.csv"'
        return response

    @admin.display(description="fatalities")
    def fatalities(self, event: Event) -> str:
        low, best, high = event.fatality_range()
        if best is None and low is None:
            return "—"
        return str(best) if low == high else f"{low}–{high} (best {best})"
