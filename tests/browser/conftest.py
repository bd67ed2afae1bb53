"""Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the browser tests are skipped locally (``apt-get install chromium``)
and fail on CI (the ``CI`` environment variable is set), so CI cannot pass without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WIDTHS = (1280, 375)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module.

    Playwright's sync API runs an event loop in this thread, so Django would refuse the ORM
    calls the tests and the database fixtures make around it: DJANGO_ALLOW_ASYNC_UNSAFE is
    set for the module only (a process with it set fails Django's deployment checks).
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A browser page on the live server that records console errors and takes screenshots."""

    def __init__(self, browser: Any, base_url: str, width: int = 1280) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        # Nothing leaves the test machine: map tiles and any other outside request fail.
        self.page.route("**/*", self._only_live_server)

    def _only_live_server(self, route: Any) -> None:
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # A blocked outside request (a map tile) is reported as a failed resource: expected.
        if "Failed to load resource" in message.text and not url.startswith(self.base_url):
            return
        self.errors.append(f"{message.text} ({url})")

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        return response

    def screenshot(self, name: str) -> None:
        """Write screenshots/<name>-<width>.png at every width, full page."""
        SCREENSHOTS.mkdir(exist_ok=True)
        original = self.page.viewport_size
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.wait_for_timeout(150)
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        self.page.set_viewport_size(original)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, live_server: Any) -> Iterator[Visit]:
    """A fresh browser page; the test fails if the page logged a console error."""
    visit = Visit(browser, live_server.url)
    yield visit
    errors = list(visit.errors)
    visit.close()
    assert errors == [], errors


@pytest.fixture
def idlib_site(transactional_db: None) -> None:
    """The Idlib data set, committed so the live server sees it.

    A transactional test ends by emptying every table, including the event types that a
    migration loads; they are loaded again first (by natural key, so this is a no-op when
    they are still there).
    """
    from django.core.management import call_command

    call_command("loaddata", "event_types", verbosity=0)
    call_command("loaddata", "idlib-2018-09", verbosity=0)
