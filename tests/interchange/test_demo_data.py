"""The demo data set holds the facts of The Independent's report of 5 September 2018."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command

from actors.models import Actor, ActorRelation
from events.models import Event, Location
from sources.models import Claim

pytestmark = pytest.mark.django_db


def test_the_airstrikes_carry_both_competing_claims_and_are_contested(idlib):
    strikes = Event.objects.get(title="Russian airstrikes on Idlib")
    assert strikes.start_date == datetime.date(2018, 9, 4)
    assert strikes.get_date_precision_display() == "Exact day"
    assert strikes.contested
    assert strikes.fatality_range() == (13, 13, 13)
    claimants = {str(claim.claimant) for claim in strikes.claims.all()}
    assert claimants == {"Ministry of Defence of Russia", "Syrian Observatory for Human Rights"}
    sohr = strikes.claims.get(kind="fatalities")
    assert (sohr.value_best, sohr.civilians, sohr.combatants) == (13, 13, 0)
    ministry_target = strikes.claims.get(kind="target", claimant_actor__name__contains="Defence")
    assert "weapons depot" in ministry_target.value_text
    assert "drone" in ministry_target.value_text
    assert "four" in strikes.claims.get(kind="perpetrator").value_text
    assert strikes.participations.get(role="perpetrator").actor.name == "Military Forces of Russia"


def test_the_tehran_summit_brings_russia_iran_and_turkey_together_on_7_september(idlib):
    summit = Event.objects.get(event_type__slug="summit")
    assert summit.start_date == datetime.date(2018, 9, 7)
    assert summit.location.name == "Tehran"
    attendees = set(
        summit.participations.filter(role="attendee").values_list("actor__name", flat=True)
    )
    assert attendees == {"Russia", "Iran", "Turkey"}


def test_tahrir_al_sham_is_found_by_its_former_name_and_designated_by_turkey_and_the_un(idlib):
    assert list(Actor.objects.matching_name("Nusra Front")) == [
        Actor.objects.get(name="Hay'at Tahrir al-Sham")
    ]
    designators = ActorRelation.objects.filter(
        kind="designates_terrorist", object__name="Hay'at Tahrir al-Sham"
    ).values_list("subject__name", flat=True)
    assert set(designators) == {"Turkey", "United Nations"}


def test_idlib_figures_and_refugees_in_turkey_are_claims_with_quotes(idlib):
    idlib_governorate = Location.objects.get(name="Idlib governorate")
    population = Claim.objects.get(location=idlib_governorate, kind="population")
    displaced = Claim.objects.get(location=idlib_governorate, kind="displaced")
    refugees = Claim.objects.get(location__name="Turkey", kind="refugees")
    assert population.value_best == 3_000_000
    assert displaced.value_low == 1_500_000
    assert refugees.value_best == 3_500_000
    assert "More than half" in displaced.quote


def test_the_quoted_rebels_speak_about_the_expected_offensive(idlib):
    sejari = Claim.objects.get(claimant_actor__name="Mustafa Sejari")
    rasheed = Claim.objects.get(claimant_actor__name="Mohammad Rasheed")
    assert "They will slaughter us" in sejari.quote
    assert "There is no other Idlib" in rasheed.quote
    assert sejari.event == rasheed.event == Event.objects.get(title__contains="mass on the Idlib")


def test_russia_calls_to_root_out_the_nusra_front_and_turkey_warns_of_a_massacre(idlib):
    assert Claim.objects.filter(
        claimant_actor__name="Russia", kind="intent", value_text__contains="root out"
    ).exists()
    assert Claim.objects.filter(claimant_actor__name="Turkey", quote__contains="massacre").exists()


def test_every_claim_cites_the_article_which_relays_reuters(idlib):
    documents = {claim.document for claim in Claim.objects.select_related("document")}
    assert len(documents) == 1
    (article,) = documents
    assert (article.author, article.published_on) == ("Samuel Osborne", datetime.date(2018, 9, 5))
    assert [outlet.name for outlet in article.relays.all()] == ["Reuters"]


def test_the_place_tree_puts_idlib_inside_syria(idlib):
    syria = Location.objects.get(name="Syria")
    inside = set(Location.objects.within(syria).values_list("name", flat=True))
    assert {"Idlib governorate", "Idlib"} <= inside
    assert "Tehran" not in inside
    assert Location.objects.matching_name("Idleb").filter(name="Idlib governorate").exists()


def test_one_event_is_a_draft(idlib):
    assert list(Event.objects.exclude(status="published").values_list("title", flat=True)) == [
        "Drone attacks on Russian bases in Syria"
    ]


def test_demo_setup_prints_a_password_the_admin_accepts_once(client):
    out = io.StringIO()
    call_command("demo_setup", site="http://127.0.0.1:8123/", stdout=out)
    printed = out.getvalue()
    assert "Sign in at http://127.0.0.1:8123/admin/" in printed
    password = re.search(r"with password: (\S+)", printed).group(1)

    assert client.login(username="admin", password=password)
    admin_index = client.get("/admin/")
    assert admin_index.status_code == 200
    assert "Actors, places, events and the evidence behind them" in admin_index.text
    assert Event.objects.filter(title="Russian airstrikes on Idlib", contested=True).exists()

    again = io.StringIO()
    call_command("demo_setup", stdout=again)
    assert password not in again.getvalue()
    assert "demo data not loaded again" in again.getvalue()
    assert Event.objects.filter(title="Russian airstrikes on Idlib").count() == 1
