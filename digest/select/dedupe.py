"""Dedupe: merge articles that are the same story — the same canonical URL, the same GUID,
the same headline, or near-identical text (MinHash/LSH over word shingles, datasketch) —
keeping the richest fields and every source that carried it."""

from __future__ import annotations

import itertools
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


# Word boundaries for shingling: punctuation becomes a space (str.translate is several
# times faster than a regex over 10,000 bodies, and the two copies of a story are split
# the same way either way).
_PUNCTUATION = str.maketrans(
    dict.fromkeys("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’‚„–—…«»‹›·•¡¿", " ")
)


def shingle_hashes(article: Article, vocabulary: defaultdict[str, int]) -> Any:
    """32-bit hashes (a numpy array) of the word 3-shingles of the text's opening; None for
    a text under ``MIN_BODY_WORDS`` words (a teaser or a paywall line says too little to
    judge, and headlines are rewritten by partners far more often than wire copy).

    Words become small ids from a vocabulary shared by one dedupe run (a dict lookup
    costs less than hashing each word; ids are given in order of first sight), and each
    shingle's ids are mixed arithmetically: the same input gives the same hashes in every
    run, unlike ``hash()``."""
    import numpy as np

    body = (article.text or article.description or "")[: MAX_WORDS * 12]
    words = body.casefold().translate(_PUNCTUATION).split()[:MAX_WORDS]
    if len(words) < MIN_BODY_WORDS:
        return None
    ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.uint64, count=len(words))
    mixed = (ids[:-2] * np.uint64(0x9E3779B1) + ids[1:-1]) * np.uint64(0x85EBCA77) + ids[2:]
    # Repeats are harmless to a MinHash, so no np.unique: it would cost more than it saves.
    return (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def minhash_signatures(shingles: list[Any], permutations: Any) -> Any:
    """MinHash signatures (documents × permutations) of many shingle arrays at once.

    The permutations are datasketch's affine32 ones (``h → a·h + b mod 2³²``); the batch
    is done in numpy, in chunks, because building one datasketch ``MinHash`` per article
    costs ~40 µs each in Python."""
    import numpy as np

    a, b = (np.asarray(p, dtype=np.uint32) for p in permutations)
    width = max(len(s) for s in shingles)
    # Pad every row to the same width with its own first value (a repeat cannot change a
    # minimum), so the minimum is one vectorised reduction over a 3-D block.
    padded = np.empty((len(shingles), width), dtype=np.uint32)
    for row, values in zip(padded, shingles, strict=True):
        row[: len(values)] = values
        row[len(values) :] = values[0]
    signatures = np.empty((len(shingles), len(a)), dtype=np.uint32)
    chunk = max(1, 4_000_000 // (width * len(a)))  # ~16 MB of permuted values at a time
    for lo in range(0, len(shingles), chunk):
        block = padded[lo : lo + chunk, :, None] * a + b  # wraps mod 2**32, as intended
        signatures[lo : lo + chunk] = block.min(axis=1)
    return signatures


def _near_duplicates(articles: list[Article], groups: _Groups) -> None:
    """Union the articles whose estimated Jaccard similarity reaches the threshold.

    datasketch gives the permutations and the LSH banding (bands × rows for the
    threshold); the banding itself is numpy: articles whose signatures agree on a whole
    band are candidates, and candidates are checked against the estimated similarity."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    indexed = [
        (i, s) for i, a in enumerate(articles) if (s := shingle_hashes(a, vocabulary)) is not None
    ]
    if len(indexed) < 2:
        return
    positions = np.array([i for i, _ in indexed])
    template = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    signatures = minhash_signatures([s for _, s in indexed], template.permutations)
    # Recall over precision: candidates are checked against the estimated similarity anyway.
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_THRESHOLD, num_perm=NUM_PERM, weights=(0.1, 0.9))
    for band in range(lsh.b):
        keys = np.ascontiguousarray(signatures[:, band * lsh.r : (band + 1) * lsh.r])
        _, bucket = np.unique(
            keys.view(np.dtype((np.void, keys.shape[1] * 4))), return_inverse=True
        )
        order = np.argsort(bucket.ravel(), kind="stable")  # within a bucket: list order
        for lo, hi in _runs(bucket.ravel()[order]):
            _union_similar(order[lo:hi], signatures, positions, groups)


def _union_similar(members: Any, signatures: Any, positions: Any, groups: _Groups) -> None:
    """Within one LSH bucket, join each article to the first earlier representative it is
    near-identical to (vectorised, so a bucket of a thousand copies stays linear)."""
    import numpy as np

    representatives: list[int] = []
    for member in members.tolist():
        if representatives:
            alike = np.mean(signatures[representatives] == signatures[member], axis=1)
            best = int(np.argmax(alike >= NEAR_DUPLICATE_THRESHOLD))
            if alike[best] >= NEAR_DUPLICATE_THRESHOLD:
                groups.union(
                    int(positions[representatives[best]]),
                    int(positions[member]),
                    f"near-identical text ({alike[best]:.0%} alike)",
                )
                continue
        representatives.append(member)


def _runs(values: Any) -> list[tuple[int, int]]:
    """[lo, hi) of each run of two or more equal values in a sorted array."""
    import numpy as np

    if len(values) < 2:
        return []
    edges = np.flatnonzero(values[1:] != values[:-1]) + 1
    bounds = np.concatenate(([0], edges, [len(values)]))
    return [(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds) if hi - lo > 1]


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
