"""What every resource's serializers share: validation by the model, links by uuid."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, serializers
from rest_framework.reverse import reverse
from rest_framework.validators import UniqueValidator

from core.links import LinkTemplates


class DetailLinks(LinkTemplates):
    """Absolute links to records' API pages, from one ``reverse()`` per kind of record.

    A HyperlinkedIdentityField resolves its URL pattern again for every record it links (ten
    times per event in a list, most of a page's serialization time). DRF's ``reverse`` is used
    for the one resolution, so the links keep what it adds: host, a ``?format=`` override, a
    ``.json`` suffix.
    """

    def __init__(self, context: Mapping[str, Any]) -> None:
        super().__init__()
        self.request = context["request"]
        self.format = context.get("format")

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> DetailLinks:
        """The serializer context's instance (one per request, shared by nested serializers)."""
        links = context.get("detail_links")
        if links is None:
            links = cls(context)
            if isinstance(context, dict):
                context["detail_links"] = links
        return links

    def resolve(self, view_name: str, kwargs: dict[str, str]) -> str:
        return str(reverse(view_name, kwargs=kwargs, request=self.request, format=self.format))


def validation_error_from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model's ValidationError as DRF's, keeping the field names (``__all__`` → non_field_errors)."""
    detail = serializers.as_serializer_error(error)
    return exceptions.ValidationError(detail)


class ModelCleanSerializer(serializers.ModelSerializer):
    """A write serializer that runs the model's ``full_clean()``, as the admin's forms do.

    Field checks, ``clean()`` and every database constraint give a 400 with the same
    field-level messages editors see in the admin; values ``clean()`` fills in (an event's end
    date, an upper-cased country code) are kept. ``clean_exclude`` names fields set later
    (a nested row's parent).
    """

    clean_exclude: ClassVar[tuple[str, ...]] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        model: type[models.Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:  # nested rows (names, participants) are saved afterwards
                setattr(instance, name, value)
        exclude = [f.name for f in model._meta.concrete_fields if not f.editable]
        exclude += self.clean_exclude
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as error:
            raise validation_error_from_django(error) from None
        # Keep what clean() filled in or normalised, for every field this serializer writes.
        sources = {field.source for field in self.fields.values() if not field.read_only}
        for field in model._meta.concrete_fields:
            if field.name in sources and field.editable:
                attrs[field.name] = getattr(instance, field.name)
        return attrs

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        # Uniqueness is checked by full_clean() with the model's own messages.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs["validators"] = [
            v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)
        ]
        return field_class, kwargs

    def get_validators(self) -> list[Any]:
        return []


class UUIDRelatedField(serializers.SlugRelatedField):
    """A related record named by its public UUID."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="uuid", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        try:
            serializers.UUIDField().to_internal_value(data)
        except exceptions.ValidationError:
            self.fail("invalid")
        return super().to_internal_value(data)
