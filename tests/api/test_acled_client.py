"""ACLED's own Python client (the ``acled`` package from PyPI), unchanged, reading a live
ConflictKB: only ``ACLED_API_HOST`` points it here, with ACLED's legacy key and e-mail.

The client runs in a process of its own, as an analyst's script does, against the test
server over HTTP; what it parses is compared with what ConflictKB holds.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from events.models import Event
from interchange.layouts import acled_event_id

pytestmark = pytest.mark.django_db(transaction=True)

# The script prints what the client parsed, each value with its Python type.
SCRIPT = """
import datetime, json, sys
from acled import AcledClient

def typed(rows):
    return [
        {k: [type(v).__name__, v.isoformat() if hasattr(v, "isoformat") else v] for k, v in r.items()}
        for r in rows
    ]

client = AcledClient()  # ACLED_API_KEY and ACLED_EMAIL from the environment
"""


def run_client(live_server: Any, code: str) -> Any:
    env = {
        **os.environ,
        "ACLED_API_HOST": f"{live_server.url}/api",
        "ACLED_API_KEY": "analyst-key",
        "ACLED_EMAIL": "analyst@example.org",
        "ACLED_MAX_RETRIES": "0",
    }
    for name in ("ACLED_USERNAME", "ACLED_PASSWORD"):
        env.pop(name, None)
    script = SCRIPT + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def values(row: dict[str, list[Any]]) -> dict[str, Any]:
    return {name: value for name, (_, value) in row.items()}


def test_acleds_client_reads_events_by_country_dates_actor_fields_and_pages(
    committed_idlib, live_server
):
    answer = run_client(
        live_server,
        """
        by_country = client.get_data(
            country="Syria", event_date="2018-09-01|2018-09-04",
            query_params={"event_date_where": "BETWEEN"}, limit=100,
        )
        by_actor = client.get_data(actor1="russia", limit=100)
        chosen = client.get_data(fields="event_id_cnty|event_date|fatalities", limit=100)
        pages = [client.get_data(limit=2, page=page) for page in (1, 2, 3, 4)]
        print(json.dumps({
            "by_country": typed(by_country), "by_actor": typed(by_actor),
            "chosen": typed(chosen), "pages": [typed(page) for page in pages],
        }))
        """,
    )
    published = Event.objects.published()
    in_window = published.filter(
        location__country_code="SY",
        start_date__range=(datetime.date(2018, 9, 1), datetime.date(2018, 9, 4)),
    ).order_by("-start_date", "-pk")
    assert [values(row)["event_id_cnty"] for row in answer["by_country"]] == [
        acled_event_id(event) for event in in_window
    ]
    # The client parsed every typed value: dates, numbers, the time of the last change.
    strike = Event.objects.get(title="Russian airstrikes on Idlib")
    [row] = [
        r for r in answer["by_country"] if values(r)["event_id_cnty"] == acled_event_id(strike)
    ]
    assert row["event_date"] == ["date", "2018-09-04"]
    assert row["year"] == ["int", 2018]
    assert row["fatalities"] == ["int", strike.fatalities_low]
    assert row["latitude"] == ["float", strike.location.latitude]
    assert row["longitude"] == ["float", strike.location.longitude]
    assert row["timestamp"][0] == "datetime"
    assert datetime.datetime.fromisoformat(row["timestamp"][1]) >= strike.updated_at.replace(
        microsecond=0
    )
    assert (values(row)["country"], values(row)["region"]) == ("Syria", "Middle East")

    assert {values(r)["actor1"] for r in answer["by_actor"]} == {"Military Forces of Russia"}
    assert all(list(r) == ["event_id_cnty", "event_date", "fatalities"] for r in answer["chosen"])
    assert len(answer["chosen"]) == published.count()

    pages = [[values(r)["event_id_cnty"] for r in page] for page in answer["pages"]]
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert [i for page in pages for i in page] == [
        acled_event_id(e) for e in published.order_by("-start_date", "-pk")
    ]


def test_acleds_client_reads_the_deleted_feed_after_an_event_is_deleted(
    committed_idlib, live_server
):
    event = Event.objects.get(title="Syrian government forces mass on the Idlib frontlines")
    event_id = acled_event_id(event)
    event.delete()
    answer = run_client(
        live_server,
        """
        print(json.dumps(typed(client.get_deleted_data(limit=50))))
        """,
    )
    [row] = answer
    assert row["event_id_cnty"] == ["str", event_id]
    assert row["deleted_timestamp"][0] == "int"  # the client parses ACLED's string
    assert abs(row["deleted_timestamp"][1] - datetime.datetime.now(datetime.UTC).timestamp()) < 600
