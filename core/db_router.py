"""Read replicas: reads go to them, writes and what follows a write go to the primary.

Active when ``DATABASE_REPLICA_URLS`` is set (settings add ``replica1``, ``replica2``, … and
list them in ``DATABASE_REPLICAS``). Replicas lag behind the primary by a moment, so a request
that has written — or that is a POST, PUT, PATCH or DELETE and may be about to — reads from the
primary for the rest of its life, and after a POST, PUT, PATCH or DELETE so does the same
browser for ``REPLICA_PIN_SECONDS`` (the page an editor is redirected to after saving shows
what was saved). Outside a request (management commands, imports) the first write pins the
thread for good.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
PIN_COOKIE = "ckb_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# True once the current request (or thread, outside requests) must read from the primary.
_pinned: ContextVar[bool] = ContextVar("ckb_pinned_to_primary", default=False)


def pin_to_primary() -> None:
    """Send every later read of this request (or thread) to the primary."""
    _pinned.set(True)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


class PrimaryReplicaRouter:
    """Reads round robin over the replicas, unless pinned; writes and migrations on the primary."""

    def __init__(self) -> None:
        self._turn = itertools.count()

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        names = replicas()
        # (The shared cache of throttle and sign-in counters always uses the primary itself.)
        if not names or _pinned.get():
            return PRIMARY
        return names[next(self._turn) % len(names)]

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Also called for select_for_update() and get_or_create(): pinning early is harmless.
        pin_to_primary()
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Replicas hold the same rows as the primary: an object read from one may point at
        # an object read from another.
        same_data = {PRIMARY, *replicas()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Replicas receive the schema by replication; they are read-only.
        return db == PRIMARY


class ReadYourWritesMiddleware:
    """Pins unsafe requests, and the same browser's requests for a few seconds after one, to
    the primary (a request that writes is pinned from its first write by the router)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unsafe = request.method not in SAFE_METHODS
        token = _pinned.set(unsafe or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if unsafe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=int(getattr(settings, "REPLICA_PIN_SECONDS", 5)),
                httponly=True,
                samesite="Lax",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response
