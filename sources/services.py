"""Writes that span several models: recording and deprecating claims."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from actors.models import Actor, ActorRelation
from events.models import Event, Location
from sources.models import Claim, ClaimStatus, Document, Outlet

Subject = Event | Actor | ActorRelation | Location
SUBJECT_FIELD = {
    Event: "event",
    Actor: "actor",
    ActorRelation: "actor_relation",
    Location: "location",
}


def claim_record(
    *,
    subject: Subject,
    claimant: Actor | Outlet,
    document: Document,
    kind: str,
    quote: str,
    **fields: Any,
) -> Claim:
    """Record one claim after the same validation the admin runs.

    The event's figures follow by trigger in the same transaction. Raises ValidationError with
    field-level messages.
    """
    claimant_field = "claimant_actor" if isinstance(claimant, Actor) else "claimant_outlet"
    claim = Claim(
        **{SUBJECT_FIELD[type(subject)]: subject, claimant_field: claimant},
        document=document,
        kind=kind,
        quote=quote,
        **fields,
    )
    with transaction.atomic():
        claim.full_clean()
        claim.save()
    return claim


def claim_deprecate(*, claim: Claim, reason: str, by: User | AnonymousUser) -> Claim:
    """Mark a wrong claim deprecated, with the reason; it stays visible in history.

    Only users with ``sources.deprecate_claim`` (Reviewers) may do this.
    """
    if not by.has_perm("sources.deprecate_claim"):
        raise PermissionDenied("Only reviewers can deprecate claims.")
    claim.status = ClaimStatus.DEPRECATED
    claim.deprecation_reason = reason
    with transaction.atomic():
        claim.full_clean()
        claim.save(update_fields=["status", "deprecation_reason", "updated_at"])
    return claim
