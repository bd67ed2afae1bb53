"""Throttling: anonymous and token clients get a 429 with Retry-After past their rate."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.api.fixtures import API_URLS, api_anon, api_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )


def test_an_anonymous_client_past_its_rate_gets_429_with_retry_after(api_anon, low_rates):
    assert [api_anon.get("/api/v1/actors/").status_code for _ in range(2)] == [200, 200]
    response = api_anon.get("/api/v1/events/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()


def test_a_token_client_has_its_own_higher_rate(api_editor, api_anon, low_rates):
    statuses = [api_editor.get("/api/v1/actors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_anon.get("/api/v1/actors/").status_code == 200  # counted apart


def test_the_deletions_feed_is_throttled_too(api_anon, low_rates):
    for _ in range(2):
        api_anon.get("/api/v1/deleted/", {"since": "2018-01-01T00:00:00Z"})
    response = api_anon.get("/api/v1/deleted/", {"since": "2018-01-01T00:00:00Z"})
    assert response.status_code == 429
    assert "Retry-After" in response
