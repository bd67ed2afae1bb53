"""Editors draft, reviewers publish and deprecate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Event
from sources.models import Claim, ClaimStatus
from tests.factories import ClaimFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_the_groups_hold_the_documented_rights(editor, reviewer):
    assert editor.has_perm("events.add_event")
    assert editor.has_perm("sources.change_claim")
    assert not editor.has_perm("events.publish_event")
    assert not editor.has_perm("sources.deprecate_claim")
    assert not editor.has_perm("events.delete_event")
    assert reviewer.has_perm("events.publish_event")
    assert reviewer.has_perm("sources.deprecate_claim")
    assert reviewer.has_perm("events.delete_event")


def test_an_editor_sees_publication_status_but_cannot_change_it(editor_client):
    event = EventFactory(status="draft")
    page = editor_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert (
        "publish_selected"
        not in editor_client.get(reverse("admin:events_event_changelist")).content.decode()
    )


def test_an_editor_cannot_publish_with_the_bulk_action(editor_client):
    event = EventFactory(status="draft")
    response = editor_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "publish_selected", "_selected_action": [event.pk]},
    )
    assert response.status_code in (200, 302)
    event.refresh_from_db()
    assert event.status == "draft"


def test_a_reviewer_publishes_with_the_bulk_action(reviewer_client):
    drafts = [EventFactory(status="draft") for _ in range(3)]
    response = reviewer_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "publish_selected", "_selected_action": [e.pk for e in drafts]},
    )
    assert response.status_code == 302
    assert set(
        Event.objects.filter(pk__in=[e.pk for e in drafts]).values_list("status", flat=True)
    ) == {"published"}


def claim_post(claim: Claim, **overrides) -> dict:
    data = {
        "event": claim.event_id,
        "kind": claim.kind,
        "claimant_actor": claim.claimant_actor_id,
        "document": claim.document_id,
        "quote": claim.quote,
        "value_best": claim.value_best,
        "stance": claim.stance,
        "credibility": claim.credibility,
        "status": claim.status,
        "deprecation_reason": "",
    }
    return {**data, **overrides}


def test_an_editor_cannot_deprecate_a_claim_in_the_admin(editor_client):
    claim = ClaimFactory()
    url = reverse("admin:sources_claim_change", args=[claim.pk])
    response = editor_client.post(
        url, claim_post(claim, status="deprecated", deprecation_reason="wrong")
    )
    assert response.status_code == 200
    assert "Only reviewers can deprecate a claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED


def test_a_reviewer_deprecates_a_claim_with_a_reason(reviewer_client):
    claim = ClaimFactory()
    url = reverse("admin:sources_claim_change", args=[claim.pk])
    response = reviewer_client.post(
        url, claim_post(claim, status="deprecated", deprecation_reason="Misread figure.")
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.deprecation_reason) == ("deprecated", "Misread figure.")


def test_published_is_decided_by_one_queryset_verb(editor):
    published, draft = EventFactory(status="published"), EventFactory(status="draft")
    assert list(Event.objects.published()) == [published]
    assert set(Event.objects.visible_to(editor)) == {published, draft}
