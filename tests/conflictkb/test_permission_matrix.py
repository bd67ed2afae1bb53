"""Who may do what, in one table: anonymous, editor, reviewer and superuser × every API resource
and admin model × read, create, update, delete, publish and deprecate. Nothing outside it works."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    ActorFactory,
    ActorRelationFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
    OutletFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "reviewer", "superuser"]


def make_user(role: str) -> User | AnonymousUser:
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    return UserFactory(username=role, groups=[role.capitalize() + "s"])


def api_client(user: User | AnonymousUser) -> APIClient:
    cache.clear()  # no throttling left over from another case
    client = APIClient()
    if user.is_authenticated:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def created_payload(resource: str) -> dict[str, Any]:
    if resource == "events":
        return {
            "title": "Shelling",
            "event_type": "shelling-artillery-missile-attack",
            "start_date": "2018-09-07",
        }
    if resource in ("actors", "places", "outlets"):
        kind = {"actors": "rebel_group", "places": "town", "outlets": "newspaper"}[resource]
        return {"name": f"New {resource}", "kind": kind}
    if resource == "actor-relations":
        return {
            "subject": str(ActorFactory().uuid),
            "kind": "backs",
            "object": str(ActorFactory().uuid),
        }
    if resource == "documents":
        return {"outlet": str(OutletFactory().uuid), "title": "A report"}
    return {
        "event": str(EventFactory().uuid),
        "kind": "statement",
        "claimant_actor": str(ActorFactory().uuid),
        "document": str(DocumentFactory().uuid),
        "quote": "They said so.",
    }


EXISTING: dict[str, Callable[[], Any]] = {
    "events": lambda: EventFactory(status="draft"),
    "actors": lambda: ActorFactory(status="draft"),
    "places": lambda: LocationFactory(status="draft"),
    "outlets": lambda: OutletFactory(status="draft"),
    "documents": lambda: DocumentFactory(status="draft"),
    "actor-relations": ActorRelationFactory,
    "claims": lambda: ClaimFactory(kind="statement", value_best=None),
}
CHANGE = {
    "events": {"title": "Corrected"},
    "actors": {"description": "Corrected"},
    "places": {"name": "Corrected"},
    "outlets": {"reliability_note": "Corrected"},
    "documents": {"title": "Corrected"},
    "actor-relations": {"note": "Corrected"},
    "claims": {"note": "Corrected"},
}
PUBLISHABLE = ["events", "actors", "places", "outlets", "documents"]
# Removing a relation is part of editing an actor (the admin edits them inline).
EDITOR_DELETES = {"actor-relations"}

EXPECTED = {
    # action: {role: status}
    "read": {"anonymous": 200, "editor": 200, "reviewer": 200, "superuser": 200},
    "create": {"anonymous": 401, "editor": 201, "reviewer": 201, "superuser": 201},
    "update": {"anonymous": 401, "editor": 200, "reviewer": 200, "superuser": 200},
    "delete": {"anonymous": 401, "editor": 403, "reviewer": 204, "superuser": 204},
    "publish": {"anonymous": 401, "editor": 403, "reviewer": 200, "superuser": 200},
    "deprecate": {"anonymous": 401, "editor": 403, "reviewer": 200, "superuser": 200},
}
CASES = [
    (resource, action, role)
    for resource in EXISTING
    for action in EXPECTED
    for role in ROLES
    if (action != "publish" or resource in PUBLISHABLE)
    and (action != "deprecate" or resource == "claims")
]


@pytest.mark.parametrize(("resource", "action", "role"), CASES)
def test_the_api_permission_matrix(resource, action, role):
    client = api_client(make_user(role))
    base = f"/api/v1/{resource}/"
    if action == "read":
        response = client.get(base)
    elif action == "create":
        response = client.post(base, created_payload(resource), format="json")
    else:
        row = EXISTING[resource]()
        url = f"{base}{row.uuid}/"
        if action == "update":
            response = client.patch(url, CHANGE[resource], format="json")
        elif action == "delete":
            response = client.delete(url)
        elif action == "publish":
            response = client.patch(url, {"status": "published"}, format="json")
        else:
            response = client.patch(
                url, {"status": "deprecated", "deprecation_reason": "Misquoted."}, format="json"
            )
    expected = EXPECTED[action][role]
    if action == "delete" and role == "editor" and resource in EDITOR_DELETES:
        expected = 204
    assert response.status_code == expected, (response.status_code, response.content[:300])


ADMIN_MODELS: dict[str, Callable[[], Any]] = {
    "actors/actor": ActorFactory,
    "actors/actorrelation": ActorRelationFactory,
    "events/location": LocationFactory,
    "events/event": EventFactory,
    "sources/outlet": OutletFactory,
    "sources/document": DocumentFactory,
    "sources/claim": ClaimFactory,
}


@pytest.mark.parametrize("model", ADMIN_MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_the_admin_permission_matrix(model, role):
    client = Client()
    user = make_user(role)
    if user.is_authenticated:
        client.force_login(user)
    row = ADMIN_MODELS[model]()
    pages = {
        "list": client.get(f"/admin/{model}/"),
        "add": client.get(f"/admin/{model}/add/"),
        "change": client.get(f"/admin/{model}/{row.pk}/change/"),
        "history": client.get(f"/admin/{model}/{row.pk}/history/"),
        "delete": client.get(f"/admin/{model}/{row.pk}/delete/"),
    }
    if role == "anonymous":
        assert {page.status_code for page in pages.values()} == {302}
        assert all(page["Location"].startswith("/admin/login/") for page in pages.values())
        return
    may_delete = role != "editor" or model == "actors/actorrelation"
    assert {name: page.status_code for name, page in pages.items()} == {
        "list": 200,
        "add": 200,
        "change": 200,
        "history": 200,
        "delete": 200 if may_delete else 403,
    }
