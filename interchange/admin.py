"""Importing in the admin: an ACLED or UCDP GED file uploaded from the events' list, its report,
and the whole list of its problems as a download. Reviewing the events that may be one
(candidates): merge, reject or skip, one pair at a time or in bulk; undoing a merge."""

from __future__ import annotations

import io
import secrets
import zlib
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Now
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html

from core.spreadsheets import csv_writer
from events.models import CandidateStatus, Event, EventCandidate, EventMerge, Participation
from interchange.matching import candidates
from interchange.merging import MergeError, merge_events, undo_merge
from interchange.services import ImportReport, events_import
from sources.admin import EventWithClaimsAdmin
from sources.models import Claim


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


# --- Candidates: events that may be one -----------------------------------------------------


# The review page's buttons, by name.
DECISIONS = ("keep_a", "keep_b", "reject", "skip")


class BulkMergeForm(forms.Form):
    score = forms.FloatField(
        min_value=0.5,
        max_value=1,
        initial=0.9,
        label="Merge every open pair scoring at least",
        help_text="Each pair's older event is kept.",
    )


@admin.register(EventCandidate)
class EventCandidateAdmin(admin.ModelAdmin):
    """The review queue: pairs of events that may be one, best first. A pair's page shows the
    two events side by side with their claims; an editor merges (keeping either), rejects
    (never proposed again) or skips to the next."""

    list_display = ("score", "pair", "status")
    list_display_links = ("score",)
    list_filter = ("status",)
    list_select_related = ("event_a", "event_b")
    ordering = ("-score", "id")
    actions = ["reject_selected"]
    change_list_template = "admin/candidate_changelist.html"

    @admin.display(description="events and why")
    def pair(self, candidate: EventCandidate) -> str:
        return format_html(
            '{} <strong>≈</strong> {}<br><span class="help">{}</span>',
            candidate.event_a.title,
            candidate.event_b.title,
            "; ".join(candidate.reasons),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the candidate search finds them (manage.py match_events, imports)

    def can_merge(self, request: HttpRequest) -> bool:
        return request.user.has_perm("events.merge_events")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and not request.GET:
            return redirect(f"{request.path}?status__exact={CandidateStatus.OPEN}")
        bulk = BulkMergeForm(request.POST or None, prefix="bulk")
        if request.method == "POST" and "bulk-score" in request.POST:
            if not request.user.has_perm("events.merge_in_bulk"):
                raise PermissionDenied
            if bulk.is_valid():
                self.merge_in_bulk(request, bulk.cleaned_data["score"])
                return redirect(request.get_full_path())
        context = {
            **(extra_context or {}),
            "title": "Events that may be one, best first",
            "bulk_form": bulk if request.user.has_perm("events.merge_in_bulk") else None,
        }
        return super().changelist_view(request, context)

    def merge_in_bulk(self, request: HttpRequest, score: float) -> None:
        merged = gone = 0
        for candidate_id in list(candidates(score).values_list("pk", flat=True)):
            # An earlier merge of this run may have absorbed one of its events already (and
            # so deleted the pair): each pair is read when its turn comes.
            pair = candidates(score).filter(pk=candidate_id).first()
            if pair is None:
                gone += 1
                continue
            merge_events(pair.event_a, pair.event_b, user=request.user)
            merged += 1
        message = f"Merged {merged} pair(s) scoring at least {score:.2f}"
        if gone:
            message += f"; {gone} pair(s) had an event merged already in this run"
        self.message_user(request, message + ".", messages.SUCCESS)

    @admin.action(description="Not the same event: reject the selected pairs")
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[EventCandidate]) -> None:
        rejected = reject(queryset, request.user)
        self.message_user(request, f"Rejected {rejected} pair(s); they will not be proposed again.")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """The review page of one pair."""
        candidate = get_object_or_404(
            EventCandidate.objects.select_related("event_a", "event_b"), pk=object_id
        )
        if not self.has_view_or_change_permission(request, candidate):
            raise PermissionDenied
        if request.method == "POST":
            return self.decide(request, candidate)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Are these one event? Score {candidate.score:.2f}",
            "candidate": candidate,
            "sides": [
                review_side(candidate.event_a, request.user),
                review_side(candidate.event_b, request.user),
            ],
            "can_decide": self.has_change_permission(request, candidate)
            and candidate.status == CandidateStatus.OPEN,
            "can_merge": self.can_merge(request),
        }
        return TemplateResponse(request, "admin/review_candidate.html", context)

    def decide(self, request: HttpRequest, candidate: EventCandidate) -> HttpResponse:
        decision = next((d for d in DECISIONS if d in request.POST), "")
        if not self.has_change_permission(request, candidate):
            raise PermissionDenied
        if decision in ("keep_a", "keep_b"):
            if not self.can_merge(request):
                raise PermissionDenied
            keep, absorb = (candidate.event_a, candidate.event_b)
            if decision == "keep_b":
                keep, absorb = absorb, keep
            try:
                merge_events(keep, absorb, user=request.user)
            except MergeError as problem:
                self.message_user(request, str(problem), messages.ERROR)
                return redirect(request.path)
            self.message_user(
                request, f"Merged “{absorb.title}” into “{keep.title}”.", messages.SUCCESS
            )
        elif decision == "reject":
            reject(EventCandidate.objects.filter(pk=candidate.pk), request.user)
            self.message_user(request, "Rejected: this pair will not be proposed again.")
        elif decision != "skip":
            self.message_user(request, "Choose merge, reject or skip.", messages.ERROR)
            return redirect(request.path)
        following = (
            candidates(0)
            .exclude(pk=candidate.pk)
            .filter(Q(score__lt=candidate.score) | Q(score=candidate.score, pk__gt=candidate.pk))
            .values_list("pk", flat=True)
            .first()
        )
        if following is None:
            return redirect("admin:events_eventcandidate_changelist")
        return redirect("admin:events_eventcandidate_change", following)


def reject(pairs: QuerySet[EventCandidate], user: Any) -> int:
    """Mark the open ones of ``pairs`` rejected by ``user``: never proposed again."""
    return pairs.filter(status=CandidateStatus.OPEN).update(
        status=CandidateStatus.REJECTED, decided_by=user, decided_at=Now()
    )


def review_side(event: Event, user: Any) -> dict[str, Any]:
    """One event of a pair as the review page shows it: its record (with the figures staff
    see) and every claim."""
    event = (
        Event.objects.as_seen_by(user)
        .select_related("event_type", "location")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related(
                    "claimant_outlet", "claimant_actor", "document__outlet"
                ).order_by("kind", "id"),
            ),
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("actor").order_by("role", "id"),
            ),
        )
        .get(pk=event.pk)
    )
    return {"event": event, "claims": list(event.claims.all())}


@admin.register(EventMerge)
class EventMergeAdmin(admin.ModelAdmin):
    """Merges done, newest first; any can be undone (the absorbed event comes back with what
    moved from it)."""

    list_display = ("absorbed_title", "kept", "absorbed_acled_id", "absorbed_ucdp_id", "merged_at")
    list_select_related = ("kept",)
    search_fields = ("absorbed_title", "absorbed_acled_id", "absorbed_ucdp_id")
    actions = ["undo_selected"]
    # What undoing puts back, in words: the stored record of it is for the undo, not for
    # reading.
    readonly_fields = [
        *(field.name for field in EventMerge._meta.fields if field.name != "undo"),
        "undo_puts_back",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # undoing is the way back, not deleting the record of it

    @admin.display(description="Undoing puts back")
    def undo_puts_back(self, merge: EventMerge) -> str:
        undo = merge.undo
        counted = [
            ("claims", "claim", ""),
            ("participations", "participant", ""),
            ("participations_dropped", "participant", " the kept event also had"),
            ("relations", "relation", ""),
            ("children", "part", ""),
            ("merges", "earlier merge", ""),
            ("snapshots", "import snapshot", ""),
        ]
        moved = [
            f"{n} {noun}{'' if n == 1 else 's'}{tail}"
            for key, noun, tail in counted
            if (n := len(undo.get(key, [])))
        ]
        ids = [
            str(getattr(Event._meta.get_field(column), "verbose_name", column))
            for column in undo.get("ids", [])
        ]
        return "; ".join(
            [
                f"the event “{merge.absorbed_title}”",
                *moved,
                *([f"its {' and '.join(ids)}"] if ids else []),
            ]
        )

    @admin.action(description="Undo the selected merges", permissions=["merge"])
    def undo_selected(self, request: HttpRequest, queryset: QuerySet[EventMerge]) -> None:
        restored = [undo_merge(merge, user=request.user) for merge in queryset.order_by("-id")]
        self.message_user(
            request,
            "Put back: " + "; ".join(f"“{event.title}”" for event in restored) + ".",
            messages.SUCCESS,
        )

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("events.merge_events")
