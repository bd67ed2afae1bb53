from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from pages.urls import actor_urlpatterns


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico whatever the page says. The hashed static name is looked up
    # per request: at import time the production manifest may not exist yet.
    return HttpResponsePermanentRedirect(static("conflictkb/favicon.svg"))


# Tells "the database is down, retry" (503) apart from other failures (500), as HTML or JSON.
handler500 = "core.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/", include("api.acled_urls")),
    path("actors/", include((actor_urlpatterns, "actors"))),
    path("sources/", include("sources.urls")),
    path("export/", include("interchange.urls")),
    path("favicon.ico", favicon),
    path("", include("pages.urls")),
    path("", include("events.urls")),
]
