"""Rank: each signal is a small pure function of an article returning a value in [0, 1];
the score is the sum of signal × its weight from ``[ranking]``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..config import RankingSection
from ..models import Article, Story, TrendingItem, Window
from ..urls import canonical_url
from .dedupe import title_key


@dataclass(slots=True)
class RankContext:
    window: Window
    ranking: RankingSection
    trending: list[TrendingItem] = field(default_factory=list)
    _by_url: dict[str, TrendingItem] = field(default_factory=dict)
    _by_title: dict[str, TrendingItem] = field(default_factory=dict)
    _pins: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for item in self.trending:
            if item.canonical_url:
                self._by_url.setdefault(item.canonical_url, item)
            self._by_title.setdefault(title_key(item.title), item)
        self._pins = [canonical_url(p) for p in self.ranking.pin]

    def trending_match(self, article: Article) -> TrendingItem | None:
        if article.canonical_url and article.canonical_url in self._by_url:
            return self._by_url[article.canonical_url]
        return self._by_title.get(title_key(article.title))

    def pin_index(self, article: Article) -> int | None:
        if article.canonical_url in self._pins:
            return self._pins.index(article.canonical_url or "")
        return None


def recency_signal(article: Article, ctx: RankContext) -> float:
    """1 at the end of the window, halving every ``half_life_days`` before it."""
    when: datetime | None = article.when
    if when is None:
        return 0.0
    age_days = max(0.0, (ctx.window.until - when).total_seconds() / 86400)
    return math.pow(0.5, age_days / ctx.ranking.half_life_days)


def popularity_signal(article: Article, ctx: RankContext) -> float:
    """From the trending list: views relative to the most viewed, else by rank."""
    item = ctx.trending_match(article)
    if item is None:
        return 0.0
    top_views = max((t.views or 0 for t in ctx.trending), default=0)
    if item.views and top_views:
        return item.views / top_views
    return 1.0 / item.rank if item.rank > 0 else 0.0


def editorial_signal(article: Article, ctx: RankContext) -> float:
    """Boosts by source, category or tag (summed), clamped to [-1, 1]; pins are handled
    by the selection, which puts them first."""
    boost = ctx.ranking.boost
    total = sum(boost.sources.get(s, 0.0) for s in article.sources)
    if article.category:
        total += boost.categories.get(article.category, 0.0)
    total += sum(boost.tags.get(t, 0.0) for t in article.tags)
    return max(-1.0, min(1.0, total))


def source_weight_signal(article: Article, ctx: RankContext) -> float:
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


def score_article(article: Article, ctx: RankContext) -> Story:
    contributions = {
        name: round(getattr(ctx.ranking, key) * signal(article, ctx), 6)
        for name, (signal, key) in SIGNALS.items()
    }
    return Story(
        article=article,
        score=round(sum(contributions.values()), 6),
        signals=contributions,
        pinned=ctx.pin_index(article) is not None,
    )


def rank_articles(articles: list[Article], ctx: RankContext) -> list[Story]:
    """Score every article; order by pins first, then score, then recency, then id (stable)."""
    scored = [score_article(a, ctx) for a in articles]

    def order(story: Story) -> tuple[int, float, float, str]:
        pin = ctx.pin_index(story.article)
        when = story.article.when
        return (
            pin if pin is not None else len(ctx._pins) + 1,
            -story.score,
            -(when.timestamp() if when else 0.0),
            story.article.id,
        )

    return sorted(scored, key=order)
