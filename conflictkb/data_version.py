"""Counts that are expensive at scale, cached until the data they count changes.

A PostgreSQL sequence moves on every statement that writes a table the filters read
(migration ``conflictkb/0002_data_version``), and once more when the writing transaction
commits (``0003_data_version_at_commit``). Its value is part of each cache key, so a write
makes every cached count unreachable at once, whichever process or tool wrote; a count that a
reader computed while a write was uncommitted is left under the version before the commit.

Sequences are not transactional: between the commit's own move and the commit becoming
visible (a moment, not the length of the write), a reader may still compute from the data
before it. Entries therefore also expire after ``CACHE_SECONDS``; staff (who edit, and see
drafts) always get fresh counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

T = TypeVar("T")

CACHE_SECONDS = 600


def data_version() -> int:
    with connection.cursor() as cursor:
        # A new sequence reads 1 before its first nextval() and 1 after it: is_called tells.
        cursor.execute("SELECT last_value, is_called FROM conflictkb_data_version")
        value, called = cursor.fetchone()
        return int(value) if called else 0


def cached_until_data_changes(name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s result, from the cache while the data is unchanged."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"{name}:{data_version()}:{digest}"
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, CACHE_SECONDS)
    return found
