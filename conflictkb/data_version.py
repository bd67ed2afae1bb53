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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection

T = TypeVar("T")

CACHE_SECONDS = 600
# The advisory lock a transaction holds from its commit-time version move until its commit is
# visible (taken in migration conflictkb/0004_data_version_for_cached_responses).
COMMITTING_LOCK = 7_236_818_392_017_441


def data_version() -> int:
    with connection.cursor() as cursor:
        # A new sequence reads 1 before its first nextval() and 1 after it: is_called tells.
        cursor.execute("SELECT last_value, is_called FROM conflictkb_data_version")
        value, called = cursor.fetchone()
        return int(value) if called else 0


# The newest version this process has seen settled (see settled()); versions only grow.
_settled_version = -1


def settled(version: int) -> bool:
    """Whether every commit that moved the version up to ``version`` is visible to readers.

    Asked after reading the version and before computing what is stored under it. A committing
    transaction takes the lock before its move and keeps it until its commit is visible, so a
    free lock means every move read so far belongs to visible data: later statements of this
    reader see it all. Trying the lock exclusively (and letting go at once) tells without
    reading ``pg_locks``; a committing writer waits at most for that one statement. A version
    once settled stays settled, so each process asks once per version.
    """
    global _settled_version
    if version <= _settled_version:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_try_advisory_lock(%s) THEN pg_advisory_unlock(%s) END",
            [COMMITTING_LOCK, COMMITTING_LOCK],
        )
        if not cursor.fetchone()[0]:
            return False
    _settled_version = max(_settled_version, version)
    return True


def cache_key(name: str, version: int, key: str) -> str:
    return f"{name}:{version}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def cached_until_data_changes(name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s result, from the cache while the data is unchanged."""
    version = data_version()
    entry = cache_key(name, version, key)
    found = caches["local"].get(entry)
    if found is None:
        storable = settled(version)
        found = compute()
        if storable:
            caches["local"].set(entry, found, CACHE_SECONDS)
    return found
