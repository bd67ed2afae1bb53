from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("conflictkb.api")),
    path("actors/", include("actors.urls")),
    path("sources/", include("sources.urls")),
    path("", include("conflictkb.site_urls")),
    path("", include("events.urls")),
]
