"""Hostile source data never reaches the email as markup or as a link: scripts, event
handlers, javascript: URLs and attribute breakers in every field a source controls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.models import CategoryCount, Digest, Summary, WeatherReading, WeatherReport
from digest.render import render_digest, render_html, render_html_direct, render_text
from digest.render.check import check_html
from digest.render.esp import ESP_PRESETS

from .helpers import SAMPLE_DATE, run_digest, write
from .render_fixtures import fixture_digest, render_config

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</td></tr></table><iframe src=//evil.example></iframe>",
]
BAD_URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '"><script>alert(1)</script>',
    "//evil.example/x",
    "/relative/path",
]
MERGE_TAGS = {tag for name in ESP_PRESETS.names() for tag in ESP_PRESETS.get(name).tags()}


def hostile_digest(payload: str, url: str) -> Digest:
    """Every source-controlled field of the fixture holds ``payload``; every link ``url``."""
    base = fixture_digest()

    def story(s):  # type: ignore[no-untyped-def]
        return s.model_copy(
            update={
                "article": s.article.model_copy(
                    update={
                        "title": f"Title {payload}",
                        "author": payload,
                        "category": payload,
                        "sources": [payload],
                        "image": url,
                    }
                ),
                "summary": Summary(text=f"Summary {payload} end"),
                "link": url,
            }
        )

    assert base.lead is not None
    return base.model_copy(
        update={
            "preheader": payload,
            "lead": story(base.lead),
            "stories": [story(s) for s in base.stories[:3]],
            "trending": [
                t.model_copy(
                    update={"title": payload, "link": url, "summary": Summary(text=payload)}
                )
                for t in base.trending[:3]
            ],
            "categories": [CategoryCount(name=payload, count=2)],
            "weather": WeatherReport(
                provider="file",
                readings=[
                    WeatherReading(
                        place=payload,
                        label=payload,
                        temperature=21,
                        condition=payload,
                        symbol=payload,
                    )
                ],
            ),
            "health_notes": [payload],
        }
    )


def assert_no_active_content(html: str) -> None:
    doc = lxml_html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("script", "iframe", "svg", "object", "embed", "form"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name in ("href", "src"):
                assert value in MERGE_TAGS or re.match(r"^(https?://|mailto:)", value), value
    assert not re.search(r"<(script|svg|iframe)\b", html, re.I)
    bad = [
        f
        for f in check_html(html)
        if f.rule in ("forbidden-element", "event-handler", "unsafe-url")
    ]
    assert bad == []


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("path", ["prepared", "direct"])
def test_hostile_text_is_escaped_everywhere(payload: str, path: str) -> None:
    render = render_html if path == "prepared" else render_html_direct
    html = render(hostile_digest(payload, "https://ok.example/a"), render_config(show_images=True))
    assert_no_active_content(html)
    # The text is there, as text.
    doc = lxml_html.document_fromstring(html)
    assert payload.strip() in doc.text_content()


@pytest.mark.parametrize("url", BAD_URLS)
def test_unsafe_links_and_images_never_reach_the_html(url: str) -> None:
    html = render_html(hostile_digest("x", url), render_config(show_images=True))
    assert_no_active_content(html)
    assert "evil.example" not in html
    assert "<img" not in html  # every image URL was unsafe: no image at all


def test_each_dropped_link_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    """One warning per dropped link or image: not one per part, not only the first."""
    import logging

    digest = hostile_digest("x", "javascript:alert(1)")
    with caplog.at_level(logging.WARNING, logger="digest"):
        render_digest(digest, render_config(show_images=True))
    warnings = [r.getMessage().split(" with ")[0] for r in caplog.records]
    # the lead, three stories and three trending rows; the four story images
    assert warnings.count("dropped a link") == 7
    assert warnings.count("dropped an image") == 4


@pytest.mark.parametrize("url", BAD_URLS)
def test_unsafe_links_never_become_text_references(url: str) -> None:
    text = render_text(hostile_digest("<script>alert(1)</script>", url), render_config())
    refs = re.findall(r"^\[\d+\] (.*)$", text, re.M)
    assert all(re.match(r"^(https?://|mailto:)", r) for r in refs), refs
    assert "javascript:" not in text.lower()
    assert "evil.example" not in text


def test_a_hostile_feed_builds_a_safe_digest(tmp_path: Path) -> None:
    """End to end through a real feed file and the CLI."""
    items = []
    for day, (title, link) in enumerate(
        [
            ("<script>alert(1)</script> Council votes on budget", "javascript:alert(1)"),
            ('Ferry " onmouseover="alert(1) timetable changes', "https://ok.example/ferry"),
            ("<img src=x onerror=alert(1)> Market opens", "https://ok.example/market"),
        ],
        start=2,
    ):
        title_xml = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        items.append(
            f"<item><title>{title_xml}</title><link>{link.replace('&', '&amp;')}</link>"
            f"<guid>id-{day}</guid><pubDate>Tue, 0{day} Dec 2025 09:00:00 +0800</pubDate>"
            "<category>&lt;b onclick=alert(1)&gt;News</category>"
            "<description><![CDATA[<p onclick='alert(1)'>Hello <script>alert(2)</script>"
            "<a href='javascript:alert(3)'>there</a> <img src=x onerror=alert(4)></p>]]>"
            "</description></item>"
        )
    write(
        tmp_path / "feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        + "".join(items)
        + "</channel></rss>",
    )
    write(
        tmp_path / "trending.csv",
        "rank,title,url,views\n1,<script>alert(1)</script>,javascript:alert(1),10\n"
        '2,"x"" onmouseover=""alert(1)",https://ok.example/t,5\n',
    )
    config = write(
        tmp_path / "digest.toml",
        '[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n'
        '[[sources]]\ntype = "feed"\npath = "feed.xml"\n'
        '[trending]\npath = "trending.csv"\n',
    )
    html_result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE)
    assert html_result.code == 0, html_result.stderr
    assert_no_active_content(html_result.stdout)
    assert "Council votes on budget" in html_result.stdout
    text_result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "text")
    assert text_result.code == 0
    assert "javascript:" not in text_result.stdout.lower()
