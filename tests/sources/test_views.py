"""Outlet and document pages: what was published, what it relays, which claims cite it."""

from __future__ import annotations

import pytest

from core.models import Publication
from sources.models import Reliability
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    DocumentRelayFactory,
    EventFactory,
    OutletFactory,
)

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def wire_story():
    """The Independent reprints a Reuters story about the strikes."""
    reuters = OutletFactory(name="Reuters", kind="news_agency", reliability=Reliability.B)
    independent = OutletFactory(name="The Independent", reliability=Reliability.B)
    document = DocumentFactory(outlet=independent, title="Syrian rebels hope Turkey will intervene")
    DocumentRelayFactory(document=document, outlet=reuters)
    ClaimFactory(
        document=document,
        claimant_actor=ActorFactory(name="Syrian Observatory for Human Rights"),
        event=EventFactory(title="Russian airstrikes on Idlib"),
        quote="The strikes killed 13 civilians.",
    )
    return document


def test_outlet_page_lists_what_it_published_and_what_each_document_relays(anon_client, wire_story):
    page = body(anon_client.get(wire_story.outlet.get_absolute_url()))
    assert "Syrian rebels hope Turkey will intervene</a>" in page
    assert "1 claim · relays <a" in page
    assert "Reuters</a>" in page
    assert "B · Usually reliable" in page


def test_outlet_page_of_a_wire_service_lists_who_relayed_it(anon_client, wire_story):
    reuters = wire_story.relays.get()
    page = body(anon_client.get(reuters.get_absolute_url()))
    assert "Its reporting relayed by others" in page
    assert "Syrian rebels hope Turkey will intervene</a>" in page
    assert "The Independent</a>" in page


def test_document_page_lists_the_claims_that_cite_it(anon_client, wire_story):
    page = body(anon_client.get(wire_story.get_absolute_url()))
    assert "The strikes killed 13 civilians." in page
    assert "Syrian Observatory for Human Rights</a>" in page
    assert "Russian airstrikes on Idlib</a>" in page
    assert "Relays</dt>" in page


def test_a_draft_document_is_not_found_by_anonymous_visitors(anon_client, editor_client):
    draft = DocumentFactory(status=Publication.DRAFT)
    assert anon_client.get(draft.get_absolute_url()).status_code == 404
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


def test_a_draft_outlet_hides_itself_and_its_documents(anon_client):
    outlet = OutletFactory(status=Publication.DRAFT)
    document = DocumentFactory(outlet=outlet)
    assert anon_client.get(outlet.get_absolute_url()).status_code == 404
    assert anon_client.get(document.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_outlet_page_runs_seven_queries_whatever_the_number_of_documents(
    anon_client, django_assert_num_queries, n
):
    outlet = OutletFactory()
    for _ in range(n):
        document = DocumentFactory(outlet=outlet)
        DocumentRelayFactory(document=document)
        DocumentRelayFactory(outlet=outlet)
        ClaimFactory(document=document, claimant_actor=None, claimant_outlet=outlet)
    with django_assert_num_queries(7):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. the outlet with the actor it speaks for
        # 2. its documents with their claim counts
        # 3. the outlets those documents relay
        # 4. other outlets' documents relaying it
        # 5. the claims it made, with subject, document and outlet
        page = body(anon_client.get(outlet.get_absolute_url()))
    assert page.count("relays <a") == n
    assert page.count('<article class="claim ') == n


@pytest.mark.parametrize("n", [1, 50])
def test_document_page_runs_five_queries_whatever_the_number_of_claims(
    anon_client, django_assert_num_queries, n
):
    document = DocumentFactory()
    for _ in range(n):
        ClaimFactory(document=document)
        DocumentRelayFactory(document=document)
    with django_assert_num_queries(5):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. the document with its outlet
        # 2. the outlets it relays
        # 3. the claims citing it, with subject, claimant and outlet
        page = body(anon_client.get(document.get_absolute_url()))
    assert page.count('<article class="claim ') == n


def test_document_page_lists_its_claims_in_document_order(anon_client, wire_story):
    for locator, quote in [("¶ 10", "Tenth."), ("", "Unplaced."), ("¶ 2", "Second.")]:
        ClaimFactory(document=wire_story, locator=locator, quote=quote)
    page = body(anon_client.get(wire_story.get_absolute_url()))
    positions = [page.index(quote) for quote in ("Second.", "Tenth.", "Unplaced.")]
    assert positions == sorted(positions)
