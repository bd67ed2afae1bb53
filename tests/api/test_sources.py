"""The outlets, documents and claims API."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import json
from typing import Any

import pytest

from events.models import Event
from sources.models import Claim, ClaimStatus, Document
from tests.api.fixtures import (  # noqa: F401  (fixtures)
    API_URLS,
    THROTTLE_QUERIES,
    api_anon,
    api_editor,
    api_reviewer,
    ids,
    results,
)
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    DocumentRelayFactory,
    EventFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

OUTLETS = "/api/v1/outlets/"
DOCUMENTS = "/api/v1/documents/"
CLAIMS = "/api/v1/claims/"


@pytest.fixture
def article() -> Document:
    """The Independent's article relaying a Reuters wire story."""
    independent = OutletFactory(name="The Independent", kind="newspaper", country_code="GB")
    document = DocumentFactory(
        outlet=independent, title="Russia and Syria bomb Idlib", url="https://example.org/idlib"
    )
    DocumentRelayFactory(document=document, outlet=OutletFactory(name="Reuters", reliability="B"))
    return document


# --- Outlets --------------------------------------------------------------------------------


def test_outlets_list_with_their_affiliated_actor_and_filters(api_anon, article):
    russia = ActorFactory(name="Russia", kind="state")
    ministry = OutletFactory(
        name="Russian Defence Ministry", kind="government", affiliated_actor=russia
    )
    OutletFactory(name="Draft outlet", status="draft")
    rows = results(api_anon.get(OUTLETS))
    assert [r["name"] for r in rows] == ["Reuters", "Russian Defence Ministry", "The Independent"]
    assert rows[1]["affiliated_actor"]["name"] == "Russia"
    assert ids(api_anon.get(OUTLETS, {"kind": "government"})) == [str(ministry.uuid)]
    assert [r["name"] for r in results(api_anon.get(OUTLETS, {"reliability": "B"}))] == ["Reuters"]
    assert api_anon.get(OUTLETS, {"reliability": "Z"}).status_code == 400


def test_the_outlet_list_costs_the_same_queries_for_1_and_100_outlets(
    api_anon, django_assert_num_queries
):
    actor = ActorFactory()
    OutletFactory(affiliated_actor=actor)
    # 1 outlets with their affiliated actor joined;
    # 2, 3 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(OUTLETS))) == 1
    OutletFactory.create_batch(99, affiliated_actor=actor)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        rows = results(api_anon.get(OUTLETS, {"page_size": 100}))
        assert all(r["affiliated_actor"]["name"] == actor.name for r in rows)


def test_an_outlet_name_must_be_unique_and_publishing_needs_a_reviewer(api_editor, api_reviewer):
    OutletFactory(name="Reuters")
    response = api_editor.post(OUTLETS, {"name": "Reuters", "kind": "news_agency"})
    assert response.status_code == 400
    assert "name" in response.json()
    payload = {"name": "AFP", "kind": "news_agency", "status": "published"}
    assert api_editor.post(OUTLETS, payload).status_code == 403
    assert api_reviewer.post(OUTLETS, payload).status_code == 201


def test_a_website_in_capitals_is_accepted_and_a_script_link_is_a_field_error(api_editor):
    payload = {"name": "AFP", "kind": "news_agency", "website": "HTTPS://www.afp.com/en"}
    response = api_editor.post(OUTLETS, payload)
    assert response.status_code == 201, response.json()
    assert response.json()["website"] == "HTTPS://www.afp.com/en"
    response = api_editor.post(OUTLETS, {**payload, "name": "Evil", "website": "javascript:x"})
    assert response.status_code == 400
    assert "website" in response.json()


# --- Documents ------------------------------------------------------------------------------


def test_a_document_shows_its_outlet_and_the_outlets_it_relays(api_anon, article):
    body = api_anon.get(f"{DOCUMENTS}{article.uuid}/").json()
    assert body["outlet"]["name"] == "The Independent"
    assert [o["name"] for o in body["relays"]] == ["Reuters"]
    assert body["link"] == "https://example.org/idlib"


def test_documents_filter_by_outlet_or_relayed_outlet_and_dates(api_anon, article):
    reuters = article.relays.get()
    other = DocumentFactory(published_on="2018-10-01")
    assert ids(api_anon.get(DOCUMENTS, {"outlet": str(reuters.uuid)})) == [str(article.uuid)]
    assert ids(api_anon.get(DOCUMENTS, {"published_from": "2018-09-30"})) == [str(other.uuid)]
    assert api_anon.get(DOCUMENTS, {"published_to": "last week"}).status_code == 400


def test_the_document_list_costs_the_same_queries_for_1_and_100_documents(
    api_anon, django_assert_num_queries
):
    relayed = OutletFactory()
    DocumentRelayFactory(outlet=relayed)
    # 1 documents with their outlet joined; 2 the outlets they relay;
    # 3, 4 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(4 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(DOCUMENTS))) == 1
    for _ in range(99):
        DocumentRelayFactory(outlet=relayed)
    with django_assert_num_queries(4 + THROTTLE_QUERIES):
        rows = results(api_anon.get(DOCUMENTS, {"page_size": 100}))
        assert all(len(r["relays"]) == 1 for r in rows)


def test_an_editor_adds_a_document_with_relays_and_a_duplicate_url_is_refused(api_editor, article):
    reuters = article.relays.get()
    payload = {
        "outlet": str(article.outlet.uuid),
        "title": "Second report",
        "link": "https://example.org/second",
        "relays": [str(reuters.uuid)],
    }
    response = api_editor.post(DOCUMENTS, payload, format="json")
    assert response.status_code == 201, response.content
    assert [o["name"] for o in response.json()["relays"]] == ["Reuters"]
    response = api_editor.post(DOCUMENTS, payload, format="json")
    assert response.status_code == 400
    assert "already recorded" in str(response.json())


# --- Claims ---------------------------------------------------------------------------------


def claim_payload(event: Event, document: Document, **extra: Any) -> dict[str, Any]:
    return {
        "event": str(event.uuid),
        "kind": "fatalities",
        "claimant_outlet": str(document.outlet.uuid),
        "document": str(document.uuid),
        "quote": "Thirteen civilians were killed.",
        "value_best": 13,
        **extra,
    }


def test_a_claim_names_its_subject_claimant_and_document(api_anon, article):
    event = EventFactory()
    russia = ActorFactory(name="Russia")
    ParticipationFactory(event=event, actor=russia)
    claim = ClaimFactory(event=event, document=article, claimant_actor=russia, locator="¶ 9")
    body = api_anon.get(f"{CLAIMS}{claim.uuid}/").json()
    assert body["subject"]["type"] == "event"
    assert body["subject"]["id"] == str(event.uuid)
    assert body["claimant"] == {
        "type": "actor",
        "id": str(russia.uuid),
        "url": f"http://testserver/api/v1/actors/{russia.uuid}/",
        "name": "Russia",
        "status": "published",
    }
    assert body["claimant_is_party"] is True
    assert body["document"]["outlet"] == "The Independent"
    assert body["locator"] == "¶ 9"


def test_anonymous_readers_see_no_claims_in_drafts_or_needing_work(api_anon, api_editor, article):
    shown = ClaimFactory(document=article)
    ClaimFactory(document=DocumentFactory(status="draft"))
    ClaimFactory(event=EventFactory(status="draft"), document=article)
    ClaimFactory(document=article, status=ClaimStatus.NEEDS_WORK)
    assert ids(api_anon.get(CLAIMS)) == [str(shown.uuid)]
    assert len(results(api_editor.get(CLAIMS))) == 4


def test_claims_filter_by_event_claimant_kind_status_credibility_and_words(api_anon, article):
    event = EventFactory()
    sohr = ActorFactory(name="SOHR")
    counted = ClaimFactory(event=event, document=article, claimant_actor=sohr, credibility=2)
    denial = ClaimFactory(
        document=article, kind="occurred", stance="denies", value_best=None, quote="No strike."
    )
    assert ids(api_anon.get(CLAIMS, {"event": str(event.uuid)})) == [str(counted.uuid)]
    assert ids(api_anon.get(CLAIMS, {"claimant": str(sohr.uuid)})) == [str(counted.uuid)]
    assert ids(api_anon.get(CLAIMS, {"kind": "occurred"})) == [str(denial.uuid)]
    assert ids(api_anon.get(CLAIMS, {"stance": "denies"})) == [str(denial.uuid)]
    assert ids(api_anon.get(CLAIMS, {"max_credibility": 2})) == [str(counted.uuid)]
    assert ids(api_anon.get(CLAIMS, {"q": "civilians"})) == [str(counted.uuid)]
    assert ids(api_anon.get(CLAIMS, {"document": str(article.uuid), "status": "accepted"})) == [
        str(denial.uuid),
        str(counted.uuid),
    ]
    for bad in ({"kind": "rumour"}, {"max_credibility": 7}, {"event": "x"}):
        assert api_anon.get(CLAIMS, bad).status_code == 400


def test_the_claim_list_costs_the_same_queries_for_1_and_100_claims(
    api_anon, article, django_assert_num_queries
):
    event, actor = EventFactory(), ActorFactory()
    ClaimFactory(event=event, document=article, claimant_actor=actor)
    # 1 claims with subject, claimant, document, outlet and named actor joined;
    # 2, 3 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(CLAIMS))) == 1
    ClaimFactory.create_batch(99, event=event, document=article, claimant_actor=actor)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        rows = results(api_anon.get(CLAIMS, {"page_size": 100}))
        assert len(rows) == 100
        assert all(r["claimant"]["name"] == actor.name for r in rows)
        assert all(r["document"]["outlet"] == "The Independent" for r in rows)


def test_an_editors_token_creates_a_claim_and_the_event_figures_follow(api_editor, article):
    event = EventFactory()
    response = api_editor.post(CLAIMS, claim_payload(event, article), format="json")
    assert response.status_code == 201, response.content
    event.refresh_from_db()
    assert (event.fatalities_best, event.claim_count) == (13, 1)


def test_a_claim_with_two_subjects_or_no_claimant_gets_the_admins_messages(api_editor, article):
    event = EventFactory()
    payload = claim_payload(event, article, actor=str(ActorFactory().uuid))
    response = api_editor.post(CLAIMS, payload, format="json")
    assert response.status_code == 400
    assert "exactly one event, actor, relation or place" in response.json()["event"][0]
    payload = claim_payload(event, article, claimant_outlet=None)
    response = api_editor.post(CLAIMS, payload, format="json")
    assert "claimant_actor" in response.json()
    payload = claim_payload(event, article, value_low=20, value_best=13)
    assert "value_low" in api_editor.post(CLAIMS, payload, format="json").json()
    assert not Claim.objects.exists()


def test_an_editor_cannot_deprecate_a_claim_and_a_reviewer_must_say_why(
    api_editor, api_reviewer, article
):
    claim = ClaimFactory(document=article)
    url = f"{CLAIMS}{claim.uuid}/"
    deprecate = {"status": "deprecated", "deprecation_reason": "Figure misread."}
    response = api_editor.patch(url, deprecate, format="json")
    assert response.status_code == 403
    assert "deprecate" in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    response = api_reviewer.patch(url, {"status": "deprecated"}, format="json")
    assert response.status_code == 400
    assert "deprecation_reason" in response.json()
    response = api_reviewer.patch(url, deprecate, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "deprecated"


def test_an_editor_corrects_a_claim_with_the_current_etag_but_not_a_stale_one(
    api_editor, api_reviewer, article
):
    claim = ClaimFactory(document=article)
    url = f"{CLAIMS}{claim.uuid}/"
    etag = api_editor.get(url)["ETag"]
    api_reviewer.patch(url, {"locator": "¶ 3"}, format="json")
    response = api_editor.patch(url, {"value_best": 14}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    claim.refresh_from_db()
    assert (claim.value_best, claim.locator) == (13, "¶ 3")
    fresh = api_editor.get(url)["ETag"]
    response = api_editor.patch(url, {"value_best": 14}, format="json", HTTP_IF_MATCH=fresh)
    assert response.status_code == 200


def test_anonymous_readers_see_no_draft_claimant_named_actor_affiliate_or_relayed_outlet(
    api_anon, api_editor, article
):
    draft_actor = ActorFactory(status="draft", name="Unvetted militia")
    by_draft = ClaimFactory(document=article, claimant_actor=draft_actor)
    naming_draft = ClaimFactory(document=article, kind="perpetrator", value_actor=draft_actor)
    OutletFactory(name="Mouthpiece", affiliated_actor=draft_actor)
    DocumentRelayFactory(document=article, outlet=OutletFactory(status="draft", name="Draft wire"))
    assert api_anon.get(f"{CLAIMS}{by_draft.uuid}/").status_code == 404
    body = api_anon.get(f"{CLAIMS}{naming_draft.uuid}/").json()
    assert body["value_actor"] is None
    assert "Unvetted" not in json.dumps(body)
    outlets = {r["name"]: r for r in results(api_anon.get(OUTLETS))}
    assert outlets["Mouthpiece"]["affiliated_actor"] is None
    relays = api_anon.get(f"{DOCUMENTS}{article.uuid}/").json()["relays"]
    assert [o["name"] for o in relays] == ["Reuters"]
    for_staff = api_editor.get(f"{CLAIMS}{by_draft.uuid}/").json()
    assert for_staff["claimant"]["name"] == "Unvetted militia"
    assert (for_staff["claimant"]["status"], for_staff["is_public"]) == ("draft", False)
