"""Importing in the admin: an ACLED or UCDP GED file uploaded from the events' list, its report,
and the whole list of its problems as a download."""

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
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from core.spreadsheets import csv_writer
from events.models import Event
from interchange.services import ImportReport, events_import
from sources.admin import EventWithClaimsAdmin


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


admin.site.unregister(Event)


@admin.register(Event)
class EventImportAdmin(EventWithClaimsAdmin):
    """The events' admin with an "Import events" button on its list."""

    change_list_template = "admin/import_event_changelist.html"

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
        """Upload an ACLED or UCDP GED file and see the report (interchange)."""
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
