"""Turning untrusted source markup into plain text, and small text helpers. Pure.

Everything a source gives is untrusted: markup is parsed (never passed through), scripts,
styles and embedded content are dropped with their text, and what is left is plain text
that the templates autoescape.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from typing import Any

_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "form", "button", "select", "textarea", "head", "title", "figcaption", "nav", "aside",
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "dd",
        "dt",
        "dl",
        "hr",
    ]
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
_TAGLIKE = re.compile(r"<[a-zA-Z!/?]")
# Control characters, and lone surrogates (JSON's "\ud800" decodes to one; no encoder takes it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_EDGES = re.compile(r" ?\n ?")


def looks_like_html(text: str) -> bool:
    return bool(_TAGLIKE.search(text)) or "&" in text


_parsers = threading.local()


def _html_parser() -> Any:
    """One lxml HTML parser per thread (parsers are not thread-safe); plain elements, no
    comments or processing instructions, never the network."""
    parser = getattr(_parsers, "html", None)
    if parser is None:
        from lxml import etree

        parser = _parsers.html = etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, recover=True
        )
    return parser


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment or document; paragraphs separated by blank lines."""
    if not markup or not markup.strip():
        return ""
    if not _TAGLIKE.search(markup):
        return clean_text(html.unescape(markup))
    from lxml import etree

    markup = _CONTROL.sub("", markup)  # lxml refuses control characters in text
    try:
        doc = etree.fromstring(f"<div>{markup}</div>", _html_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        doc = None
    if doc is None:  # nothing parseable: drop anything tag-shaped
        return clean_text(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    etree.strip_elements(doc, *_DROP_TAGS, with_tail=False)
    # Mark block boundaries in the tree, then let lxml gather the text (in C).
    for el in doc.iter(*_BLOCK_TAGS):
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
            continue
        el.text = ("\n" if el.tag == "li" else "\n\n") + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    return clean_text("".join(doc.itertext()))


def clean_text(text: str) -> str:
    """Normalise whitespace and drop control characters; keep paragraph breaks."""
    if text.isascii() and text.isprintable():  # the common one-line case, quickly
        return " ".join(text.split())
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_EDGES.sub("\n", _SPACES.sub(" ", text))
    return _BLANKS.sub("\n\n", text).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace (for titles, names, one-line fields)."""
    return " ".join(clean_text(text).split())


ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` (its whitespace collapsed) cut to at most ``limit`` characters at a word
    boundary, ending in an ellipsis: for titles, summaries and the preheader alike.

    A word is cut only when the last space is in the first half of the room (a pasted URL,
    one long compound); punctuation and opening quotes or brackets left dangling at the
    cut are dropped."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - len(ELLIPSIS))]
    if not text[len(head)].isspace():  # the cut falls inside a word: back to its start
        space = head.rfind(" ")
        if space >= limit // 2:
            head = head[:space]
    return head.rstrip(" ,;:.-–—([{\"'“‘") + ELLIPSIS


def plain(value: str | None, is_html: bool | None = None) -> str:
    """Plain text of a source field that may or may not be HTML."""
    if not value:
        return ""
    if is_html is None:
        is_html = looks_like_html(value)
    return html_to_text(value) if is_html else clean_text(value)
