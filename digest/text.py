"""Turning untrusted source markup into plain text, and small text helpers. Pure.

Everything a source gives is untrusted: markup is parsed (never passed through), scripts,
styles and embedded content are dropped with their text, and what is left is plain text
that the templates autoescape.
"""

from __future__ import annotations

import html
import re
import unicodedata

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_html(text: str) -> bool:
    return bool(_TAGLIKE.search(text)) or "&" in text


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment or document; paragraphs separated by blank lines."""
    if not markup or not markup.strip():
        return ""
    if not _TAGLIKE.search(markup):
        return clean_text(html.unescape(markup))
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    etree.strip_elements(
        root, *_DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False
    )
    chunks: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                chunks.append("\n\n" if tag != "br" and tag != "li" else "\n")
            if el.text:
                chunks.append(el.text)
        else:
            if tag in _BLOCK_TAGS and tag != "br":
                chunks.append("\n\n")
            if el.tail and el is not root:
                chunks.append(el.tail)
    return clean_text("".join(chunks))


def clean_text(text: str) -> str:
    """Normalise whitespace and drop control characters; keep paragraph breaks."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace (for titles, names, one-line fields)."""
    return " ".join(clean_text(text).split())


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def plain(value: str | None, is_html: bool | None = None) -> str:
    """Plain text of a source field that may or may not be HTML."""
    if not value:
        return ""
    if is_html is None:
        is_html = looks_like_html(value)
    return html_to_text(value) if is_html else clean_text(value)
