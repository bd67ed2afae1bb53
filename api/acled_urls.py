"""ACLED's read API at ``/api/`` (beside ``/api/v1/``), so ``ACLED_API_HOST=https://<site>/api``
points ACLED's clients at ConflictKB."""

from django.urls import path

from api.acled import (
    ActorsView,
    ActorTypesView,
    CountriesView,
    DeletedView,
    EventsView,
    RegionsView,
)

app_name = "acled"

urlpatterns = [
    path("acled/read", EventsView.as_view(), name="events"),
    path("deleted/read", DeletedView.as_view(), name="deleted"),
    path("actor/read", ActorsView.as_view(), name="actors"),
    path("actortype/read", ActorTypesView.as_view(), name="actor-types"),
    path("country/read", CountriesView.as_view(), name="countries"),
    path("region/read", RegionsView.as_view(), name="regions"),
]
