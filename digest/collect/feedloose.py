"""The loose path for feeds: feedparser, for what the fast reader does not handle.

RSS 0.90, Atom 0.3, CDF, and feeds that are not well-formed XML (undeclared entities,
bad nesting, mis-declared encodings): feedparser reads them all, leniently. Its HTML
sanitiser and relative-URI rewriting are off — the collect stage cleans the items it
keeps — and its values are mapped onto ``Entry`` exactly as the fast reader maps the
same elements.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from ..errors import BadSourceData, first_line
from ..log import warn
from .feedxml import MAX_ITEMS, author_name, is_image, make_entry, resolve_link
from .registry import Entry
from .xmlsafe import refuse_entity_declarations

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})

# feedparser's loose parser costs ~10 µs per tag, linearly: a 20 MB document of nothing
# but tags would take over a minute. Malformed feeds are small; these bound the work.
LOOSE_MAX_BYTES = 5_000_000
_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")


def cut_items(data: bytes, limit: int) -> tuple[bytes, bool]:
    """The document up to its ``limit``-th item (feedparser reads the rest loosely)."""
    for n, match in enumerate(_ITEM_START.finditer(data), start=1):
        if n > limit:
            return data[: match.start()], True
    return data, False


def read_feed_loosely(
    data: bytes,
    *,
    location: str | None,
    content_type: str | None,
    tz: tzinfo,
    name: str = "",
) -> list[Entry]:
    import feedparser

    refuse_entity_declarations(data)
    if len(data) > LOOSE_MAX_BYTES:
        raise BadSourceData(
            f"not well-formed XML, and at {len(data) / 1e6:.1f} MB too large to read loosely "
            f"(the limit is {LOOSE_MAX_BYTES / 1e6:.0f} MB)"
        )
    data, cut = cut_items(data, MAX_ITEMS)
    if cut:
        warn(f"source {name or location}: read the first {MAX_ITEMS:,} items only")
    headers = {"content-type": content_type} if content_type else {}
    if location and location.startswith(("http://", "https://")):
        headers["content-location"] = location
    try:
        parsed = feedparser.parse(
            data, sanitize_html=False, resolve_relative_uris=False, response_headers=headers
        )
    except (ValueError, LookupError, RecursionError, AttributeError, TypeError) as err:
        # feedparser's loose parser has corners that raise (a character reference to a
        # surrogate, say): for us that is just an unreadable feed.
        raise BadSourceData(
            f"not a readable RSS, Atom or JSON feed ({type(err).__name__}: {first_line(err)})"
        ) from None
    problem = parsed.get("bozo_exception")
    if type(problem).__name__ == "CharacterEncodingOverride":
        # Undecodable as declared: feedparser found an encoding that works; say so.
        warn(f"source {name or location}: {first_line(problem)}")
    feed = parsed.feed
    feed_link = feed.get("link")
    doc_base = headers.get("content-location")
    # The same base as the fast reader: the document's address, else the feed's link.
    base = doc_base or (
        feed_link if feed_link and feed_link.startswith(("http://", "https://")) else None
    )
    feed_author = _author(feed)
    entries = [_entry(item, base, feed_author, tz) for item in parsed.entries]
    # A broken document can leave husks: items with nothing in them.
    entries = [e for e in entries if e.title or e.url or e.description or e.content]
    if not entries and (parsed.bozo or not parsed.version):
        detail = f" ({first_line(problem)})" if problem else ""
        raise BadSourceData(f"not a readable RSS, Atom or JSON feed{detail}")
    return entries


def _author(item: Any) -> str | None:
    detail = item.get("author_detail") or {}
    return author_name(detail.get("name")) or author_name(item.get("author"))


def _entry(item: Any, base: str | None, feed_author: str | None, tz: tzinfo) -> Entry:
    content = item.get("content") or []
    body = next((c for c in content if c.get("value")), None)
    summary_detail = item.get("summary_detail") or {}
    tags = [t.get("term") or "" for t in item.get("tags", [])]
    return make_entry(
        title=item.get("title", ""),
        link=resolve_link(base, item.get("link")),
        guid=item.get("id"),
        # dict.get: feedparser's own .get("updated") falls back to "published".
        published=dict.get(item, "published"),
        updated=dict.get(item, "updated"),
        author=_author(item) or feed_author,
        tags=tags,
        description=item.get("summary"),
        description_html=summary_detail.get("type", "text/html") in _HTML_TYPES,
        content=body.get("value") if body else None,
        content_html=(body.get("type", "text/html") in _HTML_TYPES) if body else None,
        image=resolve_link(base, _image(item)),
        tz=tz,
    )


def _image(item: Any) -> str | None:
    for thumb in item.get("media_thumbnail") or []:
        if thumb.get("url"):
            return str(thumb["url"])
    for media in item.get("media_content") or []:
        if is_image(media.get("type"), media.get("url"), media.get("medium")):
            return str(media["url"])
    for link in item.get("links") or []:
        if link.get("rel") == "enclosure" and is_image(link.get("type"), link.get("href")):
            return str(link["href"])
    return None
