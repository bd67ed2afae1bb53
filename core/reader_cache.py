"""Whole responses for anonymous readers, kept until the data changes.

Every anonymous reader is shown the same published records, so the response to one of them is
the response to all who ask for the same URL (host and query string included) in the same
representation. It is kept under the data version (``core.data_version``): the first
write to anything pages and the API read makes it unreachable. A stored response costs one
query (the version) to serve; it keeps its ETag, so ``core.conditional.ConditionalGetOrHeadMiddleware`` (the
one place the site answers ``If-None-Match``) can answer 304 without a byte of it.

Signed-in users (staff see drafts; anyone may be mid-edit) are never served from it, and
nothing that sets a cookie, is streamed, is marked private or is larger than
``MAX_STORED_BYTES`` is stored: ``for_readers`` marks a response, and
``ReaderCacheMiddleware`` stores it once the middleware that may set a cookie have run. The
API's throttle, authentication and permissions run before it (``ApiViewSet``), so a stored
answer is counted like any other. With read replicas, a
response to be stored is read from the primary, which the version describes. ``READER_CACHE``
(on by default) turns it off.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from core.data_version import CACHE_SECONDS, cache_key, data_version, settled
from core.db_router import pin_to_primary, replicas

# A page of 500 events with their claims is about 1 MB; the usual pages are 20–100 KB. Per
# process, the cache keeps at most its MAX_ENTRIES (300 by default) of them.
MAX_STORED_BYTES = 512 * 1024

R = TypeVar("R", bound=HttpResponseBase)


@dataclass(frozen=True)
class StoredResponse:
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def to_response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


def storable(response: HttpResponseBase) -> TypeGuard[HttpResponse]:
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        and not {"private", "no-store"} & set(response.get("Cache-Control", "").split(", "))
        and len(response.content) <= MAX_STORED_BYTES
    )


def for_readers(
    request: HttpRequest, representation: str, respond: Callable[[], R]
) -> R | HttpResponse:
    """``respond()``'s response, from the cache for anonymous readers while the data is unchanged.

    ``representation`` tells apart what one URL may be answered with (HTML, JSON, the
    browsable API).
    """
    if (
        request.method not in ("GET", "HEAD")
        or request.user.is_authenticated
        or not settings.READER_CACHE
    ):
        return respond()
    version = data_version()
    key = cache_key("reader-response", version, f"{representation} {request.build_absolute_uri()}")
    stored: StoredResponse | None = caches["local"].get(key)
    if stored is not None:
        return stored.to_response()
    # Asked before computing: a response computed while a commit is in flight may be stale.
    keep = settled(version)
    if keep and replicas():
        # The version describes the primary; a replica may lag behind it.
        pin_to_primary()
    response = respond()
    if keep:
        response.reader_cache_key = key  # type: ignore[attr-defined]
    return response


class ReaderCacheMiddleware:
    """Keeps the answers ``for_readers`` marked, once every inner middleware has had its say.

    Sessions, CSRF and messages set their cookies on the way out, after the page is rendered: a
    response that gets one (a form's CSRF token, a message shown once) is one reader's own and
    is not kept. Outside the middleware that add the same headers to every response (security
    headers, the content security policy), inside those that add per-reader ones.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        key = getattr(response, "reader_cache_key", None)
        if key and storable(response):
            stored = StoredResponse(response.content, tuple(response.items()))
            caches["local"].set(key, stored, CACHE_SECONDS)
        return response


class CachedForReaders:
    """For class-based pages every anonymous reader sees alike: GETs go through ``for_readers``."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        respond: Callable[[], HttpResponse] = functools.partial(
            super().get,  # type: ignore[misc]
            request,
            *args,
            **kwargs,
        )
        return for_readers(request, "html", respond)
