"""The cache every process of the site shares: one UNLOGGED PostgreSQL table, one statement
per call.

The sign-in limit and the API throttles count requests; with one cache per process, each of
gunicorn's workers counted on its own and a client got workers × the limit. Django's own
DatabaseCache would share them, but spends four to six statements on each ``set`` (a count of
the whole table, a lookup, the write, in a savepoint), and the throttles set on every API
request. Here a ``set`` is one upsert that also deletes a few expired rows, so the table holds
about what is live. UNLOGGED: the table is not written to the WAL, so a crash empties it — a
cache's contract — and writes cost less.

The table is created by a migration (``conflictkb/migrations/0005_shared_cache.py``).
Answers kept until the data changes stay in each process's own memory (the ``local`` cache),
where reading them costs no round trip.

Expiry is judged by ``statement_timestamp()``: ``now()`` stands still for a whole transaction
(an admin save, a test), and an entry would outlive its time there.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# Each write also deletes up to 8 rows that have expired (other than its own key). A timeout
# of None (never expires) is stored as 'infinity'. The keys to prune are gathered into an array
# (an InitPlan, run once): as `key IN (SELECT ... LIMIT 8)` the planner may pick a nested loop
# that runs the limited subquery again for every row it scans, and delete every expired row.
_WRITE = """
WITH pruned AS (
    DELETE FROM conflictkb_cache WHERE key = ANY(ARRAY(
        SELECT key FROM conflictkb_cache WHERE expires < statement_timestamp() AND key <> %(key)s
        LIMIT 8 FOR UPDATE SKIP LOCKED
    ))
)
INSERT INTO conflictkb_cache AS entry (key, value, expires)
VALUES (%(key)s, %(value)s, coalesce(to_timestamp(%(expires)s::float8), 'infinity'))
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires
"""
SET = _WRITE
ADD = _WRITE + " WHERE entry.expires <= statement_timestamp() RETURNING true"
GET_MANY = "SELECT key, value FROM conflictkb_cache WHERE key = ANY(%s) AND expires > statement_timestamp()"
LOCK_LIVE = "SELECT value FROM conflictkb_cache WHERE key = %s AND expires > statement_timestamp() FOR UPDATE"
UPDATE_VALUE = "UPDATE conflictkb_cache SET value = %s WHERE key = %s"
TOUCH = """
UPDATE conflictkb_cache
SET expires = coalesce(to_timestamp(%(expires)s::float8), 'infinity')
WHERE key = %(key)s AND expires > statement_timestamp()
"""
DELETE = "DELETE FROM conflictkb_cache WHERE key = %s"
CLEAR = "DELETE FROM conflictkb_cache"


class SharedCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _cursor(self) -> Any:
        # Always the primary: a replica's copy lags, and counts must be exact.
        return connections[DEFAULT_DB_ALIAS].cursor()

    def _write(self, statement: str, key: str, value: Any, timeout: float | None) -> Any:
        params = {
            "key": key,
            "value": pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
            "expires": self.get_backend_timeout(timeout),
        }
        with self._cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone() if cursor.description else None

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        found = self.get_many([key], version=version)
        return found.get(key, default)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        named = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not named:
            return {}
        with self._cursor() as cursor:
            cursor.execute(GET_MANY, [list(named)])
            return {named[key]: pickle.loads(value) for key, value in cursor.fetchall()}  # noqa: S301 (written by set)

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._write(SET, self.make_and_validate_key(key, version=version), value, timeout)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        """Stores the value unless the key holds a live one; True if it stored it."""
        stored = self._write(ADD, self.make_and_validate_key(key, version=version), value, timeout)
        return stored is not None

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        """Adds ``delta`` to a live number, atomically across processes (the row is locked)."""
        cache_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=DEFAULT_DB_ALIAS), self._cursor() as cursor:
            cursor.execute(LOCK_LIVE, [cache_key])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(row[0]) + delta  # noqa: S301 (written by set)
            cursor.execute(UPDATE_VALUE, [pickle.dumps(value, pickle.HIGHEST_PROTOCOL), cache_key])
        return value

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as cursor:
            cursor.execute(TOUCH, {"key": key, "expires": self.get_backend_timeout(timeout)})
            return bool(cursor.rowcount)

    def delete(self, key: str, version: int | None = None) -> bool:
        with self._cursor() as cursor:
            cursor.execute(DELETE, [self.make_and_validate_key(key, version=version)])
            return bool(cursor.rowcount)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return bool(self.get_many([key], version=version))

    def clear(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(CLEAR)
