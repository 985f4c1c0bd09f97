"""``type = "opml"``: an OPML subscription list (what every feed reader exports),
expanded into one ``feed`` source per subscription.

Each feed takes its name from the outline's title, and its category from the source's
``category`` or, failing that, from the outline folder it sits in; ``weight`` and
``undated`` are the OPML source's. Relative ``xmlUrl`` values resolve against the OPML
file's address or folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urljoin, urlsplit

from ..config import SourceConfig
from ..errors import BadSourceData, FetchError, SourceError
from ..log import warn
from .feed import FeedSource
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind
from .xmlsafe import parse_xml


class OpmlSource(SourceConfig):
    type: Literal["opml"]


def _outlines(parent: Any, folder: str | None) -> list[tuple[Any, str | None]]:
    found: list[tuple[Any, str | None]] = []
    for outline in parent.iterfind("outline"):
        if outline.get("xmlUrl") or outline.get("xmlurl"):
            found.append((outline, folder))
        else:
            label = (outline.get("title") or outline.get("text") or "").strip() or folder
            found.extend(_outlines(outline, label))
    return found


def _feed_location(href: str, base: str) -> dict[str, Any] | None:
    """``{"url": ...}`` or ``{"path": ...}`` for one subscription, or None if unusable."""
    href = href.strip()
    if href.startswith("feed://"):
        href = "https://" + href.removeprefix("feed://")
    if base.startswith(("http://", "https://")):
        absolute = urljoin(base, href)
        return {"url": absolute} if absolute.startswith(("http://", "https://")) else None
    if href.startswith(("http://", "https://")):
        return {"url": href}
    if href.startswith("file://"):
        return {"path": Path(unquote(urlsplit(href).path))}
    if "://" in href:
        return None
    path = Path(href)
    return {"path": path if path.is_absolute() else Path(base).parent / path}


def expand_opml(source: SourceConfig, ctx: CollectContext) -> list[SourceConfig]:
    """One ``feed`` source per subscription in the OPML document."""
    name = source.display_name
    try:
        fetched = ctx.fetcher.fetch(source.url or source.path or "")
        root = parse_xml(fetched.data)
    except (FetchError, BadSourceData) as err:
        raise SourceError(name, str(err)) from None
    if root.tag != "opml" or root.find("body") is None:
        raise SourceError(name, f"not an OPML document (root element {root.tag!r})")
    feeds: list[SourceConfig] = []
    seen: set[str] = set()
    skipped = 0
    for outline, folder in _outlines(root.find("body"), None):
        href = outline.get("xmlUrl") or outline.get("xmlurl") or ""
        location = _feed_location(href, fetched.location)
        if location is None or str(next(iter(location.values()))) in seen:
            skipped += location is None
            continue
        seen.add(str(next(iter(location.values()))))
        title = (outline.get("title") or outline.get("text") or "").strip()
        feeds.append(
            FeedSource(
                type="feed",
                name=title or None,
                category=source.category or folder,
                weight=source.weight,
                undated=source.undated,
                **location,
            )
        )
    if skipped:
        warn(f"source {name}: skipped {skipped} subscription(s) with an unusable xmlUrl")
    return feeds


def collect_opml(source: SourceConfig, ctx: CollectContext) -> list[Entry]:
    """Read every subscription in turn (the collect stage reads them concurrently)."""
    from .feed import collect_feed

    entries: list[Entry] = []
    for feed in expand_opml(source, ctx):
        entries.extend(collect_feed(feed, ctx))
    return entries


SOURCE_KINDS.add("opml", SourceKind(config=OpmlSource, collect=collect_opml, expand=expand_opml))
