"""Fixtures for the API tests: clients with and without a token, each starting unthrottled.

Imported by each API test module (tests/events etc. are shared folders, so these are not put
in a conftest there); names start with ``api_`` to stay clear of the suite's own fixtures.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

API_URLS = "tests.api.urls"
# An anonymous API request is held to two rates (per address, and per user, which for an
# anonymous client is its address); each reads and writes its count in the shared cache.
THROTTLE_QUERIES = 4


def token_client(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_anon(db: None) -> APIClient:
    # (Throttle counts live in the shared cache, which each test starts without: conftest.)
    return APIClient()


@pytest.fixture
def api_editor(editor: User) -> APIClient:
    return token_client(editor)


@pytest.fixture
def api_reviewer(reviewer: User) -> APIClient:
    return token_client(reviewer)


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response: Any) -> list[str]:
    return [row["id"] for row in results(response)]
