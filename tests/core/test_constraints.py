"""Every invariant is held twice: by the database whatever writes the row, and by the admin
form with a message on the field an editor has to fix."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from actors.models import Actor, ActorName, ActorRelation
from events.models import Event, Location
from sources.models import Claim
from tests.factories import (
    ActorFactory,
    ActorRelationFactory,
    ClaimFactory,
    DocumentFactory,
    EventFactory,
    LocationFactory,
)

pytestmark = pytest.mark.django_db


def admin_form_errors(model: type, user: Any, data: dict[str, Any], instance: Any = None) -> dict:
    """Errors of the admin's own ModelForm for ``model`` (the form editors submit)."""
    request = RequestFactory().post("/")
    request.user = user
    model_admin = admin.site._registry[model]
    form_class = model_admin.get_form(request, instance)
    form = form_class(data=data, instance=instance)
    assert not form.is_valid()
    return form.errors


def event_form_data(**overrides: Any) -> dict[str, Any]:
    event = EventFactory.build()
    data = {
        "title": "Strike",
        "summary": "",
        "event_type": event.event_type.pk,
        "start_date": "2018-09-04",
        "end_date": "2018-09-04",
        "date_precision": 1,
        "geo_precision": 1,
        "fatality_rule": "range",
        "status": "draft",
    }
    return {**data, **overrides}


def claim_form_data(**overrides: Any) -> dict[str, Any]:
    claim = ClaimFactory()
    data = {
        "event": claim.event_id,
        "kind": "fatalities",
        "claimant_actor": claim.claimant_actor_id,
        "document": claim.document_id,
        "quote": "killed 13 civilians",
        "value_best": 13,
        "stance": "asserts",
        "credibility": 3,
        "status": "accepted",
    }
    return {k: v for k, v in {**data, **overrides}.items() if v is not None}


def test_database_refuses_an_event_ending_before_it_starts():
    event = EventFactory()
    with pytest.raises(IntegrityError, match="event_end_after_start"):
        Event.objects.filter(pk=event.pk).update(end_date=datetime.date(2018, 9, 1))


def test_admin_names_end_date_when_an_event_ends_before_it_starts(superuser):
    errors = admin_form_errors(
        Event, superuser, event_form_data(start_date="2018-09-04", end_date="2018-09-01")
    )
    assert errors["end_date"] == ["The end date must be on or after the start date."]


def test_admin_fills_the_end_date_of_a_one_day_event(superuser):
    request = RequestFactory().post("/")
    request.user = superuser
    form = admin.site._registry[Event].get_form(request)(data=event_form_data(end_date=""))
    assert form.is_valid(), form.errors
    assert form.save().end_date == datetime.date(2018, 9, 4)


@pytest.mark.parametrize(
    ("values", "constraint", "field", "message"),
    [
        (
            {"value_low": 20, "value_best": 13},
            "claim_low_best_high_ordered",
            "value_low",
            "Low (20) cannot be above best (13).",
        ),
        (
            {"value_best": 13, "value_high": 5},
            "claim_low_best_high_ordered",
            "value_high",
            "High (5) cannot be below best (13).",
        ),
        (
            {"value_low": 9, "value_best": None, "value_high": 5},
            "claim_low_best_high_ordered",
            "value_high",
            "High (5) cannot be below low (9).",
        ),
        (
            {"value_best": None},
            "claim_numeric_kind_has_value",
            "value_best",
            "A fatalities claim needs a figure.",
        ),
    ],
)
def test_claim_figures_are_ordered_and_present(superuser, values, constraint, field, message):
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(**{"value_best": 13, **values})
    errors = admin_form_errors(Claim, superuser, claim_form_data(**values))
    assert errors[field] == [message]


def test_claim_figures_cannot_be_negative(superuser):
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(value_best=-1)
    errors = admin_form_errors(Claim, superuser, claim_form_data(value_best=-1))
    assert "greater than or equal to 0" in errors["value_best"][0]


def test_a_claim_has_exactly_one_subject(superuser):
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match="claim_exactly_one_subject"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(event=None)
    with pytest.raises(IntegrityError, match="claim_exactly_one_subject"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(actor=ActorFactory())
    errors = admin_form_errors(Claim, superuser, claim_form_data(event=None))
    assert errors["event"] == [
        "Choose what the claim is about: exactly one event, actor, relation or place."
    ]
    errors = admin_form_errors(Claim, superuser, claim_form_data(location=LocationFactory().pk))
    assert errors["event"] == [
        "Choose what the claim is about: exactly one event, actor, relation or place (now 2)."
    ]


def test_a_claim_has_exactly_one_claimant(superuser):
    claim = ClaimFactory()
    outlet = claim.document.outlet
    with pytest.raises(IntegrityError, match="claim_exactly_one_claimant"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(claimant_outlet=outlet)
    with pytest.raises(IntegrityError, match="claim_exactly_one_claimant"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(claimant_actor=None)
    errors = admin_form_errors(Claim, superuser, claim_form_data(claimant_outlet=outlet.pk))
    assert errors["claimant_actor"] == [
        "Choose who makes the claim: an actor or an outlet, not both."
    ]


def test_a_perpetrator_claim_names_an_actor(superuser):
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match="claim_perpetrator_names_actor"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(kind="perpetrator")
    errors = admin_form_errors(
        Claim, superuser, claim_form_data(kind="perpetrator", value_best=None)
    )
    assert errors["value_actor"] == ["Name the actor this claim blames."]


def test_a_deprecated_claim_says_why(superuser):
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match="claim_deprecation_has_reason"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="deprecated")
    errors = admin_form_errors(Claim, superuser, claim_form_data(status="deprecated"))
    assert errors["deprecation_reason"] == ["Say why the claim is deprecated; it stays in history."]


@pytest.mark.parametrize(
    ("coordinates", "constraint", "field", "message"),
    [
        (
            {"latitude": 91, "longitude": 36},
            "location_latitude_range",
            "latitude",
            "Latitude must be between -90 and 90.",
        ),
        (
            {"latitude": 35, "longitude": -181},
            "location_longitude_range",
            "longitude",
            "Longitude must be between -180 and 180.",
        ),
        (
            {"latitude": 35, "longitude": None},
            "location_lat_lon_together",
            "longitude",
            "Give both latitude and longitude, or neither.",
        ),
    ],
)
def test_coordinates_stay_on_the_globe(superuser, coordinates, constraint, field, message):
    place = LocationFactory()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Location.objects.filter(pk=place.pk).update(**coordinates)
    data = {"name": "Saraqib", "kind": "town", "status": "draft", "not_a_duplicate": "on"}
    data |= {k: v for k, v in coordinates.items() if v is not None}
    errors = admin_form_errors(Location, superuser, data)
    assert errors[field] == [message]


def test_a_place_cannot_be_its_own_ancestor(superuser):
    syria = LocationFactory(name="Syria", kind="country", parent=None)
    idlib = LocationFactory(name="Idlib governorate", kind="admin1", parent=syria)
    town = LocationFactory(name="Saraqib", parent=idlib)
    with pytest.raises(IntegrityError, match="own ancestor"), transaction.atomic():
        Location.objects.filter(pk=syria.pk).update(parent=town)
    with (
        pytest.raises(IntegrityError, match=r"own ancestor|location_not_own_parent"),
        transaction.atomic(),
    ):
        Location.objects.filter(pk=syria.pk).update(parent=syria)
    data = {"name": "Syria", "kind": "country", "parent": town.pk, "status": "published"}
    errors = admin_form_errors(Location, superuser, data, instance=syria)
    assert errors["parent"] == ["“Saraqib” is inside “Syria”: a place cannot be its own ancestor."]


@pytest.mark.parametrize("model", [ActorRelation, ActorName])
def test_a_dated_relation_or_name_cannot_end_before_it_starts(superuser, model):
    if model is ActorRelation:
        row: Any = ActorRelationFactory(valid_from=datetime.date(2018, 9, 5))
    else:
        row = ActorName.objects.create(
            actor=ActorFactory(), name="Nusra Front", valid_from=datetime.date(2012, 1, 23)
        )
    with pytest.raises(IntegrityError, match="valid_to_after_from"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(valid_to=datetime.date(2000, 1, 1))
    row.valid_to = datetime.date(2000, 1, 1)
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    assert raised.value.message_dict["valid_to"] == [
        "The end date must be on or after the start date."
    ]


def test_an_actor_cannot_be_related_to_itself():
    actor: Actor = ActorFactory()
    with pytest.raises(IntegrityError, match="actorrelation_not_reflexive"), transaction.atomic():
        ActorRelation.objects.create(subject=actor, kind="allied_with", object=actor)


def test_external_ids_are_unique_where_set():
    EventFactory(acled_id="SYR12345")
    EventFactory(acled_id="")
    EventFactory(acled_id="")  # blank ids do not collide
    with pytest.raises(IntegrityError, match="event_acled_id_unique"), transaction.atomic():
        EventFactory(acled_id="SYR12345")


def test_a_document_url_is_unique_when_set():
    DocumentFactory(url="https://example.org/report")
    DocumentFactory(url="")
    DocumentFactory(url="")
    with pytest.raises(IntegrityError, match="document_url_unique"), transaction.atomic():
        DocumentFactory(url="https://example.org/report")
