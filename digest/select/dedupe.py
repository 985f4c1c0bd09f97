"""Dedupe: merge articles that are the same story (same canonical URL, same GUID, or
near-identical text), keeping the richest fields and every source that carried it."""

from __future__ import annotations

import re

from ..models import Article, Exclusion, ExclusionReason, TrendingItem

_WORDS = re.compile(r"\w+")


def title_key(title: str) -> str:
    """Case-, punctuation- and spacing-insensitive form of a headline."""
    return " ".join(_WORDS.findall(title.casefold()))


def _richer(a: str | None, b: str | None) -> str | None:
    if not a:
        return b
    if not b:
        return a
    return b if len(b) > len(a) else a


def merge_articles(kept: Article, other: Article) -> Article:
    """One article from two copies of the same story: the longer text fields, the earliest
    date, the union of tags and sources, the highest source weight."""
    dates = [d for d in (kept.published, other.published) if d is not None]
    sources = kept.sources + [s for s in other.sources if s not in kept.sources]
    tags = kept.tags + [t for t in other.tags if t not in kept.tags]
    return kept.model_copy(
        update={
            "url": kept.url or other.url,
            "canonical_url": kept.canonical_url or other.canonical_url,
            "guid": kept.guid or other.guid,
            "published": min(dates) if dates else None,
            "updated": max((d for d in (kept.updated, other.updated) if d), default=None),
            "author": kept.author or other.author,
            "category": kept.category or other.category,
            "tags": tags,
            "description": _richer(kept.description, other.description),
            "text": _richer(kept.text, other.text) or "",
            "image": kept.image or other.image,
            "sources": sources,
            "source_weight": max(kept.source_weight, other.source_weight),
        }
    )


def dedupe_articles(articles: list[Article]) -> tuple[list[Article], list[Exclusion]]:
    """Merge duplicates; the first copy seen keeps its place in the list."""
    merged: list[Article] = []
    by_key: dict[str, int] = {}
    dropped: list[Exclusion] = []
    for article in articles:
        keys = _keys(article)
        index = next((by_key[k] for k in keys if k in by_key), None)
        if index is None:
            index = len(merged)
            merged.append(article)
        else:
            dropped.append(
                Exclusion(
                    title=article.title,
                    url=article.url,
                    source=", ".join(article.sources),
                    reason=ExclusionReason.DUPLICATE,
                    detail=f"same story as {merged[index].title!r}",
                )
            )
            merged[index] = merge_articles(merged[index], article)
        for key in _keys(merged[index]):
            by_key.setdefault(key, index)
    return merged, dropped


def _keys(article: Article) -> list[str]:
    keys = []
    if article.canonical_url:
        keys.append("url:" + article.canonical_url)
    if article.guid:
        keys.append("guid:" + article.guid)
    title = title_key(article.title)
    if len(title) >= 12:
        keys.append("title:" + title)
    return keys


def dedupe_trending(items: list[TrendingItem]) -> list[TrendingItem]:
    """The trending list without repeats (same canonical URL or same headline); the best
    rank wins and view counts are kept from whichever row had them."""
    seen: dict[str, TrendingItem] = {}
    out: list[TrendingItem] = []
    for item in sorted(items, key=lambda i: i.rank):
        keys = [
            k
            for k in ("url:" + (item.canonical_url or ""), "title:" + title_key(item.title))
            if not k.endswith(":")
        ]
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            if first.views is None and item.views is not None:
                first.views = item.views
            continue
        out.append(item)
        for key in keys:
            seen[key] = item
    return out
