"""Pages for analysts: what an outlet published and relayed, what a document says and who cites it."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.views.generic import DetailView

from core.models import sees_drafts
from core.reader_cache import CachedForReaders
from events.views import PublicationMixin
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
    return Claim.objects.visible_to(user).cited_for(user)


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
