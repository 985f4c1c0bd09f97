"""The prepared template: premailer once per theme, plain Jinja2 per page, and the result
identical (after lxml's canonical re-serialisation) to rendering and then inlining."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import RenderError
from digest.models import Digest, Summary
from digest.render import (
    make_environment,
    prepared_template,
    render_html,
    render_html_direct,
    template_context,
)
from digest.render import prepare as prep
from digest.resources import templates_dir

from .render_fixtures import fixture_digest, render_config

DEFAULT_THEME = templates_dir() / "default"


def variants(digest: Digest) -> dict[str, Digest]:
    """Digests that exercise every optional section being present or absent."""
    lead, stories = digest.lead, digest.stories
    assert lead is not None
    odd = lead.model_copy(
        update={
            "article": lead.article.model_copy(
                update={
                    "title": 'Tom & Jerry\'s "<b>bold</b>" café — 25% off?',
                    "author": "O'Brien & Søn <script>",
                    "category": None,
                }
            ),
            "summary": Summary(text='It\'s 3 < 4 > 2 & "quoted"; naïve… 東京 \u00a0 done.'),
            "link": "https://example.com/a b?q=é&x=1#frag",
        }
    )
    return {
        "full": digest,
        "no-weather": digest.model_copy(update={"weather": None}),
        "lead-only": digest.model_copy(update={"stories": [], "trending": [], "categories": []}),
        "no-lead": digest.model_copy(update={"lead": None, "stories": stories[:2]}),
        "odd-characters": digest.model_copy(update={"lead": odd, "stories": stories[:1]}),
        "health-notes": digest.model_copy(
            update={"health_notes": ["Source 'Desk' failed 3 runs in a row: timeout"]}
        ),
        "no-links": digest.model_copy(
            update={
                "lead": lead.model_copy(update={"link": None}),
                "trending": [t.model_copy(update={"link": None}) for t in digest.trending],
            }
        ),
    }


@pytest.mark.parametrize("esp", ["generic", "mailchimp", "sendgrid", "postmark", "listmonk"])
@pytest.mark.parametrize("show_images", [False, True])
def test_prepared_equals_inlining_after_rendering(esp: str, show_images: bool) -> None:
    config = render_config(esp=esp, show_images=show_images)
    for name, digest in variants(fixture_digest()).items():
        prepared = render_html(digest, config)
        direct = render_html_direct(digest, config)
        keep = [str(v) for v in template_context(digest, config).values() if hasattr(v, "__html__")]
        assert prep.canonical_html(prepared, keep=keep) == direct, name


def test_raw_bytes_differ_only_in_how_values_are_escaped() -> None:
    """What is not byte-identical before canonicalising: Jinja's &#39;/&#34; for quotes
    that lxml writes literally. Nothing else."""
    digest = fixture_digest()
    config = render_config()
    prepared = render_html(digest, config)
    direct = render_html_direct(digest, config)
    assert prepared != direct  # the fixture has apostrophes
    assert prepared.replace("&#39;", "'").replace("&#34;", '"') == direct


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=60),
    summary=st.text(max_size=120),
    category=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
)
def test_identity_holds_for_any_text(title: str, summary: str, category: str | None) -> None:
    """Any text at all, control characters included (lxml drops those on both sides)."""
    digest = fixture_digest()
    lead = digest.lead
    assert lead is not None
    lead = lead.model_copy(
        update={
            "article": lead.article.model_copy(update={"title": title, "category": category}),
            "summary": Summary(text=summary),
        }
    )
    digest = digest.model_copy(update={"lead": lead, "stories": digest.stories[:1]})
    config = render_config()
    assert prep.canonical_html(render_html(digest, config)) == render_html_direct(digest, config)


def test_flattened_source_renders_exactly_like_the_theme() -> None:
    """Includes inlined and whitespace control applied: same output as the original
    templates, compiled without trim_blocks/lstrip_blocks."""
    env = make_environment(DEFAULT_THEME, html=True)
    flat = make_environment(None, html=True, flat=True).from_string(
        prep.jinja_source(prep.flatten(env, "digest.html.j2"))
    )
    config = render_config(esp="sendgrid", show_images=True)
    for digest in variants(fixture_digest()).values():
        context = template_context(digest, config)
        assert flat.render(**context) == env.get_template("digest.html.j2").render(**context)


def test_the_prepared_template_has_the_css_inlined_and_no_stylesheet_slot() -> None:
    source = prep.prepare_source(
        make_environment(DEFAULT_THEME, html=True),
        "digest.html.j2",
        (DEFAULT_THEME / "style.css").read_text(),
        css_origin="style.css",
    ).source
    assert prep.STYLESHEET_SLOT not in source
    assert 'class="lead-title" style="' in source
    assert "{% for story in digest.stories %}" in source
    assert "{{ story.article.title|breakable }}" in source


# -- caching -------------------------------------------------------------------------------


@pytest.fixture
def theme_copy(tmp_path: Path) -> Path:
    target = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, target)
    return target


@pytest.fixture
def premailer_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts real premailer runs (the real function still runs)."""
    calls: list[int] = []
    real = prep.run_premailer

    def counting(html: str, css: str, **kwargs: object) -> str:
        calls.append(1)
        return real(html, css, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prep, "run_premailer", counting)
    prep.clear_cache()
    return calls


def test_premailer_runs_once_per_theme_not_per_page(
    theme_copy: Path, premailer_calls: list[int]
) -> None:
    config = render_config(render={"template_dir": str(theme_copy)})
    pages = {render_html(d, config) for d in variants(fixture_digest()).values()}
    for n in range(20):
        render_html(fixture_digest(), config, title=f"Segment {n}")
    assert len(premailer_calls) == 1
    assert len(pages) == len(variants(fixture_digest()))


def test_editing_the_stylesheet_prepares_again(
    theme_copy: Path, premailer_calls: list[int]
) -> None:
    config = render_config(render={"template_dir": str(theme_copy)})
    before = render_html(fixture_digest(), config)
    css = theme_copy / "style.css"
    css.write_text(css.read_text().replace("#b3261e", "#0a7d32"))
    after = render_html(fixture_digest(), config)
    assert len(premailer_calls) == 2
    assert "#b3261e" in before and "#b3261e" not in after and "#0a7d32" in after


def test_disk_cache_skips_premailer_in_a_fresh_process(
    theme_copy: Path, tmp_path: Path, premailer_calls: list[int]
) -> None:
    cache = tmp_path / "cache"
    env = make_environment(theme_copy, html=True)
    first = prep.prepared_source(env, theme_copy, cache_dir=cache)
    assert len(premailer_calls) == 1
    assert list((cache / "render").glob("*.html.j2"))
    prep.clear_cache()  # as if a new process started
    second = prep.prepared_source(env, theme_copy, cache_dir=cache)
    assert len(premailer_calls) == 1
    assert second == first


def test_a_damaged_disk_cache_is_prepared_again(
    theme_copy: Path, tmp_path: Path, premailer_calls: list[int]
) -> None:
    cache = tmp_path / "cache"
    env = make_environment(theme_copy, html=True)
    good = prep.prepared_source(env, theme_copy, cache_dir=cache)
    (cached,) = (cache / "render").glob("*.html.j2")
    cached.write_text(cached.read_text()[: len(cached.read_text()) // 2])  # truncated
    prep.clear_cache()
    assert prep.prepared_source(env, theme_copy, cache_dir=cache) == good
    assert len(premailer_calls) == 2


def test_a_failed_disk_cache_write_leaves_no_temporary_file(
    theme_copy: Path, tmp_path: Path, premailer_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    cache = tmp_path / "cache"
    env = make_environment(theme_copy, html=True)
    prepared = prep.prepared_source(env, theme_copy, cache_dir=cache)  # still prepared
    assert prepared.source and len(premailer_calls) == 1
    assert list((cache / "render").iterdir()) == []


def test_same_input_same_bytes() -> None:
    config = render_config(esp="listmonk", show_images=True)
    digest = fixture_digest()
    first = render_html(digest, config)
    prep.clear_cache()
    assert render_html(digest, config) == first


# -- the rules for theme authors -------------------------------------------------------------


def _prepare(folder: Path) -> str:
    prep.clear_cache()
    return prep.prepared_source(make_environment(folder, html=True), folder).source


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_statement_inside_a_tag_is_a_clear_error(theme_copy: Path) -> None:
    _edit(
        theme_copy / "partials" / "masthead.html.j2",
        '<td class="masthead">',
        '<td {% if title %}class="masthead"{% endif %}>',
    )
    with pytest.raises(RenderError, match=r"partials/masthead\.html\.j2:2: .*inside a tag"):
        _prepare(theme_copy)


def test_statement_inside_an_attribute_value_is_a_clear_error(theme_copy: Path) -> None:
    _edit(
        theme_copy / "partials" / "masthead.html.j2",
        '<td class="masthead">',
        '<td class="masthead{% if title %} big{% endif %}">',
    )
    with pytest.raises(RenderError, match=r"masthead\.html\.j2:2"):
        _prepare(theme_copy)


def test_expression_in_a_style_attribute_is_a_clear_error(theme_copy: Path) -> None:
    _edit(
        theme_copy / "partials" / "masthead.html.j2",
        '<td class="masthead">',
        '<td class="masthead" style="color: {{ title }}">',
    )
    with pytest.raises(RenderError, match=r"masthead\.html\.j2:2: .*inside the style attribute"):
        _prepare(theme_copy)


@pytest.mark.parametrize(
    "selector", [".story:first-child", ".story + .story", ".kicker ~ p", "tr:nth-child(2) td"]
)
def test_positional_selectors_are_rejected(theme_copy: Path, selector: str) -> None:
    css = theme_copy / "style.css"
    css.write_text(css.read_text() + f"\n{selector} {{ color: red; }}\n")
    with pytest.raises(RenderError, match="sibling position"):
        _prepare(theme_copy)


def test_positional_selectors_inside_media_are_fine(theme_copy: Path) -> None:
    css = theme_copy / "style.css"
    css.write_text(
        css.read_text()
        + "\n@media (max-width: 400px) { .story + .story { color: red !important; } }\n"
    )
    assert ".story + .story" in _prepare(theme_copy)


def test_nested_media_is_rejected_before_premailer_sees_it(
    theme_copy: Path, premailer_calls: list[int]
) -> None:
    css = theme_copy / "style.css"
    css.write_text(
        css.read_text()
        + "\n@media screen { @media (prefers-color-scheme: dark) { .title { color: #fff !important; } } }\n"
    )
    with pytest.raises(RenderError, match="nested inside another at-rule"):
        _prepare(theme_copy)
    assert premailer_calls == []


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ('{% extends "base.html.j2" %}', "extends"),
        ('{% import "macros.html.j2" as m %}', "import"),
        ('{% from "macros.html.j2" import button %}', "import"),
        ("{% include name_in_a_variable %}", "literal file name"),
        ('{% include "partials/missing.html.j2" %}', "template not found"),
    ],
)
def test_unsupported_template_features_name_the_file(
    theme_copy: Path, tag: str, message: str
) -> None:
    path = theme_copy / "partials" / "footer.html.j2"
    path.write_text(tag + "\n" + path.read_text())
    with pytest.raises(RenderError, match=message):
        _prepare(theme_copy)


def test_literal_jinja_delimiters_in_the_template_survive(theme_copy: Path) -> None:
    """A {% raw %} block (e.g. an ESP's own tag written into the theme) prints literally."""
    _edit(
        theme_copy / "partials" / "footer.html.j2",
        '<td class="footer">',
        '<td class="footer">\n<p class="footer-text">{% raw %}{{ Literal }} {%x%}{% endraw %}</p>',
    )
    config = render_config(render={"template_dir": str(theme_copy)})
    prep.clear_cache()
    assert "{{ Literal }} {%x%}" in render_html(fixture_digest(), config)


def test_a_broken_prepared_theme_never_leaves_markers_in_output(theme_copy: Path) -> None:
    config = render_config(render={"template_dir": str(theme_copy)})
    prep.clear_cache()
    html = render_html(fixture_digest(), config)
    assert "djx" not in html
    assert "/*STYLESHEET*/" not in html


def test_issue_date_in_context_is_the_date_line() -> None:
    context = template_context(fixture_digest(), render_config())
    assert context["date_line"] == "Friday, 5 December 2025"
    assert fixture_digest().issue_date == date(2025, 12, 5)


def test_prepared_template_is_cached_per_folder() -> None:
    a = prepared_template(DEFAULT_THEME)
    b = prepared_template(DEFAULT_THEME)
    assert a is b


def test_empty_sections_are_left_out_of_the_html() -> None:
    digest = fixture_digest().model_copy(
        update={"weather": None, "stories": [], "trending": [], "categories": []}
    )
    html = render_html(digest, render_config())
    for gone in ('class="weather', "Top stories", "Hot this week", "Categories"):
        assert gone not in html
    assert 'class="lead-title' in html and "Unsubscribe" in html
    no_lead = render_html(digest.model_copy(update={"lead": None}), render_config())
    assert 'class="lead-title' not in no_lead and "Read more" not in no_lead
