"""Headless Chromium for what a browser shows: layout measurements and screenshots.

Driven by Playwright against the system Chromium (Debian's ``chromium``; ``.ci/run``
installs it). Tests that need it use the ``browser`` fixture; they are skipped when no
Chromium is installed, unless ``DIGEST_REQUIRE_CHROMIUM=1`` (set by ``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# What a closed network needs: no background requests, no first-run, no sandbox (root).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


class Browser:
    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def page(self, width: int, height: int = 900) -> Any:
        return self._browser.new_page(viewport={"width": width, "height": height})

    def measure_html(self, html: str, width: int) -> dict[str, int]:
        """Load ``html`` at ``width`` px (remote requests refused) and measure the document."""
        page = self.page(width)
        try:
            page.route(
                "**/*",
                lambda route: (
                    route.abort()
                    if not route.request.url.startswith("data:")
                    else route.continue_()
                ),
            )
            page.set_content(html, wait_until="load")
            return dict(
                page.evaluate(
                    "({scroll_width: document.documentElement.scrollWidth,"
                    " client_width: document.documentElement.clientWidth,"
                    " scroll_height: document.documentElement.scrollHeight})"
                )
            )
        finally:
            page.close()

    def screenshot_html(self, html: str, width: int, out: Path) -> Path:
        page = self.page(width)
        try:
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            page.screenshot(path=str(out), full_page=True)
        finally:
            page.close()
        return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = find_chromium()
    required = os.environ.get("DIGEST_REQUIRE_CHROMIUM") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("DIGEST_REQUIRE_CHROMIUM=1 but playwright is not installed")
        pytest.skip("needs playwright (pip install -e '.[test]')")
    if path is None:
        if required:
            pytest.fail("DIGEST_REQUIRE_CHROMIUM=1 but no Chromium found")
        pytest.skip("needs Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=FLAGS)
        try:
            yield Browser(chromium)
        finally:
            chromium.close()
