"""The fast path for feeds: a streaming lxml reader for well-formed RSS 2.0 (and 0.91/0.92,
its subsets), RSS 1.0 (RDF) and Atom 1.0.

It reads one item at a time and frees it (no document tree is kept), and it leaves every
HTML string raw: cleaning costs far more than parsing, and the collect stage cleans only
the items its window keeps. Anything it cannot handle — another dialect, a document that
is not well-formed — raises ``NotFastPath`` and the caller falls back to feedparser,
which reads the odd and the broken loosely. Both paths give the same ``Entry`` values
for the same well-formed feed (``tests/test_collect_feed.py`` checks it).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from ..dates import parse_date
from .registry import Entry
from .xmlsafe import iterparse_xml, refuse_entity_declarations

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
MEDIA = "{http://search.yahoo.com/mrss/}"

_TITLE = frozenset({"title", RSS1 + "title", DC + "title"})
_LINK = frozenset({"link", RSS1 + "link"})
_DESCRIPTION = frozenset({"description", RSS1 + "description", DC + "description"})
_AUTHOR = frozenset({"author", DC + "creator", DC + "author"})
_CATEGORY = frozenset({"category", DC + "subject"})
_PUBLISHED = frozenset({"pubDate", DCTERMS + "issued", ATOM + "published"})
_UPDATED = frozenset({DC + "date", DCTERMS + "modified", ATOM + "updated"})
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_AUTHOR_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")
_AUTHOR_NAME_EMAIL = re.compile(r"^\s*(.+?)\s*<\S+@\S+>\s*$")
_EMAIL = re.compile(r"^\s*\S+@\S+\.\S+\s*$")


# More items than any feed needs (a big podcast feed has a few thousand): past this, a
# document is an archive dump or an attack, and only its first items are read.
MAX_ITEMS = 20_000


class NotFastPath(Exception):
    """The document is not one the fast reader handles; use the loose reader."""


# -- helpers shared with the loose (feedparser) path -------------------------------------


def author_name(raw: str | None) -> str | None:
    """``jo@x.com (Jo Bloggs)`` and ``Jo Bloggs <jo@x.com>`` → ``Jo Bloggs``; a bare
    address is not a byline."""
    if not raw or not raw.strip():
        return None
    for pattern in (_AUTHOR_EMAIL_NAME, _AUTHOR_NAME_EMAIL):
        if match := pattern.match(raw):
            return match.group(1).strip()
    if _EMAIL.match(raw):
        return None
    return raw.strip()


def resolve_link(base: str | None, href: str | None, xml_base: str | None = None) -> str | None:
    """An item link made absolute: against its ``xml:base`` if it has one, then against
    the document's address (or, for a local file, the feed's own link)."""
    if not href or not href.strip():
        return None
    href = href.strip()
    for against in (xml_base, base):
        if against and not _is_absolute(href):
            href = urljoin(against, href)
    return href


def _is_absolute(href: str) -> bool:
    return "://" in href[:12] or href.startswith(("mailto:", "data:"))


def is_image(mime: str | None, url: str | None, medium: str | None = None) -> bool:
    if not url:
        return False
    if medium:
        return medium == "image"
    if mime:
        return mime.lower().startswith("image/")
    return url.lower().split("?")[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def make_entry(
    *,
    title: str,
    link: str | None,
    guid: str | None,
    published: str | None,
    updated: str | None,
    author: str | None,
    tags: list[str],
    description: str | None,
    description_html: bool | None,
    content: str | None,
    content_html: bool | None,
    image: str | None,
    tz: tzinfo,
) -> Entry:
    tags = [t.strip() for t in tags if t and t.strip()]
    return Entry(
        title=title.strip(),
        url=link,
        guid=guid.strip() if guid and guid.strip() else None,
        published=_date(published, tz),
        updated=_date(updated, tz),
        author=author,
        category=tags[0] if tags else None,
        tags=tags,
        description=description if description and description.strip() else None,
        description_html=description_html if description else None,
        content=content if content and content.strip() else None,
        content_html=content_html if content else None,
        image=image,
    )


def _date(raw: str | None, tz: tzinfo) -> datetime | None:
    return parse_date(raw, tz) if raw else None


# -- the streaming reader ---------------------------------------------------------------


def _inner_markup(el: Any) -> str:
    """The element's content as markup: its text plus its children serialised."""
    if len(el) == 0:
        return el.text or ""
    from lxml import etree

    parts = [el.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in el)
    return _XMLNS.sub("", "".join(parts))


def _text_construct(el: Any) -> tuple[str, bool | None]:
    """An Atom text construct (title, summary, content) → (value, is_html)."""
    kind = (el.get("type") or "text").lower()
    if kind in ("xhtml", "application/xhtml+xml"):
        div = el[0] if len(el) == 1 and el[0].tag.endswith("div") else el
        return _inner_markup(div).strip(), True
    if kind in ("html", "text/html"):
        return _inner_markup(el), True
    return _inner_markup(el), len(el) > 0  # text, unless it holds elements


def _plain_text(el: Any) -> str:
    return el.text or "" if len(el) == 0 else _inner_markup(el)


def _rss_item(item: Any, base: str | None, default_author: str | None, tz: tzinfo) -> Entry:
    title = ""
    link = guid = published = updated = author = description = content = image = None
    guid_is_link = False
    atom_link: str | None = None
    tags: list[str] = []
    thumbnail = media_image = enclosure = None
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in _TITLE:
            title = title or _plain_text(child)
        elif tag in _LINK:
            link = link or (child.text or "").strip() or None
        elif tag == ATOM + "link":
            if (child.get("rel") or "alternate") == "alternate":
                atom_link = atom_link or child.get("href")
        elif tag == "guid":
            guid = child.text
            guid_is_link = (child.get("isPermaLink") or "true") == "true"
        elif tag in _PUBLISHED:
            published = published or child.text
        elif tag in _UPDATED:
            updated = updated or child.text
        elif tag in _AUTHOR:
            author = author or author_name(child.text)
        elif tag in _CATEGORY:
            tags.append(child.text or "")
        elif tag in _DESCRIPTION:
            description = description if description is not None else _inner_markup(child)
        elif tag == CONTENT + "encoded":
            content = content if content is not None else _inner_markup(child)
        elif tag == MEDIA + "thumbnail":
            thumbnail = thumbnail or child.get("url")
        elif tag == MEDIA + "content":
            url = child.get("url")
            if is_image(child.get("type"), url, child.get("medium")):
                media_image = media_image or url
        elif tag == "enclosure":
            url = child.get("url")
            if is_image(child.get("type"), url):
                enclosure = enclosure or url
    if guid is None:
        guid = item.get(RDF + "about")
    if link is None:
        link = atom_link or (guid.strip() if guid and guid_is_link and guid.strip() else None)
    image = thumbnail or media_image or enclosure
    return make_entry(
        title=title,
        link=resolve_link(base, link, item.base),
        guid=guid,
        published=published,
        updated=updated,
        author=author or default_author,
        tags=tags,
        description=description,
        description_html=True,
        content=content,
        content_html=True,
        image=resolve_link(base, image),
        tz=tz,
    )


def _atom_entry(entry: Any, base: str | None, default_author: str | None, tz: tzinfo) -> Entry:
    title = ""
    link = guid = published = updated = author = None
    description = content = None
    description_html = content_html = None
    tags: list[str] = []
    thumbnail = enclosure = media_image = None
    for child in entry:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == ATOM + "title":
            title = _text_construct(child)[0]
        elif tag == ATOM + "link":
            rel = child.get("rel") or "alternate"
            href = resolve_link(None, child.get("href"), child.base)
            if rel == "alternate":
                link = link or href
            elif rel == "enclosure" and is_image(child.get("type"), href):
                enclosure = enclosure or href
        elif tag == ATOM + "id":
            guid = child.text
        elif tag == ATOM + "published":
            published = child.text
        elif tag == ATOM + "updated":
            updated = child.text
        elif tag == ATOM + "author":
            name = child.find(ATOM + "name")
            author = author or (author_name(name.text) if name is not None else None)
        elif tag == ATOM + "category":
            tags.append(child.get("term") or "")
        elif tag == ATOM + "summary":
            description, description_html = _text_construct(child)
        elif tag == ATOM + "content":
            if child.get("src") is None:
                content, content_html = _text_construct(child)
        elif tag == MEDIA + "thumbnail":
            thumbnail = thumbnail or child.get("url")
        elif tag == MEDIA + "content":
            url = child.get("url")
            if is_image(child.get("type"), url, child.get("medium")):
                media_image = media_image or url
    return make_entry(
        title=title,
        link=resolve_link(base, link),
        guid=guid,
        published=published,
        updated=updated,
        author=author or default_author,
        tags=tags,
        description=description,
        description_html=description_html,
        content=content,
        content_html=content_html,
        image=resolve_link(base, thumbnail or media_image or enclosure),
        tz=tz,
    )


def read_xml_feed(data: bytes, *, location: str | None, tz: tzinfo, name: str = "") -> list[Entry]:
    """Entries of a well-formed RSS 2.0 / RSS 1.0 / Atom 1.0 document, streamed.

    Raises ``NotFastPath`` for anything else (including malformed XML).
    """
    from lxml import etree

    refuse_entity_declarations(data)
    doc_base = location if location and location.startswith(("http://", "https://")) else None
    entries: list[Entry] = []
    dialect = ""
    root: Any = None
    feed_link: str | None = None
    feed_author: str | None = None
    try:
        for event, el in iterparse_xml(io.BytesIO(data), ("start", "end")):
            tag = el.tag
            if root is None:
                root = el
                if el.getroottree().docinfo.doctype:
                    # A DOCTYPE (RSS 0.91's Netscape DTD) brings entities like &eacute;
                    # that only feedparser's tables know.
                    raise NotFastPath("document has a DOCTYPE")
                if tag in ("rss", RDF + "RDF"):
                    dialect = "rss"
                elif tag == ATOM + "feed":
                    dialect = "atom"
                else:
                    raise NotFastPath(f"root element {tag!r}")
                continue
            if event == "start" or not isinstance(tag, str):
                continue
            parent = el.getparent()
            if dialect == "rss":
                if tag == "item" or tag == RSS1 + "item":
                    base = _base(feed_link, doc_base)
                    entries.append(_rss_item(el, base, feed_author, tz))
                    _free(el)
                    if len(entries) >= MAX_ITEMS:
                        break
                elif parent is root and tag.endswith(("channel", "item")) and tag not in _CHANNELS:
                    # <rdf:RDF> holding items of another namespace: RSS 0.90 → feedparser
                    raise NotFastPath(f"RDF with {tag!r}")
                elif tag in _LINK and parent is not None and parent.tag in _CHANNELS:
                    feed_link = feed_link or (el.text or "").strip() or None
            else:
                if tag == ATOM + "entry":
                    entries.append(_atom_entry(el, _base(feed_link, doc_base), feed_author, tz))
                    _free(el)
                    if len(entries) >= MAX_ITEMS:
                        break
                elif parent is root:
                    if tag == ATOM + "link" and (el.get("rel") or "alternate") == "alternate":
                        feed_link = feed_link or resolve_link(None, el.get("href"), el.base)
                    elif tag == ATOM + "author":
                        who = el.find(ATOM + "name")
                        feed_author = feed_author or (
                            author_name(who.text) if who is not None else None
                        )
    except etree.XMLSyntaxError as err:
        raise NotFastPath(str(err)) from None
    if root is None:
        raise NotFastPath("empty document")
    if len(entries) >= MAX_ITEMS:
        from ..log import warn

        warn(f"source {name or location}: read the first {MAX_ITEMS:,} items only")
    return entries


_CHANNELS = frozenset({"channel", RSS1 + "channel"})


def _base(feed_link: str | None, doc_base: str | None) -> str | None:
    """Relative links resolve against the document's address (XML base-URI rules); a
    local file has none, so the feed's own link stands in."""
    if doc_base:
        return doc_base
    return feed_link if feed_link and feed_link.startswith(("http://", "https://")) else None


def _free(el: Any) -> None:
    """Drop a processed item and everything before it, so memory stays flat."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]
