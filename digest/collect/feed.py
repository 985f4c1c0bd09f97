"""``type = "feed"``: RSS and Atom feeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from ..config import SourceConfig
from ..errors import SourceError
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind


class FeedSource(SourceConfig):
    type: Literal["feed"]


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    from calendar import timegm

    return datetime.fromtimestamp(timegm(value), UTC)


def collect_feed(source: SourceConfig, ctx: CollectContext) -> Iterator[Entry]:
    import feedparser

    data = ctx.fetcher.read(source.url or source.path or "")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise SourceError(source.display_name, f"not a readable feed ({reason})")
    for item in parsed.entries:
        content = item.get("content")
        body = content[0] if content else None
        tags = [t.get("term") for t in item.get("tags", []) if t.get("term")]
        yield Entry(
            title=item.get("title", ""),
            url=item.get("link"),
            guid=item.get("id"),
            published=_struct_time(item.get("published_parsed")),
            updated=_struct_time(item.get("updated_parsed")),
            author=item.get("author"),
            category=tags[0] if tags else None,
            tags=tags,
            description=item.get("summary"),
            description_html=True,
            content=body.get("value") if body else None,
            content_html=bool(body and "html" in body.get("type", "html")),
        )


SOURCE_KINDS.add("feed", SourceKind(config=FeedSource, collect=collect_feed))
