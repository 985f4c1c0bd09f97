"""Rank: each signal is a small pure function of an article (and the ranking context)
returning a value, mostly in [0, 1]; an article's score is the sum of each signal × its
weight from ``[ranking]``. ``digest explain`` shows every contribution.

| signal     | value                                                                  | weight key    |
|------------|------------------------------------------------------------------------|---------------|
| recency    | 1 at the end of the window, halving every ``half_life_days`` before it | recency       |
| popularity | trending views ÷ the top views, else 1 ÷ trending rank; 0 if not hot   | popularity    |
| editorial  | 1 if pinned, plus boosts by source, category and tag; within [-1, 1]   | editorial     |
| source     | the source's ``weight`` (the highest among the sources that carried it)| source_weight |
| coverage   | 1 − 1 ÷ (number of sources that carried it): 0, ½, ⅔, ...              | coverage      |
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import RankingSection
from ..models import Article, Story, TrendingItem, Window
from ..urls import canonical_url
from .dedupe import title_key

# Two headlines are "near-identical" at this Jaccard similarity of their words.
NEAR_TITLE = 0.8
_MIN_WORDS = 3


@dataclass(slots=True)
class RankContext:
    window: Window
    ranking: RankingSection
    trending: list[TrendingItem] = field(default_factory=list)
    _by_url: dict[str, TrendingItem] = field(default_factory=dict)
    _by_title: dict[str, TrendingItem] = field(default_factory=dict)
    _by_word: dict[str, list[tuple[frozenset[str], TrendingItem]]] = field(default_factory=dict)
    _top_views: int = 0
    _pins: list[str] = field(default_factory=list)
    _pin_cache: dict[str, int | None] = field(default_factory=dict)
    _matches: dict[str, TrendingItem | None] = field(default_factory=dict)
    _rarity: dict[str, int] = field(default_factory=dict)
    _boosts: tuple[dict[str, float], dict[str, float], dict[str, float]] = ({}, {}, {})

    def __post_init__(self) -> None:
        for item in self.trending:
            if item.canonical_url:
                self._by_url.setdefault(item.canonical_url, item)
            key = title_key(item.title)
            self._by_title.setdefault(key, item)
            words = frozenset(key.split())
            if len(words) >= _MIN_WORDS:
                for word in words:
                    self._by_word.setdefault(word, []).append((words, item))
        self._rarity = {word: len(items) for word, items in self._by_word.items()}
        self._top_views = max((t.views or 0 for t in self.trending), default=0)
        self._pins = [canonical_url(p) for p in self.ranking.pin]
        boost = self.ranking.boost
        self._boosts = (
            {k.casefold(): v for k, v in boost.sources.items()},
            {k.casefold(): v for k, v in boost.categories.items()},
            {k.casefold(): v for k, v in boost.tags.items()},
        )

    def trending_match(self, article: Article) -> TrendingItem | None:
        """The trending row for this article: same canonical URL, else the same or a
        near-identical headline (best rank wins). Remembered per article id."""
        if article.id in self._matches:
            return self._matches[article.id]
        found = self._match(article)
        self._matches[article.id] = found
        return found

    def _match(self, article: Article) -> TrendingItem | None:
        if article.canonical_url and article.canonical_url in self._by_url:
            return self._by_url[article.canonical_url]
        key = title_key(article.title)
        if key in self._by_title:
            return self._by_title[key]
        words = frozenset(key.split())
        if len(words) < _MIN_WORDS or not self._by_word:
            return None
        # Two sets with Jaccard >= t share at least one of any |A| - ceil(t|A|) + 1 words of
        # A: probing that many of the article's rarest words finds every candidate (words
        # no trending headline has are the rarest, and find nothing).
        probes = len(words) - math.ceil(NEAR_TITLE * len(words)) + 1
        present = [w for w in words if w in self._by_word]
        probes -= len(words) - len(present)
        if probes <= 0:
            return None
        present.sort(key=self._rarity.__getitem__)
        low, high = NEAR_TITLE * len(words), len(words) / NEAR_TITLE
        best: TrendingItem | None = None
        for word in present[:probes]:
            for other, item in self._by_word[word]:
                if (
                    (best is None or item.rank < best.rank)
                    and low <= len(other) <= high
                    and len(words & other) / len(words | other) >= NEAR_TITLE
                ):
                    best = item
        return best

    def pin_index(self, article: Article) -> int | None:
        """Position of the article in ``[ranking] pin`` (by canonical URL), or None."""
        if not self._pins:
            return None
        if article.id in self._pin_cache:
            return self._pin_cache[article.id]
        # canonical_url is already in canonical form; canonicalise the link only without it.
        url = article.canonical_url or (canonical_url(article.url) if article.url else None)
        found = self._pins.index(url) if url in self._pins else None
        self._pin_cache[article.id] = found
        return found

    def boosts(self) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """The boost tables (sources, categories, tags) with case-folded keys."""
        return self._boosts

    @property
    def top_views(self) -> int:
        return self._top_views


def recency_signal(article: Article, ctx: RankContext) -> float:
    """1 at the end of the window, halving every ``half_life_days`` before it."""
    when = article.when
    if when is None:
        return 0.0
    age_days = max(0.0, (ctx.window.until - when).total_seconds() / 86400)
    return math.pow(0.5, age_days / ctx.ranking.half_life_days)


def popularity_signal(article: Article, ctx: RankContext) -> float:
    """From the trending list: views relative to the most viewed, else 1 / rank."""
    item = ctx.trending_match(article)
    if item is None:
        return 0.0
    if item.views and ctx.top_views:
        return item.views / ctx.top_views
    return 1.0 / item.rank if item.rank > 0 else 0.0


def editorial_signal(article: Article, ctx: RankContext) -> float:
    """1 for a pinned article, plus the boosts of its sources, category and tags
    (case-insensitive), clamped to [-1, 1]."""
    sources, categories, tags = ctx.boosts()
    total = 1.0 if ctx.pin_index(article) is not None else 0.0
    total += sum(sources.get(s.casefold(), 0.0) for s in article.sources)
    if article.category:
        total += categories.get(article.category.casefold(), 0.0)
    total += sum(tags.get(t.casefold(), 0.0) for t in article.tags)
    return max(-1.0, min(1.0, total))


def source_weight_signal(article: Article, ctx: RankContext) -> float:
    """The ``weight`` of the source (the highest, if several carried it)."""
    return article.source_weight


def coverage_signal(article: Article, ctx: RankContext) -> float:
    """How many sources carried the story (after dedupe): 0 for one, → 1 for many."""
    return 1.0 - 1.0 / len(article.sources) if article.sources else 0.0


Signal = Callable[[Article, RankContext], float]

# name → (signal, the [ranking] key holding its weight)
SIGNALS: dict[str, tuple[Signal, str]] = {
    "recency": (recency_signal, "recency"),
    "popularity": (popularity_signal, "popularity"),
    "editorial": (editorial_signal, "editorial"),
    "source": (source_weight_signal, "source_weight"),
    "coverage": (coverage_signal, "coverage"),
}


def weights(ranking: RankingSection) -> dict[str, float]:
    """Signal name → its weight."""
    return {name: float(getattr(ranking, key)) for name, (_, key) in SIGNALS.items()}


def score_article(article: Article, ctx: RankContext) -> Story:
    contributions = {
        name: round(getattr(ctx.ranking, key) * signal(article, ctx), 6)
        for name, (signal, key) in SIGNALS.items()
    }
    return Story.model_construct(
        article=article,
        summary=None,
        score=round(sum(contributions.values()), 6),
        signals=contributions,
        pinned=ctx.pin_index(article) is not None,
        link=None,
    )


def rank_articles(articles: list[Article], ctx: RankContext) -> list[Story]:
    """Score every article; pinned ones first in pin order, then by score, then the newer,
    then by id (so equal inputs always give the same order)."""
    scored = [score_article(a, ctx) for a in articles]
    last = len(ctx.ranking.pin)

    def order(story: Story) -> tuple[int, float, float, str]:
        pin = ctx.pin_index(story.article)
        when = story.article.when
        return (
            pin if pin is not None else last,
            -story.score,
            -(when.timestamp() if when else float("-inf")),
            story.article.id,
        )

    return sorted(scored, key=order)
