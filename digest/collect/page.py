"""``type = "page"``: HTML article pages (a file or URL, or lists of them in ``paths`` /
``urls``); title, date, author, description, image and the main text are extracted with
trafilatura (boilerplate — navigation, footers, scripts — is left out).

One page that fails is a warning naming it; the source fails only when every page does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from ..config import HttpUrl, RelPath, SourceConfig
from ..dates import parse_date
from ..errors import BadSourceData, FetchError, SourceError
from ..log import warn
from .feed import sniff_document
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind


class PageSource(SourceConfig):
    type: Literal["page"]
    paths: list[RelPath] = Field(default_factory=list)
    urls: list[HttpUrl] = Field(default_factory=list)

    def needs_location(self) -> bool:
        return False  # one or more of path, url, paths, urls: checked below

    @model_validator(mode="after")
    def _some_location(self) -> PageSource:
        if not self.pages():
            raise ValueError("give 'path', 'url', 'paths' or 'urls'")
        return self

    def pages(self) -> list[str | Path]:
        found: list[str | Path] = []
        for one in (self.path, self.url, *self.paths, *self.urls):
            if one is not None and one not in found:
                found.append(one)
        return found

    @property
    def location(self) -> str:
        pages = self.pages()
        first = str(pages[0]) if pages else ""
        return first if len(pages) < 2 else f"{first} (+{len(pages) - 1} more)"


# trafilatura's cost grows faster than the page (a 2 MB page of 40,000 paragraphs takes
# seconds, 5 MB nearly a minute). Real article pages have a few thousand tags.
MAX_PAGE_TAGS = 50_000


def extract_page(html: str, url: str | None, ctx: CollectContext) -> Entry:
    """The article in an HTML page, as an ``Entry`` (plain-text body)."""
    import trafilatura

    markup_tags = html.count("<")
    if markup_tags > MAX_PAGE_TAGS:
        raise BadSourceData(
            f"the page is too large to extract ({markup_tags:,} tags;"
            f" the limit is {MAX_PAGE_TAGS:,})"
        )

    doc: Any = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if doc is None:
        raise BadSourceData("no article text found in the page")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    title = (meta.get("title") or "").strip()
    lines = [line.strip() for line in (meta.get("text") or "").splitlines() if line.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline, repeated as the text's first line
    tags = [*(meta.get("categories") or []), *(meta.get("tags") or [])]
    return Entry(
        title=title,
        url=meta.get("url") or url,
        published=parse_date(meta.get("date"), ctx.tz),
        author=meta.get("author") or None,
        category=tags[0] if tags else None,
        tags=tags,
        description=meta.get("description") or None,
        description_html=False,
        content="\n\n".join(lines) or None,
        content_html=False,
        image=meta.get("image") or None,
    )


def collect_pages(source: SourceConfig, ctx: CollectContext) -> list[Entry]:
    assert isinstance(source, PageSource)
    name = source.display_name
    entries: list[Entry] = []
    failures: list[tuple[str | Path, str]] = []
    pages = source.pages()
    for page in pages:
        try:
            fetched = ctx.fetcher.fetch(page)
            kind = sniff_document(fetched.data, fetched.content_type)
            if kind not in ("html", "xml", "unknown"):
                raise BadSourceData(f"not an HTML page ({fetched.content_type or kind})")
            html = fetched.text()
            url = fetched.location if fetched.is_url else None
            entries.append(extract_page(html, url, ctx))
        except (FetchError, BadSourceData) as err:
            failures.append((page, str(err)))
    if failures and not entries:
        page, reason = failures[0]
        if len(pages) > 1:
            reason = f"every page failed (first: {page}: {reason})"
        raise SourceError(name, reason)
    for page, reason in failures:
        warn(f"source {name}: page {page}: {reason}")
    return entries


SOURCE_KINDS.add("page", SourceKind(config=PageSource, collect=collect_pages))
