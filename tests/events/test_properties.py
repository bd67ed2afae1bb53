"""Property tests: for any input, the date and figure labels and the claim invariants hold."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import DatePrecision
from events.templatetags.conflictkb import date_span_label, figure_range_label
from sources.models import Claim
from tests.factories import ClaimFactory

dates = st.dates(min_value=datetime.date(1946, 1, 1), max_value=datetime.date(2100, 12, 31))
precisions = st.sampled_from([int(p) for p in DatePrecision])
figures = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


@given(start=dates, length=st.integers(min_value=0, max_value=800), precision=precisions)
def test_a_date_label_always_names_the_years_it_spans(start, length, precision):
    end = start + datetime.timedelta(days=length)
    label = date_span_label(start, end, precision)
    assert str(start.year) in label
    assert str(end.year) in label
    assert "None" not in label
    if precision <= DatePrecision.WEEK:
        assert str(end.day) in label  # day-level precisions show the days
    if start == end and precision == DatePrecision.DAY:
        assert label == f"{start.day} {start:%b %Y}"


@given(low=figures, best=figures, high=figures)
def test_a_figure_label_spans_the_lowest_to_the_highest_known_figure(low, best, high):
    label = figure_range_label(low, best, high)
    known = [v for v in (low, best, high) if v is not None]
    if not known:
        assert label == ""
    else:
        assert label.startswith(f"{min(known):,}")
        assert label.endswith(f"{max(known):,}")


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(low=figures, best=figures, high=figures)
def test_the_form_and_the_database_agree_on_every_fatality_triple(low, best, high):
    """clean() accepts exactly the triples the database accepts, and names a field otherwise."""
    claim: Claim = ClaimFactory()
    claim.value_low, claim.value_best, claim.value_high = low, best, high
    errors: set[str] = set()
    try:
        claim.full_clean()
    except ValidationError as error:
        errors = set(error.message_dict)
    try:
        with transaction.atomic():
            claim.save()
        database_accepts = True
    except IntegrityError:
        database_accepts = False
    assert errors <= {"value_low", "value_best", "value_high"}
    assert (not errors) == database_accepts
