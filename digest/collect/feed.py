"""``type = "feed"``: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1.

The document is sniffed by its content (the Content-Type is only a hint: servers get it
wrong). JSON goes to the JSON Feed model; XML goes first to the fast streaming reader
(``feedxml``) and, when that cannot handle it, to feedparser (``feedloose``). An HTML page
at a feed's address is reported as such, with the feed it advertises if it has one.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Literal

from ..config import SourceConfig
from ..errors import BadSourceData, FetchError, SourceError
from .feedloose import read_feed_loosely
from .feedxml import NotFastPath, read_xml_feed
from .fetch import sniff_encoding
from .jsonfeed import read_json_feed
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind


class FeedSource(SourceConfig):
    type: Literal["feed"]


DocumentKind = Literal["json", "xml", "html", "empty", "unknown"]

_JSON_TYPES = ("application/feed+json", "application/json")
_HTML_START = re.compile(
    r"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)
_ALTERNATE = re.compile(
    r"""<link\b[^>]*?type=["']application/(?:rss|atom|feed)\+(?:xml|json)["'][^>]*>""", re.I
)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.I)


def sniff_document(data: bytes, content_type: str | None = None) -> DocumentKind:
    """What a fetched document is, by its first bytes (then its Content-Type)."""
    encoding, skip = sniff_encoding(data[:1024])
    head = data[skip : skip + 1024].decode(
        encoding if encoding.startswith(("utf-16", "utf-32")) else "latin-1", "replace"
    )
    head = head.lstrip("\ufeff \t\r\n")
    if not head:
        return "empty"
    if head.startswith(("{", "[")):
        return "json"
    if _HTML_START.match(head):
        return "html"
    if head.startswith("<"):
        return "xml"
    if content_type and content_type.endswith(_JSON_TYPES):
        return "json"
    return "unknown"


def parse_feed(
    data: bytes,
    *,
    tz: tzinfo,
    location: str | None = None,
    content_type: str | None = None,
    charset: str | None = None,
    name: str = "",
) -> list[Entry]:
    """Every entry of a feed document, whatever its dialect. ``charset`` is the one the
    server declared (it outranks the document's own declaration, RFC 7303)."""
    kind = sniff_document(data, content_type)
    if kind == "empty":
        raise BadSourceData("empty document")
    if kind == "json":
        return read_json_feed(data, location=location, tz=tz, name=name)
    if kind == "html":
        raise BadSourceData(_html_instead_of_feed(data, content_type))
    header = f"{content_type}; charset={charset}" if content_type and charset else content_type
    try:
        if charset and sniff_encoding(data, charset) != sniff_encoding(data):
            # The server and the document disagree on the encoding: feedparser applies
            # the RFC 7303 rules (and says which one won).
            raise NotFastPath("declared charset differs from the document's")
        return read_xml_feed(data, location=location, tz=tz, name=name)
    except NotFastPath:
        return read_feed_loosely(data, location=location, content_type=header, tz=tz, name=name)


def _html_instead_of_feed(data: bytes, content_type: str | None) -> str:
    head = data[:65536].decode("latin-1")
    message = "not a feed: got an HTML page"
    if content_type:
        message += f" ({content_type})"
    for link in _ALTERNATE.findall(head):
        if href := _HREF.search(link):
            return f"{message}; it points to a feed at {href.group(1)}"
    return message


def collect_feed(source: SourceConfig, ctx: CollectContext) -> list[Entry]:
    name = source.display_name
    try:
        fetched = ctx.fetcher.fetch(source.url or source.path or "")
        return parse_feed(
            fetched.data,
            tz=ctx.tz,
            location=fetched.location,
            content_type=fetched.content_type,
            charset=fetched.charset,
            name=name,
        )
    except (FetchError, BadSourceData) as err:
        raise SourceError(name, str(err)) from None


SOURCE_KINDS.add("feed", SourceKind(config=FeedSource, collect=collect_feed))
