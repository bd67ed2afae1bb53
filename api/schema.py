"""The OpenAPI schema's shared parts: the read/write split, the errors, the ETag headers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    DjangoModelPermissionsOrAnonReadOnly,
)

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
        if self.public_read() and {} not in auths:
            auths.append({})
        return auths

    def public_read(self) -> bool:
        """A read anyone may make (of what readers see); staff-only reads need credentials."""
        return self.method in SAFE_METHODS and any(
            isinstance(p, (AllowAny, DjangoModelPermissionsOrAnonReadOnly))
            for p in self.view.get_permissions()
        )

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

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        """A serializer's ``Meta.optional_in_schema`` fields are not required: the request
        chooses whether they are present (``?expand=``, ``?fields=``)."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = getattr(getattr(serializer, "Meta", None), "optional_in_schema", ())
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

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
        if not self.public_read():
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
