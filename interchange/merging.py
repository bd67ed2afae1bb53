"""Merging two records of one event (ACLED's and UCDP's rows of the same strike, or a
dataset's own duplicate) into one event whose claims compete, and undoing it.

The kept event takes every claim, participant, relation, part and external id of the
absorbed one; the database's claim triggers recompute its figures and contested flag from
the claims it now has. The absorbed event is deleted, leaving an ``EventMerge``: its address
redirects to the kept event, the deletions feeds say "merged into", a re-import finds the
kept event by the absorbed one's external ids, and undoing puts back what moved. The whole
merge is one change in the audit trail (one history context, with the user).
"""

from __future__ import annotations

import uuid
from typing import Any

import pghistory
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now

from events.models import (
    DERIVED_FROM_CLAIMS,
    Event,
    EventMerge,
    EventRelation,
    ImportSnapshot,
    Participation,
)
from sources.models import Claim

EXTERNAL_IDS = ("acled_id", "ucdp_id")
# The absorbed event's own columns, which undoing writes back; its figures are the
# database's to derive again from the claims that return to it.
RECORD_FIELDS = {
    field.attname: field
    for field in Event._meta.concrete_fields
    if not field.generated and field.name not in DERIVED_FROM_CLAIMS
}


class MergeError(ValueError):
    """A merge or undo that cannot be done, with the reason in words."""


def find_event(key: str) -> Event:
    """The event a command names: by uuid, ACLED ``event_id_cnty`` or UCDP id."""
    key = key.strip()
    try:
        found = Event.objects.filter(uuid=uuid.UUID(key))
    except ValueError:
        found = Event.objects.filter(Q(acled_id=key) | Q(ucdp_id=key))
    events = list(found[:2])
    if not events:
        if (merge := find_merge(key)) is not None:
            raise MergeError(f"{key} was merged into {merge.kept.uuid}.")
        raise MergeError(f"No event has the id {key}.")
    if len(events) > 1:
        raise MergeError(f"{key} is the ACLED id of one event and the UCDP id of another.")
    return events[0]


def find_merge(key: str) -> EventMerge | None:
    """The merge that absorbed the event of this uuid or external id."""
    key = key.strip()
    try:
        named = Q(absorbed_uuid=uuid.UUID(key))
    except ValueError:
        named = Q(absorbed_acled_id=key) | Q(absorbed_ucdp_id=key)
    return EventMerge.objects.filter(named).select_related("kept").first() if key else None


def history_context(user: Any, **what: str) -> Any:
    return pghistory.context(
        **what, user=getattr(user, "pk", None), username=getattr(user, "username", None)
    )


def merge_events(keep: Event, absorb: Event, *, user: Any = None) -> EventMerge:
    """Merge ``absorb`` into ``keep``; the kept event's figures are recomputed by the database."""
    if keep.pk == absorb.pk:
        raise MergeError("An event cannot be merged into itself.")
    with (
        transaction.atomic(),
        history_context(user, merge=f"{absorb.uuid} into {keep.uuid}"),
    ):
        locked = Event.objects.select_for_update().filter(pk__in=[keep.pk, absorb.pk])
        events = {event.pk: event for event in locked.order_by("pk")}
        if len(events) < 2:
            raise MergeError("One of the two events no longer exists.")
        keep, absorb = events[keep.pk], events[absorb.pk]
        record = Event.objects.filter(pk=absorb.pk).values(*RECORD_FIELDS).get()
        undo: dict[str, Any] = {
            "event": {column: None if v is None else str(v) for column, v in record.items()}
        }

        claims = Claim.objects.filter(event=absorb)
        undo["claims"] = list(claims.values_list("pk", flat=True))
        claims.update(event=keep, updated_at=Now())

        kept_roles = set(keep.participations.values_list("actor_id", "role"))
        moving, dropped = [], []
        for part in absorb.participations.all():
            if (part.actor_id, part.role) in kept_roles:
                dropped.append({"actor": part.actor_id, "role": part.role, "note": part.note})
            else:
                moving.append(part.pk)
        Participation.objects.filter(pk__in=moving).update(event=keep)
        undo["participations"] = moving
        undo["participations_dropped"] = dropped

        undo["relations"], undo["relations_made"] = move_relations(keep, absorb)

        children = Event.objects.filter(parent=absorb).exclude(pk=keep.pk)
        undo["children"] = list(children.values_list("pk", flat=True))
        children.update(parent=keep)
        undo["kept_parent"] = keep.parent_id
        if keep.parent_id == absorb.pk:
            keep.parent_id = absorb.parent_id if absorb.parent_id != keep.pk else None

        earlier = EventMerge.objects.filter(kept=absorb)
        undo["merges"] = list(earlier.values_list("pk", flat=True))
        earlier.update(kept=keep)

        snapshots = ImportSnapshot.objects.filter(event=absorb).exclude(
            dataset__in=ImportSnapshot.objects.filter(event=keep).values("dataset")
        )
        undo["snapshots"] = list(snapshots.values_list("dataset", flat=True))
        snapshots.update(event=keep)

        undo["ids"] = [
            column
            for column in EXTERNAL_IDS
            if getattr(absorb, column) and not getattr(keep, column)
        ]
        merge = EventMerge(
            absorbed_uuid=absorb.uuid,
            absorbed_acled_id=absorb.acled_id,
            absorbed_ucdp_id=absorb.ucdp_id,
            absorbed_title=absorb.title[:300],
            kept=keep,
            merged_by=user if getattr(user, "pk", None) else None,
            undo=undo,
        )
        absorb.delete()
        for column in undo["ids"]:
            setattr(keep, column, getattr(merge, f"absorbed_{column}"))
        keep.save(update_fields=[*undo["ids"], "parent", "updated_at"])
        merge.save()
    return merge


def move_relations(keep: Event, absorb: Event) -> tuple[list[dict[str, Any]], list[int]]:
    """Point the absorbed event's relations at the kept one, except those that would relate
    it to itself or repeat one it has. Returns the relations as they were and the ids of the
    ones made, for undoing."""
    relations = EventRelation.objects.filter(Q(from_event=absorb) | Q(to_event=absorb))
    before: list[dict[str, Any]] = [
        {"from": r.from_event_id, "kind": r.kind, "to": r.to_event_id} for r in relations
    ]
    relations.delete()
    existing = set(
        EventRelation.objects.filter(Q(from_event=keep) | Q(to_event=keep)).values_list(
            "from_event_id", "kind", "to_event_id"
        )
    )
    made = []
    for relation in before:
        ends = [keep.pk if relation[end] == absorb.pk else relation[end] for end in ("from", "to")]
        key = (ends[0], relation["kind"], ends[1])
        if ends[0] != ends[1] and key not in existing:
            existing.add(key)
            made.append(
                EventRelation.objects.create(
                    from_event_id=ends[0], kind=relation["kind"], to_event_id=ends[1]
                ).pk
            )
    return before, made


def undo_merge(merge: EventMerge, *, user: Any = None) -> Event:
    """Put the absorbed event back, with what moved from it that the kept event still has."""
    with (
        transaction.atomic(),
        history_context(user, undo_merge=f"{merge.absorbed_uuid} out of {merge.kept.uuid}"),
    ):
        merge = EventMerge.objects.select_for_update().select_related("kept").get(pk=merge.pk)
        keep, undo = merge.kept, merge.undo
        if Event.objects.filter(uuid=merge.absorbed_uuid).exists():
            raise MergeError(f"An event {merge.absorbed_uuid} exists already.")
        for column in undo["ids"]:
            setattr(keep, column, "")
        keep.parent_id = undo["kept_parent"]
        keep.save(update_fields=[*undo["ids"], "parent", "updated_at"])

        columns = {
            column: RECORD_FIELDS[column].to_python(value)
            for column, value in undo["event"].items()
        }
        absorbed = Event(**columns)
        if absorbed.parent_id and not Event.objects.filter(pk=absorbed.parent_id).exists():
            absorbed.parent_id = None
        absorbed.save(force_insert=True)
        # Saving stamps it as made now; it was made when it was first.
        Event.objects.filter(pk=absorbed.pk).update(created_at=columns["created_at"])

        Claim.objects.filter(pk__in=undo["claims"], event=keep).update(
            event=absorbed, updated_at=Now()
        )
        Participation.objects.filter(pk__in=undo["participations"], event=keep).update(
            event=absorbed
        )
        Participation.objects.bulk_create(
            [
                Participation(event=absorbed, actor_id=p["actor"], role=p["role"], note=p["note"])
                for p in undo["participations_dropped"]
            ],
            ignore_conflicts=True,
        )
        EventRelation.objects.filter(pk__in=undo["relations_made"]).delete()
        alive = set(
            Event.objects.filter(
                pk__in={r[end] for r in undo["relations"] for end in ("from", "to")}
            ).values_list("pk", flat=True)
        )
        EventRelation.objects.bulk_create(
            [
                EventRelation(from_event_id=r["from"], kind=r["kind"], to_event_id=r["to"])
                for r in undo["relations"]
                if r["from"] in alive and r["to"] in alive
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(pk__in=undo["children"], parent=keep).update(parent=absorbed)
        EventMerge.objects.filter(pk__in=undo["merges"], kept=keep).update(kept=absorbed)
        ImportSnapshot.objects.filter(event=keep, dataset__in=undo["snapshots"]).update(
            event=absorbed
        )
        merge.delete()
    return absorbed
