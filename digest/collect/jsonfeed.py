"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with a pydantic model.

feedparser does not read JSON Feed. Items are validated one by one, so one bad item is
skipped with a warning instead of sinking the feed; unknown keys (extensions start with
``_``) are ignored, as the spec asks.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import BadSourceData, first_line
from ..log import warn
from .feedxml import make_entry, resolve_link
from .registry import Entry


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class JsonFeedAuthor(_Lenient):
    name: str | None = None
    url: str | None = None
    avatar: str | None = None


class JsonFeedItem(_Lenient):
    id: str
    url: str | None = None
    external_url: str | None = None
    title: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    summary: str | None = None
    image: str | None = None
    banner_image: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    author: JsonFeedAuthor | None = None  # 1.0
    authors: list[JsonFeedAuthor] = Field(default_factory=list)  # 1.1
    tags: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # 1.0 feeds in the wild use numbers; the spec says a string.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )


class JsonFeed(_Lenient):
    version: str
    title: str | None = None
    home_page_url: str | None = None
    feed_url: str | None = None
    author: JsonFeedAuthor | None = None
    authors: list[JsonFeedAuthor] = Field(default_factory=list)
    items: list[Any]

    @field_validator("version")
    @classmethod
    def _is_json_feed(cls, value: str) -> str:
        if not value.startswith(("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")):
            raise ValueError(f"not a JSON Feed version URL: {value!r}")
        return value


def _first_author(one: JsonFeedAuthor | None, many: list[JsonFeedAuthor]) -> str | None:
    for author in [*many, *([one] if one else [])]:
        if author.name and author.name.strip():
            return author.name.strip()
    return None


def read_json_feed(
    data: bytes | str, *, location: str | None, tz: tzinfo, name: str = ""
) -> list[Entry]:
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise BadSourceData(f"malformed JSON: {first_line(err)}") from None
    try:
        feed = JsonFeed.model_validate(raw)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise BadSourceData(f"not a JSON Feed: {where}: {first['msg']}") from None
    base = feed.home_page_url or (location if location and "://" in location else None)
    feed_author = _first_author(feed.author, feed.authors)
    entries: list[Entry] = []
    skipped = 0
    for raw_item in feed.items:
        try:
            item = JsonFeedItem.model_validate(raw_item)
        except ValidationError:
            skipped += 1
            continue
        entries.append(
            make_entry(
                title=item.title or "",
                link=resolve_link(base, item.url or item.external_url),
                guid=item.id,
                published=item.date_published,
                updated=item.date_modified,
                author=_first_author(item.author, item.authors) or feed_author,
                tags=item.tags,
                description=item.summary,
                description_html=False,
                content=item.content_html or item.content_text,
                content_html=bool(item.content_html),
                image=resolve_link(base, item.image or item.banner_image),
                tz=tz,
            )
        )
    if skipped:
        where = f"source {name}: " if name else ""
        warn(f"{where}skipped {skipped} JSON Feed item(s) without a valid 'id'")
    return entries
