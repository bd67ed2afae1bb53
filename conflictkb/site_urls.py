"""Site-wide pages that belong to no single app (search, the claims download)."""

from django.urls import path

from conflictkb import views
from sources.views import ExportClaimsView

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    # The claims behind the timeline's filtered events (sources composes events' filters).
    path("export/claims.<str:file_format>", ExportClaimsView.as_view(), name="export_claims"),
]
