"""What a browser shows: no horizontal scrolling on a 375 px phone, the container at 600 px
on a desktop, in headless Chromium (skipped without it unless DIGEST_REQUIRE_CHROMIUM=1)."""

from __future__ import annotations

import pytest

from digest.models import Summary
from digest.render import render_html, render_html_direct

from .browser import Browser
from .render_fixtures import fixture_digest, render_config

pytestmark = pytest.mark.browser


def long_word_digest():  # type: ignore[no-untyped-def]
    """A headline and summary with an unbreakable 90-character token (a pasted URL)."""
    digest = fixture_digest()
    lead = digest.lead
    assert lead is not None
    url = "https://example.com/" + "a-very-long-path-segment" * 3 + "?and=query&more=params"
    lead = lead.model_copy(
        update={
            "article": lead.article.model_copy(update={"title": f"Read {url} first"}),
            "summary": Summary(text=f"The full report lives at {url} for now."),
        }
    )
    return digest.model_copy(update={"lead": lead})


@pytest.mark.parametrize("show_images", [False, True])
@pytest.mark.parametrize("esp", ["generic", "listmonk"])
def test_no_horizontal_scroll_at_375px(browser: Browser, show_images: bool, esp: str) -> None:
    html = render_html(fixture_digest(), render_config(esp=esp, show_images=show_images))
    measured = browser.measure_html(html, 375)
    assert measured["scroll_width"] <= 375, measured


def test_long_unbroken_words_do_not_widen_the_phone_layout(browser: Browser) -> None:
    html = render_html(long_word_digest(), render_config(show_images=True))
    assert browser.measure_html(html, 375)["scroll_width"] <= 375


def test_direct_path_also_fits_375px(browser: Browser) -> None:
    html = render_html_direct(fixture_digest(), render_config())
    assert browser.measure_html(html, 375)["scroll_width"] <= 375


def test_desktop_width_is_600px_centred(browser: Browser) -> None:
    html = render_html(fixture_digest(), render_config(show_images=True))
    page = browser.page(900)
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(html, wait_until="load")
        box = page.locator("table.container").bounding_box()
        image = page.locator("img.lead-image").bounding_box()
        cells = page.locator("td.weather-cell").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
    finally:
        page.close()
    assert box is not None and round(box["width"]) == 600
    assert abs(box["x"] - (900 - 600) / 2) <= 1
    assert image is not None and image["width"] <= 544  # never wider than the column
    assert len(set(cells)) == 1  # the weather strip is one row


def test_weather_wraps_two_to_a_row_on_phones(browser: Browser) -> None:
    html = render_html(fixture_digest(), render_config())
    page = browser.page(375)
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(html, wait_until="load")
        tops = page.locator("td.weather-cell").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
    finally:
        page.close()
    assert len(tops) == 4 and len(set(tops)) == 2, tops
