"""import_acled: mapping, atomic validation with a per-line report, idempotence, editors' work."""

from __future__ import annotations

import csv
import datetime
import gc
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from pghistory.models import Context
from pghistory.models import Events as AuditEvents

from actors.models import AcledActorType, Actor, ActorName
from core.models import Publication
from events.models import (
    DERIVED_FROM_CLAIMS,
    DatePrecision,
    Event,
    EventType,
    GeoPrecision,
    ImportSnapshot,
    Location,
    LocationKind,
    Participation,
    Role,
)
from events.services import event_recompute_figures
from interchange.admin import EventImportForm
from interchange.layouts import acled_event_id
from interchange.loading import LoadResult
from interchange.progress import ProgressBar
from interchange.services import ImportReport, events_import
from sources.models import Claim, ClaimStatus, Document, Outlet, OutletKind
from tests.factories import (
    ActorFactory,
    ActorNameFactory,
    ClaimFactory,
    LocationFactory,
    OutletFactory,
    ParticipationFactory,
    as_staff_see_it,
)

DATA = Path(__file__).parent.parent / "data"
pytestmark = pytest.mark.django_db

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp"
)


def acled(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def strike(event_id: str = "SYR9001", *, fatalities: int = 13, notes: str = "Strike") -> str:
    return (
        f"{event_id},2018-09-04,2018,1,Political violence,Explosions/Remote violence,"
        "Air/drone strike,Military Forces of Russia (2000-),,8,Civilians (Syria),,7,78,,760,"
        f"Middle East,Syria,Idleb,,,Khan Shaykhun,35.44,36.65,1,SOHR,National,{notes},"
        f"{fatalities},,1536105600"
    )


def run(data: bytes, **options: Any) -> ImportReport:
    return events_import(data=data, dataset="acled", file_name="test.csv", **options)


def counts() -> dict[str, int]:
    models = [Event, Participation, Actor, Location, Claim, Document, Outlet, AuditEvents, Context]
    return {model.__name__: model.objects.count() for model in models}


def test_a_file_creates_events_with_places_actors_roles_and_the_datasets_claim() -> None:
    report = events_import(
        data=(DATA / "acled_valid.csv").read_bytes(), dataset="acled", file_name="valid.csv"
    )

    assert report.ok, report.lines()
    strike = Event.objects.get(acled_id="SYR1001")
    assert strike.event_type.slug == "air-drone-strike"
    assert (strike.start_date, strike.end_date) == (datetime.date(2018, 9, 4),) * 2
    assert strike.date_precision == DatePrecision.DAY
    assert strike.geo_precision == GeoPrecision.EXACT
    # Quoted commas and doubled quotes survive.
    assert strike.summary == (
        'On 4 September 2018, Russian jets struck Mhambal, killing 13 civilians, among them "children".'
    )
    place = strike.location
    assert place is not None
    assert (place.name, place.kind, place.latitude, place.longitude) == (
        "Mhambal",
        LocationKind.TOWN,
        35.843,
        36.386,
    )
    assert [a.name for a in Location.objects.filter(pk__in=place.ancestor_ids)] == [
        "Syria",
        "Idleb",
        "Jisr Ash-Shugur",
        "Jisr Ash-Shugur",
    ]
    assert sorted(strike.participations.values_list("actor__name", "role")) == [
        ("Civilians (Syria)", Role.TARGET),
        ("Military Forces of Russia (2000-)", Role.PERPETRATOR),
        ("Military Forces of Syria (2000-)", Role.PERPETRATOR),
    ]
    russia = Actor.objects.get(name="Military Forces of Russia (2000-)")
    assert russia.acled_type == AcledActorType.EXTERNAL_OTHER
    claim = strike.claims.get()
    assert claim.claimant_outlet == Outlet.objects.get(name="ACLED", kind=OutletKind.DATASET)
    assert claim.document.title == "Syrian Observatory for Human Rights"
    assert claim.value_best == 13
    strike.refresh_from_db()
    assert as_staff_see_it(strike).fatality_range() == (13, 13, 13)


def test_battles_put_the_actors_on_side_a_and_side_b_and_a_quoted_newline_stays_in_the_notes() -> (
    None
):
    run((DATA / "acled_valid.csv").read_bytes())

    clash = Event.objects.get(acled_id="SYR1002")
    assert sorted(clash.participations.values_list("role", "actor__name")) == [
        (Role.SIDE_A, "Hayat Tahrir al-Sham"),
        (Role.SIDE_B, "Military Forces of Syria (2000-)"),
    ]
    assert "fighters\nkilled" in clash.summary
    assert clash.start_date == datetime.date(2018, 9, 4)  # "04 September 2018"
    assert clash.date_precision == DatePrecision.WEEK
    assert clash.claims.get().document.title == "SOHR; Reuters"


def test_arabic_names_are_read_from_a_utf8_file_with_a_bom() -> None:
    assert (DATA / "acled_valid.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    run((DATA / "acled_valid.csv").read_bytes())

    protest = Event.objects.get(acled_id="SYR1003")
    # A location named like its admin area is that area.
    assert protest.location is not None
    assert (protest.location.name, protest.location.kind) == ("إدلب", LocationKind.ADMIN1)
    assert protest.summary == "تظاهرة في إدلب ضد الهجوم"
    assert protest.claims.get().document.title == "محلي"


def test_blank_optional_fields_and_missing_optional_columns_are_accepted() -> None:
    report = run((DATA / "acled_blank_optional.csv").read_bytes())

    assert report.ok, report.lines()
    agreement = Event.objects.get(acled_id="SYR5001")
    assert agreement.location is not None
    assert agreement.location.name == "Syria"
    assert agreement.location.latitude is None
    assert agreement.date_precision == DatePrecision.MONTH
    assert list(agreement.participations.values_list("role", flat=True)) == [Role.PERPETRATOR]


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        (
            "acled_invalid.csv",
            [
                ("line 2, event_date", "not a date"),
                ("line 3, latitude", "out of range"),
                ("line 4, sub_event_type", "unknown event type"),
                ("line 6, fatalities", "-3 is out of range"),
            ],
        ),
        ("acled_semicolons.csv", [("line 1, file", "wrong delimiter")]),
        ("acled_latin1.csv", [("line 2, file", "not UTF-8")]),
        ("acled_missing_column.csv", [("line 1, fatalities", "required column is missing")]),
        ("acled_notes_twice.csv", [("line 1, notes", "column given 2 times")]),
        ("acled_unknown_column.csv", [("line 1, fatality", "unknown column; did you mean")]),
    ],
)
def test_a_file_with_any_bad_row_writes_nothing_and_reports_each_by_line_and_column(
    file_name: str, expected: list[tuple[str, str]]
) -> None:
    run((DATA / "acled_valid.csv").read_bytes())
    before = counts()

    report = run((DATA / file_name).read_bytes())

    assert len(report.problems) == len(expected)
    for (where, reason), problem in zip(expected, report.problems, strict=True):
        assert str(problem).startswith(where)
        assert reason in problem.reason
    assert counts() == before


def test_columns_acled_publishes_and_conflictkb_reads_past_are_accepted() -> None:
    header, rest = (DATA / "acled_valid.csv").read_text(encoding="utf-8-sig").split("\n", 1)
    with_population = "\n".join(
        f"{line},{'population_best' if n == 0 else 1200}" if line else line
        for n, line in enumerate([header, *rest.split("\n")])
    )
    report = run(with_population.encode())
    assert report.problems == []
    assert report.result is not None
    assert report.result.events_created > 0


def test_a_repeated_event_id_in_one_file_is_reported_on_its_second_line() -> None:
    report = run(acled(strike("SYR9001"), strike("SYR9001")))

    assert [str(p) for p in report.problems] == [
        "line 3, event_id_cnty: “SYR9001” already appears on line 2"
    ]
    assert not Event.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_and_records_no_audit_events() -> None:
    run((DATA / "acled_valid.csv").read_bytes())
    before = counts()
    updated = list(Event.objects.order_by("pk").values_list("updated_at", flat=True))

    report = run((DATA / "acled_valid.csv").read_bytes())

    assert report.result is not None
    assert (report.result.events_created, report.result.events_updated) == (0, 0)
    assert report.result.events_unchanged == 3
    assert counts() == before
    assert list(Event.objects.order_by("pk").values_list("updated_at", flat=True)) == updated


def test_the_same_file_again_changes_nothing_after_editors_renamed_its_place_and_actor() -> None:
    run(acled(strike()))
    Location.objects.filter(name="Khan Shaykhun").update(name="Khan Sheikhoun")
    Actor.objects.filter(name="Civilians (Syria)").update(name="Civilians of Idlib")
    # Uncommitted, the actor's rename has not kept its old name yet (that happens at commit):
    # only settling keeps the import from creating "Civilians (Syria)" again.
    before = counts()

    report = run(acled(strike()))

    assert report.result is not None
    assert report.result.events_unchanged == 1
    assert (report.result.places_created, report.result.actors_created) == (0, 0)
    assert counts() == before
    event = Event.objects.get(acled_id="SYR9001")
    assert event.location.name == "Khan Sheikhoun"
    assert "Civilians of Idlib" in event.participations.values_list("actor__name", flat=True)


def test_a_newer_export_finds_the_place_and_actor_editors_renamed_by_their_old_names() -> None:
    run(acled(strike(notes="First report")))
    Location.objects.filter(name="Khan Shaykhun").update(name="Khan Sheikhoun")
    Actor.objects.filter(name="Civilians (Syria)").update(name="Civilians of Idlib")
    connection.check_constraints()  # what the rename's commit runs

    report = run(acled(strike(fatalities=21, notes="Revised toll")))

    assert report.result is not None
    assert report.result.events_updated == 1
    assert (report.result.places_created, report.result.actors_created) == (0, 0)
    event = Event.objects.get(acled_id="SYR9001")
    assert (event.summary, event.location.name) == ("Revised toll", "Khan Sheikhoun")
    assert "Civilians of Idlib" in event.participations.values_list("actor__name", flat=True)


def test_a_new_mapping_of_the_datasets_type_reaches_unedited_events_on_reimport() -> None:
    run(acled(strike()))
    # An administrator files ACLED's air/drone strikes under a type of their own.
    old = EventType.objects.get(acled_sub_event_type="Air/drone strike")
    EventType.objects.filter(pk=old.pk).update(acled_sub_event_type="")
    drones = EventType.objects.create(
        slug="drone-strike",
        name="Drone strike",
        parent=old.parent,
        acled_event_type=old.acled_event_type,
        acled_sub_event_type="Air/drone strike",
    )

    report = run(acled(strike()))

    assert report.result is not None
    assert report.result.events_updated == 1
    assert Event.objects.get(acled_id="SYR9001").event_type == drones


def test_snapshots_written_before_digests_get_them_from_the_next_import() -> None:
    run((DATA / "acled_valid.csv").read_bytes())
    ImportSnapshot.objects.update(digest=None)
    before = counts()

    report = run((DATA / "acled_valid.csv").read_bytes())

    assert report.result is not None
    assert report.result.events_unchanged == 3
    assert counts() == before
    assert not ImportSnapshot.objects.filter(digest__isnull=True).exists()


def test_a_newer_export_updates_the_event_in_place() -> None:
    run(acled(strike(fatalities=13, notes="First report")))
    event = Event.objects.get(acled_id="SYR9001")

    report = run(acled(strike(fatalities=21, notes="Revised toll")))

    assert report.result is not None
    assert report.result.events_updated == 1
    assert report.result.claims_updated == 1
    event.refresh_from_db()
    assert Event.objects.get(acled_id="SYR9001").pk == event.pk
    assert event.summary == "Revised toll"
    assert as_staff_see_it(event).fatality_range() == (21, 21, 21)
    assert event.claims.count() == 1


def test_an_editors_change_survives_a_reimport_and_is_listed_in_the_report() -> None:
    run(acled(strike(fatalities=13, notes="First report")))
    event = Event.objects.get(acled_id="SYR9001")
    event.title = "Airstrike on Khan Shaykhun market"
    event.date_precision = DatePrecision.DAYS
    event.save()

    report = run(acled(strike(fatalities=21, notes="Revised toll")))

    event.refresh_from_db()
    assert event.title == "Airstrike on Khan Shaykhun market"
    assert event.date_precision == DatePrecision.DAYS
    assert event.summary == "Revised toll"  # not edited by hand: the dataset's newer text
    assert as_staff_see_it(event).fatality_range() == (21, 21, 21)
    assert report.result is not None
    assert [(k.line, k.external_id, k.fields) for k in report.result.kept] == [
        (2, "SYR9001", ["title", "date_precision"])
    ]
    assert "line 2, SYR9001: title, date_precision" in report.lines()


def test_an_editors_change_to_participants_is_kept() -> None:
    run(acled(strike()))
    event = Event.objects.get(acled_id="SYR9001")
    ParticipationFactory(
        event=event, actor__name="Military Forces of Syria (2000-)", role=Role.SUPPORTER
    )
    extra = Actor.objects.get(name="Military Forces of Syria (2000-)")

    report = run(acled(strike(fatalities=20)))

    assert event.participations.filter(actor=extra).exists()
    assert report.result is not None
    assert report.result.kept[0].fields == ["participants"]


def test_an_editors_correction_of_the_datasets_figure_is_kept() -> None:
    run(acled(strike(fatalities=13)))
    claim = Claim.objects.get(event__acled_id="SYR9001")
    claim.value_best = 15
    claim.save()

    report = run(acled(strike(fatalities=21)))

    claim.refresh_from_db()
    assert claim.value_best == 15
    assert as_staff_see_it(Event.objects.get(acled_id="SYR9001")).fatality_range() == (15, 15, 15)
    assert report.result is not None
    assert report.result.kept[0].fields == ["fatalities"]


def test_a_participant_an_editor_removed_stays_removed() -> None:
    run(acled(strike()))
    event = Event.objects.get(acled_id="SYR9001")
    event.participations.filter(role=Role.TARGET).delete()

    report = run(acled(strike(fatalities=20)))

    assert list(event.participations.values_list("role", flat=True)) == [Role.PERPETRATOR]
    assert report.result is not None
    assert report.result.kept[0].fields == ["participants"]


def test_an_editors_change_is_reported_by_every_later_import_of_the_same_file() -> None:
    run(acled(strike(notes="First report")))
    Event.objects.filter(acled_id="SYR9001").update(summary="Corrected by hand")

    reports = [run(acled(strike(notes="First report"))) for _ in range(2)]

    for report in reports:
        assert report.result is not None
        assert (report.result.events_updated, report.result.events_unchanged) == (0, 1)
        assert [(k.line, k.fields) for k in report.result.kept] == [(2, ["summary"])]
    assert Event.objects.get(acled_id="SYR9001").summary == "Corrected by hand"


def test_pythons_cycle_collector_is_on_again_after_any_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(acled(strike()))
    assert gc.isenabled()
    assert not run(acled(strike(fatalities=-1))).ok
    assert gc.isenabled()

    def failing_load(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("interchange.services.load", failing_load)
    with pytest.raises(RuntimeError):
        run(acled(strike("SYR9002")))
    assert gc.isenabled()


def test_actors_are_found_by_alias_and_places_by_alternate_spelling() -> None:
    hts = ActorFactory(name="Hay'at Tahrir al-Sham")
    ActorNameFactory(actor=hts, name="Military Forces of Russia (2000-)")
    syria = LocationFactory(name="Syrian Arab Republic", kind=LocationKind.COUNTRY, parent=None)
    syria.alternate_names = ["Syria", "سوريا"]
    syria.save()
    actors_before = Actor.objects.count()

    run(acled(strike()))

    event = Event.objects.get(acled_id="SYR9001")
    assert event.participations.get(role=Role.PERPETRATOR).actor == hts
    assert event.location is not None
    assert event.location.ancestor_ids[0] == syria.pk
    assert Actor.objects.count() == actors_before + 1  # only "Civilians (Syria)"
    assert not ActorName.objects.filter(name="Civilians (Syria)").exists()


def test_a_conflictkb_uuid_in_event_id_cnty_updates_that_event() -> None:
    run(acled(strike()))
    event = Event.objects.get(acled_id="SYR9001")
    event.acled_id = ""
    event.save()

    report = run(acled(strike(str(event.uuid), fatalities=30)))

    assert report.result is not None
    assert report.result.events_created == 0
    event.refresh_from_db()
    assert as_staff_see_it(event).fatality_range() == (30, 30, 30)


def test_conflictkbs_own_acled_id_updates_that_event_and_another_databases_is_kept() -> None:
    run(acled(strike()))
    event = Event.objects.get(acled_id="SYR9001")
    event.acled_id = ""
    event.save()
    own_id = acled_event_id(event)
    assert own_id == f"SYRCKB{event.pk}"

    report = run(acled(strike(own_id, fatalities=30)))

    assert report.result is not None
    assert report.result.events_created == 0
    event.refresh_from_db()
    assert as_staff_see_it(event).fatality_range() == (30, 30, 30)
    assert event.acled_id == ""
    # The same form naming an event this database does not hold is another's id, kept as given.
    foreign = f"SYRCKB{event.pk + 1000}"
    assert run(acled(strike(foreign))).result.events_created == 1
    assert Event.objects.filter(acled_id=foreign).exists()


def test_a_readers_own_id_for_an_event_on_a_draft_place_updates_that_event() -> None:
    """A reader's download names no draft place, so the event's own id starts "XXX"; imported
    back, it is the same event, as the staff's "SYR" id is."""
    run(acled(strike()))
    event = Event.objects.get(acled_id="SYR9001")
    event.acled_id = ""
    event.save()
    places = Location.objects.filter(events=event)
    places.update(status=Publication.DRAFT)

    report = run(acled(strike(f"XXXCKB{event.pk}", fatalities=30)))

    assert report.result is not None
    assert report.result.events_created == 0
    event.refresh_from_db()
    assert as_staff_see_it(event).fatality_range() == (30, 30, 30)
    # With its place published, "XXX" is no id of it: another database's, kept as given.
    places.update(status=Publication.PUBLISHED)
    assert run(acled(strike(f"XXXCKB{event.pk}"))).result.events_created == 1


def test_the_import_is_one_audit_context_naming_user_file_and_row_count(editor: User) -> None:
    events_import(
        data=(DATA / "acled_valid.csv").read_bytes(),
        dataset="acled",
        file_name="acled_valid.csv",
        user=editor,
    )

    context = Context.objects.get()
    assert context.metadata["import_file"] == "acled_valid.csv"
    assert context.metadata["import_rows"] == 3
    assert context.metadata["user"] == editor.pk
    assert AuditEvents.objects.exclude(pgh_context_id=context.id).count() == 0
    assert AuditEvents.objects.filter(pgh_obj_model="events.Event", pgh_label="insert").count() == 3


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing() -> None:
    before = counts()

    report = run((DATA / "acled_valid.csv").read_bytes(), dry_run=True)

    assert report.result is not None
    assert report.result.events_created == 3
    assert counts() == before


def test_new_records_are_drafts_unless_published() -> None:
    run(acled(strike("SYR9001")))
    run(acled(strike("SYR9002")), publish=True)

    assert Event.objects.get(acled_id="SYR9001").status == "draft"
    assert Event.objects.get(acled_id="SYR9002").status == "published"


def test_the_command_prints_the_report_and_fails_on_a_bad_file() -> None:
    out = io.StringIO()
    call_command("import_acled", str(DATA / "acled_valid.csv"), stdout=out)
    assert "Events: 3 were created, 0 updated, 0 unchanged." in out.getvalue()
    assert "rows/s" not in out.getvalue()  # three rows time the start-up, not the import

    out = io.StringIO()
    with pytest.raises(CommandError, match="4 problem"):
        call_command("import_acled", str(DATA / "acled_invalid.csv"), stdout=out)
    assert "line 3, latitude: 135.93 is out of range" in out.getvalue()


def test_the_report_of_a_large_file_gives_its_rate() -> None:
    report = ImportReport("acled.csv", "acled", False, rows=100_000, result=LoadResult(), seconds=4)
    assert report.lines()[0] == "acled.csv: 100000 rows in 4.0 s (25,000 rows/s)."


def test_an_editor_uploads_a_file_in_the_admin_and_sees_the_report(editor_client: Client) -> None:
    changelist = editor_client.get("/admin/events/event/")
    assert 'href="/admin/events/event/import/"' in changelist.content.decode()
    page = editor_client.get("/admin/events/event/import/")
    assert page.status_code == 200

    with (DATA / "acled_invalid.csv").open("rb") as upload:
        response = editor_client.post(
            "/admin/events/event/import/", {"dataset": "acled", "file": upload}
        )
    assert "135.93 is out of range" in response.content.decode()
    assert not Event.objects.exists()

    with (DATA / "acled_valid.csv").open("rb") as upload:
        response = editor_client.post(
            "/admin/events/event/import/", {"dataset": "acled", "file": upload}
        )
    assert "3 were created" in response.content.decode()
    assert Event.objects.count() == 3


def test_a_file_of_1500_problems_shows_the_first_1000_and_downloads_them_all(
    editor_client: Client, reviewer_client: Client
) -> None:
    bad = acled(*(strike(f"SYR{n}", fatalities=-1) for n in range(1500)))
    upload = SimpleUploadedFile("bad.csv", bad, content_type="text/csv")
    page = editor_client.post("/admin/events/event/import/", {"dataset": "acled", "file": upload})
    html = page.content.decode()
    assert "1500 problems; nothing was written." in html
    assert "The first 1000 are shown here; 500 more are in the download." in html
    assert html.count("-1 is out of range") == 1000
    [link] = re.findall(r'href="(/admin/events/event/import/problems/[^"]+/)"', html)

    download = editor_client.get(link)
    assert download["Content-Disposition"] == 'attachment; filename="bad-problems.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["line", "column", "problem"]
    assert len(rows) == 1 + 1500
    assert rows[-1][:2] == ["1501", "fatalities"]
    # The list is the editor's own: another user (here a reviewer) cannot read it.
    assert reviewer_client.get(link).status_code == 404
    assert not Event.objects.exists()


@override_settings(IMPORT_UPLOAD_MAX_MB=1)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(editor_client: Client) -> None:
    big = acled(*(strike(f"SYR{n}") for n in range(6000)))  # about 1.6 MB
    upload = SimpleUploadedFile("big.csv", big, content_type="text/csv")
    response = editor_client.post(
        "/admin/events/event/import/", {"dataset": "acled", "file": upload}
    )
    assert response.status_code == 413
    assert (
        "files uploaded here may be up to 1 MB (IMPORT_UPLOAD_MAX_MB)" in response.content.decode()
    )
    assert "manage.py import_acled" in response.content.decode()
    assert not Event.objects.exists()
    # A request that does not declare its length is measured by the form instead.
    form = EventImportForm({"dataset": "acled"}, {"file": SimpleUploadedFile("big.csv", big)})
    assert not form.is_valid()
    assert "up to 1 MB" in form.errors["file"][0]


def test_the_import_page_is_refused_to_anonymous_visitors(anon_client: Client) -> None:
    response = anon_client.get("/admin/events/event/import/")
    assert response.status_code == 302


class FakeTerminal(io.StringIO):
    def __init__(self, *, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_progress_bar_draws_on_a_terminal_and_stays_silent_in_a_pipe() -> None:
    terminal, pipe = FakeTerminal(tty=True), FakeTerminal(tty=False)

    run((DATA / "acled_valid.csv").read_bytes(), progress=ProgressBar(terminal))
    run((DATA / "acled_valid.csv").read_bytes(), progress=ProgressBar(pipe))

    drawn = terminal.getvalue()
    assert drawn.count("\r") == 9  # reading, actors, places, documents, events, …, candidates, done
    assert "█" * 30 + " done" in drawn
    assert pipe.getvalue() == ""


def test_a_newer_export_with_other_actors_replaces_the_participants_in_file_order() -> None:
    run(acled(strike()))
    newer = strike().replace(
        "Military Forces of Russia (2000-),,8", "Military Forces of Syria (2000-),Hezbollah,1"
    )

    report = run(acled(newer))

    assert report.result is not None
    assert report.result.events_updated == 1
    event = Event.objects.get(acled_id="SYR9001")
    assert list(event.participations.order_by("pk").values_list("actor__name", "role")) == [
        ("Military Forces of Syria (2000-)", Role.PERPETRATOR),
        ("Hezbollah", Role.PERPETRATOR),
        ("Civilians (Syria)", Role.TARGET),
    ]
    # The actor that left the event stays in the knowledge base.
    assert Actor.objects.filter(name="Military Forces of Russia (2000-)").exists()


def test_the_command_dry_run_writes_nothing_and_names_the_importing_user(editor: User) -> None:
    out = io.StringIO()
    call_command("import_acled", str(DATA / "acled_valid.csv"), "--dry-run", stdout=out)
    assert "would be created" in out.getvalue()
    assert not Event.objects.exists()

    call_command(
        "import_acled", str(DATA / "acled_valid.csv"), "--user", "editor", stdout=io.StringIO()
    )
    assert Context.objects.get().metadata["username"] == "editor"
    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("import_acled", str(DATA / "acled_valid.csv"), "--user", "nobody")


def test_an_editor_cannot_publish_through_the_upload_but_a_reviewer_can(
    editor_client: Client, reviewer_client: Client
) -> None:
    with (DATA / "acled_valid.csv").open("rb") as upload:
        editor_client.post(
            "/admin/events/event/import/", {"dataset": "acled", "file": upload, "publish": "on"}
        )
    assert set(Event.objects.values_list("status", flat=True)) == {"draft"}

    with (DATA / "acled_blank_optional.csv").open("rb") as upload:
        reviewer_client.post(
            "/admin/events/event/import/", {"dataset": "acled", "file": upload, "publish": "on"}
        )
    assert Event.objects.get(acled_id="SYR5001").status == "published"


def test_new_events_figures_are_what_the_database_derives_from_their_claims() -> None:
    assert run(acled(strike("SYR9001", fatalities=13))).ok
    # An editor records that this source relays two wire services: events citing it from now
    # on have two independent sources, not one.
    document = Event.objects.get(acled_id="SYR9001").claims.get().document
    document.relays.add(OutletFactory(name="Reuters"), OutletFactory(name="AFP"))
    assert run(acled(strike("SYR9001", fatalities=13), strike("SYR9002", fatalities=4))).ok

    second = Event.objects.get(acled_id="SYR9002")
    second = as_staff_see_it(second)
    assert (second.claim_count, second.source_count) == (1, 2)
    assert second.fatality_range() == (4, 4, 4)
    assert not second.contested
    stored = list(Event.objects.order_by("pk").values_list(*DERIVED_FROM_CLAIMS))
    event_recompute_figures(events=Event.objects.values_list("pk", flat=True))
    assert list(Event.objects.order_by("pk").values_list(*DERIVED_FROM_CLAIMS)) == stored


def test_updated_events_figures_are_what_the_database_derives_from_their_claims() -> None:
    def export(fatalities: int, notes: str) -> bytes:
        ids = ("SYR9001", "SYR9002", "SYR9003")
        return acled(*(strike(i, fatalities=fatalities, notes=notes) for i in ids))

    assert run(export(13, "First report")).ok
    # A reviewer disputes the dataset's figure for one event; another event gets a second
    # accepted figure, from the Syrian Observatory.
    Claim.objects.filter(event__acled_id="SYR9002").update(status=ClaimStatus.DISPUTED)
    ClaimFactory(event=Event.objects.get(acled_id="SYR9003"), value_best=40)

    assert run(export(21, "Revised toll")).ok

    figures = dict(Event.objects.values_list("acled_id", "staff_fatalities_best"))
    assert figures["SYR9001"] == 21  # the dataset's one figure, revised
    assert figures["SYR9002"] is None  # its only figure is disputed
    assert figures["SYR9003"] == 21  # the range of 21 and 40: the credible best
    assert as_staff_see_it(Event.objects.get(acled_id="SYR9003")).fatality_range() == (21, 21, 40)
    stored = list(Event.objects.order_by("pk").values_list(*DERIVED_FROM_CLAIMS))
    event_recompute_figures(events=Event.objects.values_list("pk", flat=True))
    assert list(Event.objects.order_by("pk").values_list(*DERIVED_FROM_CLAIMS)) == stored


def events_rewritten() -> int:
    """Rows of events_event updated so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relid = 'events_event'::regclass"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("publish", [False, True], ids=["drafts", "published"])
def test_the_importer_writes_each_events_figures_as_the_database_rule_makes_them(
    publish: bool,
) -> None:
    # The importer writes an event's figures with the event (interchange/sql/events.sql); the
    # claims' trigger then recomputes them by the rule and rewrites only events whose figures
    # differ. So an event written twice in one import is one the importer got wrong.
    before = events_rewritten()
    assert run(acled(strike("SYR9001", fatalities=13), strike("SYR9002")), publish=publish).ok
    assert events_rewritten() == before  # new events: written by their INSERT only

    # A revised toll with a revised note: the event is updated once, figures and all.
    before = events_rewritten()
    report = run(
        acled(strike("SYR9001", fatalities=21, notes="Revised toll"), strike("SYR9002")),
        publish=publish,
    )
    assert report.result is not None
    assert report.result.events_updated == 1
    assert events_rewritten() == before + 1
    revised = Event.objects.get(acled_id="SYR9001")
    assert (revised.staff_fatalities_low, revised.fatalities_high) == (
        21,
        21 if publish else None,
    )


def test_an_event_dated_2100_is_refused_by_line_and_nothing_is_written() -> None:
    before = counts()
    report = run(acled(strike("SYR9001"), strike("SYR9002").replace("2018-09-04", "2100-09-04")))

    [problem] = report.problems
    assert str(problem).startswith("line 3, event_date")
    assert "2100-09-04 is outside the dates events can have" in problem.reason
    assert counts() == before
