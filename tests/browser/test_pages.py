"""The analysts' pages in a real browser, on the Idlib September 2018 data set."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from events.models import Event, Location

pytestmark = [
    pytest.mark.browser,
    # The live server reads committed rows.
    pytest.mark.django_db(transaction=True),
]

PUBLISHED_EVENTS = 5


def rows(page):
    return page.locator("li.event-row")


def apply_filters(page) -> None:
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()


def test_timeline_lists_the_idlib_events_and_each_filter_narrows_it(visit, idlib_site):
    page = visit.page
    visit.goto("/")
    expect(page).to_have_title("Timeline of events · ConflictKB")
    expect(rows(page)).to_have_count(PUBLISHED_EVENTS)
    expect(page.locator(".histogram svg a")).not_to_have_count(0)
    visit.screenshot("timeline")

    # Actor, by a former name; typed and submitted from the keyboard.
    page.get_by_label("Actor", exact=True).fill("Nusra")
    page.get_by_label("Actor", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"actor=Nusra"))
    # Three events it takes part in, and the airstrikes, whose target Russia's claim names it.
    expect(rows(page)).to_have_count(4)
    expect(page.get_by_text("Russian airstrikes on Idlib")).to_have_count(1)
    expect(page.get_by_text("Tehran summit of Russia, Iran and Turkey")).to_have_count(0)
    visit.screenshot("timeline-filtered")

    # Place: Syria includes the events in Idlib governorate, and not the Tehran summit.
    visit.goto("/")
    page.get_by_label("Place", exact=True).select_option(label="\u2003Idlib governorate")
    apply_filters(page)
    expect(rows(page)).to_have_count(4)

    # Event type: a top-level type includes its sub-types.
    visit.goto("/")
    page.get_by_label("Event type", exact=True).select_option(label="Explosions/Remote violence")
    apply_filters(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Russian airstrikes on Idlib")

    # Date range: events overlapping 6–7 Sep 2018.
    visit.goto("/")
    page.get_by_label("From", exact=True).fill("2018-09-06")
    page.get_by_label("To", exact=True).fill("2018-09-07")
    apply_filters(page)
    expect(rows(page)).to_have_count(2)

    # Words, and contested only.
    visit.goto("/")
    page.get_by_label("Words", exact=True).fill("summit")
    apply_filters(page)
    expect(rows(page)).to_have_count(1)
    visit.goto("/")
    page.get_by_label("Contested", exact=True).select_option("true")
    apply_filters(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator(".badge--contested")).to_be_visible()


def test_on_a_phone_the_folded_filter_panel_names_the_filters_applied(visit, idlib_site):
    page = visit.page
    page.set_viewport_size({"width": 375, "height": 800})
    visit.goto("/?actor=HTS&date_from=2018-09-01")
    panel = page.locator("details.filters-toggle")
    expect(panel).not_to_have_attribute("open", "")
    expect(panel.locator("> summary")).to_have_text(
        "Filters: actor HTS (matched Hay'at Tahrir al-Sham), from 1 Sep 2018"
    )
    expect(panel.locator("> summary")).to_be_visible()
    visit.screenshot("timeline-phone-filtered")


def test_a_malformed_filter_is_explained_next_to_its_field(visit, idlib_site):
    page = visit.page
    assert visit.goto("/?bbox=east+of+Idlib").status == 400
    # The browser logs the 400 of the page itself; that one is the expected answer.
    visit.errors[:] = [error for error in visit.errors if "status of 400" not in error]
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_text("Give four numbers")).to_be_visible()
    expect(page.get_by_label("Map area", exact=True)).to_have_attribute("aria-invalid", "true")


def test_a_malformed_date_leaves_the_date_input_empty_without_a_console_warning(visit, idlib_site):
    page = visit.page
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    assert visit.goto("/?date_from=notadate").status == 400
    visit.errors[:] = [error for error in visit.errors if "status of 400" not in error]
    expect(page.get_by_text("You gave “notadate”.")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_have_value("")
    assert [text for text in warnings if "does not conform" in text] == []


def test_event_page_shows_both_competing_airstrike_claims_and_the_contested_badge(
    visit, idlib_site
):
    page = visit.page
    visit.goto("/")
    page.get_by_role("link", name="Russian airstrikes on Idlib").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Russian airstrikes on Idlib")
    expect(page.locator("h1 .badge--contested")).to_have_text("Contested")
    claimants = page.locator(".claim__claimant")
    expect(claimants.filter(has_text="Ministry of Defence of Russia")).not_to_have_count(0)
    expect(claimants.filter(has_text="Syrian Observatory for Human Rights")).not_to_have_count(0)
    expect(page.get_by_text("killed 13 civilians", exact=False).first).to_be_visible()
    expect(
        claimants.filter(has_text="Ministry of Defence of Russia").first.locator(".badge--party")
    ).to_be_visible()
    # A grade's meaning shows on keyboard focus, not only on hover.
    grade = page.locator(".grade").first
    grade.focus()
    expect(grade.locator(".grade__tip")).to_be_visible()
    expect(grade.locator(".grade__tip")).to_contain_text("reliability as an outlet")
    page.locator("body").click(position={"x": 5, "y": 300})
    # So does the party badge's, from the keyboard and by a tap, kept inside a phone's screen.
    party = claimants.locator(".badge--party").first
    party.focus()
    expect(party.locator(".badge__tip")).to_be_visible()
    expect(party.locator(".badge__tip")).to_contain_text("conflict of interest")
    page.locator("body").click(position={"x": 5, "y": 300})
    expect(party.locator(".badge__tip")).to_be_hidden()
    phone = visit.context.browser.new_context(
        viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True
    )
    try:
        touch = phone.new_page()
        touch.goto(page.url)
        badge = touch.locator(".badge--party").first
        badge.tap()
        tip = badge.locator(".badge__tip")
        expect(tip).to_be_visible()
        box = tip.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= 375, box
    finally:
        phone.close()
    visit.screenshot("event")


def test_actor_page_shows_the_former_name(visit, idlib_site):
    page = visit.page
    visit.goto("/search/?q=Tahrir+al+Sham")
    page.locator("section[aria-labelledby=actors]").get_by_role(
        "link", name="Hay'at Tahrir al-Sham"
    ).click()
    names = page.locator("section[aria-labelledby=names]")
    expect(names).to_contain_text("Nusra Front")
    expect(names).to_contain_text("former name")
    expect(page.locator("section[aria-labelledby=relations]")).to_contain_text(
        "designated as terrorist by"
    )
    visit.screenshot("actor")


def test_place_page_lists_events_in_places_inside_it(visit, idlib_site):
    page = visit.page
    syria = Location.objects.get(name="Syria", kind="country")
    visit.goto(syria.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Syria")
    expect(rows(page)).to_have_count(PUBLISHED_EVENTS - 1)
    expect(page.get_by_text("Tehran summit of Russia, Iran and Turkey")).to_have_count(0)
    page.locator("section[aria-labelledby=inside]").get_by_role(
        "link", name="Idlib governorate"
    ).click()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Syria")
    expect(rows(page)).to_have_count(PUBLISHED_EVENTS - 1)
    expect(page.locator("section[aria-labelledby=figures]")).to_contain_text("population")
    visit.screenshot("place")


def test_search_finds_idleb_and_tahrir_al_sham(visit, idlib_site):
    page = visit.page
    visit.goto("/")
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("Idleb")
    search.press("Enter")
    expect(page).to_have_title("Search: Idleb · ConflictKB")
    expect(
        page.locator("section[aria-labelledby=places]").get_by_role(
            "link", name="Idlib governorate"
        )
    ).to_be_visible()
    visit.screenshot("search")
    search = page.get_by_role("search").first.get_by_role("searchbox")
    search.fill("Tahrir al Sham")
    search.press("Enter")
    expect(
        page.locator("section[aria-labelledby=actors]").get_by_role(
            "link", name="Hay'at Tahrir al-Sham"
        )
    ).to_be_visible()


def test_outlet_and_document_pages_show_what_was_published_and_relayed(visit, idlib_site):
    page = visit.page
    visit.goto("/")
    page.get_by_role("link", name="Russian airstrikes on Idlib").click()
    page.locator(".claim__source a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Syrian rebels hope Turkey")
    expect(page.locator(".facts")).to_contain_text("Relays")
    expect(page.locator(".claim").first).to_be_visible()
    visit.screenshot("document")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").first.click()
    expect(page.locator("#documents")).to_be_visible()
    visit.screenshot("outlet")


def test_map_shows_markers_with_tile_requests_blocked(visit, idlib_site):
    page = visit.page
    tiles: list[str] = []
    page.route(
        re.compile(r"tile", re.IGNORECASE),
        lambda route: (tiles.append(route.request.url), route.abort()),
    )
    visit.goto("/map/")
    expect(page.locator("#event-map.map--ready")).to_be_visible()
    # One marker per place: the events at Idlib governorate's centre share one.
    places = (
        Event.objects.published()
        .filter(location__latitude__isnull=False)
        .values("location__latitude", "location__longitude")
        .distinct()
    )
    markers = page.locator("#event-map path.leaflet-interactive")
    expect(markers).to_have_count(places.count())
    assert tiles, "the map asked for no tiles: the blocking was not exercised"
    # The blank background is explained, and keyboard users can reach the markers.
    expect(page.locator("#map-tiles-note")).to_be_visible()
    expect(markers.first).to_have_attribute("tabindex", "0")
    visit.screenshot("map")
    markers.first.click()
    popup_links = page.locator(".leaflet-popup-content a")
    expect(popup_links.first).to_be_visible()
    assert popup_links.first.get_attribute("href").startswith("/events/")


def test_a_draft_is_invisible_to_an_anonymous_visitor(visit, idlib_site):
    page = visit.page
    draft = Event.objects.exclude(status="published").get()
    visit.goto("/")
    expect(page.get_by_text(draft.title)).to_have_count(0)
    # Asked for directly (not navigated to, so no console error is logged), it is not found.
    assert page.request.get(visit.base_url + draft.get_absolute_url()).status == 404
