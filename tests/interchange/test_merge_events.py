"""Merging ACLED's and UCDP's records of one strike into one event whose claims compete."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from pghistory.models import Events as AuditEvents

from events.models import Event, EventMerge, EventRelation, EventRelationKind, Participation
from interchange.merging import MergeError, merge_events, undo_merge
from interchange.services import ImportReport, events_import
from sources.models import Claim
from tests.factories import as_staff_see_it
from tests.interchange.test_import_acled import acled, strike

pytestmark = pytest.mark.django_db

UCDP_HEADER = (
    "id,relid,year,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,"
    "side_a_new_id,side_a,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,country,country_id,region,date_prec,"
    "date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low"
)


def ucdp_strike(ged_id: str = "300001", *, best: int = 9, high: int = 13) -> bytes:
    """UCDP GED's record of the strike ACLED codes as SYR9001: same day, same town."""
    row = (
        f"{ged_id},SYR-2018-3-1,2018,3,1,Russia - civilians,1,Russia - Civilians,1,"
        "Government of Russia (Soviet Union),1,Civilians,1,SOHR report,SOHR,2018-09-04,"
        "Jets strike Khan Shaykhun,SOHR,1,Khan Shaykhun town,Khan Shaykhun,Idlib governorate,"
        f"Maarrat al-Nu'man district,35.44,36.65,Syria,652,Middle East,1,2018-09-04,2018-09-04,"
        f"0,0,{best},0,{best},{high},{best}"
    )
    return f"{UCDP_HEADER}\n{row}\n".encode()


def acled_read(client: Client, what: str) -> list[dict[str, str]]:
    response = client.get(f"/api/{what}/read")
    return json.loads(b"".join(response.streaming_content))["data"]


def acled_ids(client: Client) -> set[str]:
    """The event ids a reader of ACLED's API holds."""
    return {row["event_id_cnty"] for row in acled_read(client, "acled")}


def load(dataset: str, data: bytes) -> ImportReport:
    report = events_import(data=data, dataset=dataset, file_name=f"{dataset}.csv", publish=True)
    assert report.ok, report.lines()
    return report


@pytest.fixture
def both() -> tuple[Event, Event]:
    """ACLED's row (13 killed) and UCDP's (9, up to 13) of one strike: two events."""
    load("acled", acled(strike("SYR9001", fatalities=13)))
    load("ucdp", ucdp_strike())
    return Event.objects.get(acled_id="SYR9001"), Event.objects.get(ucdp_id="300001")


def test_a_merged_event_has_both_claims_both_ids_and_is_contested(
    both: tuple[Event, Event], editor: User
) -> None:
    kept, absorbed = both
    assert not kept.contested

    merge_events(kept, absorbed, user=editor)

    event = Event.objects.get()
    assert (event.pk, event.acled_id, event.ucdp_id) == (kept.pk, "SYR9001", "300001")
    claimants = event.claims.values_list(
        "claimant_outlet__name", "value_low", "value_best", "value_high"
    )
    assert sorted(claimants) == [("ACLED", None, 13, None), ("UCDP GED", 9, 9, 13)]
    assert (event.fatalities_low, event.fatalities_high, event.contested) == (9, 13, True)
    assert event.claim_count == 2
    # Both records' participants, under the names each dataset gives them.
    assert sorted(event.participations.values_list("role", "actor__name")) == [
        ("perpetrator", "Government of Russia (Soviet Union)"),
        ("perpetrator", "Military Forces of Russia (2000-)"),
        ("target", "Civilians"),
        ("target", "Civilians (Syria)"),
    ]


def test_a_participant_of_both_events_is_kept_once_and_comes_back_with_an_undo(
    both: tuple[Event, Event],
) -> None:
    kept, absorbed = both
    shared = kept.participations.get(role="perpetrator")
    Participation.objects.create(event=absorbed, actor=shared.actor, role="perpetrator")

    merge = merge_events(kept, absorbed)

    assert kept.participations.filter(actor=shared.actor, role="perpetrator").count() == 1
    back = undo_merge(merge)
    assert back.participations.filter(actor=shared.actor, role="perpetrator").exists()
    assert kept.participations.filter(actor=shared.actor, role="perpetrator").exists()


def test_the_merge_is_one_change_in_the_history_with_the_user(
    both: tuple[Event, Event], editor: User
) -> None:
    kept, absorbed = both
    before = AuditEvents.objects.count()

    merge_events(kept, absorbed, user=editor)

    rows = list(AuditEvents.objects.filter(pgh_context__merge__isnull=False))
    assert len(rows) == AuditEvents.objects.count() - before
    assert len({row.pgh_context_id for row in rows}) == 1
    context = rows[0].pgh_context
    assert context["merge"] == f"{absorbed.uuid} into {kept.uuid}"
    assert context["username"] == "editor"
    # The absorbed event's deletion, the claim that moved, the kept event's new id: all in it.
    labels = {(row.pgh_model, row.pgh_label) for row in rows}
    assert {("events.EventEvent", "delete"), ("sources.ClaimEvent", "update")} <= labels
    assert ("events.EventEvent", "update") in labels


def test_the_absorbed_events_page_and_record_redirect_to_the_kept_one(
    both: tuple[Event, Event], anon_client: Client
) -> None:
    kept, absorbed = both
    merge_events(kept, absorbed)

    page = anon_client.get(f"/events/{absorbed.uuid}/")
    assert (page.status_code, page["Location"]) == (301, f"/events/{kept.uuid}/")
    # The query is kept as asked, even where it names the absorbed event.
    cited = anon_client.get(f"/events/{absorbed.uuid}/?ref={absorbed.uuid}")
    assert cited["Location"] == f"/events/{kept.uuid}/?ref={absorbed.uuid}"
    record = anon_client.get(f"/api/v1/events/{absorbed.uuid}/?fields=title")
    assert record.status_code == 301
    assert record["Location"] == f"/api/v1/events/{kept.uuid}/?fields=title"
    assert anon_client.get(record["Location"]).json() == {"title": kept.title}


@pytest.fixture
def into_draft(both: tuple[Event, Event]) -> tuple[Event, Event]:
    """Both events merged, the kept one then taken back to a draft."""
    kept, absorbed = both
    merge_events(kept, absorbed)
    Event.objects.filter(pk=kept.pk).update(status="draft")
    return kept, absorbed


def test_a_reader_is_not_led_to_a_draft_event(
    into_draft: tuple[Event, Event], anon_client: Client
) -> None:
    _, absorbed = into_draft

    assert anon_client.get(f"/events/{absorbed.uuid}/").status_code == 404
    assert anon_client.get(f"/api/v1/events/{absorbed.uuid}/").status_code == 404


def test_the_deletions_feeds_say_merged_into(
    both: tuple[Event, Event], anon_client: Client
) -> None:
    kept, absorbed = both
    held = acled_ids(anon_client)
    merge_events(kept, absorbed)

    feed = anon_client.get("/api/v1/deleted/", {"since": "2000-01-01T00:00:00Z"}).json()
    [row] = [r for r in feed["results"] if r["type"] == "event"]
    assert (row["id"], row["reason"], row["merged_into"]) == (
        str(absorbed.uuid),
        "merged",
        str(kept.uuid),
    )
    # ACLED's shape: the UCDP record's id in ACLED's layout is gone, into SYR9001. A mirror
    # that drops what the feed says is gone holds what ACLED's API now serves.
    [gone] = acled_read(anon_client, "deleted")
    assert held - acled_ids(anon_client) == {gone["event_id_cnty"]}
    assert gone["merged_into"] == "SYR9001"


def test_a_reader_is_not_told_of_a_draft_event_merged_into(
    into_draft: tuple[Event, Event], anon_client: Client
) -> None:
    kept, absorbed = into_draft

    feed = anon_client.get("/api/v1/deleted/", {"since": "2000-01-01T00:00:00Z"}).json()
    rows = {
        (r["id"], r["reason"], r["merged_into"]) for r in feed["results"] if r["type"] == "event"
    }
    assert (str(absorbed.uuid), "deleted", None) in rows
    assert str(kept.uuid) not in {merged for _, _, merged in rows}


def test_when_the_kept_event_takes_the_acled_id_its_own_id_is_the_one_deleted(
    both: tuple[Event, Event], anon_client: Client
) -> None:
    acled_event, ucdp_event = both
    held = acled_ids(anon_client)
    merge_events(ucdp_event, acled_event)

    # SYR9001 lives on (the kept event has it now); the id the kept event went by is gone.
    [gone] = acled_read(anon_client, "deleted")
    assert held - acled_ids(anon_client) == {gone["event_id_cnty"]}
    assert gone["event_id_cnty"].endswith(f"CKB{ucdp_event.pk}")
    assert gone["merged_into"] == "SYR9001"
    assert Event.objects.get(acled_id="SYR9001").pk == ucdp_event.pk


def test_reimporting_either_file_after_the_merge_changes_nothing(both: tuple[Event, Event]) -> None:
    kept, absorbed = both
    merge_events(kept, absorbed)
    state = (Event.objects.count(), Claim.objects.count(), Participation.objects.count())

    for dataset, data in (("acled", acled(strike("SYR9001"))), ("ucdp", ucdp_strike())):
        report = load(dataset, data)
        assert report.result is not None
        assert (report.result.events_created, report.result.claims_created) == (0, 0)
        assert report.result.claims_updated == 0

    assert (Event.objects.count(), Claim.objects.count(), Participation.objects.count()) == state
    event = Event.objects.get()
    assert (event.fatalities_low, event.fatalities_high, event.contested) == (9, 13, True)


def test_a_newer_ucdp_export_updates_the_kept_events_ucdp_claim(both: tuple[Event, Event]) -> None:
    kept, absorbed = both
    merge_events(kept, absorbed)

    load("ucdp", ucdp_strike(best=11, high=15))

    event = Event.objects.get()
    assert event.claims.get(claimant_outlet__name="UCDP GED").value_high == 15
    assert (event.fatalities_low, event.fatalities_high) == (11, 15)


def test_an_acled_duplicate_merged_into_another_acled_event_is_never_made_again() -> None:
    load("acled", acled(strike("SYR9001"), strike("SYR9002", fatalities=12)))
    kept, absorbed = Event.objects.get(acled_id="SYR9001"), Event.objects.get(acled_id="SYR9002")
    merge_events(kept, absorbed)

    report = load("acled", acled(strike("SYR9001"), strike("SYR9002", fatalities=12)))

    assert Event.objects.count() == 1
    assert report.result is not None
    assert [(m.line, m.external_id) for m in report.result.merged] == [(3, "SYR9002")]
    assert f"line 3, SYR9002: merged into {kept.uuid}" in report.lines()
    assert Event.objects.get().claims.count() == 2


def test_undo_puts_both_events_back_as_they_were(
    both: tuple[Event, Event], anon_client: Client
) -> None:
    kept, absorbed = both
    EventRelation.objects.create(
        from_event=absorbed, kind=EventRelationKind.PRECEDES, to_event=kept
    )
    before = {
        event.pk: (event.uuid, event.acled_id, event.ucdp_id, event.title, event.created_at)
        for event in Event.objects.all()
    }
    merge = merge_events(kept, absorbed)

    undo_merge(merge)

    after = {
        event.pk: (event.uuid, event.acled_id, event.ucdp_id, event.title, event.created_at)
        for event in Event.objects.all()
    }
    assert after == before
    assert absorbed.claims.get().claimant_outlet.name == "UCDP GED"
    assert kept.claims.get().claimant_outlet.name == "ACLED"
    assert not Event.objects.get(pk=kept.pk).contested
    assert as_staff_see_it(absorbed).fatality_range() == (9, 9, 13)
    # The relation between them, which the merge had to drop, is back.
    assert EventRelation.objects.filter(from_event=absorbed, to_event=kept).exists()
    assert not EventMerge.objects.exists()
    assert anon_client.get(f"/events/{absorbed.uuid}/").status_code == 200


def test_merging_an_event_into_itself_or_into_a_missing_one_is_refused(
    both: tuple[Event, Event],
) -> None:
    kept, absorbed = both
    with pytest.raises(MergeError, match="into itself"):
        merge_events(kept, kept)
    merge_events(kept, absorbed)
    with pytest.raises(MergeError, match="no longer exists"):
        merge_events(kept, absorbed)


def test_the_command_merges_by_external_ids_and_undoes(
    both: tuple[Event, Event], capsys: pytest.CaptureFixture[str]
) -> None:
    kept, absorbed = both

    call_command("merge_events", "SYR9001", "300001")

    out = capsys.readouterr().out
    assert f"Merged {absorbed.uuid} into {kept.uuid}" in out
    assert "2 claims, fatalities 9–13, contested" in out
    with pytest.raises(CommandError, match=f"{absorbed.uuid} was merged into {kept.uuid}"):
        call_command("merge_events", "SYR9001", str(absorbed.uuid))
    with pytest.raises(CommandError, match="No event has the id SYR0000"):
        call_command("merge_events", "SYR9001", "SYR0000")

    call_command("merge_events", "--undo", "300001")

    assert Event.objects.filter(ucdp_id="300001", pk=absorbed.pk).exists()
