"""One article from outside the pipeline (``digest summarise``): plain text or an HTML page
→ an ``Article`` with title, description and body text."""

from __future__ import annotations

import hashlib
from typing import Any

from ..models import Article
from ..text import clean_text, html_to_text, one_line

_HTML_HINTS = ("<html", "<!doctype", "<body", "<p>", "<p ", "<div", "<article", "<br")
# Page furniture that is never the article (html_to_text drops nav/aside/figcaption itself).
_FURNITURE = (
    ".//header | .//footer | .//nav | .//aside | .//form | .//figure | .//*[@role='navigation']"
)


def is_html(raw: str) -> bool:
    head = raw[:4096].lower()
    return any(hint in head for hint in _HTML_HINTS)


def is_markdown(raw: str, name: str = "") -> bool:
    """A Markdown file (by its name) or any text that opens with YAML front matter."""
    return name.lower().endswith((".md", ".markdown")) or raw.lstrip("\ufeff").startswith("---\n")


def article_from_text(raw: str, *, name: str = "-") -> Article:
    """Plain text, Markdown (with front matter) or HTML → an ``Article`` (HTML: the page's
    main text, title and description)."""
    if is_html(raw):
        title, description, text = page_parts(raw)
    elif is_markdown(raw, name):
        title, description, text = markdown_parts(raw)
    else:
        title, description, text = "", None, clean_text(raw)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Article(id=digest, title=title, description=description, text=text)


def markdown_parts(raw: str) -> tuple[str, str | None, str]:
    """Title and description from the front matter (if any), and the body as plain text,
    read as the collect stage reads a Markdown source."""
    from ..collect.markdown import front_matter, markdown_to_html, scalar_text
    from ..errors import BadSourceData

    try:
        meta, body = front_matter(raw.lstrip("\ufeff"))
    except BadSourceData:  # not front matter after all: the whole text is the body
        meta, body = {}, raw
    title = one_line(scalar_text(meta.get("title")) or "")
    described = scalar_text(meta.get("summary")) or scalar_text(meta.get("description"))
    description = one_line(described) if described else None
    return title, description, html_to_text(markdown_to_html(body))


def page_parts(markup: str) -> tuple[str, str | None, str]:
    """Title, description and main text of an HTML page. trafilatura finds the main text
    when it is available; otherwise the ``<article>`` (or ``<main>``, or ``<body>``) less
    its header, footer, navigation, figures and forms."""
    extracted = _trafilatura(markup)
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return "", None, html_to_text(markup)

    def meta(*names: str) -> str | None:
        for name in names:
            for value in root.xpath(f"//meta[@name='{name}' or @property='{name}']/@content"):
                if str(value).strip():
                    return one_line(str(value))
        return None

    title = meta("og:title", "twitter:title") or one_line(root.findtext(".//title") or "")
    description = meta("description", "og:description", "twitter:description")
    if extracted is not None:
        return extracted[0] or title, extracted[1] or description, extracted[2]
    body = next(
        (found[0] for path in ("//article", "//main", "//body") if (found := root.xpath(path))),
        root,
    )
    for element in body.xpath(_FURNITURE):
        element.drop_tree()
    if not title:
        title = one_line(" ".join(body.xpath("string(.//h1)").split()))
    for heading in body.xpath(".//h1"):
        heading.drop_tree()  # the headline is the title, not summary material
    return title, description, html_to_text(etree.tostring(body, encoding="unicode"))


def _trafilatura(markup: str) -> tuple[str, str | None, str] | None:
    from ..collect.page import MAX_PAGE_TAGS

    if markup.count("<") > MAX_PAGE_TAGS:  # trafilatura would take minutes: lxml alone
        return None
    try:
        import trafilatura
    except ImportError:  # a broken install (e.g. lxml without html_clean): use lxml alone
        return None
    try:
        doc: Any = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception:  # trafilatura raises many kinds on odd pages; fall back to lxml
        return None
    if doc is None:
        return None
    get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
    # trafilatura puts each paragraph on one line; blank lines are what the summariser splits at.
    text = clean_text((get("text") or "").replace("\n", "\n\n"))
    if not text:
        return None
    description = get("description")
    return one_line(get("title") or ""), one_line(description) if description else None, text
