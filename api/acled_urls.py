"""ACLED's read API and UCDP's GED API at ``/api/`` (beside ``/api/v1/``), so
``ACLED_API_HOST=https://<site>/api`` points ACLED's clients at ConflictKB, and UCDP's clients
read ``https://<site>/api/gedevents/<version>``."""

from django.urls import path, re_path

from api.acled import (
    ActorsView,
    ActorTypesView,
    CountriesView,
    DeletedView,
    EventsView,
    RegionsView,
)
from api.ucdp import GedEventsAnyCase, GedEventsView

app_name = "acled"

urlpatterns = [
    path("acled/read", EventsView.as_view(), name="events"),
    path("deleted/read", DeletedView.as_view(), name="deleted"),
    path("actor/read", ActorsView.as_view(), name="actors"),
    path("actortype/read", ActorTypesView.as_view(), name="actor-types"),
    path("country/read", CountriesView.as_view(), name="countries"),
    path("region/read", RegionsView.as_view(), name="regions"),
    path("gedevents/<str:version>", GedEventsView.as_view(), name="ged"),
    # UCDP's paths are read whatever their case (GEDEvents). Spelled letter by letter: Django
    # cannot reverse a pattern with an inline (?i) flag, and every {% url %} would fail.
    re_path(
        r"^[gG][eE][dD][eE][vV][eE][nN][tT][sS]/(?P<version>[^/]+)/?$",
        GedEventsAnyCase.as_view(),
    ),
]
