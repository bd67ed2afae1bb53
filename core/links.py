"""Records' addresses from one URL resolution per kind of page, not one per record.

``reverse()`` walks the URL patterns every time it is called: for a page of fifty events, each
with its place and actors, that is a few hundred resolutions, a noticeable share of the page's
time. Resolving a pattern once with a placeholder key and putting each record's key in its
place gives the same addresses.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"  # a valid uuid, slug and path part


def split_at_key(url: str) -> tuple[str, str]:
    head, _, tail = url.partition(PLACEHOLDER)
    return head, tail


@functools.cache
def _page_url_template(view_name: str, lookup: str, urlconf: str, prefix: str) -> tuple[str, str]:
    return split_at_key(reverse(view_name, urlconf=urlconf, kwargs={lookup: PLACEHOLDER}))


def page_url(view_name: str, key: object, lookup: str = "uuid") -> str:
    """A record's page, as ``reverse()`` gives it, from one resolution per kind of page for as
    long as the process runs (per URL configuration and script prefix)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    head, tail = _page_url_template(view_name, lookup, urlconf, get_script_prefix())
    return f"{head}{key}{tail}"


class LinkTemplates:
    """``links("events:detail", event.uuid)`` is ``event.get_absolute_url()``, cached per view.

    One instance per request or render: the script prefix (a site served below a path) is
    read when a pattern is first resolved.
    """

    def __init__(self) -> None:
        self.templates: dict[str, tuple[str, str]] = {}

    def resolve(self, view_name: str, kwargs: dict[str, str]) -> str:
        return reverse(view_name, kwargs=kwargs)

    def __call__(self, view_name: str, key: object, lookup: str = "uuid") -> str:
        template = self.templates.get(view_name)
        if template is None:
            url = self.resolve(view_name, {lookup: PLACEHOLDER})
            template = self.templates[view_name] = split_at_key(url)
        return f"{template[0]}{key}{template[1]}"
