"""The trending list ("Hot this week"): CSV with rank, title, url and optional views."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from ..errors import FetchError, SourceError
from ..log import warn
from ..models import TrendingItem
from ..text import one_line
from ..urls import canonical_url

if TYPE_CHECKING:
    from ..config import TrendingSection
    from .fetch import Fetcher


def collect_trending(section: TrendingSection, fetcher: Fetcher) -> list[TrendingItem]:
    location = section.url or section.path
    if location is None:
        return []
    try:
        data = fetcher.read(location)
    except FetchError as err:
        raise SourceError(section.name, str(err)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(section.name, "not UTF-8 text") from None
    return read_trending_csv(text, section.name)


def read_trending_csv(text: str, name: str = "trending") -> list[TrendingItem]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"title"} <= fields:
        raise SourceError(name, "CSV needs at least a 'title' column (and rank, url, views)")
    items: list[TrendingItem] = []
    for line_no, row in enumerate(reader, start=2):
        row = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in row.items()
            if isinstance(v, str)
        }
        title = one_line(row.get("title", ""))
        if not title:
            warn(f"source {name}: line {line_no}: no title, row skipped")
            continue
        try:
            rank = int(row["rank"]) if row.get("rank") else len(items) + 1
            views = int(row["views"].replace(",", "")) if row.get("views") else None
        except ValueError:
            warn(
                f"source {name}: line {line_no}: rank and views must be whole numbers, row skipped"
            )
            continue
        url = row.get("url") or None
        items.append(
            TrendingItem(
                rank=rank,
                title=title,
                url=url,
                canonical_url=canonical_url(url) if url else None,
                views=views,
                description=row.get("summary") or row.get("description") or None,
            )
        )
    items.sort(key=lambda item: item.rank)
    return items
