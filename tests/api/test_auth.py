"""Authentication for the API: tokens, the create_api_token command, and the real URLconf."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.fixtures import API_URLS, api_anon, api_editor, ids  # noqa: F401
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_create_api_token_prints_the_users_token_and_keeps_it(editor):
    key = run("editor")
    assert Token.objects.get(user=editor).key == key
    assert run("editor") == key


def test_create_api_token_reset_replaces_the_token(editor):
    old = run("editor")
    new = run("editor", "--reset")
    assert new != old
    assert not Token.objects.filter(key=old).exists()


def test_create_api_token_refuses_unknown_and_inactive_users():
    with pytest.raises(CommandError, match="No user named"):
        run("nobody")
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="not active"):
        run("gone")


@pytest.mark.urls(API_URLS)
def test_a_token_in_the_authorization_header_identifies_the_editor(api_editor, api_anon):
    draft = EventFactory(status="draft")
    assert ids(api_editor.get(EVENTS)) == [str(draft.uuid)]
    assert ids(api_anon.get(EVENTS)) == []


@pytest.mark.urls(API_URLS)
def test_a_wrong_token_is_a_401_with_a_json_error(api_anon):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(EVENTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.urls(API_URLS)
def test_a_user_without_model_permissions_cannot_write(api_anon):
    client = APIClient()
    client.force_authenticate(UserFactory(username="reader"))
    assert client.get(EVENTS).status_code == 200
    response = client.post(EVENTS, {"title": "x"}, format="json")
    assert response.status_code == 403


def test_the_site_urlconf_serves_the_api_under_api_v1():
    assert reverse("api:event-list") == EVENTS
    assert reverse("api:schema") == "/api/v1/schema/"
    assert reverse("api:deleted") == "/api/v1/deleted/"
