"""Every figure a reader sees rests on claims the reader can open; staff see the rest, marked.

On the demo data: the published 4 September airstrikes (SOHR's 13 killed; Russia's Defence
Ministry names Tahrir al-Sham as the target, SOHR names civilians) gain an editor's fatality
claim of 16 by a new claimant in a new document, both drafts, as the admin's "+" pop-ups make
them. Readers' pages, API and exports stay on the evidence they can open; staff see both.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from core.models import Publication
from events.models import Event
from sources.models import Claim, Document, Outlet
from tests.factories import ActorFactory, DocumentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/events/"
STRIKES = "Russian airstrikes on Idlib"
CLAIMANT = "Idlib Civil Defence Unit"
DOCUMENT = "Field report of the defence unit"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def csv_rows(client: Client, query: str = "") -> dict[str, dict[str, str]]:
    response = client.get(reverse("exports:events_csv") + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return {row["title"]: row for row in csv.DictReader(io.StringIO(text))}


def api_titles(client: Client, **params: str) -> set[str]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def timeline_titles(client: Client, query: str) -> set[str]:
    text = page(client, reverse("events:timeline") + query)
    return {title for title in EVENT_TITLES if title in text}


EVENT_TITLES = [
    "Pro-government bombardment of the Idlib enclave",
    STRIKES,
    "Syrian government forces mass on the Idlib frontlines",
    "FSA and Tahrir al-Sham set aside their disputes",
    "Tehran summit of Russia, Iran and Turkey",
]


@pytest.fixture
def strikes(idlib: None) -> Event:
    return Event.objects.get(title=STRIKES)


@pytest.fixture
def draft_backed_claim(strikes: Event) -> Claim:
    claimant = ActorFactory.create(status=Publication.DRAFT, name=CLAIMANT)
    document = DocumentFactory.create(
        outlet=Outlet.objects.get(name="The Independent"),
        status=Publication.DRAFT,
        title=DOCUMENT,
    )
    return Claim.objects.create(
        event=strikes,
        kind="fatalities",
        claimant_actor=claimant,
        document=document,
        quote="Sixteen people were killed in the strikes.",
        value_best=16,
    )


def test_a_draft_backed_claim_moves_no_figure_readers_see(
    strikes, draft_backed_claim, anon_client, editor_client
):
    text = page(anon_client, strikes.get_absolute_url())
    assert "13–16" not in text
    assert "4 claims from 1 independent source" in text
    assert CLAIMANT not in text

    detail = anon_client.get(f"{API}{strikes.uuid}/").json()
    assert detail["claim_summary"] == {"claims": 4, "independent_sources": 1}
    assert len(detail["claims"]) == 4
    assert (detail["fatalities"]["low"], detail["fatalities"]["high"]) == (13, 13)
    assert csv_rows(anon_client)[STRIKES]["fatalities_high"] == "13"
    assert STRIKES not in api_titles(anon_client, min_fatalities="14")

    # Staff see the claim, marked, and both sets of figures.
    staff_page = page(editor_client, strikes.get_absolute_url())
    assert "13–16" in staff_page
    assert "Readers see other figures." in staff_page
    assert "Killed 13; 4 claims from 1 independent source" in staff_page
    assert "Not public" in staff_page
    assert (
        f"until its document “{DOCUMENT}” is published; its claimant “{CLAIMANT}” is published"
        in staff_page
    )
    assert STRIKES in api_titles(editor_client, min_fatalities="14")
    claims = editor_client.get(f"{API}{strikes.uuid}/").json()["claims"]
    hidden = next(c for c in claims if c["value_best"] == 16)
    assert (hidden["is_public"], hidden["document"]["status"]) == (False, "draft")
    assert hidden["claimant"]["status"] == "draft"


def test_publishing_the_evidence_moves_readers_figures_and_says_why_contested(
    strikes, draft_backed_claim, anon_client
):
    Document.objects.filter(title=DOCUMENT).update(status=Publication.PUBLISHED)
    Actor.objects.filter(name=CLAIMANT).update(status=Publication.PUBLISHED)

    text = page(anon_client, strikes.get_absolute_url())
    assert "13–16" in text
    assert "5 claims from 2 independent sources" in text
    assert f"Figures differ: Syrian Observatory for Human Rights 13, {CLAIMANT} 16" in text
    assert csv_rows(anon_client)[STRIKES]["fatalities_high"] == "16"


def test_the_contested_banner_and_the_api_name_each_disagreement(strikes, anon_client):
    reasons = [
        "targets differ: Ministry of Defence of Russia names Hay'at Tahrir al-Sham, "
        "Syrian Observatory for Human Rights names Civilians (Syria)"
    ]
    assert anon_client.get(f"{API}{strikes.uuid}/").json()["contested_because"] == reasons
    text = page(anon_client, strikes.get_absolute_url())
    assert f"<li>{reasons[0][0].upper()}{reasons[0][1:]}</li>" in text
    assert "a denial, different figures, or different actors named" not in text


def test_an_outlets_reliability_stands_by_the_outlets_name_not_the_claimants(strikes, anon_client):
    text = page(anon_client, strikes.get_absolute_url())
    source_lines = text.split('<p class="claim__source">')[1:]
    assert source_lines
    for line in source_lines:
        source = line.split("</p>")[0]
        assert "The Independent</a>" in source
        assert "The Independent’s reliability as an outlet" in source
    for grades in text.split('<p class="grades">')[1:]:
        assert "reliability" not in grades.split("</p>")[0]


@pytest.mark.parametrize("name", ["Civilians (Syria)", "Hay'at Tahrir al-Sham"])
def test_an_actor_named_by_a_claim_reaches_the_event(strikes, anon_client, name):
    actor = Actor.objects.get(name=name)
    text = page(anon_client, actor.get_absolute_url())
    named_in = text.split('id="named-in"')[1].split("</section>")[0]
    assert STRIKES in named_in
    who = (
        "Syrian Observatory for Human Rights"
        if name.startswith("Civilians")
        else "Ministry of Defence of Russia"
    )
    assert f"named as target by {who}" in named_in

    by_id = str(actor.uuid)
    assert STRIKES in api_titles(anon_client, actor=by_id)
    assert STRIKES in timeline_titles(anon_client, f"?actor={by_id}")
    assert STRIKES in api_titles(anon_client, actor=by_id, actor_as="named")
    assert STRIKES not in api_titles(anon_client, actor=by_id, actor_as="participant")
    assert STRIKES not in csv_rows(anon_client, f"?actor={by_id}&actor_as=participant")
    assert csv_rows(anon_client, f"?actor={by_id}")[STRIKES]["actor_match"] == "named in a claim"
    geojson = anon_client.get(reverse("exports:events_geojson") + f"?actor={by_id}")
    features = json.loads(b"".join(geojson.streaming_content))["features"]
    [strike] = [f for f in features if f["properties"]["title"] == STRIKES]
    assert strike["properties"]["actor_match"] == "named in a claim"


@pytest.mark.parametrize("spelling", ["Tahrir al Sham", "Hayat Tahrir al Sham", "HTS", "Nusra"])
def test_the_actor_filter_takes_loose_spellings_and_says_what_it_matched(
    strikes, anon_client, spelling
):
    expected = {STRIKES, "FSA and Tahrir al-Sham set aside their disputes"}
    response = anon_client.get(API, {"actor": spelling})
    assert response.json()["matched"] == {"actor": ["Hay'at Tahrir al-Sham"]}
    assert expected <= {row["title"] for row in response.json()["results"]}
    assert "Tehran summit of Russia, Iran and Turkey" not in api_titles(anon_client, actor=spelling)
    timeline = page(anon_client, reverse("events:timeline") + f"?actor={spelling}")
    assert "matched Hay'at Tahrir al-Sham)" in timeline
    assert expected <= timeline_titles(anon_client, f"?actor={spelling}")
    exported = csv_rows(anon_client, f"?actor={spelling}")
    assert exported["FSA and Tahrir al-Sham set aside their disputes"]["actor_match"] == (
        "participant"
    )
    assert exported[STRIKES]["actor_match"] == "named in a claim"


def test_an_unknown_name_says_it_matched_nothing(idlib, anon_client):
    response = anon_client.get(API, {"actor": "Zqxwv"})
    assert response.json() == {
        "next": None,
        "previous": None,
        "matched": {"actor": []},
        "results": [],
    }
    text = page(anon_client, reverse("events:timeline") + "?actor=Zqxwv")
    assert "actor Zqxwv (matched nothing)" in text


@pytest.mark.parametrize(
    ("value", "claimant"),
    [
        ("Syrian Observatory", "Syrian Observatory for Human Rights"),
        ("SOHR", "Syrian Observatory for Human Rights"),
        ("Defence Ministry of Russia", "Ministry of Defence of Russia"),
    ],
)
def test_the_claimant_filter_finds_the_events_a_claimant_reports_on(
    strikes, anon_client, value, claimant
):
    expected = set(
        Claim.objects.published()
        .filter(claimant_actor__name=claimant, event__isnull=False)
        .values_list("event__title", flat=True)
    )
    assert STRIKES in expected
    response = anon_client.get(API, {"claimant": value})
    assert {row["title"] for row in response.json()["results"]} == expected
    assert claimant in response.json()["matched"]["claimant"]
    assert timeline_titles(anon_client, f"?claimant={value}") == expected
    assert set(csv_rows(anon_client, f"?claimant={value}")) == expected


def test_the_claimant_filter_takes_an_outlets_id_and_leaves_out_claims_readers_cannot_open(
    strikes, draft_backed_claim, anon_client, editor_client
):
    claimant = str(draft_backed_claim.claimant_actor.uuid)
    assert api_titles(anon_client, claimant=claimant) == set()
    assert api_titles(editor_client, claimant=claimant) == {STRIKES}
    outlet = Outlet.objects.create(name="Idlib Media Office", status=Publication.PUBLISHED)
    Claim.objects.create(
        event=strikes,
        kind="statement",
        claimant_outlet=outlet,
        document=Document.objects.get(title__startswith="Syrian rebels hope"),
        quote="Jets were heard over the city.",
    )
    assert api_titles(anon_client, claimant=str(outlet.uuid)) == {STRIKES}


def event_form(response: Any, **claim: Any) -> dict[str, Any]:
    """The event's change form as the browser submits it, with one new claim inline."""
    form = response.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name in form.initial or form[name].value() is not None
    }
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    for prefix in ("participations", "relations_from"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    data |= {"claims-TOTAL_FORMS": 1, "claims-INITIAL_FORMS": 0}
    data |= {f"claims-0-{name}": value for name, value in claim.items()}
    data["loaded_version"] = response.context["loaded_version"]
    return data


def test_a_claim_added_on_the_event_page_shows_in_the_events_history(strikes, editor_client):
    url = reverse("admin:events_event_change", args=[strikes.pk])
    claimant = ActorFactory(status=Publication.DRAFT, name=CLAIMANT)
    document = Document.objects.get(title__startswith="Syrian rebels hope")
    response = editor_client.post(
        url,
        event_form(
            editor_client.get(url),
            kind="fatalities",
            stance="asserts",
            credibility=3,
            status="accepted",
            claimant_actor=claimant.pk,
            document=document.pk,
            quote="Sixteen people were killed in the strikes.",
            value_best=16,
        ),
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        f"does not count in the figures readers see until its claimant “{CLAIMANT}” is published"
        in m
        for m in messages
    ), messages

    history = page(editor_client, reverse("admin:events_event_history", args=[strikes.pk]))
    claim = Claim.objects.get(value_best=16)
    assert f"Claim #{claim.pk}:" in history
    entry = history.split(f"Claim #{claim.pk}:")[1].split("</tr>\n      <tr")[0]
    assert "insert" in entry
    assert "editor" in entry  # the user who saved it
    assert f"/admin/events/event/{strikes.pk}/change/" in entry  # where it was saved
    assert '<tr><td>best</td><td class="before">—</td><td class="after">16</td></tr>' in entry
    # The event's own original insert is there too, after (older than) the claim.
    assert history.index(f"Claim #{claim.pk}:") < history.rindex('class="audit-insert"')


def test_the_admin_says_what_readers_will_not_see(strikes, draft_backed_claim, editor_client):
    popup = page(editor_client, reverse("admin:actors_actor_add") + "?_popup=1&_to_field=id")
    assert "A new actor is a draft: readers cannot see it, and claims that rest on it" in popup
    assert "until a reviewer publishes it" in popup

    change = page(editor_client, reverse("admin:events_event_change", args=[strikes.pk]))
    assert (
        "Killed 13–16; contested; 5 claims from 2 independent sources, 1 of them not yet public."
        in change
    )
    claim = page(editor_client, reverse("admin:sources_claim_change", args=[draft_backed_claim.pk]))
    assert (
        "Readers cannot open this claim, and it does not count in their figures, until its "
        f"document “{DOCUMENT}” is published" in claim
    )


def test_the_place_filter_takes_a_loosely_spelled_name(idlib, anon_client):
    in_idlib = {title for title in EVENT_TITLES if "Tehran" not in title}
    assert api_titles(anon_client, place="Idleb") == in_idlib
    assert timeline_titles(anon_client, "?place=Idleb") == in_idlib
    assert "in Idlib governorate" in page(anon_client, reverse("events:timeline") + "?place=Idleb")
    assert anon_client.get(API, {"place": "Zqxwv"}).status_code == 400
