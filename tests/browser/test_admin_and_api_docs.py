"""The editing interface and the API docs work in a browser under the Content-Security-Policy
(no inline script): a violation is a console error, which fails the test."""

from __future__ import annotations

import pytest

from events.models import Event
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in(visit, username):
    visit.goto("/admin/login/")
    visit.page.fill("#id_username", username)
    visit.page.fill("#id_password", "correct horse battery staple")
    visit.page.click("input[type=submit]")
    visit.page.wait_for_url("**/admin/")


def test_the_api_docs_list_the_endpoints(visit, idlib_site):
    assert visit.goto("/api/v1/docs/").status == 200
    visit.page.wait_for_selector(".opblock-tag", timeout=20000)
    tags = visit.page.locator(".opblock-tag").all_inner_texts()
    assert any("events" in tag for tag in tags)
    visit.screenshot("api-docs")


def test_an_editor_signs_in_and_edits_an_event_with_its_claims(visit, committed_idlib):
    UserFactory(username="editor", groups=["Editors"])
    sign_in(visit, "editor")
    visit.goto("/admin/events/event/?q=airstrikes")
    visit.page.click("text=Russian airstrikes on Idlib")
    visit.page.wait_for_selector("#claims-group")
    assert visit.page.locator("#claims-group .inline-related:not(.empty-form)").count() == 4
    # Autocomplete (select2, the admin's own script) answers from the server.
    visit.page.click("#participations-group .select2-selection >> nth=0")
    visit.page.keyboard.type("Russia")
    visit.page.wait_for_selector(".select2-results__option >> text=Military Forces of Russia")
    visit.page.keyboard.press("Escape")
    visit.screenshot("admin-event")
    visit.page.fill("#id_summary", "Four Russian jets strike targets in Idlib governorate.")
    visit.page.click("input[name=_continue]")
    visit.page.wait_for_selector(".messagelist .success")
    assert Event.objects.get(title="Russian airstrikes on Idlib").summary.endswith("governorate.")


def test_an_editor_reviews_a_candidate_pair_and_merges_it(visit, idlib_site):
    from events.models import EventCandidate
    from tests.interchange.test_match_events import acled_file, acled_row
    from tests.interchange.test_merge_events import load, ucdp_strike

    load("acled", acled_file(acled_row("SYR9001")))
    load("ucdp", ucdp_strike())
    candidate = EventCandidate.objects.get(event_a__acled_id="SYR9001")
    UserFactory(username="editor", groups=["Editors"])
    sign_in(visit, "editor")
    visit.goto("/admin/events/eventcandidate/")
    visit.screenshot("admin-candidates")
    visit.page.click(f"a[href*='/eventcandidate/{candidate.pk}/change/']")
    visit.page.wait_for_selector(".candidate-sides")
    assert visit.page.locator(".candidate-side").count() == 2
    visit.screenshot("admin-candidate-review")
    visit.page.click("input[name=keep_a]")
    visit.page.wait_for_selector(".messagelist .success")
    event = Event.objects.get(acled_id="SYR9001")
    assert (event.ucdp_id, event.contested) == ("300001", True)
