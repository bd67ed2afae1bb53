"""The shared cache (core/cache.py) keeps Django's cache contract, one statement a call."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache():
    return caches["default"]


def test_values_round_trip_and_expire(cache):
    cache.set("figures", {"best": 13, "range": (9, 13)}, 60)
    cache.set("soon", "gone", 0.2)
    assert cache.get("figures") == {"best": 13, "range": (9, 13)}
    assert cache.get_many(["figures", "missing"]) == {"figures": {"best": 13, "range": (9, 13)}}
    time.sleep(0.3)
    assert cache.get("soon", "default") == "default"
    assert not cache.has_key("soon")


def test_add_stores_only_over_a_missing_or_expired_value(cache):
    assert cache.add("count", 1, 60)
    assert not cache.add("count", 5, 60)
    assert cache.get("count") == 1
    cache.set("old", 1, 0.1)
    time.sleep(0.2)
    assert cache.add("old", 2, 60)
    assert cache.get("old") == 2


def test_incr_counts_and_refuses_a_missing_key(cache):
    cache.set("failures", 4, 60)
    assert cache.incr("failures") == 5
    assert cache.incr("failures", 3) == 8
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


def test_touch_delete_clear_and_no_expiry(cache):
    cache.set("forever", "kept", None)
    cache.set("brief", "x", 1)
    assert cache.touch("brief", 60)
    time.sleep(1.1)
    assert cache.get("brief") == "x"
    assert cache.delete("brief")
    assert not cache.delete("brief")
    assert cache.get("forever") == "kept"
    cache.clear()
    assert cache.get("forever") is None


def test_a_set_is_one_statement_and_clears_expired_rows_as_it_goes(
    cache, django_assert_num_queries
):
    # Twenty rows that expired a minute ago, written in one statement: setting them one by one
    # would let each set clear the ones before it on a slow machine.
    cache.set("template", 0, 60)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO conflictkb_cache (key, value, expires)"
            " SELECT 'stale-' || n, value, statement_timestamp() - interval '1 minute'"
            " FROM conflictkb_cache, generate_series(1, 20) AS n WHERE key = %s",
            [cache.make_and_validate_key("template")],
        )
    with django_assert_num_queries(1):
        cache.set("fresh", 1, 60)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM conflictkb_cache WHERE expires < statement_timestamp()"
        )
        assert cursor.fetchone()[0] == 20 - 8
