"""The REST API under /api/v1/ (URL namespace "api").

``base`` holds what every resource shares (authentication, permissions, paging, throttling,
filter backends, ETags, validated and audited writes); each app's ``api.py`` holds its
serializers and viewsets; ``routes`` puts them on one router.
"""

from typing import Any

app_name = "api"


def __getattr__(name: str) -> Any:
    # The apps' api modules import conflictkb.api.base, so importing them from here at module
    # level would be circular; the URL resolver asks for urlpatterns only once all are loaded.
    if name == "urlpatterns":
        from conflictkb.api.routes import urlpatterns

        return urlpatterns
    raise AttributeError(name)
