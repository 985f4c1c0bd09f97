"""Select: dedupe, leave out what recent issues featured, rank, keep the mix diverse.

collection → dedupe (dedupe.py) → history (history.py) → rank (rank.py)
           → choose with diversity (diversity.py) → Selection
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ..config import Config
from ..models import (
    Article,
    Collection,
    Exclusion,
    ExclusionReason,
    Selection,
    TrendingItem,
    Window,
)
from .dedupe import dedupe_articles, dedupe_trending
from .diversity import choose_stories
from .rank import RankContext, rank_articles

__all__ = ["choose_from", "dedupe_collection", "featured_articles", "select_stories"]


def select_stories(
    collection: Collection,
    config: Config,
    window: Window,
    *,
    featured: Mapping[str, str] | None = None,
) -> Selection:
    """Choose the issue's stories (lead first). ``featured`` maps article ids and canonical
    URLs that recent issues featured to that issue's date; those are left out."""
    return choose_from(dedupe_collection(collection), config, window, featured=featured)


def dedupe_collection(collection: Collection) -> Collection:
    """The collection with duplicate articles merged (each recorded as an exclusion) and
    repeats removed from the trending list."""
    articles, duplicates = dedupe_articles(collection.articles)
    return collection.model_copy(
        update={
            "articles": articles,
            "trending": dedupe_trending(collection.trending),
            "exclusions": [*collection.exclusions, *duplicates],
        }
    )


def choose_from(
    collection: Collection,
    config: Config,
    window: Window,
    *,
    featured: Mapping[str, str] | None = None,
) -> Selection:
    """Rank a deduplicated collection and choose the stories: history, signals, diversity."""
    fresh, repeats = drop_featured(collection.articles, featured or {})
    ctx = RankContext(window=window, ranking=config.ranking, trending=collection.trending)
    ranked = rank_articles(fresh, ctx)
    chosen, left_out = choose_stories(ranked, config.ranking, config.digest.max_stories)
    return Selection(
        stories=chosen,
        candidates=ranked,
        exclusions=[*collection.exclusions, *repeats, *left_out],
        trending=with_article_text(collection.trending, collection.articles, ctx),
    )


def featured_articles(config: Config, issue_date: date) -> dict[str, str]:
    """What the last ``[history] exclude_last`` published issues before ``issue_date``
    featured (empty when history is off)."""
    from .history import featured_before

    if not config.history.enabled:
        return {}
    return featured_before(config.state_path, config.history.exclude_last, issue_date)


def drop_featured(
    articles: list[Article], featured: Mapping[str, str]
) -> tuple[list[Article], list[Exclusion]]:
    """Leave out articles a recent issue featured (matched by id or canonical URL)."""
    if not featured:
        return articles, []
    kept: list[Article] = []
    dropped: list[Exclusion] = []
    for article in articles:
        day = featured.get(article.id) or (
            featured.get(article.canonical_url) if article.canonical_url else None
        )
        if day is None:
            kept.append(article)
            continue
        dropped.append(
            Exclusion(
                title=article.title,
                url=article.url,
                source=", ".join(article.sources) or None,
                reason=ExclusionReason.ALREADY_FEATURED,
                detail=f"in the issue of {day}",
                article_id=article.id,
            )
        )
    return kept, dropped


def with_article_text(
    trending: list[TrendingItem], articles: list[Article], ctx: RankContext
) -> list[TrendingItem]:
    """Trending rows with neither description nor text borrow them from the collected
    article they point at (matched as for popularity), so "Hot this week" gets one-line
    summaries too."""
    if all(item.description or item.text for item in trending):
        return trending
    matched: dict[int, Article] = {}
    for article in articles:
        item = ctx.trending_match(article)
        if item is not None and id(item) not in matched:
            matched[id(item)] = article
    return [
        item.model_copy(
            update={"description": matched[id(item)].description, "text": matched[id(item)].text}
        )
        if id(item) in matched and not (item.description or item.text)
        else item
        for item in trending
    ]
