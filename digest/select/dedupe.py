"""Dedupe: merge articles that are the same story — the same canonical URL, the same GUID,
the same headline, or near-identical text (MinHash/LSH over word shingles, datasketch) —
keeping the richest fields and every source that carried it."""

from __future__ import annotations

import itertools
import operator
import re
from collections import defaultdict
from typing import Any

from ..models import Article, Exclusion, ExclusionReason, TrendingItem

_WORDS = re.compile(r"\w+")

# Near-duplicate text: two articles whose word 3-shingles (from the first words of the
# text) have an estimated Jaccard similarity of at least this are one story.
# 0.7 catches a wire story republished with a new standfirst or a trimmed ending; reworded
# coverage of the same event stays apart (it usually shares well under half its shingles).
NEAR_DUPLICATE_THRESHOLD = 0.7
SHINGLE_WORDS = 3
MAX_WORDS = 100  # the opening is enough to recognise a story, and keeps dedupe fast
MIN_BODY_WORDS = 40  # shorter texts are judged by their exact keys only
NUM_PERM = 64


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


class _Groups:
    """Union-find over article indices; the smallest index is each group's root."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.why: dict[int, str] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int, why: str) -> None:
        a, b = self.find(i), self.find(j)
        if a == b:
            return
        root, child = min(a, b), max(a, b)
        self.parent[child] = root
        self.why.setdefault(max(i, j), why)


def _exact_keys(article: Article) -> list[tuple[str, str]]:
    keys = []
    if article.canonical_url:
        keys.append(("url:" + article.canonical_url, "same URL"))
    if article.guid:
        guid = article.guid.strip()
        # "1234" from one CMS is not "1234" from another: short ids are per source.
        if len(guid) < 16 and ":" not in guid and "/" not in guid:
            guid = f"{article.sources[0] if article.sources else ''}|{guid}"
        keys.append(("guid:" + guid, "same GUID"))
    title = title_key(article.title)
    if len(title) >= 12:
        keys.append(("title:" + title, "same headline"))
    return keys


def shingle_hashes(article: Article, vocabulary: defaultdict[str, int]) -> list[int]:
    """32-bit hashes of the word 3-shingles of the text's opening; none for a text under
    ``MIN_BODY_WORDS`` words (a teaser or a paywall line says too little to judge, and
    headlines are rewritten by partners far more often than wire copy).

    Words become small ids from a vocabulary shared by one dedupe run (a dict lookup
    costs less than hashing each word; ids are given in order of first sight), and each
    shingle's ids are mixed arithmetically: the same input gives the same hashes in every
    run, unlike ``hash()``."""
    import numpy as np

    body = (article.text or article.description or "")[: MAX_WORDS * 12]
    words = _WORDS.findall(body.casefold())[:MAX_WORDS]
    if len(words) < MIN_BODY_WORDS:
        return []
    ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.uint64, count=len(words))
    mixed = (ids[:-2] * np.uint64(0x9E3779B1) + ids[1:-1]) * np.uint64(0x85EBCA77) + ids[2:]
    # Repeats are harmless to a MinHash, so no np.unique: it would cost more than it saves.
    hashes: list[int] = (mixed & np.uint64(0xFFFFFFFF)).tolist()
    return hashes


def _near_duplicates(articles: list[Article], groups: _Groups) -> None:
    from datasketch import MinHash, MinHashLSH

    # Recall over precision: candidates are checked against the estimated similarity anyway.
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_THRESHOLD, num_perm=NUM_PERM, weights=(0.1, 0.9))
    template = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=operator.index, scheme="affine32")
    signatures: dict[int, Any] = {}
    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    for i, article in enumerate(articles):
        found = shingle_hashes(article, vocabulary)
        if not found:
            continue
        signature = MinHash(
            num_perm=NUM_PERM,
            hashfunc=operator.index,
            permutations=template.permutations,
            scheme="affine32",
        )
        signature.update_batch(found)
        for j in lsh.query(signature):
            similarity = signature.jaccard(signatures[j])
            if similarity >= NEAR_DUPLICATE_THRESHOLD:
                groups.union(j, i, f"near-identical text ({similarity:.0%} alike)")
        lsh.insert(i, signature)
        signatures[i] = signature


def dedupe_articles(articles: list[Article]) -> tuple[list[Article], list[Exclusion]]:
    """Merge duplicates; the first copy seen keeps its place in the list."""
    groups = _Groups(len(articles))
    first_with: dict[str, int] = {}
    for i, article in enumerate(articles):
        for key, why in _exact_keys(article):
            if key in first_with:
                groups.union(first_with[key], i, why)
            else:
                first_with[key] = i
    if len(articles) > 1:
        _near_duplicates(articles, groups)

    merged: dict[int, Article] = {}
    dropped: list[Exclusion] = []
    for i, article in enumerate(articles):
        root = groups.find(i)
        if root not in merged:
            merged[root] = article
            continue
        dropped.append(
            Exclusion(
                title=article.title,
                url=article.url,
                source=", ".join(article.sources),
                reason=ExclusionReason.DUPLICATE,
                detail=f"{groups.why.get(i, 'same story')} as {merged[root].title!r}",
            )
        )
        merged[root] = merge_articles(merged[root], article)
    return [merged[root] for root in sorted(merged)], dropped


def dedupe_trending(items: list[TrendingItem]) -> list[TrendingItem]:
    """The trending list without repeats (same canonical URL or same headline); the best
    rank wins, keeping the most views and any summary a repeat had."""
    seen: dict[str, int] = {}
    out: list[TrendingItem] = []
    for item in sorted(items, key=lambda i: i.rank):
        keys = [
            k
            for k in ("url:" + (item.canonical_url or ""), "title:" + title_key(item.title))
            if not k.endswith(":")
        ]
        index = next((seen[k] for k in keys if k in seen), None)
        if index is not None:
            first = out[index]
            out[index] = first.model_copy(
                update={
                    "views": max(
                        (v for v in (first.views, item.views) if v is not None), default=None
                    ),
                    "url": first.url or item.url,
                    "canonical_url": first.canonical_url or item.canonical_url,
                    "description": first.description or item.description,
                }
            )
            for key in keys:
                seen.setdefault(key, index)
            continue
        for key in keys:
            seen[key] = len(out)
        out.append(item)
    return out
