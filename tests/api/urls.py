"""Only the API, mounted where conflictkb/urls.py mounts it: API tests do not depend on pages."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("api.urls"))]
