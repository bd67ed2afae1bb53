"""The deletions feed, read from the audit trail."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sources.models import Document
from tests.api.fixtures import (  # noqa: F401
    API_URLS,
    THROTTLE_QUERIES,
    api_anon,
    api_editor,
    api_reviewer,
    results,
)
from tests.factories import (
    ActorFactory,
    ActorRelationFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

DELETED = "/api/v1/deleted/"


def since(minutes: int = 5) -> str:
    return (timezone.now() - datetime.timedelta(minutes=minutes)).isoformat()


def test_a_record_deleted_through_the_api_appears_in_the_feed(api_anon, api_reviewer):
    event = EventFactory()
    assert api_reviewer.delete(f"/api/v1/events/{event.uuid}/").status_code == 204
    [row] = results(api_anon.get(DELETED, {"since": since()}))
    assert row["type"] == "event"
    assert row["id"] == str(event.uuid)
    assert datetime.datetime.fromisoformat(row["deleted_at"]) <= timezone.now()


def test_deletions_before_since_are_left_out(api_anon):
    ActorFactory().delete()
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert results(api_anon.get(DELETED, {"since": later})) == []


def test_every_public_resource_type_is_reported_and_cascades_too(api_anon):
    claim = ClaimFactory()
    event, document = claim.event, claim.document
    event.delete()  # the claim goes with it
    document.delete()
    types = sorted(r["type"] for r in results(api_anon.get(DELETED, {"since": since()})))
    assert types == ["claim", "document", "event"]


def test_anonymous_readers_do_not_hear_of_deleted_drafts_but_editors_do(api_anon, api_editor):
    draft = ActorFactory(status="draft")
    draft.delete()
    assert results(api_anon.get(DELETED, {"since": since()})) == []
    assert [r["id"] for r in results(api_editor.get(DELETED, {"since": since()}))] == [
        str(draft.uuid)
    ]


def test_readers_hear_only_of_claims_and_relations_they_could_have_seen(api_anon, api_editor):
    in_draft_document = ClaimFactory(document=DocumentFactory(status="draft"))
    by_draft_claimant = ClaimFactory(claimant_actor=ActorFactory(status="draft"))
    to_draft_actor = ActorRelationFactory(object=ActorFactory(status="draft"))
    public = ClaimFactory()
    becomes_hidden = ClaimFactory()
    for record in (in_draft_document, by_draft_claimant, to_draft_actor, public):
        record.delete()
    Document.objects.filter(pk=becomes_hidden.document_id).update(status="draft")

    feed = {r["id"]: r["reason"] for r in results(api_anon.get(DELETED, {"since": since()}))}
    unpublished_document = Document.objects.get(pk=becomes_hidden.document_id)
    assert feed == {
        str(public.uuid): "deleted",
        str(becomes_hidden.uuid): "unpublished",  # its document is no longer published
        str(unpublished_document.uuid): "unpublished",
    }
    for_staff = {r["id"] for r in results(api_editor.get(DELETED, {"since": since()}))}
    assert {
        str(r.uuid) for r in (in_draft_document, by_draft_claimant, to_draft_actor, public)
    } <= for_staff


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": since(), "cursor": "x"}, "cursor"),
        ({"since": since(), "page_size": 501}, "page_size"),
    ],
)
def test_a_missing_or_malformed_parameter_is_a_400_naming_it(api_anon, params, named):
    response = api_anon.get(DELETED, params)
    assert response.status_code == 400
    assert named in response.json()


def test_the_feed_pages_through_deletions_made_in_one_transaction(api_anon):
    actors = ActorFactory.create_batch(5)
    events = EventFactory.create_batch(2)
    for record in [*actors, *events]:
        record.delete()
    seen, url, params = [], DELETED, {"since": since(), "page_size": 2}
    while url:
        body = api_anon.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], {}
    assert sorted(seen) == sorted(str(r.uuid) for r in [*actors, *events])
    assert len(seen) == len(set(seen))


def test_the_feed_costs_one_query_for_1_and_100_deletions(api_anon, django_assert_num_queries):
    ActorFactory().delete()
    # 1 the union of every resource's delete events, ordered and limited
    with django_assert_num_queries(1 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(DELETED, {"since": since()}))) == 1
    for actor in ActorFactory.create_batch(99):
        actor.delete()
    with django_assert_num_queries(1 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(DELETED, {"since": since(), "page_size": 100}))) == 100


def test_a_record_sent_back_to_draft_is_removed_for_anonymous_mirrors_only(api_anon, api_editor):
    event = EventFactory()
    event.status = "draft"
    event.save()
    event.title = "Edited as a draft"
    event.save()  # a second draft edit is not a second removal
    rows = results(api_anon.get(DELETED, {"since": since()}))
    assert [(r["type"], r["id"], r["reason"]) for r in rows] == [
        ("event", str(event.uuid), "unpublished")
    ]
    assert results(api_editor.get(DELETED, {"since": since()})) == []
    event.delete()
    reasons = [r["reason"] for r in results(api_editor.get(DELETED, {"since": since()}))]
    assert reasons == ["deleted"]
