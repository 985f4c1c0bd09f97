"""Links in the digest: only safe schemes survive, and article links get UTM tags.

``link_for`` is called by the pipeline for every story and trending row; ``image_src`` by
the render stage for images (``[render] show_images``). Both drop anything unsafe with a
warning, so a hostile feed cannot put a ``javascript:`` URL or a broken attribute into the
email; the templates autoescape whatever is left.
"""

from __future__ import annotations

from datetime import date

from ..config import UtmSection
from ..log import warn
from ..urls import add_utm, is_safe_link, link_scheme


def utm_params(utm: UtmSection, issue_date: date) -> dict[str, str]:
    if not utm.enabled:
        return {}
    return {
        "utm_source": utm.source,
        "utm_medium": utm.medium,
        "utm_campaign": utm.campaign.format(date=issue_date),
    }


def link_for(url: str | None, utm: dict[str, str]) -> str | None:
    """The href to print for a source URL, or None (with a warning) if it is unsafe."""
    if not url:
        return None
    if not is_safe_link(url):
        warn(f"dropped a link with an unsafe or relative URL: {url[:80]!r}")
        return None
    return add_utm(url.strip(), utm)


def image_src(url: str | None) -> str | None:
    """The ``src`` for an image: absolute http(s) only (no data:, no relative, no mailto)."""
    if not url:
        return None
    if not is_safe_link(url) or link_scheme(url) not in ("http", "https"):
        warn(f"dropped an image with an unsafe or relative URL: {url[:80]!r}")
        return None
    return url.strip()
