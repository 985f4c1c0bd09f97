"""The trending list ("Hot this week"): CSV, JSON or a feed, with ranks or view counts.

``[trending] format = "auto"`` picks by the file extension, then by the content. Each row
needs a title; rank, url, views and summary are optional. Rows without a rank are ranked
by their views (most first), after any rows that have one; a feed's order is its rank.
A bad row is skipped with a warning naming its line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import BadSourceData, FetchError, SourceError, first_line
from ..log import warn
from ..models import TrendingItem
from ..text import one_line, plain
from ..urls import canonical_url
from .export import malformed_csv
from .fetch import Fetched, decode_text

if TYPE_CHECKING:
    from ..config import TrendingSection
    from .registry import CollectContext

Format = Literal["csv", "json", "feed"]

_FIELDS: dict[str, tuple[str, ...]] = {
    "rank": ("rank", "position", "pos"),
    "title": ("title", "headline", "name"),
    "url": ("url", "link", "permalink"),
    "views": ("views", "pageviews", "page_views", "count", "hits", "visits", "reads"),
    "summary": ("summary", "description", "excerpt", "standfirst"),
}


@dataclass(slots=True)
class _Row:
    where: str  # "line 3" / "item 2", for warnings
    values: dict[str, Any]


def collect_trending(section: TrendingSection, ctx: CollectContext) -> list[TrendingItem]:
    location = section.url or section.path
    if location is None:
        return []
    try:
        fetched = ctx.fetcher.fetch(location)
        fmt = section.format if section.format != "auto" else detect_format(fetched)
        rows = _read_rows(fetched, fmt, ctx)
    except (FetchError, BadSourceData) as err:
        raise SourceError(section.name, str(err)) from None
    return rank_rows(rows, section.name)


def detect_format(fetched: Fetched) -> Format:
    """By extension, then by content: JSON (a JSON Feed is a feed), XML (a feed), else CSV."""
    from .feed import sniff_document

    name = fetched.location.lower().split("?")[0]
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith((".xml", ".rss", ".atom", ".rdf")):
        return "feed"
    kind = sniff_document(fetched.data, fetched.content_type)
    if kind == "json":
        head = fetched.data[:4096]
        return "feed" if b"jsonfeed.org/version" in head else "json"
    if kind == "xml":
        return "feed"
    return "csv"


def _read_rows(fetched: Fetched, fmt: Format, ctx: CollectContext) -> list[_Row]:
    if fmt == "feed":
        from .feed import parse_feed

        entries = parse_feed(
            fetched.data,
            tz=ctx.tz,
            location=fetched.location,
            content_type=fetched.content_type,
            charset=fetched.charset,
        )
        return [
            _Row(
                f"item {n}",
                {
                    "rank": n,
                    "title": entry.title,
                    "url": entry.url,
                    "summary": plain(entry.description, entry.description_html) or None,
                },
            )
            for n, entry in enumerate(entries, start=1)
        ]
    text = decode_text(fetched.data, fetched.charset)
    if fmt == "json":
        from .export import find_records

        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise BadSourceData(f"malformed JSON: {first_line(err)}") from None
        return [
            _Row(f"item {n}", _pick(record) if isinstance(record, dict) else {})
            for n, record in enumerate(find_records(data), start=1)
        ]
    # strict: an unterminated quote is an error, not a title that swallows the next rows
    reader = csv.DictReader(io.StringIO(text), strict=True)
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not fields & set(_FIELDS["title"]):
        raise BadSourceData("CSV needs at least a 'title' column (and rank, url, views)")
    rows = []
    try:
        for row in reader:
            clean = {(k or "").strip().lower(): v for k, v in row.items() if isinstance(v, str)}
            rows.append(_Row(f"line {reader.line_num}", _pick(clean)))
    except csv.Error as err:
        raise BadSourceData(malformed_csv(reader.line_num + 1, err)) from None
    return rows


def _pick(record: dict[str, Any]) -> dict[str, Any]:
    folded = {str(k).strip().casefold(): v for k, v in record.items()}
    out: dict[str, Any] = {}
    for field, names in _FIELDS.items():
        for name in names:
            value = folded.get(name)
            if value not in (None, ""):
                out[field] = value
                break
    return out


def _whole_number(value: Any) -> int | None:
    """A rank or a view count: 12, "12", "12,000", 12.0; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip().replace(",", "").replace("_", "")
    if text.endswith(".0"):
        text = text[:-2]
    return int(text)


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def rank_rows(rows: list[_Row], name: str = "trending") -> list[TrendingItem]:
    """Rows → items, sorted by rank; rows without a rank are ranked by views."""
    ranked: list[tuple[int, int, str, str | None, int | None, str | None]] = []
    unranked: list[tuple[int, str, str | None, int | None, str | None]] = []
    for order, row in enumerate(rows):
        values = row.values
        title = one_line(plain(_text(values.get("title"))))
        if not title:
            warn(f"source {name}: {row.where}: no title, row skipped")
            continue
        try:
            rank = _whole_number(values.get("rank"))
            views = _whole_number(values.get("views"))
        except (ValueError, TypeError):
            warn(f"source {name}: {row.where}: rank and views must be whole numbers, row skipped")
            continue
        url = _text(values.get("url"))
        summary = _text(values.get("summary"))
        if rank is not None:
            ranked.append((rank, order, title, url, views, summary))
        else:
            unranked.append((order, title, url, views, summary))
    ranked.sort()
    # Without a rank: most views first, then the list's own order.
    unranked.sort(key=lambda r: (r[3] is None, -(r[3] or 0), r[0]))
    next_rank = (ranked[-1][0] if ranked else 0) + 1
    items = [
        TrendingItem(
            rank=rank,
            title=title,
            url=url,
            canonical_url=canonical_url(url) if url else None,
            views=views,
            description=summary,
        )
        for rank, _, title, url, views, summary in ranked
    ]
    for offset, (_, title, url, views, summary) in enumerate(unranked):
        items.append(
            TrendingItem(
                rank=next_rank + offset,
                title=title,
                url=url,
                canonical_url=canonical_url(url) if url else None,
                views=views,
                description=summary,
            )
        )
    return items
