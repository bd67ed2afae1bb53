"""Error pages that stay useful when the database is what failed."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

# Seconds a client should wait before retrying while the database is unreachable.
RETRY_AFTER = "30"


def _database_unavailable() -> bool:
    exception = sys.exc_info()[1]
    return isinstance(exception, OperationalError | InterfaceError)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 that says to retry when the database is down, a plain 500 otherwise.

    Neither touches the database: the templates get no request context (no user, no session).
    """
    if _database_unavailable():
        status, message = 503, "The database is unavailable. Please try again in a moment."
    else:
        status, message = 500, "Something went wrong on our side; it has been logged."
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        html = loader.render_to_string(f"{status}.html", {"message": message})
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = RETRY_AFTER
    return response


def acled_error(status: int, message: str, **headers: str) -> JsonResponse:
    """An error in the shape ACLED's API answers with, which the site's ACLED-compatible API
    (api.acled) and the refusal of unstorable addresses (core.security) both give."""
    body = {"status": status, "success": False, "error": [{"message": message}]}
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response
