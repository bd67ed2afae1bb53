"""Records' addresses from one URL resolution per kind of page, not one per record.

``reverse()`` walks the URL patterns every time it is called: for a page of fifty events, each
with its place and actors, that is a few hundred resolutions, a noticeable share of the page's
time. Resolving a pattern once with a placeholder key and putting each record's key in its
place gives the same addresses.
"""

from __future__ import annotations

from django.urls import reverse


class LinkTemplates:
    """``links("events:detail", event.uuid)`` is ``event.get_absolute_url()``, cached per view.

    One instance per request or render: the script prefix (a site served below a path) is
    read when a pattern is first resolved.
    """

    PLACEHOLDER = "00000000-0000-0000-0000-000000000000"  # a valid uuid, slug and path part

    def __init__(self) -> None:
        self.templates: dict[str, tuple[str, str]] = {}

    def resolve(self, view_name: str, kwargs: dict[str, str]) -> str:
        return reverse(view_name, kwargs=kwargs)

    def __call__(self, view_name: str, key: object, lookup: str = "uuid") -> str:
        template = self.templates.get(view_name)
        if template is None:
            url = self.resolve(view_name, {lookup: self.PLACEHOLDER})
            head, _, tail = url.partition(self.PLACEHOLDER)
            template = self.templates[view_name] = (head, tail)
        return f"{template[0]}{key}{template[1]}"
