"""Property-based run of the live OpenAPI schema: no 5xx, no response outside the schema.

schemathesis generates requests for every operation in /api/v1/schema/ and calls the WSGI app
in-process, anonymously and with a reviewer's token (who may write, publish and delete), one
operation at a time and (stateful) in sequences where a created record's id feeds the next
calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.fixtures import API_URLS
from tests.factories import (
    ActorNameFactory,
    ActorRelationFactory,
    ClaimFactory,
    DocumentRelayFactory,
    ParticipationFactory,
)

# Hypothesis' UUID strategy draws from a true random source, which a derandomized stateful run
# cannot replay ("FlakyStrategyDefinition: inconsistent data generation"); ids drawn as 16
# bytes replay exactly.
schemathesis.openapi.format(
    "uuid", st.binary(min_size=16, max_size=16).map(lambda raw: str(uuid.UUID(bytes=raw)))
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def live_wsgi_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[WSGIHandler]:
    """The WSGI app inside the test transaction, unthrottled.

    Django closes the connection when a request finishes, which would end the test's
    transaction; the test client disconnects the same signal handlers.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def some_published_records() -> None:
    """A little of everything, so generated requests also meet real rows."""
    claim = ClaimFactory()
    ParticipationFactory(event=claim.event)
    ActorNameFactory(actor=claim.claimant_actor)
    ActorRelationFactory(subject=claim.claimant_actor)
    DocumentRelayFactory(document=claim.document)


def run_every_operation(app: WSGIHandler, headers: dict[str, str], *, acled: bool = False) -> int:
    """Every operation of the v1 API, or (``acled``) of ACLED's API at /api/."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/") == acled:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
    return calls


def test_anonymous_clients_get_no_server_error_and_no_response_outside_the_schema(
    live_wsgi_app, some_published_records
):
    assert run_every_operation(live_wsgi_app, {}) > 100


def test_token_clients_get_no_server_error_and_no_response_outside_the_schema(
    live_wsgi_app, some_published_records, reviewer: User
):
    token = Token.objects.create(user=reviewer)
    assert run_every_operation(live_wsgi_app, {"Authorization": f"Token {token.key}"}) > 100


@pytest.mark.urls("conflictkb.urls")
def test_acled_compatible_clients_get_no_server_error_and_no_response_outside_the_schema(
    live_wsgi_app, some_published_records
):
    """ACLED's API at /api/ (acled/read, deleted/read, …): generated filters, operators and
    pages get ACLED's envelope or its 400, never a 5xx."""
    assert run_every_operation(live_wsgi_app, {}, acled=True) >= 6 * EXAMPLES_PER_OPERATION // 2


def test_token_clients_chaining_calls_get_no_server_error(
    live_wsgi_app, some_published_records, reviewer: User
):
    """Stateful: schemathesis links operations (a create's id feeds the read, update and delete
    of that record) and runs sequences of them with a reviewer's token."""
    token = Token.objects.create(user=reviewer)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", live_wsgi_app)
    calls: list[tuple[str, str, int]] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        # Each sequence starts from the same records and its writes are rolled back after it:
        # hypothesis revisits the choices of earlier sequences and expects the same responses
        # to them (which links can be followed), not the records earlier sequences left.
        def setup(self) -> None:
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Token {token.key}"}}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            calls.append((case.method, case.operation.path, response.status_code))
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The sequences really reached records they had created: a read, change or delete of a
    # record by its id succeeded (ids are random UUIDs unless a create's response gave them).
    assert any(
        method in ("GET", "PATCH", "PUT", "DELETE") and path.endswith("{uuid}/") and status < 300
        for method, path, status in calls
    )
    assert len(calls) > 50
