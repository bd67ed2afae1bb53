"""No draft reaches a reader: a crawl of everything an anonymous reader can fetch.

A published event is linked to one draft of each kind: its place (with coordinates), its
parent event, a related event, a participant, a claimant actor, a claimant outlet, an actor
a claim names, an outlet its document relays, and a document. The crawl follows every link
from the home page and the event's page, and fetches every export, map, search and API
representation besides; no response may carry a draft's name, id or coordinates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from core.models import Publication
from events.models import Event
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    DocumentRelayFactory,
    EventFactory,
    EventRelationFactory,
    LocationFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = Publication.DRAFT, Publication.PUBLISHED
LATITUDE, LONGITUDE = 12.3456, 45.6789
MAX_PAGES = 400


@pytest.fixture
def linked_drafts() -> tuple[Event, dict[str, Any]]:
    region = LocationFactory(name="Open region", kind="admin1", status=PUBLISHED)
    drafts: dict[str, Any] = {
        "place": LocationFactory(
            name="Secretville",
            parent=region,
            status=DRAFT,
            latitude=LATITUDE,
            longitude=LONGITUDE,
        ),
        "parent": EventFactory(title="Secret offensive", status=DRAFT),
        "related event": EventFactory(title="Secret sequel", status=DRAFT),
        "participant": ActorFactory(name="Secret Participant Front", status=DRAFT),
        "claimant actor": ActorFactory(name="Secret Claimant Militia", status=DRAFT),
        "claimant outlet": OutletFactory(name="Secret Outlet Press", status=DRAFT),
        "named actor": ActorFactory(name="Secret Named Brigade", status=DRAFT),
        "relayed outlet": OutletFactory(name="Secret Wire Agency", status=DRAFT),
        "document": DocumentFactory(title="Secret draft report", status=DRAFT),
    }
    event = EventFactory(
        title="Strike on the open market",
        status=PUBLISHED,
        location=drafts["place"],
        parent=drafts["parent"],
    )
    EventRelationFactory(from_event=event, to_event=drafts["related event"])
    ParticipationFactory(event=event, actor=drafts["participant"])
    ParticipationFactory(event=event, actor=ActorFactory(name="Open army", status=PUBLISHED))
    open_claimant = ActorFactory(name="Open monitor", status=PUBLISHED)
    open_document = DocumentFactory(title="Open report", status=PUBLISHED)
    DocumentRelayFactory(document=open_document, outlet=drafts["relayed outlet"])
    ClaimFactory(event=event, claimant_actor=open_claimant, document=open_document)
    ClaimFactory(event=event, claimant_actor=drafts["claimant actor"], value_best=777)
    ClaimFactory(
        event=event,
        claimant_actor=None,
        claimant_outlet=drafts["claimant outlet"],
        value_best=778,
    )
    ClaimFactory(
        event=event,
        kind="target",
        value_best=None,
        claimant_actor=open_claimant,
        document=open_document,
        value_actor=drafts["named actor"],
    )
    ClaimFactory(event=event, document=drafts["document"], value_best=779)
    return event, drafts


def needles(drafts: dict[str, Any]) -> dict[str, str]:
    """What must not appear: each draft's name and id, and the draft place's coordinates."""
    found = {}
    for kind, record in drafts.items():
        found[f"{kind}'s name"] = str(record)
        found[f"{kind}'s id"] = str(record.uuid)
    found |= {"latitude": str(LATITUDE), "longitude": str(LONGITUDE)}
    return found


def links(text: str) -> Iterator[str]:
    for href in re.findall(r'href="(/[^"#]*)', text):
        href = href.replace("&amp;", "&")
        if not href.startswith(("/admin/", "/static/", "/api/v1/docs", "/api/v1/schema")):
            yield href


def crawl(client: Client, starts: list[str]) -> dict[str, str]:
    """Every page reachable from ``starts`` by the site's own links, as a reader gets it."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = content.decode()
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue.extend(link for link in links(seen[url]) if link not in seen)
    return seen


def test_no_draft_name_id_or_coordinate_reaches_a_reader(linked_drafts, anon_client):
    event, drafts = linked_drafts
    api = "/api/v1"
    fetched = crawl(
        anon_client,
        [
            "/",
            event.get_absolute_url(),
            "/map/",
            "/search/?q=Secret",
            "/?q=Secret",
            "/?actor=Secret",
            "/?claimant=Secret",
            "/export/events.csv",
            "/export/events.csv?layout=acled",
            "/export/events.csv?layout=ucdp",
            "/export/events.geojson",
            "/export/claims.csv",
            "/export/claims.jsonl",
            "/map/?bbox=45,12,46,13",
            f"{api}/events/",
            f"{api}/events/?expand=claims,place.ancestors,event_type",
            f"{api}/events/?format=csv",
            f"{api}/events/?format=geojson",
            f"{api}/events/{event.uuid}/",
            f"{api}/events/?format=csv&layout=conflictkb",
            f"{api}/events/?format=csv&layout=ucdp",
            f"{api}/events/{event.uuid}/?format=csv",
            f"{api}/events/{event.uuid}/?format=geojson",
            f"{api}/claims/?format=csv",
            f"{api}/claims/?format=jsonl",
            f"{api}/events/?bbox=45,12,46,13",
            f"{api}/events/?min_fatalities=700",
            f"{api}/claims/",
            f"{api}/documents/",
            f"{api}/outlets/",
            f"{api}/actors/",
            f"{api}/actor-relations/",
            f"{api}/places/",
            f"{api}/deleted/?since=2000-01-01T00:00:00Z",
        ],
    )
    assert len(fetched) > 20
    assert "Strike on the open market" in fetched[event.get_absolute_url()]
    leaks = [
        (url, what)
        for url, text in fetched.items()
        for what, needle in needles(drafts).items()
        if needle in text
    ]
    assert leaks == []
    # Nor the figures only claims readers cannot open give (777, 778 and 779 killed).
    detail = anon_client.get(f"{api}/events/{event.uuid}/").json()
    assert (detail["fatalities"]["high"], detail["claim_summary"]["claims"]) == (13, 2)
