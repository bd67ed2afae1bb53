"""The sign-in limit and the API throttle hold across gunicorn's workers: their counts live in
the cache every process shares (core/cache.py), not in each worker's memory."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from api.loadtest import gunicorn
from core.database_url import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORKERS = 3


def call(url: str, data: dict[str, str] | None = None, cookie: str = "") -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode(), response.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), ""


@pytest.fixture
def site() -> Iterator[str]:
    User.objects.create_user("editor", password="correct horse battery staple", is_staff=True)
    with gunicorn(database_url(), workers=WORKERS, API_THROTTLE_ANON="10/minute") as base:
        yield base


def test_thirteen_wrong_passwords_against_three_workers_are_refused_from_the_sixth(site):
    login = f"{site}/admin/login/"
    statuses = []
    for _ in range(13):
        # Each attempt as a browser makes it: the form (and its CSRF cookie), then the post.
        _, page, set_cookie = call(login)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        cookie = set_cookie.split(";", 1)[0]
        form = {"username": "editor", "password": "wrong", "csrfmiddlewaretoken": token[1]}
        statuses.append(call(login, form, cookie)[0])
    assert statuses == [200] * 5 + [429] * 8


def test_the_anonymous_api_rate_holds_across_workers(site):
    statuses = [call(f"{site}/api/v1/event-types/")[0] for _ in range(13)]
    assert statuses == [200] * 10 + [429] * 3
