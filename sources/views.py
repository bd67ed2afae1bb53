"""Pages for analysts: what an outlet published and relayed, what a document says and who cites it."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django.views.generic import DetailView
from django_filters.views import FilterView

from conflictkb.models import sees_drafts
from conflictkb.reader_cache import CachedForReaders
from events.interchange.layouts import CLAIM_FORMATS, claims_download
from events.views import FilteredEventsMixin, PublicationMixin
from sources.api import claims_for_api
from sources.filters import ClaimFilter
from sources.models import Claim, ClaimStatus, Document, Outlet

DOCUMENTS_SHOWN = 100
CLAIMS_SHOWN = 100


def locator_order(claim: Claim) -> tuple[tuple[int, int | str], ...]:
    """Document order: "¶ 2" before "¶ 10", "p. 3" before "p. 12" (numbers compared as numbers);
    claims without a locator last."""
    if not claim.locator:
        return ((2, ""),)
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part.casefold())
        for part in re.split(r"(\d+)", claim.locator)
        if part
    )


def visible_claims(user: Any) -> QuerySet[Claim]:
    return Claim.objects.visible_to(user).for_citation(user)


class OutletDetailView(CachedForReaders, PublicationMixin, DetailView):
    model = Outlet
    slug_field = slug_url_kwarg = "uuid"
    template_name = "sources/outlet_detail.html"

    def get_queryset(self) -> QuerySet[Outlet]:
        return self.visible(Outlet.objects.for_detail(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        outlet: Outlet = self.object
        user = self.request.user
        # Readers count the claims they can open; staff every claim not deprecated.
        counted = (
            ~Q(claims__status=ClaimStatus.DEPRECATED)
            if sees_drafts(user)
            else Q(claims__is_public=True)
        )
        documents = (
            self.visible(outlet.documents.all())
            .for_list(user)
            .annotate(claim_total=Count("claims", filter=counted))
            .order_by("-published_on", "title")
        )
        relayed_in = self.visible(outlet.relayed_in.all()).select_related("outlet").as_seen_by(user)
        context = super().get_context_data(**kwargs)
        context.update(
            documents=list(documents[:DOCUMENTS_SHOWN]),
            relayed_in=list(relayed_in.order_by("-published_on", "title")[:DOCUMENTS_SHOWN]),
            claims_made=list(
                visible_claims(user)
                .filter(claimant_outlet=outlet)
                .order_by("-document__published_on", "pk")[:CLAIMS_SHOWN]
            ),
        )
        return context


class DocumentDetailView(CachedForReaders, PublicationMixin, DetailView):
    model = Document
    slug_field = slug_url_kwarg = "uuid"
    template_name = "sources/document_detail.html"

    def get_queryset(self) -> QuerySet[Document]:
        return self.visible(Document.objects.for_detail(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        claims = visible_claims(self.request.user).filter(document=self.object)
        context = super().get_context_data(**kwargs)
        context["claims"] = sorted(claims.order_by("pk"), key=locator_order)
        return context


class ExportClaimsView(FilteredEventsMixin, FilterView):
    """The evidence behind the filtered events: each claim a reader may open about them, as
    CSV or JSON Lines (``events.interchange.layouts.CLAIMS``, as the API's claims download).

    The timeline's filters choose the events; the claims' own filters (``kind``, ``stance``,
    ``status``, ``max_credibility``) narrow the claims.
    """

    CLAIM_FILTERS = ("kind", "stance", "status", "max_credibility")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        file_format = self.kwargs["file_format"]
        if file_format not in CLAIM_FORMATS:
            raise Http404("Claims download as claims.csv or claims.jsonl.")
        user = self.request.user
        claims = (
            claims_for_api(user).visible_to(user).filter(event__in=self.object_list.values("pk"))
        )
        claim_filter = ClaimFilter(
            data=MultiValueDict(
                {
                    n: self.request.GET.getlist(n)
                    for n in self.CLAIM_FILTERS
                    if n in self.request.GET
                }
            ),
            queryset=claims,
        )
        errors = {**self.filterset.errors, **claim_filter.errors}
        if errors:
            return HttpResponse(json.dumps(errors), status=400, content_type="application/json")
        claims = claim_filter.qs.order_by("-event__start_date", "event_id", "pk")
        return claims_download(
            claims, file_format, f"conflictkb-claims-{datetime.date.today():%Y%m%d}"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {}
