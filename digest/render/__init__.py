"""Render: Jinja2 templates → HTML with the theme's CSS inlined by premailer, and the
plain-text part from the same data.

premailer costs 50-150 ms a page, so it never runs per rendered page: it runs once per
theme on the template itself (:mod:`digest.render.prepare`), and every page, including
every later variant of the same issue (a subscriber segment, a recipient), is plain
Jinja2 from that prepared template. ``render_html_direct`` is the slow reference path
(render, then inline), kept for tests and the benchmark.

jinja2, premailer and lxml are imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

import textwrap
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import RenderError
from ..log import warn
from ..models import Digest, RenderedDigest, Story, TrendingEntry, WeatherReading
from ..text import shorten
from ..weather import format_temperature
from .esp import ESP_PRESETS, is_merge_tag
from .links import image_src
from .themes import theme_folder

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from ..config import Config

GMAIL_CLIP_BYTES = 102 * 1024  # Gmail shows "[Message clipped]" above this
PREHEADER_CHARS = 140  # what inbox previews show, at most
TEXT_WIDTH = 72
_ZWSP = "\u200b"
_Linked = TypeVar("_Linked", Story, TrendingEntry)


# -- small pure helpers (also Jinja2 filters) ---------------------------------------------


def date_line(day: date) -> str:
    """'Friday, 5 December 2025' (English names whatever the locale)."""
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
    return f"{days[day.weekday()]}, {day.day} {months[day.month - 1]} {day.year}"


def subject_line(template: str, digest: Digest) -> str:
    try:
        return template.format(title=digest.title, date=digest.issue_date)
    except (KeyError, IndexError, ValueError, AttributeError) as err:
        raise RenderError(f"[email] subject: bad template {template!r}: {err}") from None


def wrap_text(
    text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None, tail: str = ""
) -> str:
    """``text`` on lines of at most ``width`` columns (a longer word stays whole). ``tail``
    (a link reference such as ``[3]``) stays on the line of the last word."""
    body = " ".join(str(text).split())
    if tail:
        body = f"{body}\x00{tail}" if body else tail
    return textwrap.fill(
        body,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ).replace("\x00", " ")


def breakable(text: str, longest: int = 28) -> str:
    """Let every client wrap an overlong word (a pasted URL, a chemical name): a zero-width
    space after ``/ - _ . ? & =`` and every ``longest`` characters inside words longer than
    ``longest``. The fallback for clients without ``word-break`` (Yahoo)."""
    words = str(text).split(" ")
    if all(len(w) <= longest for w in words):
        return str(text)
    out = []
    for word in words:
        if len(word) > longest:
            pieces, run = [], ""
            for char in word:
                run += char
                if char in "/-_.?&=" or len(run) >= longest:
                    pieces.append(run)
                    run = ""
            pieces.append(run)
            word = _ZWSP.join(p for p in pieces if p)
        out.append(word)
    return " ".join(out)


def weather_line(readings: list[WeatherReading]) -> str:
    """The weather strip for the text part, always one line (the one line exempt from the
    72 columns): 'Singapore 27 °C | Thailand 31.5 °C'."""
    return " | ".join(
        " ".join(f"{r.label} {format_temperature(r.temperature)} °{r.unit}".split())
        for r in readings
    )


def preheader_text(digest: Digest, limit: int = PREHEADER_CHARS) -> str:
    """The inbox preview: ``[digest] preheader``, else the lead's summary, cut at a word."""
    return shorten(digest.preheader, limit)


class LinkRefs:
    """Numbered link references for the text part: ``{{ ref(url) }}`` → ``[3]``."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str | None) -> str:
        if not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"


# -- environments and templates ----------------------------------------------------------


def make_environment(folder: Path | None, *, html: bool, flat: bool = False) -> Environment:
    """The Jinja2 environment for a theme folder. ``flat`` is for prepared (flattened)
    sources, whose whitespace control is already applied."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)) if folder is not None else None,
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=not flat,
        lstrip_blocks=not flat,
        keep_trailing_newline=True,
    )
    env.filters["temperature"] = format_temperature
    env.filters["date_line"] = date_line
    env.filters["wrap"] = wrap_text
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["breakable"] = breakable
    env.filters["weather_line"] = weather_line
    env.filters["nbsp"] = lambda text: " ".join(str(text).split()).replace(" ", "\u00a0")
    return env


@lru_cache(maxsize=16)
def _theme_environment(folder: str, html: bool) -> Environment:
    return make_environment(Path(folder), html=html)


@lru_cache(maxsize=16)
def _compile_prepared(source: str) -> Template:
    import jinja2

    try:
        return make_environment(None, html=True, flat=True).from_string(source)
    except jinja2.TemplateSyntaxError as err:  # a rule the checks did not catch
        raise RenderError(f"the prepared theme does not compile: {err.message}") from None


def prepared_template(folder: Path, *, cache_dir: Path | None = None) -> Template:
    """The theme's ``digest.html.j2`` with its stylesheet inlined (premailer runs once per
    theme and content; later calls come from memory, or from ``cache_dir``)."""
    from .prepare import prepared_source

    env = _theme_environment(str(folder), True)
    return _compile_prepared(prepared_source(env, folder, cache_dir=cache_dir).source)


def _load(env: Environment, name: str) -> Template:
    import jinja2

    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(
            f"{err.filename or name}:{err.lineno}: template error: {err.message}"
        ) from None
    except jinja2.TemplateNotFound as err:
        raise RenderError(f"template not found: {err.name}") from None


def _render(template: Template, context: dict[str, Any]) -> str:
    import jinja2

    try:
        return str(template.render(**context))
    except jinja2.TemplateError as err:
        raise RenderError(f"template {template.name or 'digest.html.j2'}: {err}") from None


# -- the context -------------------------------------------------------------------------


def _tag_or_url(configured: str | None, preset: str | None) -> Any:
    """A link for the footer: a configured URL prints escaped; merge tags (the preset's,
    or one given in [email]) print verbatim, so the mail service finds them."""
    from markupsafe import Markup

    if configured:
        return Markup(configured) if is_merge_tag(configured) else configured
    return Markup(preset) if preset else None


def safe_links(digest: Digest) -> Digest:
    """``digest`` with every story and trending link that is not an absolute http(s) or
    mailto URL removed (with a warning each). The pipeline already drops them; this guards a
    Digest built by other code, so no template can print a ``javascript:`` href."""
    from ..urls import is_safe_link

    def checked(item: _Linked) -> _Linked:
        if item.link and not is_safe_link(item.link):
            warn(f"dropped a link with an unsafe or relative URL: {item.link[:80]!r}")
            return item.model_copy(update={"link": None})
        return item

    lead = checked(digest.lead) if digest.lead else None
    stories = [checked(s) for s in digest.stories]
    trending = [checked(t) for t in digest.trending]
    if lead is digest.lead and stories == digest.stories and trending == digest.trending:
        return digest
    return digest.model_copy(update={"lead": lead, "stories": stories, "trending": trending})


def template_context(digest: Digest, config: Config, **extra: Any) -> dict[str, Any]:
    """What every template sees. ``extra`` adds or overrides names for a variant (a
    segment's greeting, a recipient's name...)."""
    digest = safe_links(digest)
    esp = ESP_PRESETS.get(config.email.esp)
    images: dict[str, str] = {}
    if config.render.show_images:
        for story in digest.all_stories:
            if src := image_src(story.article.image):
                images[story.article.id] = src
    context: dict[str, Any] = {
        "digest": digest,
        "title": digest.title,
        "language": digest.language or "en",
        "date_line": date_line(digest.issue_date),
        "preheader": preheader_text(digest),
        "esp": esp,
        "unsubscribe_url": _tag_or_url(config.email.unsubscribe_url, esp.unsubscribe),
        "web_url": _tag_or_url(config.email.web_url, esp.view_in_browser),
        "preferences_url": _tag_or_url(config.email.preferences_url, esp.preferences),
        "recipient": _tag_or_url(config.email.recipient, esp.recipient),
        "show_images": config.render.show_images,
        "images": images,
        "weather": digest.weather.readings if digest.weather else [],
    }
    context.update(extra)
    return context


def _verbatim_values(context: dict[str, Any]) -> list[str]:
    from markupsafe import Markup

    return [str(v) for v in context.values() if isinstance(v, Markup)]


# -- rendering ---------------------------------------------------------------------------


def _cache_dir(config: Config) -> Path | None:
    try:
        return config.cache_dir
    except Exception:  # no usable cache folder: prepare in memory only
        return None


def theme_of(config: Config) -> Path:
    return theme_folder(config.render.theme, config.render.template_dir)


def load_theme(config: Config) -> None:
    """Compile the theme's two templates (the HTML one prepared: inlined, and kept for the
    render), so a broken theme is reported before any source is read."""
    folder = theme_of(config)
    prepared_template(folder, cache_dir=_cache_dir(config))
    _load(_theme_environment(str(folder), False), "digest.txt.j2")


def render_html(digest: Digest, config: Config, **extra: Any) -> str:
    """The HTML part, from the prepared (already inlined) template: plain Jinja2."""
    return _html(template_context(digest, config, **extra), config)


def _html(context: dict[str, Any], config: Config) -> str:
    template = prepared_template(theme_of(config), cache_dir=_cache_dir(config))
    return _render(template, context)


def inline_css(html: str, css: str, *, keep: list[str] | tuple[str, ...] = ()) -> str:
    """Inline ``css`` into ``html`` with premailer (see :func:`prepare.run_premailer` for
    the options and why); merge tags and ``keep`` pass through verbatim."""
    from .prepare import run_premailer

    return run_premailer(html, css, keep=keep)


def render_html_direct(digest: Digest, config: Config, **extra: Any) -> str:
    """The reference path: render the original template, then inline with premailer.

    50-150 ms a page. ``canonical_html(render_html(...))`` equals this byte for byte."""
    from .prepare import check_stylesheet

    folder = theme_of(config)
    css_path = folder / "style.css"
    css = css_path.read_text("utf-8")
    check_stylesheet(css, str(css_path))
    context = template_context(digest, config, **extra)
    html = _render(_load(_theme_environment(str(folder), True), "digest.html.j2"), context)
    return inline_css(html, css, keep=_verbatim_values(context))


def render_text(digest: Digest, config: Config, **extra: Any) -> str:
    """The text/plain part: 72 columns, links as numbered references."""
    return _text(template_context(digest, config, **extra), config)


def _text(context: dict[str, Any], config: Config) -> str:
    env = _theme_environment(str(theme_of(config)), False)
    refs = LinkRefs()
    return _render(_load(env, "digest.txt.j2"), {**context, "ref": refs, "refs": refs.urls})


def clip_warning(html: str) -> str | None:
    """A one-line warning when ``html`` is over Gmail's clipping limit, else None."""
    size = len(html.encode("utf-8"))
    if size <= GMAIL_CLIP_BYTES:
        return None
    return (
        f"the HTML is {size:,} bytes, over Gmail's 102 KB clipping limit "
        f"({GMAIL_CLIP_BYTES:,} bytes): Gmail will cut it off at '[Message clipped]' "
        "(fewer stories, shorter summaries, or [render] show_images = false help)"
    )


def render_digest(digest: Digest, config: Config) -> RenderedDigest:
    """Both parts of one issue (what ``digest build`` writes), from one context (so each
    dropped link is reported once); warns when the HTML would be clipped by Gmail."""
    context = template_context(digest, config)
    html = _html(context, config)
    if message := clip_warning(html):
        warn(message)
    return RenderedDigest(
        digest=digest,
        subject=subject_line(config.email.subject, digest),
        html=html,
        text=_text(context, config),
    )
