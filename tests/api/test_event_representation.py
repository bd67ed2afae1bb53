"""The events API's JSON is written by PostgreSQL; it must equal what DRF's fields give.

Lists, records and the answers to writes come from ``api.event_rows`` (claims added in
Python), in the shape the request asks for. The declared serializers stay, as the OpenAPI
schema; the reference here is DRF's own walk of those declared fields — for a compact list,
without the parts that wait for ``?expand=`` — over the demo data plus the awkward cases: a
draft place, ancestor, actor and parent event (absent for readers, shown to staff), an event
without place, end date or participants, a type without a parent, text JSON must escape, and
links that carry a ``?format=`` or ``.json``.
"""

# ruff: noqa: F811  (api_anon is a fixture imported from tests/api/fixtures.py)

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.test.utils import override_script_prefix
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from api.events import EVENT_TYPE_REF, EventDetailSerializer, EventSerializer
from core.models import is_draft, sees_drafts, visible
from events.models import Event, EventType
from sources.models import Claim
from tests.api.fixtures import API_URLS, api_anon, token_client  # noqa: F401
from tests.factories import (
    ActorFactory,
    EventFactory,
    LocationFactory,
    ParticipationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

EVENTS = "/api/v1/events/"


class ByDeclaredFields(EventSerializer):
    """DRF's generic walk of the declared fields, with drafts hidden as the API hides them."""

    def to_representation(self, instance: Event) -> Any:
        data = serializers.ModelSerializer.to_representation(self, instance)
        reader = self.context["request"].user
        for key, record in (("place", instance.location), ("parent", instance.parent)):
            if is_draft(record) and not sees_drafts(reader):
                data[key] = None
        return data


class DetailByDeclaredFields(ByDeclaredFields, EventDetailSerializer):
    class Meta(EventDetailSerializer.Meta):
        pass


def reference(path: str, user: Any, events: list[Event], detail: bool = False) -> Any:
    """The events as the declared fields give them, with the context a view gives them, and
    only the parts the path expands (a record has them all)."""
    request = Request(APIRequestFactory().get(path))
    request.user = user
    suffix = path.rpartition(".")[2] if path.endswith(".json") else None
    serializer_class = DetailByDeclaredFields if detail else ByDeclaredFields
    context = {"request": request, "format": suffix}
    data = json.loads(
        JSONRenderer().render(serializer_class(events, many=True, context=context).data)
    )
    expand = request.query_params.get("expand", "").split(",")
    for event in data:
        if not detail and "event_type" not in expand:
            event["event_type"] = {key: event["event_type"][key] for key in EVENT_TYPE_REF}
        if not detail and "place.ancestors" not in expand and event["place"]:
            del event["place"]["ancestors"]
    return data


def listed(user: Any) -> list[Event]:
    return list(
        Event.objects.visible_to(user)
        .for_list(user)
        .select_related("parent")
        .order_by("-start_date", "-pk")
    )


@pytest.fixture
def awkward_events(idlib: None) -> list[Event]:
    parent = EventFactory(status="draft", title="Offensive <b>not yet published</b>")
    lone_type = EventType.objects.create(slug="lone-type", name="A type with no parent")
    draft_region = LocationFactory(status="draft", name="A region not yet published")
    in_draft_region = LocationFactory(parent=draft_region, name="Kafr «Nabl»\u2028")
    with_draft_actor = EventFactory(
        location=in_draft_region, start_date=datetime.date(2018, 9, 19), title="Strike ‘near’ \\"
    )
    ParticipationFactory(event=with_draft_actor, actor=ActorFactory(status="draft"))
    ParticipationFactory(event=with_draft_actor, actor=ActorFactory(name='Jaish al-"Izza"'))
    return [
        EventFactory(
            parent=parent,
            location=LocationFactory(status="draft"),
            start_date=datetime.date(2018, 9, 20),
            end_date=datetime.date(2018, 9, 22),
        ),
        EventFactory(location=None, event_type=lone_type, start_date=datetime.date(2018, 9, 21)),
        with_draft_actor,
    ]


@pytest.mark.parametrize("reader", ["anonymous", "staff"])
@pytest.mark.parametrize(
    "query",
    [
        "?page_size=500",
        "?page_size=500&format=json&expand=place.ancestors",
        "?page_size=500&expand=place.ancestors,event_type",
        "?page_size=500&format=json&expand=event_type",
    ],
)
def test_an_event_list_equals_drf_s_walk_of_the_declared_fields(
    awkward_events: list[Event], reader: str, query: str
) -> None:
    if reader == "staff":
        user: Any = UserFactory(username="staff-reader", is_staff=True)
        client = token_client(user)
    else:
        user, client = AnonymousUser(), APIClient()
    path = EVENTS + query
    response = client.get(path)

    assert response.status_code == 200, response.content
    body = response.json()["results"]
    expected = reference(path, user, listed(user))
    assert len(body) == len(expected) == Event.objects.visible_to(user).count()
    assert body == expected
    draft_parent = [event for event in body if event["title"] == awkward_events[0].title]
    assert (draft_parent[0]["parent"] is None) == (reader == "anonymous")


def test_an_event_s_detail_with_claims_equals_drf_s_walk_of_the_declared_fields(
    idlib: None, api_anon: APIClient
) -> None:
    event = Event.objects.filter(claim_count__gte=2).order_by("pk").first()
    assert event is not None
    path = f"{EVENTS}{event.uuid}.json"
    response = api_anon.get(path)

    assert response.status_code == 200, response.content
    user = AnonymousUser()
    loaded = (
        Event.objects.for_list(user)
        .select_related("parent")
        .prefetch_related(Prefetch("claims", queryset=visible(Claim.objects.cited_for(user), user)))
        .filter(pk=event.pk)
    )
    expected = reference(path, user, list(loaded), detail=True)[0]
    assert response.json() == expected
    assert expected["url"].endswith(f"/{event.uuid}.json")
    assert len(expected["claims"]) >= 2


def test_links_in_the_list_lead_to_the_records(api_anon: APIClient, idlib: None) -> None:
    query = {"page_size": 1, "expand": "place.ancestors"}
    first = api_anon.get(EVENTS, query).json()["results"][0]
    for url in [
        first["url"],
        first["event_type"]["url"],
        first["place"]["url"],
        *(ancestor["url"] for ancestor in first["place"]["ancestors"]),
        *(participant["actor"]["url"] for participant in first["participants"]),
    ]:
        assert api_anon.get(url).status_code == 200, url


def test_a_site_served_below_a_path_links_below_it(api_anon: APIClient, idlib: None) -> None:
    # A "%" in the path is text of the address, not a placeholder of the list's SQL.
    with override_script_prefix("/kb%202018/"):
        response = api_anon.get(EVENTS, {"page_size": 2})
        assert response.status_code == 200, response.content
        events = response.json()["results"]
        # A record on its own links as the list does.
        records = [api_anon.get(f"{EVENTS}{event['id']}/").json() for event in events]
    assert len(events) == 2
    for event, record in zip(events, records, strict=True):
        assert event["url"].startswith("http://testserver/kb%25202018/api/v1/events/")
        assert event["url"] == record["url"]
        assert event["place"]["url"] == record["place"]["url"]
