"""The candidate search: the same strike in two datasets is proposed, near-misses are not."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from events.models import CandidateStatus, Event, EventCandidate
from interchange.matching import search_events
from interchange.services import events_import
from tests.interchange.test_import_acled import HEADER
from tests.interchange.test_merge_events import load, ucdp_strike

pytestmark = pytest.mark.django_db

KHAN_SHAYKHUN = ("Khan Shaykhun", 35.44, 36.65)
MAARRAT = ("Maarrat al-Nu'man", 35.65, 36.68)  # 23 km north


def acled_row(
    event_id: str,
    *,
    date: str = "2018-09-04",
    place: tuple[str, float, float] = KHAN_SHAYKHUN,
    actor1: str = "Military Forces of Russia (2000-)",
    actor2: str = "Civilians (Syria)",
    sub_event: str = "Air/drone strike",
    time_precision: int = 1,
    geo_precision: int = 1,
) -> str:
    name, latitude, longitude = place
    event_type = {
        "Air/drone strike": "Explosions/Remote violence",
        "Peaceful protest": "Protests",
        "Armed clash": "Battles",
    }[sub_event]
    return (
        f"{event_id},{date},2018,{time_precision},Political violence,{event_type},{sub_event},"
        f"{actor1},,8,{actor2},,7,78,,760,Middle East,Syria,Idleb,,,{name},{latitude},"
        f"{longitude},{geo_precision},SOHR,"
        f"National,Strike,13,,1536105600"
    )


def acled_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def pairs() -> set[frozenset[str]]:
    """The open candidates, each as the ids its two events have in their datasets."""
    found = EventCandidate.objects.filter(status=CandidateStatus.OPEN).select_related(
        "event_a", "event_b"
    )
    return {
        frozenset(event.acled_id or event.ucdp_id for event in (c.event_a, c.event_b))
        for c in found
    }


def test_an_import_proposes_the_other_datasets_record_of_the_same_strike() -> None:
    load("acled", acled_file(acled_row("SYR9001")))

    report = load("ucdp", ucdp_strike())

    assert report.result is not None
    assert report.result.candidates == 1
    assert "Events that may be one: 1 pair(s) to review" in "\n".join(report.lines())
    candidate = EventCandidate.objects.get()
    assert candidate.score >= 0.7
    assert candidate.reasons == [
        "same day",
        "0.0 km apart",
        "Military Forces of Russia (2000-) ≈ Government of Russia (Soviet Union)",
        "types compatible (Air/drone strike, Attack)",
    ]


@pytest.mark.parametrize(
    "near_miss",
    [
        pytest.param({"place": MAARRAT}, id="same day, another town"),
        pytest.param({"date": "2018-09-11"}, id="same town, a week apart"),
        pytest.param(
            {"actor1": "Protesters (Syria)", "actor2": "", "sub_event": "Peaceful protest"},
            id="same place and day, unrelated actors",
        ),
        pytest.param(
            {"actor1": "Hayat Tahrir al-Sham"}, id="same place, day and type, unrelated actors"
        ),
    ],
)
def test_near_misses_are_not_proposed(near_miss: dict[str, object]) -> None:
    load("acled", acled_file(acled_row("SYR9001"), acled_row("SYR9002", **near_miss)))

    search_events(Event.objects.all())

    assert pairs() == set()


def test_battles_against_the_same_side_by_different_forces_are_not_proposed() -> None:
    clash = {"actor2": "Syrian Insurgents", "sub_event": "Armed clash"}
    load(
        "acled",
        acled_file(
            acled_row("SYR9001", **clash),
            acled_row("SYR9002", actor1="Military Forces of Turkey (2016-)", **clash),
        ),
    )

    search_events(Event.objects.all())

    assert pairs() == set()
    # Found, and held below the threshold for the side that differs.
    search_events(Event.objects.all(), threshold=0.3)
    [candidate] = EventCandidate.objects.all()
    assert candidate.reasons[2] == "same actor: Syrian Insurgents, but the other side differs"
    assert candidate.score < 0.7


def test_a_jittered_duplicate_within_one_dataset_is_proposed() -> None:
    near = ("Khan Shaykhun east", 35.45, 36.66)  # 1.4 km away, the next day
    load(
        "acled",
        acled_file(
            acled_row("SYR9001"),
            acled_row("SYR9002", date="2018-09-05", place=near, actor1="Russia"),
        ),
    )

    search_events(Event.objects.all())

    assert pairs() == {frozenset({"SYR9001", "SYR9002"})}
    assert EventCandidate.objects.get().reasons[:2] == ["1 day apart", "1.4 km apart"]


def test_pairs_of_events_with_the_same_lineups_are_scored_by_their_own_dates_and_places() -> None:
    """The actors are scored once per pair of lineups (an event's actors with their sides);
    SYR9002 and SYR9006 have one lineup, so the pairs they make with SYR9001 share their
    actors' score and reasons, and each keeps its own dates, distance and score."""
    near = ("Khan Shaykhun east", 35.45, 36.66)
    load(
        "acled",
        acled_file(
            acled_row("SYR9001"),
            acled_row("SYR9002", date="2018-09-05", place=near, actor1="Russia"),
            acled_row("SYR9003", place=MAARRAT),
            acled_row("SYR9004", actor1="Hayat Tahrir al-Sham", actor2="Russia"),
            acled_row("SYR9005", date="2018-10-20", actor1="Protesters (Syria)", actor2=""),
            acled_row("SYR9006", place=near, actor1="Russia"),
        ),
    )

    search_events(Event.objects.all(), threshold=0.3)

    found = {
        (frozenset({c.event_a.acled_id, c.event_b.acled_id}), c.score, tuple(c.reasons))
        for c in EventCandidate.objects.select_related("event_a", "event_b")
    }
    russia = "Military Forces of Russia (2000-) ≈ Russia"
    assert found == {
        (
            frozenset({"SYR9001", "SYR9002"}),
            0.822,
            ("1 day apart", "1.4 km apart", russia, "types agree"),
        ),
        (
            frozenset({"SYR9001", "SYR9004"}),
            0.93,
            ("same day", "0.0 km apart", russia, "types agree"),
        ),
        (
            frozenset({"SYR9002", "SYR9004"}),
            0.892,
            ("1 day apart", "1.4 km apart", "same actor: Russia", "types agree"),
        ),
        # SYR9006 is SYR9002 on the day of the others: 0.3 × 0.3 more with each of them.
        (
            frozenset({"SYR9001", "SYR9006"}),
            0.912,
            ("same day", "1.4 km apart", russia, "types agree"),
        ),
        (
            frozenset({"SYR9004", "SYR9006"}),
            0.982,
            ("same day", "1.4 km apart", "same actor: Russia", "types agree"),
        ),
        (
            frozenset({"SYR9002", "SYR9006"}),
            0.91,
            ("1 day apart", "0.0 km apart", "same actor: Russia", "types agree"),
        ),
    }


def test_an_event_with_one_armed_actor_that_the_other_has_scores_its_actors_whole() -> None:
    """The first event has two armed actors, the second one, which the first has: the
    second's actors are all in the first, so the actors count in full (the pair's links are
    not counted one by one there) and the shared actor is the reason."""
    russia = "Military Forces of Russia (2000-)"
    load(
        "acled",
        acled_file(
            acled_row("SYR9001", actor1="Hayat Tahrir al-Sham", actor2=russia),
            acled_row("SYR9002", actor1=russia),
        ),
    )

    search_events(Event.objects.all())

    candidate = EventCandidate.objects.get()
    assert candidate.score == 1.0
    assert candidate.reasons == ["same day", "0.0 km apart", f"same actor: {russia}", "types agree"]


# Dated to a week and placed to 10 km, and dated to the day and placed to 25 km: two days
# and 20 km apart, which only the first's date and only the second's place allow. A quarter
# degree lies between them (35.5° N): each is found only by the other's reach.
WEEK_NEAR = {"time_precision": 2, "place": ("Al-Tamanah", 35.35, 36.65)}
DAY_FAR = {
    "date": "2018-09-06",
    "place": ("Khan Shaykhun north", 35.53, 36.65),
    "geo_precision": 2,
    "actor1": "Russia",
}


@pytest.mark.parametrize("first", ["week, 10 km", "day, 25 km"])
def test_a_pair_each_less_precise_in_one_way_is_found_from_either_side(first: str) -> None:
    rows = [acled_row("SYR9001", **WEEK_NEAR), acled_row("SYR9002", **DAY_FAR)]
    if first == "day, 25 km":
        rows.reverse()
    load("acled", acled_file(rows[0]))

    # The second import searches for its own event only: the first is no probe.
    report = load("acled", acled_file(rows[1]))
    found_by_import = pairs()
    EventCandidate.objects.all().delete()
    search_events(Event.objects.all())  # both are probes: the pair is scored once

    assert report.result is not None
    assert report.result.candidates == 1
    assert found_by_import == pairs() == {frozenset({"SYR9001", "SYR9002"})}
    assert EventCandidate.objects.get().reasons[:2] == ["2 days apart", "20.0 km apart"]


@pytest.mark.parametrize(
    "geo_precision",
    [2, 3],
    ids=["placed to 25 km: blocks of days and cells", "a region: blocks of days and country"],
)
def test_a_pair_sharing_many_blocks_is_scored_once(geo_precision: int) -> None:
    """Dated to a week, two events in one place share every day either reaches, and every
    grid cell (or their country): dozens of blocks. The pair is taken in the first block
    they share, scored and recorded once."""
    wide = {"time_precision": 2, "geo_precision": geo_precision}
    load(
        "acled",
        acled_file(
            acled_row("SYR9001", **wide),
            acled_row("SYR9002", date="2018-09-05", actor1="Russia", **wide),
        ),
    )
    EventCandidate.objects.all().delete()

    search = search_events(Event.objects.all())

    assert (search.blocked, search.found, search.recorded) == (1, 1, 1)
    assert pairs() == {frozenset({"SYR9001", "SYR9002"})}


def test_a_rejected_pair_is_never_proposed_again(editor: User) -> None:
    load("acled", acled_file(acled_row("SYR9001")))
    load("ucdp", ucdp_strike())
    candidate = EventCandidate.objects.get()
    candidate.status = CandidateStatus.REJECTED
    candidate.save()

    found = search_events(Event.objects.all())
    load("ucdp", ucdp_strike(best=11))  # a newer export of the UCDP row

    assert (found.found, found.recorded) == (1, 0)
    assert pairs() == set()
    assert EventCandidate.objects.get().status == CandidateStatus.REJECTED


def test_match_events_json_gives_each_side_with_its_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load("acled", acled_file(acled_row("SYR9001")))
    events_import(data=ucdp_strike(), dataset="ucdp", file_name="u.csv", publish=True)
    capsys.readouterr()

    call_command("match_events", "--json", "--from", "2018-09-01", "--to", "2018-09-30")

    [line] = capsys.readouterr().out.splitlines()
    found = json.loads(line)
    acled_event, ucdp_event = (
        Event.objects.get(acled_id="SYR9001"),
        Event.objects.get(ucdp_id="300001"),
    )
    assert {
        (side["id"], side["acled_id"], side["ucdp_id"]) for side in (found["a"], found["b"])
    } == {
        (str(acled_event.uuid), "SYR9001", ""),
        (str(ucdp_event.uuid), "", "300001"),
    }
    assert found["score"] == EventCandidate.objects.get().score
    assert found["reasons"][0] == "same day"


def test_match_events_outside_the_dates_finds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    load("acled", acled_file(acled_row("SYR9001"), acled_row("SYR9002", actor1="Russia")))
    EventCandidate.objects.all().delete()

    call_command("match_events", "--from", "2019-01-01")

    assert capsys.readouterr().out.startswith("0 pair(s) at or above 0.70")
    assert not EventCandidate.objects.exists()


def test_staff_read_the_candidates_in_the_api_and_readers_do_not(
    editor_client: Client, anon_client: Client
) -> None:
    load("acled", acled_file(acled_row("SYR9001")))
    load("ucdp", ucdp_strike())

    page = editor_client.get("/api/v1/event-candidates/").json()

    [candidate] = page["results"]
    assert {candidate["a"]["acled_id"], candidate["b"]["ucdp_id"]} == {"SYR9001", "300001"}
    assert candidate["reasons"][0] == "same day"
    assert anon_client.get("/api/v1/event-candidates/").status_code == 401


def test_a_search_listing_only_the_best_keeps_the_others_in_the_queue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load("acled", acled_file(acled_row("SYR9001")))
    load("ucdp", ucdp_strike())  # 0.89: same day, same point, related actors
    load(
        "acled",
        acled_file(
            acled_row(
                "SYR9002",
                date="2018-09-05",
                place=("Khan Shaykhun east", 35.45, 36.66),
                actor1="Russia",
            )
        ),
    )
    queued = EventCandidate.objects.count()
    capsys.readouterr()

    call_command("match_events", "--threshold", "0.85")

    assert capsys.readouterr().out.startswith("1 pair(s) at or above 0.85")
    assert EventCandidate.objects.count() == queued > 1
