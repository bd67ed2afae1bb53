"""The analysts' event pages: timeline, event, place, map and exports."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from actors.models import NameKind, RelationKind
from core.models import Publication
from events.models import DatePrecision, Event, EventType, Role
from events.templatetags.conflictkb import date_span_label, figure_range_label
from events.views import PAGE_SIZE, histogram
from sources.models import ClaimKind, Reliability, Stance
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    ActorRelationFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    EventRelationFactory,
    LocationFactory,
    OutletFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2018, 9, 4)


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def idlib_governorate():
    syria = LocationFactory(name="Syria", kind="country", parent=None)
    return LocationFactory(name="Idlib governorate", kind="admin1", parent=syria)


@pytest.fixture
def airstrike(idlib_governorate):
    """Russia's strikes of 4 Sep 2018: the Defence Ministry and the Syrian Observatory disagree."""
    russia = ActorFactory(name="Russia", kind="state")
    forces = ActorFactory(name="Military Forces of Russia", kind="state_forces")
    ministry = ActorFactory(name="Ministry of Defence of Russia", kind="government_body")
    ActorRelationFactory(subject=forces, kind=RelationKind.PART_OF, object=russia)
    ActorRelationFactory(subject=ministry, kind=RelationKind.PART_OF, object=russia)
    observatory = ActorFactory(name="Syrian Observatory for Human Rights", kind="ngo")
    town = LocationFactory(name="Jisr al-Shughur", parent=idlib_governorate)
    event = EventFactory(title="Russian airstrikes on Idlib", start_date=DAY, location=town)
    ParticipationFactory(event=event, actor=forces, role=Role.PERPETRATOR)
    outlet = OutletFactory(name="The Independent", reliability=Reliability.B)
    document = DocumentFactory(outlet=outlet, title="Syrian rebels hope Turkey will intervene")
    ClaimFactory(
        event=event,
        claimant_actor=ministry,
        document=document,
        value_best=0,
        quote="Four jets struck an al-Qaida-linked weapons depot.",
        locator="¶ 6",
        credibility=4,
    )
    ClaimFactory(
        event=event,
        claimant_actor=observatory,
        document=document,
        value_best=13,
        civilians=13,
        quote="The strikes killed 13 civilians but no fighters.",
        locator="¶ 6",
        credibility=3,
    )
    event.refresh_from_db()
    return event


def make_events(n: int, *, place=None, **kwargs) -> list[Event]:
    """n published events, each with a place inside a region, two actors and two claims."""
    region = place or LocationFactory(name="Region", kind="admin1")
    events = []
    for i in range(n):
        event = EventFactory(
            start_date=DAY - datetime.timedelta(days=i % 40),
            location=LocationFactory(parent=region),
            **kwargs,
        )
        ParticipationFactory(event=event, role=Role.PERPETRATOR)
        ParticipationFactory(event=event, role=Role.TARGET)
        ClaimFactory(event=event, value_best=i)
        ClaimFactory(event=event, value_best=i + 1)
        events.append(event)
    return events


# --- Dates and figures as precise as they are known ------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "precision", "label"),
    [
        ((2018, 9, 4), (2018, 9, 4), DatePrecision.DAY, "4 Sep 2018"),
        ((2018, 9, 4), (2018, 9, 6), DatePrecision.DAYS, "4–6 Sep 2018"),
        ((2018, 8, 30), (2018, 9, 5), DatePrecision.WEEK, "30 Aug – 5 Sep 2018"),
        ((2018, 12, 30), (2019, 1, 2), DatePrecision.DAYS, "30 Dec 2018 – 2 Jan 2019"),
        ((2018, 9, 1), (2018, 9, 30), DatePrecision.MONTH, "Sep 2018"),
        ((2018, 8, 1), (2018, 9, 30), DatePrecision.MONTH, "Aug–Sep 2018"),
        ((2018, 12, 1), (2019, 1, 31), DatePrecision.MONTH, "Dec 2018 – Jan 2019"),
        ((2018, 1, 1), (2018, 12, 31), DatePrecision.YEAR, "2018"),
        ((2017, 1, 1), (2018, 12, 31), DatePrecision.YEAR, "2017–2018"),
    ],
)
def test_dates_are_written_as_precisely_as_they_are_known(start, end, precision, label):
    assert date_span_label(datetime.date(*start), datetime.date(*end), precision) == label


def test_a_missing_end_date_reads_as_a_single_day():
    assert date_span_label(DAY, None) == "4 Sep 2018"


@pytest.mark.parametrize(
    ("figures", "label"),
    [((0, 5, 13), "0–13"), ((13, 13, 13), "13"), ((None, 13, None), "13"), ((None,) * 3, "")],
)
def test_fatalities_are_a_range_not_a_single_silent_number(figures, label):
    assert figure_range_label(*figures) == label


# --- Timeline ----------------------------------------------------------------------------------


def test_timeline_row_shows_date_type_place_actors_range_contested_and_evidence(
    anon_client, airstrike
):
    page = body(anon_client.get("/"))
    assert "Russian airstrikes on Idlib" in page
    assert "4 Sep 2018" in page
    assert "Air/drone strike" in page
    assert 'Jisr al-Shughur</a>, <span class="muted">Idlib governorate' in page
    assert 'Military Forces of Russia</a> <span class="role">perpetrator' in page
    assert ">0–13<" in page
    assert "Contested</span>" in page
    assert "2 claims · 1 independent source<" in page


def test_timeline_hides_drafts_from_anonymous_visitors(anon_client):
    EventFactory(title="Published strike")
    EventFactory(title="Unchecked rumour", status=Publication.DRAFT)
    page = body(anon_client.get("/"))
    assert "Published strike" in page
    assert "Unchecked rumour" not in page
    assert "<strong>1</strong> event," in page


def test_timeline_shows_drafts_to_editors_marked_as_drafts(editor_client):
    EventFactory(title="Unchecked rumour", status=Publication.DRAFT)
    page = body(editor_client.get("/"))
    assert "Unchecked rumour" in page
    assert 'badge--draft">Draft</span>' in page


def test_timeline_groups_events_under_their_date(anon_client):
    EventFactory(title="Morning strike", start_date=DAY)
    EventFactory(title="Evening strike", start_date=DAY)
    EventFactory(
        title="Month-long offensive",
        start_date=datetime.date(2018, 9, 1),
        end_date=datetime.date(2018, 9, 30),
        date_precision=DatePrecision.MONTH,
    )
    page = body(anon_client.get("/"))
    assert page.count(">4 Sep 2018</h2>") == 1
    assert page.index("4 Sep 2018</h2>") < page.index("Evening strike")
    assert page.index("Sep 2018</h2>", page.index("Evening strike")) < page.index("Month-long")


def test_timeline_filter_by_a_former_name_narrows_the_list(anon_client):
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="Nusra Front", kind=NameKind.FORMER)
    ParticipationFactory(actor=hts, event=EventFactory(title="Truce with the FSA"))
    EventFactory(title="Summit in Tehran")
    page = body(anon_client.get("/", {"actor": "Nusra"}))
    assert "Truce with the FSA" in page
    assert "Summit in Tehran" not in page
    assert 'value="Nusra"' in page


def test_timeline_filters_keep_their_state_in_export_and_map_links(anon_client, airstrike):
    page = body(anon_client.get("/", {"contested": "true", "q": "airstrikes"}))
    assert 'href="/export/events.csv?contested=true&amp;q=airstrikes"' in page
    assert 'href="/export/events.geojson?contested=true&amp;q=airstrikes"' in page
    assert 'href="/map/?contested=true&amp;q=airstrikes"' in page


def test_a_malformed_filter_is_reported_on_the_form_not_as_a_server_error(anon_client):
    EventFactory(title="Any strike")
    response = anon_client.get("/", {"bbox": "east of Idlib", "date_from": "4 Sept"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give four numbers" in page
    assert "Enter a valid date" in page
    assert 'aria-invalid="true"' in page
    assert "Any strike" not in page


@pytest.mark.parametrize("page", ["events:timeline", "events:map"])
def test_the_folded_filter_panel_says_which_filters_are_applied(anon_client, page):
    query = {"actor": "HTS", "date_from": "2018-09-01", "contested": "true", "min_fatalities": "10"}
    html = body(anon_client.get(reverse(page), query))
    assert (
        "<summary>Filters: actor HTS (matched nothing), from 1 Sep 2018, "
        "contested only, at least 10 killed</summary>" in html
    )
    # Paging is not a filter, and nothing is listed when nothing narrows the events.
    assert "<summary>Filters</summary>" in body(anon_client.get(reverse(page), {"after": "x"}))


def test_the_filter_panel_summary_shortens_long_words_and_counts_what_to_correct(anon_client):
    response = anon_client.get("/", {"q": "ceasefire violations along the M5 highway", "bbox": "x"})
    assert response.status_code == 400
    assert (
        "<summary>Filters: words “ceasefire violations along th…”, 1 to correct</summary>"
        in response.content.decode()
    )


def test_timeline_pages_by_keyset_without_gaps_or_repeats(anon_client):
    events = make_events(PAGE_SIZE + 10)
    first = anon_client.get("/")
    assert len(first.context["events"]) == PAGE_SIZE
    older = first.context["older_cursor"]
    assert first.context["newer_cursor"] is None
    second = anon_client.get("/", {"after": str(older)})
    assert len(second.context["events"]) == 10
    assert second.context["older_cursor"] is None
    seen = [e.pk for e in first.context["events"]] + [e.pk for e in second.context["events"]]
    expected = sorted(events, key=lambda e: (e.start_date, e.pk), reverse=True)
    assert seen == [e.pk for e in expected]
    back = anon_client.get("/", {"before": str(second.context["newer_cursor"])})
    assert [e.pk for e in back.context["events"]] == [e.pk for e in first.context["events"]]
    assert "Older events →" in body(first)


def test_a_garbled_cursor_shows_the_first_page(anon_client):
    EventFactory(title="Newest strike")
    assert "Newest strike" in body(anon_client.get("/", {"after": "yesterday.x"}))


def test_histogram_counts_events_per_day_over_a_short_span():
    EventFactory(start_date=DAY)
    EventFactory(start_date=DAY)
    EventFactory(start_date=DAY + datetime.timedelta(days=2))
    bars = histogram(Event.objects.all()).bars
    assert [(b.label, b.count) for b in bars] == [
        ("2 Sep 2018", 0),
        ("3 Sep 2018", 0),
        ("4 Sep 2018", 2),
        ("5 Sep 2018", 0),
        ("6 Sep 2018", 1),
        ("7 Sep 2018", 0),
        ("8 Sep 2018", 0),
    ]
    assert bars[2].height == 40
    assert bars[4].height == 20


def test_histogram_counts_events_per_month_over_a_long_span():
    EventFactory(start_date=datetime.date(2018, 7, 1))
    EventFactory(start_date=datetime.date(2018, 9, 4))
    EventFactory(start_date=datetime.date(2018, 9, 30))
    bars = histogram(Event.objects.all()).bars
    assert [(b.label, b.count) for b in bars] == [("Jul 2018", 1), ("Aug 2018", 0), ("Sep 2018", 2)]
    assert bars[2].date_to == datetime.date(2018, 9, 30)


def test_histogram_counts_years_over_a_decade_and_more_cut_to_the_date_filter():
    EventFactory(start_date=datetime.date(2005, 3, 1))
    EventFactory(start_date=datetime.date(2018, 9, 4), date_precision=DatePrecision.YEAR)
    EventFactory(start_date=datetime.date(2018, 12, 31))
    chart = histogram(Event.objects.all())
    assert chart.unit == "year"
    assert [bar.label for bar in chart.bars] == [str(year) for year in range(2005, 2019)]
    assert [bar.count for bar in chart.bars] == [1] + [0] * 12 + [2]
    assert chart.too_vague == 0
    assert chart.total == 3

    cut = histogram(Event.objects.all(), datetime.date(2004, 6, 1), datetime.date(2018, 10, 1))
    assert cut.bars[0].label == "2005"
    assert (cut.bars[-1].date_from, cut.bars[-1].date_to) == (
        datetime.date(2018, 1, 1),
        datetime.date(2018, 10, 1),
    )
    assert cut.bars[-1].label == "1 Jan – 1 Oct 2018"


def test_the_histogram_is_cached_for_readers_until_the_data_changes(
    anon_client, django_assert_num_queries, airstrike, superuser
):
    query = {"actor": "Russia"}
    assert body(anon_client.get("/", query))
    with django_assert_num_queries(5):
        # The same filters with an empty date from the form: another page (not cached yet),
        # the same histogram. The data version (read once for the page, the histogram and the
        # menus) and whether a commit is in flight, the actors the name matches (read once:
        # the page names them), the page, its participations: no GROUP BY, no menu read
        response = anon_client.get("/", {**query, "date_from": ""})
    assert response.context["histogram"].total == 1

    second = EventFactory(start_date=DAY + datetime.timedelta(days=1))
    ParticipationFactory(event=second, actor=airstrike.participations.get().actor)
    assert anon_client.get("/", query).context["histogram"].total == 2

    staff = Client()
    staff.force_login(superuser)
    EventFactory(start_date=DAY, status="draft").participations.create(
        actor=airstrike.participations.get().actor, role=Role.PERPETRATOR
    )
    with django_assert_num_queries(10):
        # session, user, the actors the name matches, the page, its participations, the
        # histogram (always computed for staff), the data version (once) and the options of
        # each menu (staff see draft places, so their menu is kept apart from readers'), and
        # whether a commit is in flight
        response = staff.get("/", query)
    assert response.context["histogram"].total == 3


def test_histogram_bars_link_to_their_day_and_are_labelled(anon_client):
    EventFactory(start_date=DAY)
    page = body(anon_client.get("/"))
    assert '<svg viewBox="0 0 100 40"' in page
    assert 'href="?date_from=2018-09-04&amp;date_to=2018-09-04"' in page
    assert 'aria-label="4 Sep 2018: 1 event"' in page


def test_histogram_bars_keep_the_other_filters_and_leave_the_page_behind(anon_client):
    EventFactory(start_date=DAY, title="Shelling & <b>raids</b>")
    EventFactory(start_date=DAY, title="Shelling again")
    page = body(anon_client.get("/", {"q": "shelling", "after": "2018-09-05~99"}))
    (link, label), *_ = [bar for bar in histogram_links(page) if bar[1].startswith("4 Sep")]
    assert link == "date_from=2018-09-04&amp;date_to=2018-09-04&amp;q=shelling"
    assert label == "4 Sep 2018: 2 events"
    assert f"<title>{label}</title>" in page


def histogram_links(page: str) -> list[str]:
    return re.findall(r'<a href="\?([^"]*)" aria-label="([^"]*)"', page)


def test_histogram_stays_inside_the_date_filter_and_agrees_with_the_count(anon_client):
    # A week-long offensive that began before the range overlaps it, so the list shows it.
    EventFactory(
        title="Offensive",
        start_date=datetime.date(2018, 8, 30),
        end_date=datetime.date(2018, 9, 5),
        date_precision=DatePrecision.WEEK,
    )
    EventFactory(title="Strike", start_date=DAY)
    response = anon_client.get("/", {"date_from": "2018-09-01"})
    page = body(response)
    assert "<strong>2</strong> events match these filters" in page
    links = histogram_links(page)
    # No bar before 1 Sep, and none links to a day outside the filter.
    assert links[0] == (
        "date_from=2018-09-01&amp;date_to=2018-09-01",
        "1 Sep 2018: 1 event",
    )
    assert not any("2018-08" in href for href, _ in links)
    assert "4 Sep 2018: 1 event" in [label for _, label in links]
    assert sum(bar.count for bar in response.context["histogram"].bars) == 2
    assert "The first day’s bar includes 1 event that began before the range." in page


def test_histogram_months_are_cut_to_the_date_filter():
    EventFactory(start_date=datetime.date(2018, 7, 1), end_date=datetime.date(2018, 7, 31))
    EventFactory(start_date=datetime.date(2018, 10, 2))
    chart = histogram(Event.objects.all(), datetime.date(2018, 7, 15), datetime.date(2018, 10, 20))
    assert [(b.label, b.count) for b in chart.bars] == [
        ("15–31 Jul 2018", 1),
        ("Aug 2018", 0),
        ("Sep 2018", 0),
        ("1–20 Oct 2018", 1),
    ]
    assert (chart.bars[0].date_from, chart.bars[-1].date_to) == (
        datetime.date(2018, 7, 15),
        datetime.date(2018, 10, 20),
    )
    assert chart.began_before == 1


def test_histogram_does_not_draw_an_event_known_only_to_the_month_on_its_first_day(anon_client):
    EventFactory(
        start_date=datetime.date(2018, 9, 1),
        end_date=datetime.date(2018, 9, 30),
        date_precision=DatePrecision.MONTH,
    )
    EventFactory(start_date=DAY)
    response = anon_client.get("/")
    page = body(response)
    labels = [label for _, label in histogram_links(page)]
    assert "4 Sep 2018: 1 event" in labels
    assert "1 Sep 2018: 0 events" in labels
    assert "<strong>2</strong> events" in page
    assert "1 event dated only to the month is in the count but on no day’s bar." in page


def test_histogram_counts_an_event_known_only_to_the_month_in_its_month():
    EventFactory(
        start_date=datetime.date(2018, 9, 1),
        end_date=datetime.date(2018, 9, 30),
        date_precision=DatePrecision.MONTH,
    )
    EventFactory(start_date=datetime.date(2018, 6, 10))
    chart = histogram(Event.objects.all())
    assert [(b.label, b.count) for b in chart.bars][-1] == ("Sep 2018", 1)
    assert (chart.unit, chart.total, chart.too_vague) == ("month", 2, 0)


def test_histogram_padding_to_a_week_stays_inside_a_short_date_filter():
    EventFactory(start_date=DAY)
    chart = histogram(Event.objects.all(), DAY, DAY + datetime.timedelta(days=1))
    assert [b.label for b in chart.bars] == ["4 Sep 2018", "5 Sep 2018"]


@pytest.mark.parametrize("n", [1, 50])
def test_timeline_runs_the_same_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, n
):
    make_events(n)
    with django_assert_num_queries(8):
        # 0, 0. the data version (read once: it keys the page, the histogram and the menus)
        #       and whether a commit is in flight (nothing is cached yet)
        # 0. whether the words match few events (counted up to a bound: the query's shape)
        # 1. the page of events with type, parent type, place and parent place joined
        # 2. their participations with actors
        # 3. the histogram: events per day (GROUP BY), not cached yet
        # 4, 5. the place and the event type choices of the filter form (not cached yet)
        response = anon_client.get("/", {"q": "Event", "contested": "true"})
        page = body(response)
    assert len(response.context["events"]) == n
    assert page.count('<li class="event-row') == n


# --- Event page -----------------------------------------------------------------------------


def test_event_page_shows_the_competing_claims_side_by_side(anon_client, airstrike):
    page = body(anon_client.get(airstrike.get_absolute_url()))
    assert "<h1" in page
    assert "Russian airstrikes on Idlib" in page
    assert "Contested</span>" in page
    assert "Four jets struck an al-Qaida-linked weapons depot." in page
    assert "The strikes killed 13 civilians but no fighters." in page
    assert page.count('class="claim claim--asserts') == 2
    assert "Fatalities <span" in page
    assert ">0–13</strong>" in page
    assert "Rule: Range across accepted claims" in page


def claim_cards(page: str) -> dict[str, str]:
    """Each claim card's HTML by its claimant's name."""
    cards = page.split('<article class="claim ')[1:]
    return {card.split('aria-label="Claim by ', 1)[1].split('"', 1)[0]: card for card in cards}


def test_event_page_flags_a_claimant_who_is_party_to_the_event(anon_client, airstrike):
    # The ministry did not fly the strikes, but it and the forces that did are both part of Russia.
    cards = claim_cards(body(anon_client.get(airstrike.get_absolute_url())))
    assert "Party to the event" in cards["Ministry of Defence of Russia"]
    assert "Party to the event" not in cards["Syrian Observatory for Human Rights"]


def test_party_badge_explains_itself_on_focus_not_only_on_hover(anon_client, airstrike):
    card = claim_cards(body(anon_client.get(airstrike.get_absolute_url())))[
        "Ministry of Defence of Russia"
    ]
    badge = re.search(r'<span class="badge badge--party"([^>]*)>', card)
    assert badge, card
    # Reachable by Tab (and a tap), described by a tip in the page rather than a title.
    assert 'tabindex="0"' in badge.group(1)
    assert "title=" not in badge.group(1)
    tip_id = re.search(r'aria-describedby="([^"]+)"', badge.group(1)).group(1)
    tip = re.search(rf'<span class="badge__tip" role="tooltip" id="{tip_id}">([^<]*)</span>', card)
    assert tip, card
    assert "conflict of interest" in tip.group(1)


def test_event_page_explains_grades_on_hover_and_focus(anon_client, airstrike):
    page = body(anon_client.get(airstrike.get_absolute_url()))
    assert 'class="grade" tabindex="0"' in page
    assert "reliability as an outlet: B · Usually reliable" in page
    assert "Claim credibility: 4 · Doubtful" in page


def test_event_page_shows_quote_locator_document_and_outlet(anon_client, airstrike):
    page = body(anon_client.get(airstrike.get_absolute_url()))
    assert '<span class="locator">¶ 6</span>' in page
    assert "Syrian rebels hope Turkey will intervene</a>" in page
    assert "The Independent</a>" in page


def test_event_page_hides_claims_from_draft_documents(anon_client, airstrike):
    ClaimFactory(
        event=airstrike,
        document=DocumentFactory(status=Publication.DRAFT),
        quote="An unverified leak.",
    )
    assert "An unverified leak." not in body(anon_client.get(airstrike.get_absolute_url()))


def test_event_page_marks_a_denial(anon_client, airstrike):
    ClaimFactory(
        event=airstrike,
        kind=ClaimKind.OCCURRED,
        stance=Stance.DENIES,
        value_best=None,
        quote="No strikes took place.",
    )
    page = body(anon_client.get(airstrike.get_absolute_url()))
    assert 'class="claim claim--denies' in page
    assert 'stance--denies">denies' in page


def test_a_draft_event_is_not_found_by_anonymous_visitors(anon_client, editor_client):
    draft = EventFactory(status=Publication.DRAFT)
    assert anon_client.get(draft.get_absolute_url()).status_code == 404
    assert 'badge--draft">Draft' in body(editor_client.get(draft.get_absolute_url()))


def test_event_page_tells_editors_who_changed_it_last_and_links_its_history(
    editor_client, airstrike
):
    page = body(editor_client.get(airstrike.get_absolute_url()))
    assert "Last changed" in page
    assert f'href="/admin/events/event/{airstrike.pk}/history/"' in page


def test_event_page_lists_parent_children_and_related_events(anon_client, airstrike):
    offensive = EventFactory(title="Bombardment of the enclave")
    Event.objects.filter(pk=airstrike.pk).update(parent=offensive)
    EventFactory(title="Strike on a depot", parent=airstrike)
    EventRelationFactory(
        from_event=EventFactory(title="Tehran summit"), kind="discusses", to_event=airstrike
    )
    page = body(anon_client.get(airstrike.get_absolute_url()))
    assert "part of</span> <a" in page
    assert "Bombardment of the enclave" in page
    assert "Strike on a depot" in page
    assert "Tehran summit" in page


@pytest.mark.parametrize("n", [1, 50])
def test_event_page_runs_eight_queries_whatever_its_size(
    anon_client, django_assert_num_queries, airstrike, n
):
    for i in range(n):
        ParticipationFactory(event=airstrike, role=Role.TARGET)
        ClaimFactory(event=airstrike, value_best=i)
        EventFactory(parent=airstrike)
        EventRelationFactory(from_event=airstrike, kind="precedes")
    with django_assert_num_queries(8):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. the event with type, parent type, place, parent place and parent event
        # 2. its participations with actors
        # 3. its child events with their types
        # 4. relations from it, with the other event
        # 5. relations to it, with the other event
        # 6. its claims with claimant, document, outlet and named actor, each flagged when
        #    the claimant is a party (the database's rule, in the same query)
        page = body(anon_client.get(airstrike.get_absolute_url()))
    assert page.count('class="claim ') == n + 2


def test_the_place_menu_offers_regions_and_the_chosen_town_not_every_town(
    anon_client, airstrike, idlib_governorate
):
    town = airstrike.location
    other_town = LocationFactory(name="Saraqib", parent=idlib_governorate)
    menu = re.compile(r'<select name="place".*?</select>', re.S)

    plain = menu.search(body(anon_client.get(reverse("events:timeline")))).group(0)
    assert "Syria" in plain
    assert "Idlib governorate" in plain
    assert town.name not in plain
    assert other_town.name not in plain

    page = body(anon_client.get(reverse("events:timeline"), {"place": town.uuid}))
    chosen = menu.search(page).group(0)
    assert f'<option value="{town.uuid}" selected>' in chosen
    assert other_town.name not in chosen
    assert airstrike.title in page


def test_the_cached_menus_follow_the_data_and_keep_drafts_from_readers(
    anon_client, idlib_governorate, superuser
):
    menus = re.compile(r'<select name="(?:place|type)".*?</select>', re.S)

    def both_menus(client: Client) -> str:
        return "".join(menus.findall(body(client.get(reverse("events:timeline")))))

    assert "Hama governorate" not in both_menus(anon_client)
    LocationFactory(name="Hama governorate", kind="admin1", parent=idlib_governorate.parent)
    LocationFactory(name="Draft governorate", kind="admin1", status=Publication.DRAFT)
    airstrike_type = EventType.objects.get(slug="air-drone-strike")
    airstrike_type.name = "Air or drone strike (renamed)"
    airstrike_type.save()

    shown = both_menus(anon_client)
    assert "Hama governorate" in shown
    assert "Air or drone strike (renamed)" in shown
    assert "Draft governorate" not in shown

    staff = Client()
    staff.force_login(superuser)
    assert "Draft governorate" in both_menus(staff)
    assert "Draft governorate" not in both_menus(anon_client)


# --- Place page ---------------------------------------------------------------------------------


def test_place_page_lists_events_in_every_place_inside_it(anon_client, idlib_governorate):
    town = LocationFactory(name="Saraqib", parent=idlib_governorate)
    EventFactory(title="Shelling of Saraqib", location=town)
    EventFactory(title="Strike elsewhere", location=LocationFactory(name="Aleppo"))
    page = body(anon_client.get(idlib_governorate.get_absolute_url()))
    assert "Shelling of Saraqib" in page
    assert "Strike elsewhere" not in page
    assert 'Saraqib</a> <span class="role">town or village' in page


def test_place_page_shows_the_breadcrumb_of_the_hierarchy(anon_client, idlib_governorate):
    town = LocationFactory(name="Saraqib", parent=idlib_governorate)
    page = body(anon_client.get(town.get_absolute_url()))
    crumbs = page[page.index('aria-label="Breadcrumb"') :]
    assert crumbs.index(">Syria<") < crumbs.index(">Idlib governorate<")
    assert crumbs.index(">Idlib governorate<") < crumbs.index('aria-current="page">Saraqib')


def test_place_page_shows_figures_with_the_claims_behind_them(anon_client, idlib_governorate):
    ClaimFactory(
        event=None,
        location=idlib_governorate,
        kind=ClaimKind.POPULATION,
        value_best=3_000_000,
        quote="The area's three million inhabitants",
    )
    page = body(anon_client.get(idlib_governorate.get_absolute_url()))
    assert "3,000,000</strong> population" in page
    assert "The area&#x27;s three million inhabitants" in page


def test_a_draft_place_is_not_found_by_anonymous_visitors(anon_client):
    draft = LocationFactory(status=Publication.DRAFT)
    assert anon_client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_place_page_runs_eight_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, idlib_governorate, n
):
    make_events(n, place=idlib_governorate)
    for _ in range(n):
        ClaimFactory(event=None, location=idlib_governorate, kind=ClaimKind.DISPLACED)
    with django_assert_num_queries(8):
        # 0, 0. the data version and whether a commit is in flight (the page is not cached yet)
        # 1. the place with its parent
        # 2. the places directly inside it
        # 3. the claims about it, with claimant, document and outlet
        # 4. its ancestors for the breadcrumb
        # 5. the events anywhere inside it (type, place, parent place joined)
        # 6. their participations with actors
        page = body(anon_client.get(idlib_governorate.get_absolute_url()))
    assert page.count('<li class="event-row') == n


# --- Map ------------------------------------------------------------------------------------------


def test_map_gives_the_filtered_events_as_marker_data(anon_client, airstrike, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    EventFactory(title="Summit", event_type=EventType.objects.get(slug="summit"))
    response = anon_client.get(reverse("events:map"), {"contested": "true"})
    markers = response.context["markers"]
    assert [m["title"] for m in markers] == ["Russian airstrikes on Idlib"]
    assert markers[0]["lat"] == airstrike.location.latitude
    assert markers[0]["geo_precision"] == airstrike.geo_precision
    page = body(response)
    assert 'id="map-markers" type="application/json"' in page
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page
    assert "/static/vendor/leaflet/leaflet.js" in page


def test_map_data_is_escaped_for_the_page(anon_client):
    EventFactory(title="</script><script>alert(1)</script>")
    page = body(anon_client.get(reverse("events:map")))
    assert "<script>alert(1)" not in page
    assert "\\u003C/script\\u003E" in page


@pytest.mark.parametrize("n", [1, 50])
def test_map_runs_the_same_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, n
):
    make_events(n)
    with django_assert_num_queries(5):
        # 0, 0. the data version (read once) and whether a commit is in flight (nothing is
        #       cached yet)
        # 1. the events with coordinates (place and type joined, only marker columns)
        # 2, 3. the place and the event type choices of the filter form (not cached yet)
        response = anon_client.get(reverse("events:map"))
        body(response)
    assert len(response.context["markers"]) == n


# --- Exports ---------------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_streams_the_filtered_events_in_acled_like_columns(anon_client, airstrike):
    EventFactory(title="Agreed strike")
    response = anon_client.get(reverse("exports:events_csv"), {"contested": "true"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "Russian airstrikes on Idlib"
    assert row["event_date"] == "2018-09-04"
    assert row["event_type"] == "Explosions/Remote violence"
    assert row["sub_event_type"] == "Air/drone strike"
    assert row["actor1"] == "Military Forces of Russia"
    assert (row["country"], row["admin1"], row["location"]) == (
        "Syria",
        "Idlib governorate",
        "Jisr al-Shughur",
    )
    assert (row["fatalities_low"], row["fatalities_high"], row["contested"]) == ("0", "13", "true")
    assert row["url"].endswith(airstrike.get_absolute_url())


def test_csv_export_defuses_spreadsheet_formulas(anon_client):
    EventFactory(title='=HYPERLINK("http://evil")')
    assert read_csv(anon_client.get(reverse("exports:events_csv")))[0]["title"].startswith("'=")


def test_csv_export_leaves_out_drafts_for_anonymous_visitors(anon_client):
    EventFactory(title="Draft", status=Publication.DRAFT)
    assert read_csv(anon_client.get(reverse("exports:events_csv"))) == []


def test_geojson_export_puts_longitude_before_latitude(anon_client, airstrike):
    response = anon_client.get(reverse("exports:events_geojson"))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    location = airstrike.location
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [location.longitude, location.latitude],
    }
    assert feature["properties"]["contested"] is True
    assert feature["properties"]["fatalities_high"] == 13


def test_exports_answer_a_malformed_filter_with_400(anon_client):
    for name in ("exports:events_csv", "exports:events_geojson"):
        response = anon_client.get(reverse(name), {"bbox": "1,2"})
        assert response.status_code == 400
        assert "bbox" in response.json()


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # the events with type and place, then what PostgreSQL computes of them for the
        # columns ACLED's layout shares: their own fields, sides, places around (per chunk)
        ("exports:events_csv", 4),
        # the events with type and place, the places around theirs, their participations
        # with actors (per chunk)
        ("exports:events_geojson", 3),
    ],
)
def test_exports_run_the_same_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, n, name, queries
):
    make_events(n)
    with django_assert_num_queries(queries):
        content = b"".join(anon_client.get(reverse(name)).streaming_content).decode()
    assert content.count("/events/") == n


def test_csv_export_names_no_draft_region_to_readers(anon_client, airstrike, superuser):
    airstrike.location.parent.status = "draft"
    airstrike.location.parent.save()
    row = read_csv(anon_client.get(reverse("exports:events_csv")))[0]
    assert (row["country"], row["admin1"], row["location"]) == ("Syria", "", "Jisr al-Shughur")
    staff = Client()
    staff.force_login(superuser)
    assert read_csv(staff.get(reverse("exports:events_csv")))[0]["admin1"] == "Idlib governorate"


def test_timeline_page_has_a_title_and_canonical_url(anon_client):
    page = body(Client().get("/", {"after": "2018-09-04.1"}))
    assert "<title>Timeline of events · ConflictKB</title>" in page
    assert '<link rel="canonical" href="http://testserver/">' in page


def test_deep_timeline_pages_compare_the_cursor_as_one_row(anon_client):
    # (start_date, id) < (d, n) lets PostgreSQL start the event_timeline index scan at the
    # cursor; the equivalent OR of columns scans every newer event first (81 ms against
    # 0.1 ms at 300,000 events).
    EventFactory()
    with CaptureQueriesContext(connection) as queries:
        anon_client.get("/", {"after": "2018-09-05.999999"})
    page_query = next(q["sql"] for q in queries if "LIMIT 51" in q["sql"])
    assert '("events_event"."start_date", "events_event"."id") < (' in page_query


def test_words_can_order_the_timeline_by_best_match(anon_client):
    EventFactory(title="Summit", summary="Leaders discussed a ceasefire.", start_date=DAY)
    EventFactory(
        title="Ceasefire collapses",
        summary="The ceasefire ends.",
        start_date=DAY - datetime.timedelta(days=30),
    )
    newest = anon_client.get("/", {"q": "ceasefire"})
    assert [e.title for e in newest.context["events"]] == ["Summit", "Ceasefire collapses"]
    assert "order=relevance" in body(newest)
    best = anon_client.get("/", {"q": "ceasefire", "order": "relevance"})
    assert [e.title for e in best.context["events"]] == ["Ceasefire collapses", "Summit"]
    page = body(best)
    assert "best match first" in page
    assert page.count('<h2 class="day__heading"') == 0
    assert page.count("<time datetime=") == 2


def test_best_match_order_needs_words(anon_client):
    EventFactory(title="Older", start_date=DAY - datetime.timedelta(days=3))
    EventFactory(title="Newer", start_date=DAY)
    response = anon_client.get("/", {"order": "relevance"})
    assert [e.title for e in response.context["events"]] == ["Newer", "Older"]
    assert "best match" not in body(response)


def test_best_matches_are_paged_by_number(anon_client):
    make_events(PAGE_SIZE + 3)
    first = anon_client.get("/", {"q": "event", "order": "relevance"})
    assert first.context["next_page"] == 2
    second = anon_client.get("/", {"q": "event", "order": "relevance", "page": "2"})
    assert len(second.context["events"]) == 3
    assert second.context["previous_page"] == 1
    seen = {e.pk for e in first.context["events"]} | {e.pk for e in second.context["events"]}
    assert len(seen) == PAGE_SIZE + 3


@pytest.mark.parametrize("n", [1, 50])
def test_best_match_order_runs_the_same_queries_whatever_the_number_of_events(
    anon_client, django_assert_num_queries, n
):
    make_events(n)
    with django_assert_num_queries(8):
        # 0, 0. the data version (read once: it keys the page, the histogram and the menus)
        #       and whether a commit is in flight (nothing is cached yet)
        # 0. whether the words match few events (counted up to a bound: the query's shape)
        # 1. the page of events ranked by words (type, place, parent place joined)
        # 2. their participations with actors
        # 3. the histogram: events per day (GROUP BY), not cached yet
        # 4, 5. the place and the event type choices of the filter form (not cached yet)
        response = anon_client.get("/", {"q": "Event", "order": "relevance"})
        page = body(response)
    assert page.count('<li class="event-row') == n


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=4-9-2018x", "date_from"),
        ("place=not-a-place", "place"),
        ("min_fatalities=many", "min_fatalities"),
    ],
)
@pytest.mark.parametrize("page", ["events:timeline", "events:map"])
def test_a_malformed_filter_is_a_400_page_that_says_what_is_wrong(anon_client, page, query, field):
    response = anon_client.get(reverse(page) + "?" + query)
    assert response.status_code == 400
    (message,) = response.context["filter"].errors[field]
    assert escape(message) in response.content.decode()


def test_a_malformed_filter_shows_the_rejected_value_and_no_result_count(anon_client):
    response = anon_client.get("/", {"date_from": "notadate"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You gave “notadate”." in page  # a date input cannot show it
    assert "events match these filters" not in page
    assert "Download CSV" not in page


def test_a_malformed_date_is_not_written_into_the_date_input(anon_client):
    response = anon_client.get("/", {"date_from": "notadate", "date_to": "2018-09-07"})
    assert response.status_code == 400
    page = response.content.decode()
    # A date input cannot hold it (Chromium drops it with a console warning); the error says it.
    assert 'value="notadate"' not in page
    assert '<input type="date" name="date_from"' in page
    assert '<input type="date" name="date_to" value="2018-09-07"' in page
    assert "You gave “notadate”." in page


# The form also reads the site's own date format (en-GB: day first); the input shows it as ISO.
@pytest.mark.parametrize("typed", ["2018-09-01", "01/09/2018"])
def test_a_readable_date_is_shown_in_the_date_input_as_the_browser_expects(anon_client, typed):
    page = body(anon_client.get("/", {"date_from": typed}))
    assert '<input type="date" name="date_from" value="2018-09-01"' in page


def test_an_unknown_address_is_a_404_page_of_the_site(anon_client):
    response = anon_client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "/no/such/page/" in page
    assert 'href="/search/"' in page or 'action="/search/"' in page
