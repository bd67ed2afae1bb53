"""Pages for analysts: an actor with its names, relations, events and claims over time."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.views.generic import DetailView

from actors.models import Actor
from core.reader_cache import CachedForReaders
from events.models import Event, Participation, Role
from events.views import PublicationMixin
from sources.models import CLAIMANT_FIELDS, Claim

# The actor page lists this many of its most recent events; the timeline has the rest.
EVENTS_SHOWN = 100
CLAIMS_SHOWN = 100


class ActorDetailView(CachedForReaders, PublicationMixin, DetailView):
    model = Actor
    slug_field = slug_url_kwarg = "uuid"
    template_name = "actors/actor_detail.html"

    def get_queryset(self) -> QuerySet[Actor]:
        return self.visible(Actor.objects.for_detail(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor: Actor = self.object
        user = self.request.user
        participations = list(
            Participation.objects.filter(actor=actor, event__in=Event.objects.visible_to(user))
            .select_related("event__event_type", "event__location")
            .as_seen_by(user)
            .order_by("-event__start_date", "-event_id")[: EVENTS_SHOWN + 1]
        )
        by_role: dict[str, list[Event]] = {}
        role_names = dict(Role.choices)
        for participation in participations[:EVENTS_SHOWN]:
            by_role.setdefault(role_names[participation.role], []).append(participation.event)
        claims = (
            Claim.objects.visible_to(user).cited_for(user).order_by("-document__published_on", "pk")
        )
        claims_made = list(claims.filter(claimant_actor=actor)[:CLAIMS_SHOWN])
        naming = list(
            Claim.objects.counted_for(user)
            .filter(value_actor=actor, event__in=Event.objects.visible_to(user))
            .select_related("event__event_type", "event__location", *CLAIMANT_FIELDS)
            .as_seen_by(user)
            .order_by("-event__start_date", "-event_id", "kind", "pk")[:CLAIMS_SHOWN]
        )
        # What others say about this actor: designations, intents, statements, and claims about
        # its relations ("Turkey classifies Tahrir al-Sham as a terrorist group").
        claims_about = list(
            claims.filter(
                Q(actor=actor) | Q(actor_relation__subject=actor) | Q(actor_relation__object=actor)
            ).exclude(claimant_actor=actor)[:CLAIMS_SHOWN]  # its own are listed as made
        )
        relations = [
            (r.valid_from, r.valid_to, r.get_kind_display(), r.object, r)
            for r in actor.relations_as_subject.all()
        ] + [
            (r.valid_from, r.valid_to, r.inverse_kind_display, r.subject, r)
            for r in actor.relations_as_object.all()
        ]
        relations.sort(key=lambda row: (row[0] or datetime.date.min, row[2]))
        context = super().get_context_data(**kwargs)
        context.update(
            names=list(actor.names.all()),
            relations=relations,
            events_by_role=by_role,
            more_events=len(participations) > EVENTS_SHOWN,
            claims_made=claims_made,
            named_in=named_in_claims(naming),
            claims_about=claims_about,
        )
        return context


def named_in_claims(claims: list[Claim]) -> list[tuple[Event, list[str]]]:
    """Each event whose claims name the actor, with who named it and how, in words
    ("as target by Ministry of Defence of Russia"), in the order of ``claims``."""
    events: dict[int, tuple[Event, list[str]]] = {}
    for claim in claims:
        how = (
            f"as {claim.get_kind_display().lower()}"
            if claim.kind in ("perpetrator", "target")
            else f"in a claim of {claim.get_kind_display().lower()}"
        )
        event = claim.event
        assert event is not None  # claims about events only
        events.setdefault(event.pk, (event, []))[1].append(f"{how} by {claim.claimant}")
    return list(events.values())
