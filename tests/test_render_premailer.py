"""premailer's pitfalls, each pinned: with its defaults the phone layout breaks and Outlook
gets fluid images. These tests fail if the options in prepare.run_premailer regress."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from digest.render import inline_css, render_html
from digest.render.prepare import check_stylesheet
from digest.resources import templates_dir

from .render_fixtures import fixture_digest, render_config

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><style>/*STYLESHEET*/</style></head>
<body><table role="presentation" class="container" width="600"><tr><td class="cell">
<img class="hero" src="https://example.com/a.jpg" width="600" height="300" alt="A">
<p class="text">Hello</p></td></tr></table></body></html>"""

CSS = """
.container { width: 600px; }
.hero { width: 100%; height: auto; max-width: 600px; }
.text { color: #333333; font-size: 16px; }
@media only screen and (max-width: 599px) {
  .container { width: 100% !important; }
  .text { font-size: 18px !important; }
}
"""


def _style_blocks(html: str) -> list[str]:
    return re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)


def test_important_is_kept_in_the_media_queries_premailer_leaves() -> None:
    """strip_important=True (the default) strips it there too, and the inlined 600px wins
    on phones."""
    html = inline_css(PAGE, CSS)
    (block,) = _style_blocks(html)
    assert "@media" in block
    assert re.search(r"width:\s*100%\s*!important", block)
    assert re.search(r"font-size:\s*18px\s*!important", block)


def test_pixel_width_and_height_attributes_on_images_are_kept() -> None:
    """By default premailer turns width="600" into width="100%" from the CSS, which
    Outlook for Windows ignores (it shows the file at its own size)."""
    img = lxml_html.document_fromstring(inline_css(PAGE, CSS)).find(".//img")
    assert img.get("width") == "600"
    assert img.get("height") == "300"
    assert "width:100%" in img.get("style").replace(" ", "")


def test_table_width_attribute_is_not_rewritten_from_css() -> None:
    table = lxml_html.document_fromstring(inline_css(PAGE, CSS)).find(".//table")
    assert table.get("width") == "600"


def test_classes_stay_for_the_media_queries() -> None:
    """remove_classes=True would leave the @media rules nothing to select."""
    doc = lxml_html.document_fromstring(inline_css(PAGE, CSS))
    assert doc.find(".//table").get("class") == "container"
    assert doc.find(".//p").get("class") == "text"


def test_only_media_queries_stay_in_style() -> None:
    html = inline_css(PAGE, CSS)
    (block,) = _style_blocks(html)
    outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", block).strip()
    assert outside == ""
    assert 'class="text" style="' in html


def test_default_stylesheet_has_no_nested_media_and_passes_the_theme_checks() -> None:
    """premailer has crashed on a prefers-color-scheme block nested in another @media."""
    css = (templates_dir() / "default" / "style.css").read_text()
    check_stylesheet(css, "style.css")  # raises on nested at-rules
    depth = 0
    for token in re.findall(r"@media|\{|\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        if token == "@media":
            assert depth == 0, "nested @media in the default theme"
        else:
            depth += 1 if token == "{" else -1


def test_digest_pitfalls_end_to_end() -> None:
    """The same four properties on the real digest, images on."""
    html = render_html(fixture_digest(), render_config(show_images=True))
    doc = lxml_html.document_fromstring(html)
    img = doc.find(".//img")
    assert (img.get("width"), img.get("height")) == ("544", "306")
    blocks = _style_blocks(html)
    assert len(blocks) == 1
    media_declarations = [
        d.strip()
        for body in re.findall(r"\{([^{}]*)\}", blocks[0])
        for d in body.split(";")
        if d.strip()
    ]
    assert media_declarations
    assert all("!important" in d for d in media_declarations), media_declarations
    assert doc.find(".//table[@class='container']") is not None
    assert 'class="lead-title" style="' in html


def test_merge_tags_survive_premailer_in_the_direct_path() -> None:
    page = PAGE.replace(
        '<p class="text">Hello</p>',
        '<a href="{{ UnsubscribeURL }}">u</a><a href="<%asm_group_unsubscribe_raw_url%>">s</a>'
        '<a href="{{{ pm:unsubscribe }}}">p</a><a href="*|UNSUB|*">m</a>',
    )
    html = inline_css(page, CSS)
    for tag in (
        "{{ UnsubscribeURL }}",
        "<%asm_group_unsubscribe_raw_url%>",
        "{{{ pm:unsubscribe }}}",
        "*|UNSUB|*",
    ):
        assert f'href="{tag}"' in html
