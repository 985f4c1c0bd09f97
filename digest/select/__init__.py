"""Select: dedupe, rank, keep the mix diverse, and leave out what recent issues featured."""

from __future__ import annotations

from collections import Counter

from ..config import Config
from ..models import Collection, Exclusion, ExclusionReason, Selection, Story, Window
from .dedupe import dedupe_articles, dedupe_trending
from .rank import RankContext, rank_articles


def select_stories(collection: Collection, config: Config, window: Window) -> Selection:
    articles, duplicates = dedupe_articles(collection.articles)
    trending = dedupe_trending(collection.trending)
    ctx = RankContext(window=window, ranking=config.ranking, trending=trending)
    ranked = rank_articles(articles, ctx)
    chosen, left_out = apply_caps(ranked, config)
    return Selection(
        stories=chosen,
        candidates=ranked,
        exclusions=[*collection.exclusions, *duplicates, *left_out],
        trending=trending,
    )


def apply_caps(ranked: list[Story], config: Config) -> tuple[list[Story], list[Exclusion]]:
    """Take stories in rank order, skipping any that would exceed a per-category or
    per-source cap (pinned stories are always taken)."""
    cap_cat = config.ranking.max_per_category if config.ranking.diversity != "none" else 0
    cap_src = config.ranking.max_per_source if config.ranking.diversity != "none" else 0
    limit = config.digest.max_stories
    chosen: list[Story] = []
    left_out: list[Exclusion] = []
    per_cat: Counter[str] = Counter()
    per_src: Counter[str] = Counter()
    for story in ranked:
        article = story.article
        cat = article.category or ""
        src = article.sources[0] if article.sources else ""
        if len(chosen) >= limit:
            reason, detail = ExclusionReason.BELOW_CUT, None
        elif not story.pinned and cap_cat and cat and per_cat[cat] >= cap_cat:
            reason, detail = ExclusionReason.DIVERSITY, f"category {cat!r} already has {cap_cat}"
        elif not story.pinned and cap_src and per_src[src] >= cap_src:
            reason, detail = ExclusionReason.DIVERSITY, f"source {src!r} already has {cap_src}"
        else:
            chosen.append(story)
            per_cat[cat] += 1
            per_src[src] += 1
            continue
        left_out.append(
            Exclusion(
                title=article.title, url=article.url, source=src, reason=reason, detail=detail
            )
        )
    return chosen, left_out
