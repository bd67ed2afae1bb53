"""Every resource on one router, plus the schema, its docs UI and the deletions feed."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from actors.api import ActorRelationViewSet, ActorViewSet
from conflictkb.api.deleted import DeletedView
from events.api import EventTypeViewSet, EventViewSet, PlaceViewSet
from sources.api import ClaimViewSet, DocumentViewSet, OutletViewSet

router = DefaultRouter()
router.register("events", EventViewSet, basename="event")
router.register("actors", ActorViewSet, basename="actor")
router.register("actor-relations", ActorRelationViewSet, basename="actorrelation")
router.register("places", PlaceViewSet, basename="place")
router.register("event-types", EventTypeViewSet, basename="eventtype")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("documents", DocumentViewSet, basename="document")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("deleted/", DeletedView.as_view(), name="deleted"),
    *router.urls,
]
