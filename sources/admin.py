from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import AuditedAdmin, PublishableAdmin
from events.admin import EventAdmin
from events.models import Event
from sources.models import Claim, ClaimStatus, Document, DocumentRelay, Outlet

DEPRECATE_PERMISSION = "sources.deprecate_claim"


class ClaimForm(forms.ModelForm):
    """Editors record and correct claims; only reviewers deprecate them (or restore them)."""

    request: HttpRequest | None = None

    class Meta:
        model = Claim
        fields = "__all__"  # noqa: DJ007 — the admin narrows fields through its fieldsets
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 5}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "deprecation_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        involves_deprecation = ClaimStatus.DEPRECATED in {status, self.initial.get("status")}
        changed = self.instance.pk is None or status != self.initial.get("status")
        user = self.request.user if self.request else None
        if involves_deprecation and changed and not (user and user.has_perm(DEPRECATE_PERMISSION)):
            raise forms.ValidationError(
                "Only reviewers can deprecate a claim or restore a deprecated one."
            )
        return status


class InlineRequestMixin:
    """Hands the request to inline ClaimForms so they can check the user's permissions
    (AuditedAdmin does the same for the main form)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset


CLAIM_AUTOCOMPLETE = ["claimant_actor", "claimant_outlet", "document", "value_actor"]
CLAIM_FIELDSETS_BODY: list[Any] = [
    ("kind", "stance", "credibility", "status"),
    ("claimant_actor", "claimant_outlet"),
    ("document", "locator"),
    "quote",
    ("value_low", "value_best", "value_high", "civilians", "combatants"),
    ("value_actor", "value_text"),
    ("is_preferred", "deprecation_reason"),
    "note",
    "for_readers",
]


def readers_cannot_open(claim: Claim) -> str:
    """ "" when readers can open ``claim``; otherwise what must be published or done first."""
    if claim.pk is None:
        return ""
    claim.refresh_from_db(fields=["is_public"])  # the database decides, on every write
    if claim.is_public:
        return ""
    return "; ".join(claim.why_not_public())


class ForReadersMixin:
    """Shows on a claim's form whether readers can open it."""

    @admin.display(description="For readers")
    def for_readers(self, claim: Claim) -> str:
        if claim.pk is None:
            return "Known once saved: readers can open a claim once it and what it rests on are published."
        waiting = readers_cannot_open(claim)
        if not waiting:
            return "Readers can open this claim; it counts in the figures they see."
        return f"Readers cannot open this claim, and it does not count in their figures, until {waiting}."


def warn_unless_public(request: HttpRequest, claim: Claim) -> None:
    """After a save: a claim readers cannot open does not move the figures they see."""
    waiting = readers_cannot_open(claim)
    if waiting:
        messages.warning(
            request,
            f"The claim “{claim}” does not count in the figures readers see until {waiting}.",
        )


class EventClaimInline(ForReadersMixin, InlineRequestMixin, admin.StackedInline):
    model = Claim
    form = ClaimForm
    fk_name = "event"
    extra = 0
    autocomplete_fields = CLAIM_AUTOCOMPLETE
    fields = CLAIM_FIELDSETS_BODY
    readonly_fields = ["for_readers"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related(*CLAIM_AUTOCOMPLETE, "document__outlet")


# Claims live in this app, which depends on events; the event page gets its claims inline here
# rather than making events import sources.
admin.site.unregister(Event)


@admin.register(Event)
class EventWithClaimsAdmin(EventAdmin):
    inlines = [*EventAdmin.inlines, EventClaimInline]
    history_with_parts = (*EventAdmin.history_with_parts, "sources.ClaimEvent")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Claim:
            for claim in formset.new_objects + [c for c, _ in formset.changed_objects]:
                warn_unless_public(request, claim)


@admin.register(Claim)
class ClaimAdmin(ForReadersMixin, AuditedAdmin):
    form = ClaimForm
    list_display = [
        "short_quote",
        "kind",
        "claimant",
        "subject",
        "document",
        "credibility",
        "status",
        "is_public",
    ]
    list_select_related = [
        "event",
        "actor",
        "actor_relation__subject",
        "actor_relation__object",
        "location",
        "claimant_actor",
        "claimant_outlet",
        "document",
    ]
    list_filter = ["status", "kind", "stance", "credibility", "document__outlet"]
    search_fields = [
        "quote",
        "claimant_actor__name",
        "claimant_actor__names__name",
        "claimant_outlet__name",
        "document__title",
        "event__title",
    ]
    autocomplete_fields = ["event", "actor", "actor_relation", "location", *CLAIM_AUTOCOMPLETE]
    readonly_fields = ["uuid", "created_at", "updated_at", "for_readers"]
    fieldsets = [
        ("About (exactly one)", {"fields": [("event", "actor"), ("actor_relation", "location")]}),
        ("Claim", {"fields": CLAIM_FIELDSETS_BODY}),
        ("Record", {"fields": ["uuid", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        warn_unless_public(request, obj)

    @admin.display(description="quote")
    def short_quote(self, claim: Claim) -> str:
        return claim.quote if len(claim.quote) <= 90 else claim.quote[:89] + "…"

    @admin.display(description="claimant")
    def claimant(self, claim: Claim) -> str:
        return str(claim.claimant)

    @admin.display(description="about")
    def subject(self, claim: Claim) -> str:
        return str(claim.subject)


@admin.register(Outlet)
class OutletAdmin(PublishableAdmin):
    list_display = ["name", "kind", "country_code", "reliability", "affiliated_actor", "status"]
    list_select_related = ["affiliated_actor"]
    list_filter = ["status", "kind", "reliability", "country_code"]
    search_fields = ["name"]
    autocomplete_fields = ["affiliated_actor"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


class DocumentRelayInline(admin.TabularInline):
    model = DocumentRelay
    extra = 1
    autocomplete_fields = ["outlet"]
    verbose_name = "relayed outlet"
    verbose_name_plural = "relays (wire stories this document carries)"


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ["title", "outlet", "author", "published_on", "language", "status"]
    list_select_related = ["outlet"]
    list_filter = ["status", "outlet__kind", "language", "outlet"]
    date_hierarchy = "published_on"
    search_fields = ["title", "author", "url", "outlet__name"]
    autocomplete_fields = ["outlet"]
    inlines = [DocumentRelayInline]
    readonly_fields = ["uuid", "created_at", "updated_at"]
