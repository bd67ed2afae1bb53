"""Reviewing candidates in the admin: side by side, merge, reject, skip, in bulk, undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from events.models import CandidateStatus, Event, EventCandidate, EventMerge
from tests.factories import EventFactory
from tests.interchange.test_match_events import acled_file, acled_row
from tests.interchange.test_merge_events import load, ucdp_strike

pytestmark = pytest.mark.django_db

QUEUE = "/admin/events/eventcandidate/"


@pytest.fixture
def candidate() -> EventCandidate:
    """ACLED's and UCDP's records of one strike, proposed as one event by the import."""
    load("acled", acled_file(acled_row("SYR9001")))
    load("ucdp", ucdp_strike())
    return EventCandidate.objects.get()


def review(client: Client, candidate: EventCandidate, decision: str) -> str:
    response = client.post(f"{QUEUE}{candidate.pk}/change/", {decision: "on"})
    assert response.status_code == 302
    return response["Location"]


def test_the_queue_opens_on_the_open_pairs_best_first(
    candidate: EventCandidate, editor_client: Client
) -> None:
    response = editor_client.get(QUEUE)
    assert response["Location"] == f"{QUEUE}?status__exact=open"

    page = editor_client.get(response["Location"]).content.decode()

    assert "Military Forces of Russia (2000-) ≈ Government of Russia (Soviet Union)" in page
    assert "Merge every open pair" not in page  # bulk merging is the reviewers'


def test_the_review_page_shows_both_events_with_their_claims(
    candidate: EventCandidate, editor_client: Client
) -> None:
    page = editor_client.get(f"{QUEUE}{candidate.pk}/change/").content.decode()

    assert "ACLED SYR9001" in page
    assert "UCDP 300001" in page
    assert "Fatalities: 9–13" in page  # UCDP GED's claim: low 9, high 13
    assert "Fatalities: 13" in page  # ACLED's
    assert 'name="keep_a" value="Merge, keep A"' in page
    assert 'name="reject" value="Not the same event"' in page


def test_merging_from_the_review_page_keeps_the_chosen_event(
    candidate: EventCandidate, editor_client: Client
) -> None:
    ucdp_event = candidate.event_b

    assert review(editor_client, candidate, "keep_b") == f"{QUEUE}"

    event = Event.objects.get()
    assert (event.pk, event.acled_id, event.ucdp_id, event.contested) == (
        ucdp_event.pk,
        "SYR9001",
        "300001",
        True,
    )
    assert EventMerge.objects.get().merged_by.username == "editor"


def test_rejecting_remembers_who_and_skipping_changes_nothing(
    candidate: EventCandidate, editor_client: Client, editor: User
) -> None:
    review(editor_client, candidate, "skip")
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN

    review(editor_client, candidate, "reject")

    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by) == (CandidateStatus.REJECTED, editor)
    assert Event.objects.count() == 2


def test_skipping_leads_to_the_next_best_pair(editor_client: Client) -> None:
    load(
        "acled",
        acled_file(
            acled_row("SYR9001"),
            acled_row("SYR9002", actor1="Russia"),
            acled_row("SYR9003", date="2018-09-10", place=("Saraqib", 35.86, 36.8)),
            acled_row(
                "SYR9004", date="2018-09-10", place=("Saraqib", 35.86, 36.8), actor1="Russia"
            ),
        ),
    )
    first, second = EventCandidate.objects.order_by("-score", "id")

    assert review(editor_client, first, "skip") == f"{QUEUE}{second.pk}/change/"


def test_a_reviewer_merges_every_pair_above_a_score_and_an_editor_may_not(
    candidate: EventCandidate, editor_client: Client, reviewer_client: Client
) -> None:
    url = f"{QUEUE}?status__exact=open"
    assert editor_client.post(url, {"bulk-score": "0.8"}).status_code == 403
    assert "Merge every open pair" in reviewer_client.get(url).content.decode()

    response = reviewer_client.post(url, {"bulk-score": "0.8"}, follow=True)

    assert "Merged 1 pair(s) scoring at least 0.80." in response.content.decode()
    assert Event.objects.get().claims.count() == 2


@pytest.fixture
def merged(candidate: EventCandidate, editor_client: Client) -> tuple[Event, EventMerge]:
    """The pair merged from its review page, keeping the ACLED event: the UCDP one and the
    merge that absorbed it."""
    absorbed = candidate.event_b
    review(editor_client, candidate, "keep_a")
    return absorbed, EventMerge.objects.get()


def test_a_merge_is_undone_from_the_list_of_merges(
    merged: tuple[Event, EventMerge], editor_client: Client
) -> None:
    absorbed, merge = merged

    response = editor_client.post(
        "/admin/events/eventmerge/",
        {"action": "undo_selected", "_selected_action": [merge.pk]},
        follow=True,
    )

    assert f"Put back: “{absorbed.title}”." in response.content.decode()
    assert Event.objects.get(uuid=absorbed.uuid).claims.get().claimant_outlet.name == "UCDP GED"


def test_a_merges_page_says_in_words_what_undoing_puts_back(
    merged: tuple[Event, EventMerge], editor_client: Client
) -> None:
    absorbed, merge = merged

    page = editor_client.get(f"/admin/events/eventmerge/{merge.pk}/change/").content.decode()

    assert "Undoing puts back" in page
    assert f"the event “{absorbed.title}”; 1 claim;" in page
    assert "its UCDP GED id" in page
    assert '"claims"' not in page  # the record kept for the undo itself is not shown


def test_readers_have_no_review_queue(candidate: EventCandidate, anon_client: Client) -> None:
    assert anon_client.get(f"{QUEUE}{candidate.pk}/change/").status_code == 302  # to log in
    assert anon_client.post(f"{QUEUE}{candidate.pk}/change/", {"keep_a": "on"}).status_code == 302
    assert Event.objects.count() == 2


def make_candidates(count: int) -> None:
    for _ in range(count):
        a, b = sorted((EventFactory().pk, EventFactory().pk))
        EventCandidate.objects.create(
            event_a_id=a, event_b_id=b, score=0.8, reasons=["same day", "1.0 km apart"]
        )


def test_the_queue_and_the_api_run_the_same_queries_for_one_pair_or_thirty(
    editor_client: Client, django_assert_num_queries: Any
) -> None:
    pages = (f"{QUEUE}?status__exact=open", "/api/v1/event-candidates/")
    make_candidates(1)
    counts = {}
    for url in pages:
        with django_assert_num_queries(QUERIES[url]):
            assert editor_client.get(url).status_code == 200
    make_candidates(29)
    for url in pages:
        with django_assert_num_queries(QUERIES[url]):
            response = editor_client.get(url)
        counts[url] = response
    assert counts["/api/v1/event-candidates/"].json()["results"][29]["score"] == 0.8
    assert "30 event candidates" in counts[pages[0]].content.decode()


# The session, the user and (an editor) the user's and groups' permissions, then: the
# queue's counts (filtered and total) and its page of pairs with both events; the API's page
# of pairs with both events and their places.
QUERIES = {f"{QUEUE}?status__exact=open": 7, "/api/v1/event-candidates/": 5}
