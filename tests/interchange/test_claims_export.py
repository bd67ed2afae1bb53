"""The evidence layer downloads: every claim a reader may open, with its claimant, document,
outlet and grades, from the timeline (behind its filtered events) and from the API."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from events.models import Event
from sources.models import Claim

pytestmark = pytest.mark.django_db


def download(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content).decode()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_api_download_holds_every_claim_a_reader_may_open_and_no_other(idlib):
    readable = set(Claim.objects.visible_to(AnonymousUser()).values_list("uuid", flat=True))
    hidden = set(Claim.objects.values_list("uuid", flat=True)) - readable
    assert hidden  # the demo data has claims readers cannot open
    rows = csv_rows(download(Client(), "/api/v1/claims/?format=csv"))
    assert {row["claim_id"] for row in rows} == {str(uuid) for uuid in readable}


def test_the_timelines_download_gives_the_claims_behind_its_events_with_their_grades(idlib):
    client = Client()
    rows = csv_rows(download(client, "/export/claims.csv?contested=true"))
    contested = Event.objects.published().filter(contested=True)
    behind = Claim.objects.visible_to(AnonymousUser()).filter(event__in=contested)
    assert behind.exists()
    assert {row["claim_id"] for row in rows} == {str(c.uuid) for c in behind}
    airstrike = next(row for row in rows if row["kind"] == "fatalities" and row["value_best"])
    for column in ("event", "claimant", "claimant_is_party", "document", "outlet", "quote"):
        assert airstrike[column], column
    assert airstrike["claimant_is_party"] in {"true", "false"}
    # The claims' own filters narrow them.
    fatalities = csv_rows(download(client, "/export/claims.csv?contested=true&kind=fatalities"))
    assert {row["kind"] for row in fatalities} == {"fatalities"}
    assert 0 < len(fatalities) < len(rows)


def test_json_lines_give_the_same_claims_as_csv_with_nulls_for_missing_values(idlib):
    client = Client()
    for base in ("/export/claims.{}", "/api/v1/claims/?format={}"):
        rows = csv_rows(download(client, base.format("csv")))
        lines = download(client, base.format("jsonl")).splitlines()
        objects = [json.loads(line) for line in lines]
        assert [o["claim_id"] for o in objects] == [row["claim_id"] for row in rows]
        for row, obj in zip(rows, objects, strict=True):
            assert list(obj) == list(row)
            for column, value in obj.items():
                assert row[column] == ("" if value is None else str(value)), column


def test_bad_claim_filters_are_named_not_ignored(idlib):
    response = Client().get("/export/claims.csv?kind=rumour")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert Client().get("/export/claims.xml").status_code == 404
