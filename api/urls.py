"""Every resource on one router, plus the schema, its docs UI and the deletions feed."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from api.actors import ActorRelationViewSet, ActorViewSet
from api.candidates import CandidateListView
from api.deleted import DeletedView
from api.events import EventTypeViewSet, EventViewSet, PlaceViewSet
from api.sources import ClaimViewSet, DocumentViewSet, OutletViewSet
from core.security import content_security_policy

app_name = "api"

router = DefaultRouter()
router.register("events", EventViewSet, basename="event")
router.register("actors", ActorViewSet, basename="actor")
router.register("actor-relations", ActorRelationViewSet, basename="actorrelation")
router.register("places", PlaceViewSet, basename="place")
router.register("event-types", EventTypeViewSet, basename="eventtype")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("documents", DocumentViewSet, basename="document")
router.register("claims", ClaimViewSet, basename="claim")


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI. The split view serves its start-up script as a file, so the site's policy of
    no inline script holds; Swagger UI does set inline styles, allowed on this page only."""

    @extend_schema(exclude=True)  # the docs page is not part of the API it documents
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = content_security_policy().replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("deleted/", DeletedView.as_view(), name="deleted"),
    path("event-candidates/", CandidateListView.as_view(), name="event-candidates"),
    *router.urls,
]
