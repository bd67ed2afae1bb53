"""Site-wide search across actors, places, events and documents, tolerant of spelling."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Prefetch, Q
from django.views.generic import TemplateView

from actors.models import Actor, ActorName
from core.reader_cache import CachedForReaders
from events.models import Event, Location
from sources.models import Document

RESULTS_PER_KIND = 20
MAX_QUERY_LENGTH = 200


class SearchView(CachedForReaders, TemplateView):
    """``/search/?q=``: "Idleb", "Tahrir al Sham", "HTS" and "Nusra" all find their records.

    Actors and places match on any name by trigram word similarity (misspellings, missing
    hyphens) or at the start of a word (abbreviations); events by ranked full text over their
    words, claims, actors and places; documents by full text over title and excerpt.
    """

    template_name = "pages/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        text = " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
        context["q"] = text
        if not text:
            return context
        user = self.request.user
        staff = user.is_staff
        actors = (
            Actor.objects.visible_to(user)
            .search(text)
            .prefetch_related(Prefetch("names", queryset=ActorName.objects.order_by("name")))
        )
        places = Location.objects.visible_to(user).search(text).select_related("parent")
        events = (
            Event.objects.visible_to(user).matching_words(text, with_drafts=staff).for_list(user)
        )
        words = SearchQuery(text, search_type="websearch", config="english")
        documents = (
            Document.objects.visible_to(user)
            .annotate(
                rank=SearchRank(
                    SearchVector("title", weight="A", config="english")
                    + SearchVector("text", weight="C", config="english"),
                    words,
                )
            )
            .filter(Q(rank__gt=0) | Q(title__icontains=text))
            .select_related("outlet")
            .order_by("-rank", "-published_on")
        )
        context.update(
            actors=list(actors[:RESULTS_PER_KIND]),
            places=list(places[:RESULTS_PER_KIND]),
            events=list(events[:RESULTS_PER_KIND]),
            documents=list(documents[:RESULTS_PER_KIND]),
            limit=RESULTS_PER_KIND,
        )
        context["total"] = sum(len(context[k]) for k in ("actors", "places", "events", "documents"))
        return context
