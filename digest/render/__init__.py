"""Render: Jinja2 templates → HTML with the theme's CSS inlined by premailer, and the
plain-text part from the same data.

jinja2 and premailer are imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RenderError
from ..models import Digest, RenderedDigest
from ..weather import format_temperature
from .esp import ESP_PRESETS
from .themes import theme_folder

if TYPE_CHECKING:
    from jinja2 import Environment

    from ..config import Config

GMAIL_CLIP_BYTES = 102 * 1024


def date_line(day: date) -> str:
    """'Friday, 5 December 2025' (English names whatever the locale)."""
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
    return f"{days[day.weekday()]}, {day.day} {months[day.month - 1]} {day.year}"


def subject_line(template: str, digest: Digest) -> str:
    try:
        return template.format(title=digest.title, date=digest.issue_date)
    except (KeyError, IndexError, ValueError) as err:
        raise RenderError(f"[email] subject: bad template {template!r}: {err}") from None


def make_environment(folder: Path, *, html: bool) -> Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["temperature"] = format_temperature
    env.filters["date_line"] = date_line
    env.filters["wrap"] = wrap_text
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def wrap_text(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


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


def template_context(digest: Digest, config: Config) -> dict[str, Any]:
    esp = ESP_PRESETS.get(config.email.esp)
    return {
        "digest": digest,
        "date_line": date_line(digest.issue_date),
        "esp": esp,
        "unsubscribe_url": config.email.unsubscribe_url or esp.unsubscribe,
        "web_url": config.email.web_url or esp.view_in_browser,
        "show_images": config.render.show_images,
    }


def _load(env: Environment, name: str) -> Any:
    import jinja2

    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(
            f"{err.filename or name}:{err.lineno}: template error: {err.message}"
        ) from None
    except jinja2.TemplateNotFound as err:
        raise RenderError(f"template not found: {err.name}") from None


def _render(template: Any, context: dict[str, Any]) -> str:
    import jinja2

    try:
        return str(template.render(**context))
    except jinja2.TemplateError as err:
        raise RenderError(f"template {template.name}: {err}") from None


def inline_css(html: str, css: str) -> str:
    """Inline ``css`` into ``html`` with premailer, keeping media queries in ``<style>``.

    ``strip_important=False`` keeps ``!important`` on the media-query rules (else the
    inlined desktop widths win on phones); ``disable_basic_attributes`` keeps pixel
    width/height attributes on images (Outlook ignores ``width="100%"``).
    """
    from premailer import Premailer

    html = html.replace("/*STYLESHEET*/", css, 1)
    return str(
        Premailer(
            html,
            strip_important=False,
            disable_basic_attributes=["width", "height"],
            remove_classes=False,
            keep_style_tags=False,
            cssutils_logging_level="CRITICAL",
            disable_validation=True,
        ).transform(pretty_print=False)
    )


def render_html(digest: Digest, config: Config) -> str:
    folder = theme_folder(config.render.theme, config.render.template_dir)
    env = make_environment(folder, html=True)
    css = (folder / "style.css").read_text("utf-8")
    html = _render(_load(env, "digest.html.j2"), template_context(digest, config))
    return inline_css(html, css)


def render_text(digest: Digest, config: Config) -> str:
    folder = theme_folder(config.render.theme, config.render.template_dir)
    env = make_environment(folder, html=False)
    context = template_context(digest, config)
    context["ref"] = refs = LinkRefs()
    context["refs"] = refs.urls
    return _render(_load(env, "digest.txt.j2"), context)


def render_digest(digest: Digest, config: Config) -> RenderedDigest:
    return RenderedDigest(
        digest=digest,
        subject=subject_line(config.email.subject, digest),
        html=render_html(digest, config),
        text=render_text(digest, config),
    )
