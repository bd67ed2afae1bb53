from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("conflictkb.api")),
    path("actors/", include("actors.urls")),
    path("sources/", include("sources.urls")),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("conflictkb/favicon.svg"), permanent=True)),
    path("", include("conflictkb.site_urls")),
    path("", include("events.urls")),
]
