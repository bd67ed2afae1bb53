"""One base viewset for every resource: reads public for published records, writes
validated by the model, audited with the acting user and guarded by If-Match."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import pghistory
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from api.caching import PreconditionFailed, etag_for
from api.filters import StrictOrderingFilter
from api.pagination import KeysetCursorPagination
from api.permissions import ModelPermissions, require_permission
from api.renderers import JSONRenderer
from api.schema import ApiAutoSchema
from core.models import Publication, as_seen_by, visible
from core.reader_cache import for_readers


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    if hasattr(value, "lists"):  # QueryDict from a form or multipart body
        return contains_nul(dict(value.lists()))
    return False


class ApiViewSet(viewsets.ModelViewSet):
    """One base class for every resource: auth, permissions, paging, throttling, filters.

    Subclasses set ``queryset`` (the model's manager for permissions), ``serializer_class`` (the
    read representation), optionally ``detail_serializer_class`` and ``write_serializer_class``,
    ``filterset_class``, ``ordering_fields``/``ordering``, and ``base_queryset()`` with their
    loading strategy.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ModelPermissions]
    pagination_class = KeysetCursorPagination
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    schema = ApiAutoSchema()
    lookup_field = "uuid"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    detail_serializer_class: ClassVar[type[BaseSerializer] | None] = None
    write_serializer_class: ClassVar[type[BaseSerializer] | None] = None
    ordering: ClassVar[Sequence[str]] = ("-updated_at",)
    ordering_fields: ClassVar[Sequence[str]] = ("updated_at", "created_at")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # PostgreSQL cannot hold NUL characters: refuse them before any query sees them.
        if contains_nul(dict(request.query_params.lists())) or (
            request.method in ("POST", "PUT", "PATCH") and contains_nul(request.data)
        ):
            raise exceptions.ValidationError({"detail": "Text cannot contain NUL characters."})
        super().initial(request, *args, **kwargs)

    # --- reading

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self.for_readers(request, functools.partial(super().list, request, *args, **kwargs))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        respond = functools.partial(super().retrieve, request, *args, **kwargs)
        return self.for_readers(request, respond)

    def for_readers(self, request: Request, respond: Callable[[], Any]) -> Any:
        """Anonymous reads from the cache while the data is unchanged (after the throttle)."""
        representation = f"{request.accepted_renderer.format} {request.accepted_media_type}"
        return for_readers(request, representation, respond)

    @property
    def model(self) -> type[models.Model]:
        # Subclasses set ``queryset``; the stubs type the class attribute as a manager.
        return self.queryset.model  # type: ignore[arg-type,union-attr]

    def base_queryset(self) -> QuerySet[Any]:
        """Rows with what their representation needs loaded; no visibility rule."""
        return self.model._default_manager.all()

    def get_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        return as_seen_by(visible(self.base_queryset(), user), user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class:
            return self.write_serializer_class
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class  # type: ignore[return-value]

    def read_representation(self, instance: models.Model) -> Any:
        """The detail representation, as a GET would give it (fresh from the database)."""
        fresh = self.base_queryset().get(pk=instance.pk)
        serializer_class = self.detail_serializer_class or self.serializer_class
        assert serializer_class is not None
        return serializer_class(fresh, context=self.get_serializer_context()).data

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        if response.status_code >= 400 and renderer and renderer.format not in ("json", "api"):
            # Errors are JSON whatever format was asked for (CSV, GeoJSON).
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        data = getattr(response, "data", None)
        if (
            isinstance(response, Response)
            and response.status_code in (200, 201)
            and data is not None
            and not response.has_header("ETag")
        ):
            # The representation's tag, whatever format renders it: the one If-Match compares
            # with. core.conditional answers If-None-Match (GET and HEAD) with it.
            response["ETag"] = etag_for(data)
        return response

    # --- writing

    def check_if_match(self, instance: models.Model) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            return
        tags = parse_etags(header)
        if "*" in tags:
            return
        current = etag_for(self.read_representation(instance))
        if current not in tags:
            raise PreconditionFailed()

    def check_status_change(self, instance: models.Model | None, data: dict[str, Any]) -> None:
        """Publishing (or unpublishing) needs ``publish_<model>``, as in the admin."""
        if "status" not in data or not hasattr(self.model, "is_published"):
            return
        before = instance.status if instance is not None else Publication.DRAFT  # type: ignore[attr-defined]
        if (data["status"] == Publication.PUBLISHED) != (before == Publication.PUBLISHED):
            meta = self.model._meta
            require_permission(
                self.request.user,
                f"{meta.app_label}.publish_{meta.model_name}",
                f"Publishing or unpublishing needs the “Can publish {meta.verbose_name_plural}” "
                "permission (reviewers have it); save it as a draft instead.",
            )

    def save_audited(self, serializer: BaseSerializer, **kwargs: Any) -> models.Model:
        """Save inside a transaction, recorded in the audit trail with the token's user.

        HistoryMiddleware sets its context before DRF authenticates a token, so the user is
        set again here; an IntegrityError the validation could not foresee is a 400, not a 500.
        """
        user = self.request.user
        try:
            with (
                transaction.atomic(),
                pghistory.context(
                    user=user.pk if user.is_authenticated else None, url=self.request.path
                ),
            ):
                return serializer.save(**kwargs)
        except IntegrityError as error:
            raise exceptions.ValidationError(
                {"non_field_errors": [integrity_message(error)]}
            ) from None

    def lock(self, instance: models.Model) -> None:
        """Lock the row until the write commits, then reload it: no change slips in between."""
        manager = type(instance)._base_manager
        list(manager.select_for_update().filter(pk=instance.pk).values_list("pk"))
        instance.refresh_from_db()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_status_change(None, serializer.validated_data)
        instance = self.save_audited(serializer)
        data = self.read_representation(instance)
        # str(): DRF's Hyperlink is a str subclass, and WSGI servers insist on plain str headers.
        location = str(data["url"])
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            self.lock(instance)
            self.check_if_match(instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.check_status_change(instance, serializer.validated_data)
            instance = self.save_audited(serializer)
        return Response(self.read_representation(instance))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        with transaction.atomic():
            instance = self.get_object()
            self.lock(instance)
            self.check_if_match(instance)
            try:
                with transaction.atomic(), pghistory.context(user=user.pk, url=request.path):
                    instance.delete()
            except IntegrityError as error:  # ProtectedError is one: other records use it
                raise exceptions.ValidationError(
                    {"non_field_errors": [integrity_message(error)]}
                ) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def integrity_message(error: IntegrityError) -> str:
    if isinstance(error, ProtectedError | RestrictedError):
        return "Other records refer to this one; remove or reassign them first."
    # The constraint's own name tells the client which rule was broken.
    cause = getattr(error, "__cause__", None)
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return (
        f"The database refused this change (constraint {name})."
        if name
        else ("The database refused this change.")
    )


class ApiViewSettings(APIView):
    """What a view of the API that is not a resource's viewset (the deletions feed, the review
    queue) shares with them: authentication, throttling, renderers and the schema."""

    authentication_classes = ApiViewSet.authentication_classes
    throttle_classes = ApiViewSet.throttle_classes
    renderer_classes = ApiViewSet.renderer_classes
    schema = ApiViewSet.schema
