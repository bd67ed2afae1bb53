"""Building blocks shared by every app: public identifiers, timestamps and publication."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, Self, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models.query import ModelIterable


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def sees_drafts(user: User | AnonymousUser | Any) -> bool:
    """Staff (editors and reviewers) see drafts; everyone else reads published records only."""
    return bool(getattr(user, "is_staff", False))


def is_draft(record: object) -> bool:
    return isinstance(record, Publishable) and not record.is_published


def forget_drafts(record: models.Model) -> None:
    """Make every draft loaded along with ``record`` (``select_related``), at any depth, read
    as absent: no name, no link, no coordinates.

    Only the loaded copy is changed: the foreign key's id stays, so saving the record keeps
    its link. A required link cannot be absent; the row-level rules (``published()``, a
    claim's ``is_public``) never let a reader reach a record whose required link is a draft.
    """
    cache = record._state.fields_cache
    for name, related in list(cache.items()):
        if related is None:
            continue
        field = record._meta.get_field(name)
        if is_draft(related) and getattr(field, "null", False):
            cache[name] = None
        else:
            forget_drafts(related)


class AsReadersSeeIt(ModelIterable):
    """Rows as a reader sees them: each related draft loaded with a row reads as absent."""

    def __iter__(self) -> Iterator[Any]:
        for record in super().__iter__():
            forget_drafts(record)
            yield record


class AsStaffSeeIt(ModelIterable):
    """Rows as staff see them: a record that keeps figures for both audiences (an event)
    shows the staff's, which count unpublished evidence too (``show_staff_figures``)."""

    def __iter__(self) -> Iterator[Any]:
        for record in super().__iter__():
            show_staff_figures(record)
            yield record


def show_staff_figures(record: models.Model) -> None:
    """``record`` and every record loaded along with it (``select_related``) show staff's
    figures where they keep two sets (``Event.show_staff_figures``)."""
    show = getattr(record, "show_staff_figures", None)
    if show is not None:
        show()
    for related in record._state.fields_cache.values():
        if related is not None:
            show_staff_figures(related)


QS = TypeVar("QS", bound=models.QuerySet[Any])


def as_seen_by(queryset: QS, user: User | AnonymousUser | Any) -> QS:
    """``queryset``'s rows with what is loaded along with them as ``user`` may see it: for a
    reader, every related draft (a draft place of a published event, a draft actor a claim
    names) is absent. Every loading strategy ends with this, so no template or serializer
    asks. For staff, records with figures for both audiences show the staff's."""
    if queryset._iterable_class not in (ModelIterable, AsReadersSeeIt, AsStaffSeeIt):
        return queryset  # values() and values_list() rows carry no related records
    clone = queryset.all()
    clone._iterable_class = AsStaffSeeIt if sees_drafts(user) else AsReadersSeeIt
    return clone


class ReadersQuerySet(models.QuerySet):
    """Rows readers see through ``published()``, which each subclass defines."""

    def published(self) -> Self:
        raise NotImplementedError

    def visible_to(self, user: User | AnonymousUser | Any) -> Self:
        """Everything for staff (editors and reviewers see drafts), published rows otherwise."""
        if sees_drafts(user):
            return self
        return self.published()

    def as_seen_by(self, user: User | AnonymousUser | Any) -> Self:
        """This QuerySet through :func:`as_seen_by`."""
        return as_seen_by(self, user)


class PublishableQuerySet(ReadersQuerySet):
    def published(self) -> Self:
        """Rows anonymous readers may see. The only place publication is decided."""
        return self.filter(status=Publication.PUBLISHED)


class PublicRecord(models.Model):
    """A record with a stable public identifier (used in URLs) and change timestamps."""

    uuid = models.UUIDField("public id", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Publishable(PublicRecord):
    """A record editors draft and reviewers publish."""

    # Indexed by each model's equality_index("<model>_status", "status").
    status = models.CharField(max_length=10, choices=Publication.choices, default=Publication.DRAFT)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == Publication.PUBLISHED


class ReturnedBooleanField(models.BooleanField):
    """A flag the database sets (by trigger); its value comes back from every INSERT and is
    never taken from the model."""

    db_returning = True


def equality_index(name: str, field: str) -> models.Index:
    """The index of a text column only ever compared for equality (a status, a kind, a role).

    Not ``db_index=True``: on a CharField Django adds a second, pattern-matching index
    (``varchar_pattern_ops``) that such filters never use and every write pays for.
    """
    return models.Index(fields=[field], name=name)


class NumNonNulls(models.Func):
    """PostgreSQL's ``num_nonnulls(...)``: how many of the arguments are not NULL."""

    function = "num_nonnulls"
    output_field = models.IntegerField()


class Row(models.Func):
    """A row value, ``(a, b)``, for comparing several columns at once: ``(a, b) < (x, y)`` lets
    PostgreSQL start an index scan at a keyset cursor, which an OR of columns does not."""

    template = "(%(expressions)s)"
    output_field = models.Field()


def visible(queryset: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
    """``visible_to(user)`` for QuerySets that define only ``published()`` (claims, relations).

    The decision stays in ``PublishableQuerySet.visible_to``; this only lends it to them.
    """
    return PublishableQuerySet.visible_to(queryset, user)  # type: ignore[type-var]
