"""Slows down password guessing: after too many failed logins from one address, or for one
username, further attempts are refused with 429 for a while."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse

from core.errors import acled_error

WINDOW_SECONDS = 15 * 60


def _keys(request: HttpRequest, username: str | None) -> list[str]:
    keys = [f"login-failures:ip:{request.META.get('REMOTE_ADDR', '')}"]
    if username:
        keys.append(f"login-failures:user:{username.strip().lower()}")
    return keys


def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """user_login_failed receiver: count the failure for the address and the username."""
    if request is None:
        return
    for key in _keys(request, credentials.get("username")):
        cache.add(key, 0, WINDOW_SECONDS)  # the window starts at the first failure
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def forget_user_failures(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: a successful login clears that username's count."""
    cache.delete(f"login-failures:user:{user.get_username().strip().lower()}")


def _login_path() -> str | None:
    try:
        return reverse("admin:login")
    except NoReverseMatch:  # a URL configuration without the admin
        return None


class LoginRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == _login_path():
            limit = settings.LOGIN_FAILURES_ALLOWED
            failures = cache.get_many(_keys(request, request.POST.get("username")))
            if any(count >= limit for count in failures.values()):
                html = loader.render_to_string(
                    "429.html", {"minutes": WINDOW_SECONDS // 60}, request=None
                )
                response = HttpResponse(html, status=429)
                response["Retry-After"] = str(WINDOW_SECONDS)
                return response
        return self.get_response(request)


def unstorable(text: str) -> bool:
    """Text PostgreSQL cannot hold or compare: NUL, or a lone surrogate (no UTF-8 encodes it).

    The one check every string from a request passes before it can reach SQL: query strings
    here (search, filters, the admin's filters and search), form fields by Django's own
    validator, API bodies by DRF's.
    """
    return "\x00" in text or any("\ud800" <= character <= "\udfff" for character in text)


class RefuseUnstorableTextMiddleware:
    """400, not a database error (500), for a query string PostgreSQL could not take."""

    MESSAGE = (
        "The address holds a character the site cannot search for (a NUL or a lone surrogate)."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *(t for k, vs in request.GET.lists() for t in (k, *vs))]
        if any(unstorable(text) for text in texts):
            if request.path.startswith("/api/v1/"):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            if request.path.startswith("/api/"):  # ACLED's and UCDP's APIs: ACLED's error shape
                return acled_error(400, self.MESSAGE)
            html = loader.render_to_string("400.html", {"message": self.MESSAGE}, request=None)
            return HttpResponse(html, status=400)
        return self.get_response(request)


def content_security_policy() -> str:
    """No inline script anywhere; images also from the map's tile server."""
    tiles = urlsplit(settings.MAP_TILE_URL.replace("{s}.", "*."))
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: {tile_origin}".strip(),
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sends the policy with every response that has not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
