"""What every API resource shares: one base viewset and the pieces it is built from.

Reads are public for published records (``visible_to``); writes need a token (or a session) and
the model permission, run the model's own validation (``full_clean``, as the admin does), are
audited with the acting user, and honour ``If-Match`` with the ETag of the last read.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import pghistory
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ProtectedError, Q, QuerySet, RestrictedError, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.validators import UniqueValidator

from core.filters import MATCHED_NAMES
from core.links import LinkTemplates
from core.models import Publication, Row, as_seen_by, visible
from core.reader_cache import for_readers

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100


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


def api_datetime(value: datetime.datetime | None) -> str | None:
    """A date-time as DRF's DateTimeField writes it (UTC, ``Z``)."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- Errors ---------------------------------------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match its ETag). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


def validation_error_from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model's ValidationError as DRF's, keeping the field names (``__all__`` → non_field_errors)."""
    detail = serializers.as_serializer_error(error)
    return exceptions.ValidationError(detail)


# --- Paging ---------------------------------------------------------------------------------


class KeysetCursorPagination(BasePagination):
    """Opaque cursors over the full ordering key (always ending in the primary key).

    A page is "rows after this key", one indexed range condition, so page 10,000 costs what
    page 1 costs and rows inserted meanwhile neither repeat nor vanish. DRF's own cursor keys on
    the first ordering field only and gives up after 1,000 ties (many events share a day).
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Page size must be a whole number from 1 to {self.max_page_size}; "
                        f"got {raw[:20]!r}. Follow the 'next' link for more rows."
                    ]
                }
            )
        return size

    def decode_cursor(self, request: Request, ordering: Sequence[str]) -> tuple[bool, list[Any]]:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return False, []
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            reverse, order, position = bool(data["r"]), data["o"], data["p"]
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
        if order != list(ordering) or not isinstance(position, list):
            raise exceptions.ValidationError(
                {"cursor": ["This cursor belongs to another ordering; start again without it."]}
            )
        if len(position) != len(ordering):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
        return reverse, position

    def encode_cursor(self, reverse: bool, position: list[Any]) -> str:
        data = {"r": int(reverse), "o": list(self.ordering), "p": position}
        text = json.dumps(data, cls=JSONEncoder, separators=(",", ":"))
        url = self.request.build_absolute_uri()
        url = replace_query_param(
            url, self.cursor_query_param, base64.urlsafe_b64encode(text.encode()).decode()
        )
        return url

    @staticmethod
    def after(ordering: Sequence[str], position: list[Any]) -> Q:
        """Rows after ``position`` in ``ordering``.

        When every term runs the same way, one row comparison, ``(a, b) > (x, y)``, which
        PostgreSQL answers by starting the index scan at the cursor (page 10,000 costs what
        page 1 does); otherwise (a > x) or (a = x and b > y) or …
        """
        directions = {term.startswith("-") for term in ordering}
        if len(directions) == 1:
            fields = [F(term.lstrip("-")) for term in ordering]
            values = [Value(value) for value in position]
            compare = LessThan if directions == {True} else GreaterThan
            return Q(compare(Row(*fields), Row(*values)))
        condition = Q()
        for index in range(len(ordering) - 1, -1, -1):
            field = ordering[index].lstrip("-")
            lookup = "lt" if ordering[index].startswith("-") else "gt"
            strictly = Q(**{f"{field}__{lookup}": position[index]})
            condition = (
                strictly
                if index == len(ordering) - 1
                else strictly | (Q(**{field: position[index]}) & condition)
            )
        return condition

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = tuple(StrictOrderingFilter().get_ordering(request, queryset, view))
        reverse, position = self.decode_cursor(request, self.ordering)
        order = [flip(term) for term in self.ordering] if reverse else list(self.ordering)
        if position:
            try:
                queryset = queryset.filter(self.after(order, position))
            except (DjangoValidationError, ValueError, TypeError):
                raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self.has_next = more if not reverse else True
        self.has_previous = more if reverse else bool(position)
        self.rows = rows
        return rows

    def position_of(self, row: Any) -> list[Any]:
        return [getattr(row, term.lstrip("-")) for term in self.ordering]

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return self.encode_cursor(False, self.position_of(self.rows[-1]))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self.encode_cursor(True, self.position_of(self.rows[0]))

    def get_paginated_response(self, data: Any) -> Response:
        page = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        # Name filters given loosely ("Tahrir al Sham") say which records they matched.
        matched = getattr(self.request, MATCHED_NAMES, None)
        return Response({**page, **({"matched": matched} if matched else {}), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        matched = {
            "type": "object",
            "description": "Given with a name filter (actor, claimant): the names of the "
            "records it matched, by filter.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "matched": matched, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's 'next' or 'previous' link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}); "
                "larger sizes are refused with 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def flip(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` over the view's explicit ``ordering_fields``; unknown fields are a 400.

    The primary key is appended as the tie-breaker, so the order (and the cursor) is total.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        params = request.query_params.get(self.ordering_param)
        allowed = set(view.ordering_fields)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            unknown = [f for f in fields if f.lstrip("-") not in allowed]
            if unknown or not fields:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Order by one or more of: {', '.join(sorted(allowed))} "
                            "(prefix '-' for descending)."
                        ]
                    }
                )
            ordering = fields
        else:
            ordering = list(view.ordering)
        if ordering[-1].lstrip("-") not in ("pk", "id"):
            ordering.append("-pk" if ordering[-1].startswith("-") else "pk")
        return ordering

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        choices = [f"{prefix}{field}" for field in view.ordering_fields for prefix in ("", "-")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order, default {','.join(view.ordering)}. One of: "
                + ", ".join(choices)
                + " (comma-separate several).",
                "schema": {"type": "string", "enum": choices},
            }
        ]


# --- Permissions ----------------------------------------------------------------------------


class ModelPermissions(DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads (what ``visible_to`` lets them see); writes need add/change/delete."""

    def _queryset(self, view: Any) -> QuerySet[Any]:
        # Only the model is read. DRF builds the view's get_queryset() for it: the visible,
        # joined selection, a quarter of the time of an answer served from the cache.
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


def require_permission(user: Any, codename: str, message: str) -> None:
    if not user.has_perm(codename):
        raise exceptions.PermissionDenied(message)


# --- Validation shared with the admin ----------------------------------------------------------


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


# --- Schema ---------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "{'detail': message} or {field: [messages]}",
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input: field-level messages",
    "401": "Credentials missing or wrong (send 'Authorization: Token <key>')",
    "403": "Lacking the model permission (or publish/deprecate permission)",
    "404": "No such record, or not visible to you",
    "412": "If-Match does not match the record's current ETag",
    "429": "Too many requests; see the Retry-After header",
}


class ApiAutoSchema(AutoSchema):
    """Documents the read/write serializer split, the errors and the ETag headers."""

    def get_auth(self) -> list[dict[str, list[str]]]:
        """Reads of published records need no credentials: the empty requirement ``{}`` says
        so (drf-spectacular adds it only for AllowAny and IsAuthenticatedOrReadOnly)."""
        auths = super().get_auth()
        public = any(
            isinstance(p, DjangoModelPermissionsOrAnonReadOnly) for p in self.view.get_permissions()
        )
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def get_request_serializer(self) -> Any:
        write = getattr(self.view, "write_serializer_class", None)
        if self.method in ("POST", "PUT", "PATCH") and write is not None:
            return write
        return super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        action = getattr(self.view, "action", None)
        detail = getattr(self.view, "detail_serializer_class", None)
        if action in ("retrieve", "create", "update", "partial_update") and detail is not None:
            return detail
        if action in ("create", "update", "partial_update"):
            return getattr(self.view, "serializer_class", None)
        return super().get_response_serializers()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag from your last read; 412 if the record changed since.",
                )
            )
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        regex = getattr(self.view, "lookup_value_regex", None)
        for parameter in operation.get("parameters", []):
            # The router only routes ids matching lookup_value_regex; say so in the schema.
            if parameter["in"] == "path" and regex:
                parameter["schema"]["pattern"] = f"^{regex}$"
        codes = ["400", "404", "429"]
        if self.method != "GET":
            codes += ["401", "403"]
        if self.method in ("PUT", "PATCH", "DELETE"):
            codes.append("412")
        for code in codes:
            operation["responses"].setdefault(
                code,
                {
                    "description": ERRORS[code],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        for media_type in getattr(self.view, "unpaginated_media_types", ()):
            content = operation["responses"].get("200", {}).get("content", {})
            wrapped = content.get(media_type, {}).get("schema", {})
            if "results" in wrapped.get("properties", {}):
                inner = wrapped["properties"]["results"]
                content[media_type]["schema"] = inner.get("items", inner)
        for code, response in operation["responses"].items():
            if code in ("200", "201") and self.method in ("GET", "PUT", "PATCH", "POST"):
                response.setdefault("headers", {})["ETag"] = {
                    "schema": {"type": "string"},
                    "description": "Send back as If-Match when you update this record.",
                }
        return operation


# --- The base viewset -----------------------------------------------------------------------


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


def etag_for(data: Any) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:40] + '"'


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
            # with. Django's ConditionalGetMiddleware answers If-None-Match with it.
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
