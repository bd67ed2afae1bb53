"""Building blocks shared by every app: public identifiers, timestamps and publication."""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.contrib.auth.models import AnonymousUser, User
from django.db import models


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self) -> Self:
        """Rows anonymous readers may see. The only place publication is decided."""
        return self.filter(status=Publication.PUBLISHED)

    def visible_to(self, user: User | AnonymousUser | Any) -> Self:
        """Everything for staff (editors and reviewers see drafts), published rows otherwise."""
        if getattr(user, "is_staff", False):
            return self
        return self.published()


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
