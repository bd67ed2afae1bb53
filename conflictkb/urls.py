from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("events.urls")),
    path("actors/", include("actors.urls")),
    path("sources/", include("sources.urls")),
]
