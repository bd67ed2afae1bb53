"""What is expensive to compute at scale, cached until the data it reads changes.

A PostgreSQL sequence moves on every statement that writes a table the pages and the API read
(migration ``conflictkb/0002_data_version``), and once more when the writing transaction
commits (``0003_data_version_at_commit``). Its value is part of each cache key, so a write
makes every cached entry unreachable at once, whichever process or tool wrote; an entry that a
reader computed while a write was uncommitted is left under the version before the commit.

Sequences are not transactional: between the commit's own move and the commit becoming
visible, a reader may read the new version and still see the data before the commit. The
committing transaction holds a lock over that moment (migration
``0004_data_version_for_cached_responses``), and nothing computed while it is held is stored
(``settled``). Entries also expire after ``CACHE_SECONDS``, and staff (who edit, and see
drafts) are never served from the cache.

Within one reading request (GET or HEAD), the version and whether it has settled are read
once, however many caches ask (the kept response, the histogram, the menus):
``DataVersionPerRequestMiddleware`` opens that scope. Outside it every call reads, so what a
request costs does not depend on what the process served before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponseBase

T = TypeVar("T")

CACHE_SECONDS = 600
# The advisory lock a transaction holds from its commit-time version move until its commit is
# visible (taken in core/sql/data_version.sql).
COMMITTING_LOCK = 7_236_818_392_017_441


# The version this request read, and the version it found settled (None: not asked yet).
_read_once: ContextVar[dict[str, int] | None] = ContextVar("ckb_data_version_read", default=None)


def data_version() -> int:
    scope = _read_once.get()
    if scope is not None and "version" in scope:
        return scope["version"]
    with connection.cursor() as cursor:
        # A new sequence reads 1 before its first nextval() and 1 after it: is_called tells.
        cursor.execute("SELECT last_value, is_called FROM conflictkb_data_version")
        value, called = cursor.fetchone()
    version = int(value) if called else 0
    if scope is not None:
        scope["version"] = version
    return version


def settled(version: int) -> bool:
    """Whether every commit that moved the version up to ``version`` is visible to readers.

    Asked after reading the version and before computing what is stored under it. A committing
    transaction takes the lock before its move and keeps it until its commit is visible, so a
    free lock means every move read so far belongs to visible data: later statements of this
    reader see it all. Trying the lock exclusively (and letting go at once) tells without
    reading ``pg_locks``; a committing writer waits at most for that one statement. A request
    asks once.
    """
    scope = _read_once.get()
    if scope is not None and scope.get("settled") == version:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_try_advisory_lock(%s) THEN pg_advisory_unlock(%s) END",
            [COMMITTING_LOCK, COMMITTING_LOCK],
        )
        free = bool(cursor.fetchone()[0])
    if free and scope is not None:
        scope["settled"] = version
    return free


class DataVersionPerRequestMiddleware:
    """Reading requests read the data version (and whether it settled) once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):  # a write moves the version mid-request
            return self.get_response(request)
        token = _read_once.set({})
        try:
            return self.get_response(request)
        finally:
            _read_once.reset(token)


def cache_key(name: str, version: int, key: str) -> str:
    return f"{name}:{version}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def cached_until_data_changes(name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s result, from the cache while the data is unchanged (``READER_CACHE=off``:
    computed every time, like the responses)."""
    if not settings.READER_CACHE:
        return compute()
    version = data_version()
    entry = cache_key(name, version, key)
    found = caches["local"].get(entry)
    if found is None:
        storable = settled(version)
        found = compute()
        if storable:
            caches["local"].set(entry, found, CACHE_SECONDS)
    return found
