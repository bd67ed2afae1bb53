"""import_ucdp: UCDP GED's layout, its low/best/high and deaths by side, atomic validation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from pghistory.models import Events as AuditEvents

from actors.models import AcledActorType
from events.models import DatePrecision, Event, GeoPrecision, Location, LocationKind, Role
from interchange.services import ImportReport, events_import
from sources.models import Claim, Outlet, OutletKind
from tests.factories import as_staff_see_it

DATA = Path(__file__).parent.parent / "data"
pytestmark = pytest.mark.django_db


def run(name: str, **options: bool) -> ImportReport:
    return events_import(
        data=(DATA / name).read_bytes(),
        dataset="ucdp",
        file_name=name,
        **options,
    )


def test_a_state_based_event_gets_sides_precisions_place_and_the_datasets_figures() -> None:
    report = run("ucdp_valid.csv")

    assert report.ok, report.lines()
    event = Event.objects.get(ucdp_id="244101")
    assert event.event_type.slug == "armed-clash"
    assert sorted(event.participations.values_list("role", "actor__name", "actor__acled_type")) == [
        (Role.SIDE_A, "Government of Syria", AcledActorType.STATE_FORCES),
        (Role.SIDE_B, "Syrian insurgents", AcledActorType.REBEL_GROUPS),
    ]
    assert event.geo_precision == GeoPrecision.EXACT
    assert event.location is not None
    assert (event.location.name, event.location.kind) == ("Jisr al-Shughur town", LocationKind.TOWN)
    # The country the import created has its ISO code, from GED's country number (652).
    country = Location.objects.get(name="Syria", kind=LocationKind.COUNTRY)
    assert country.country_code == "SY"
    assert event.location.country_code == "SY"
    assert as_staff_see_it(event).fatality_range() == (20, 22, 30)
    claim = event.claims.get()
    assert claim.claimant_outlet == Outlet.objects.get(name="UCDP GED", kind=OutletKind.DATASET)
    assert (claim.value_low, claim.value_best, claim.value_high) == (20, 22, 30)
    assert (claim.civilians, claim.combatants) == (13, 8)
    assert claim.value_text == "side A 3 · side B 5 · civilians 13 · unknown 1"
    # The source text with its quoted comma.
    assert claim.document.text == "Reuters,2018-09-04,Russian jets strike Idlib, monitor says"
    assert claim.document.published_on == datetime.date(2018, 9, 4)


def test_one_sided_violence_has_a_perpetrator_and_a_target_over_a_date_range() -> None:
    run("ucdp_valid.csv")

    event = Event.objects.get(ucdp_id="244102")
    assert event.event_type.slug == "attack"
    assert sorted(event.participations.values_list("role", "actor__name")) == [
        (Role.PERPETRATOR, "IS"),
        (Role.TARGET, "Civilians"),
    ]
    assert (event.start_date, event.end_date) == (
        datetime.date(2018, 9, 5),
        datetime.date(2018, 9, 7),
    )
    assert event.date_precision == DatePrecision.DAYS
    assert "several dead\nand wounded" in event.claims.get().document.text


def test_an_event_placed_at_a_governorate_with_an_arabic_headline() -> None:
    run("ucdp_valid.csv")

    event = Event.objects.get(ucdp_id="244103")
    assert event.location is not None
    assert (event.location.name, event.location.kind) == ("Idlib governorate", LocationKind.ADMIN1)
    assert event.geo_precision == GeoPrecision.ADMIN1
    assert event.summary == "اشتباكات في إدلب"


def test_a_file_with_bad_rows_writes_nothing_and_reports_each_one() -> None:
    run("ucdp_valid.csv")
    before = (Event.objects.count(), Claim.objects.count(), AuditEvents.objects.count())

    report = run("ucdp_invalid.csv")

    assert [str(p) for p in report.problems] == [
        "line 2, low: low (7) is above best (5)",
        "line 3, type_of_violence: 4 is out of range: must be between 1 and 3",
        "line 4, longitude: -236.63 is out of range: must be between -180 and 180",
        "line 5, date_start: “4 Sept 2018” is not a date (use YYYY-MM-DD)",
    ]
    assert (Event.objects.count(), Claim.objects.count(), AuditEvents.objects.count()) == before
    assert not Event.objects.filter(ucdp_id="245005").exists()  # the one good row too


def test_importing_the_same_ucdp_file_twice_changes_nothing() -> None:
    run("ucdp_valid.csv")
    before = (Event.objects.count(), Claim.objects.count(), AuditEvents.objects.count())

    report = run("ucdp_valid.csv")

    assert report.result is not None
    assert report.result.events_unchanged == 3
    assert (Event.objects.count(), Claim.objects.count(), AuditEvents.objects.count()) == before


def test_acled_and_ucdp_figures_of_one_event_are_two_claims_by_two_datasets() -> None:
    run("ucdp_valid.csv")
    event = Event.objects.get(ucdp_id="244101")
    event.acled_id = "SYR7001"
    event.save()
    header = (DATA / "acled_valid.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    row = (
        "SYR7001,2018-09-04,2018,1,Political violence,Battles,Armed clash,Government of Syria,,1,"
        "Syrian insurgents,,2,12,,760,Middle East,Syria,Idlib governorate,"
        "Jisr al-Shughur district,,Jisr al-Shughur town,35.8137,36.3190,1,SOHR,National,"
        "Clashes,25,,1536105600"
    )

    events_import(data=f"{header}\n{row}\n".encode(), dataset="acled", file_name="a.csv")

    event.refresh_from_db()
    assert sorted(event.claims.values_list("claimant_outlet__name", "value_best")) == [
        ("ACLED", 25),
        ("UCDP GED", 22),
    ]
    assert as_staff_see_it(event).contested  # the figures differ


def test_places_below_the_country_take_its_code_so_acled_ids_and_filters_see_it() -> None:
    events_import(
        data=(
            b"event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
            b"sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,"
            b"civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,"
            b"longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
            b"SYR9001,2018-09-04,2018,1,Political violence,Battles,Armed clash,A,,2,B,,2,22,,760,"
            b"Middle East,Syria,Idleb,,,Saraqib,35.86,36.8,1,SOHR,National,Clash,1,,1536105600\n"
        ),
        dataset="acled",
        file_name="acled.csv",
    )

    run("ucdp_valid.csv")

    event = Event.objects.get(ucdp_id="244101")
    assert event.location is not None
    assert (event.location.name, event.location.country_code) == ("Jisr al-Shughur town", "SY")
