"""Select: the ranking signals, pins, diversity (MMR and caps), history, trending text."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config, parse_config
from digest.models import (
    Article,
    Collection,
    Digest,
    ExclusionReason,
    Story,
    TrendingItem,
    Window,
)
from digest.select import select_stories
from digest.select.history import (
    featured_before,
    open_history,
    recently_featured,
    record_issue,
)
from digest.select.rank import (
    SIGNALS,
    RankContext,
    coverage_signal,
    editorial_signal,
    popularity_signal,
    recency_signal,
)

UNTIL = datetime(2025, 12, 6, tzinfo=UTC)
WINDOW = Window(since=UNTIL - timedelta(days=7), until=UNTIL)
TOPICS = [
    "harbour terminal shipping containers port cranes",
    "election ballots voters parliament campaign",
    "dengue mosquitoes clinics outbreak health",
    "football striker final stadium league",
    "coffee farmers harvest robusta prices",
    "chip startup funding semiconductors design",
    "festival film musicians stage audience",
    "rainfall floods monsoon forecasters haze",
]


def make_article(i: int, **fields: Any) -> Article:
    topic = TOPICS[i % len(TOPICS)]
    data: dict[str, Any] = {
        "id": f"a{i:03d}",
        "title": f"Story {i} about {topic.split()[0]} and {topic.split()[1]}",
        "url": f"https://news.example.com/{i}",
        "canonical_url": f"https://news.example.com/{i}",
        "published": UNTIL - timedelta(hours=6 + i),
        "category": f"Cat{i % 4}",
        "text": f"The {topic} story number {i}. " * 3,
        "sources": ["Wire"],
    }
    data.update(fields)
    return Article.model_validate(data)


def config(**ranking: Any) -> Config:
    digest = ranking.pop("digest", {})
    return parse_config({"digest": {"max_stories": 5, **digest}, "ranking": ranking})


def ctx(cfg: Config | None = None, trending: list[TrendingItem] | None = None) -> RankContext:
    return RankContext(window=WINDOW, ranking=(cfg or config()).ranking, trending=trending or [])


# -- signals ----------------------------------------------------------------------------


def test_recency_halves_every_half_life() -> None:
    context = ctx(config(half_life_days=2))
    at_end = make_article(0, published=UNTIL)
    two_days = make_article(0, published=UNTIL - timedelta(days=2))
    four_days = make_article(0, published=UNTIL - timedelta(days=4))
    assert recency_signal(at_end, context) == 1.0
    assert recency_signal(two_days, context) == pytest.approx(0.5)
    assert recency_signal(four_days, context) == pytest.approx(0.25)
    assert recency_signal(make_article(0, published=None), context) == 0.0


def test_popularity_matches_by_url_or_near_identical_title() -> None:
    trending = [
        TrendingItem(rank=1, title="Unrelated headline here", views=1000),
        TrendingItem(
            rank=2,
            title="Port strike ends after three weeks",
            url="https://news.example.com/strike",
            canonical_url="https://news.example.com/strike",
            views=500,
        ),
        TrendingItem(rank=3, title="Voters head to the polls in a tight race today", views=250),
    ]
    context = ctx(trending=trending)
    by_url = make_article(1, canonical_url="https://news.example.com/strike", title="Other")
    assert popularity_signal(by_url, context) == 0.5
    near = make_article(2, title="Voters head to the polls in a tight race, today!")
    assert popularity_signal(near, context) == 0.25
    close_but_different = make_article(3, title="Voters head to the beach in a heatwave today")
    assert popularity_signal(close_but_different, context) == 0.0
    no_views = ctx(trending=[TrendingItem(rank=4, title="Port strike ends after three weeks")])
    assert (
        popularity_signal(make_article(4, title="Port strike ends after three weeks"), no_views)
        == 0.25
    )


def test_editorial_sums_boosts_case_insensitively_and_pins_count() -> None:
    cfg = config(
        pin=["https://news.example.com/7?utm_source=x"],
        boost={"sources": {"wire": 0.2}, "categories": {"CAT1": 0.3}, "tags": {"Urgent": 0.4}},
    )
    context = ctx(cfg)
    assert editorial_signal(make_article(1, tags=["urgent"]), context) == pytest.approx(0.9)
    assert editorial_signal(make_article(2), context) == pytest.approx(0.2)
    assert editorial_signal(make_article(7), context) == 1.0  # pinned (clamped)
    negative = ctx(config(boost={"categories": {"Cat2": -3}}))
    assert editorial_signal(make_article(2), negative) == -1.0


def test_coverage_grows_with_the_number_of_sources() -> None:
    context = ctx()
    assert coverage_signal(make_article(1, sources=["A"]), context) == 0.0
    assert coverage_signal(make_article(1, sources=["A", "B"]), context) == 0.5
    assert coverage_signal(make_article(1, sources=["A", "B", "C", "D"]), context) == 0.75


def test_score_is_the_sum_of_weighted_signals_for_every_signal() -> None:
    cfg = config(recency=2.0, popularity=0.0, editorial=1.0, source_weight=0.25, coverage=1.0)
    selection = select_stories(Collection(articles=[make_article(1)]), cfg, WINDOW)
    story = selection.candidates[0]
    assert (
        set(story.signals)
        == set(SIGNALS)
        == {
            "recency",
            "popularity",
            "editorial",
            "source",
            "coverage",
        }
    )
    assert story.score == pytest.approx(sum(story.signals.values()), abs=1e-5)
    assert story.signals["recency"] == pytest.approx(2.0 * recency_signal(story.article, ctx(cfg)))
    assert story.signals["source"] == 0.25


# -- pins, caps, diversity --------------------------------------------------------------


def test_a_pinned_article_leads_even_with_the_lowest_score() -> None:
    articles = [make_article(i) for i in range(12)]
    oldest = articles[-1]
    cfg = config(pin=[str(oldest.url)], max_per_category=0)
    selection = select_stories(Collection(articles=articles), cfg, WINDOW)
    assert selection.stories[0].article.id == oldest.id
    assert selection.stories[0].pinned
    assert not any(s.pinned for s in selection.stories[1:])


def test_pins_lead_in_pin_order_and_count_towards_caps() -> None:
    articles = [make_article(i) for i in range(12)]
    cfg = config(
        pin=[str(articles[9].url), str(articles[5].url)], diversity="caps", max_per_category=1
    )
    selection = select_stories(Collection(articles=articles), cfg, WINDOW)
    ids = [s.article.id for s in selection.stories]
    assert ids[:2] == ["a009", "a005"]  # both Cat1: the pins may exceed the cap
    assert [s.article.category for s in selection.stories].count("Cat1") == 2


@pytest.mark.parametrize("mode", ["caps", "mmr"])
def test_the_category_cap_holds(mode: str) -> None:
    # Ten sports stories are the freshest; a cap of 2 must let the others in.
    sport = [
        make_article(i, category="Sport", published=UNTIL - timedelta(minutes=i)) for i in range(10)
    ]
    other = [make_article(20 + i, category=f"Other{i}") for i in range(6)]
    cfg = config(diversity=mode, max_per_category=2, digest={"max_stories": 6})
    selection = select_stories(Collection(articles=sport + other), cfg, WINDOW)
    categories = [s.article.category for s in selection.stories]
    assert len(selection.stories) == 6
    assert categories.count("Sport") == 2
    capped = [e for e in selection.exclusions if e.reason is ExclusionReason.DIVERSITY]
    assert capped and all("category 'Sport' already has 2" in (e.detail or "") for e in capped)


def test_the_source_cap_holds() -> None:
    articles = [make_article(i, sources=["Big"]) for i in range(8)] + [
        make_article(10 + i, sources=[f"Small{i}"]) for i in range(4)
    ]
    cfg = config(diversity="caps", max_per_category=0, max_per_source=1)
    selection = select_stories(Collection(articles=articles), cfg, WINDOW)
    sources = [s.article.sources[0] for s in selection.stories]
    assert sources.count("Big") == 1
    assert len(selection.stories) == 5


def test_no_diversity_takes_rank_order() -> None:
    articles = [make_article(i, category="Same") for i in range(8)]
    cfg = config(diversity="none", max_per_category=1)
    selection = select_stories(Collection(articles=articles), cfg, WINDOW)
    assert [s.article.id for s in selection.stories] == [
        s.article.id for s in selection.candidates[:5]
    ]


def test_mmr_skips_a_near_copy_of_a_chosen_story() -> None:
    text = "The harbour authority approved a second container terminal for the port."
    twins = [
        make_article(
            i,
            title=f"Port approves second container terminal (report {i})",
            text=text,
            category=f"C{i}",
            published=UNTIL - timedelta(minutes=i),
        )
        for i in range(3)
    ]
    others = [make_article(10 + i, category=f"D{i}") for i in range(4)]
    cfg = config(diversity="mmr", mmr_lambda=0.5, max_per_category=0, digest={"max_stories": 3})
    selection = select_stories(Collection(articles=twins + others), cfg, WINDOW)
    chosen = [s.article.id for s in selection.stories]
    assert chosen[0] == "a000"
    assert "a001" not in chosen and "a002" not in chosen
    twin_exclusion = next(e for e in selection.exclusions if e.article_id == "a001")
    assert twin_exclusion.reason is ExclusionReason.DIVERSITY
    assert "similar to" in (twin_exclusion.detail or "")
    # Without diversity the near-copies take the first places.
    plain = select_stories(
        Collection(articles=twins + others),
        config(diversity="none", digest={"max_stories": 3}),
        WINDOW,
    )
    assert [s.article.id for s in plain.stories] == ["a000", "a001", "a002"]


def test_below_the_cut_when_the_issue_is_full() -> None:
    articles = [make_article(i, category=f"C{i}") for i in range(8)]
    selection = select_stories(Collection(articles=articles), config(), WINDOW)
    reasons = {e.article_id: e.reason for e in selection.exclusions}
    left = [s.article.id for s in selection.candidates if s not in selection.stories]
    assert len(left) == 3
    assert all(reasons[i] is ExclusionReason.BELOW_CUT for i in left)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_selection_does_not_depend_on_input_order(rng: random.Random) -> None:
    # Equal scores everywhere: ties are broken by date, then id, never by input order.
    articles = [make_article(i, published=UNTIL - timedelta(hours=i % 3)) for i in range(14)]
    shuffled = articles[:]
    rng.shuffle(shuffled)
    cfg = config(max_per_category=2)
    first = select_stories(Collection(articles=articles), cfg, WINDOW)
    second = select_stories(Collection(articles=shuffled), cfg, WINDOW)
    assert [s.article.id for s in first.stories] == [s.article.id for s in second.stories]
    assert [s.article.id for s in first.candidates] == [s.article.id for s in second.candidates]


# -- history ----------------------------------------------------------------------------


def digest_of(stories: list[Article], day: date) -> Digest:
    picked = [Story(article=a) for a in stories]
    return Digest(
        title="T",
        issue_date=day,
        window=WINDOW,
        timezone="UTC",
        lead=picked[0],
        stories=picked[1:],
    )


def test_recently_featured_articles_are_left_out_with_the_issue_date(tmp_path: Path) -> None:
    db_path = tmp_path / "state.sqlite3"
    articles = [make_article(i) for i in range(6)]
    db = open_history(db_path)
    record_issue(db, digest_of(articles[:2], date(2025, 11, 28)))
    db.close()
    featured = featured_before(db_path, 4, date(2025, 12, 5))
    assert featured["a000"] == "2025-11-28"
    selection = select_stories(Collection(articles=articles), config(), WINDOW, featured=featured)
    assert {s.article.id for s in selection.candidates}.isdisjoint({"a000", "a001"})
    repeats = [e for e in selection.exclusions if e.reason is ExclusionReason.ALREADY_FEATURED]
    assert {e.article_id for e in repeats} == {"a000", "a001"}
    assert all(e.detail == "in the issue of 2025-11-28" for e in repeats)


def test_only_the_last_n_issues_count_and_never_the_issue_itself(tmp_path: Path) -> None:
    db = open_history(tmp_path / "s.sqlite3")
    for week, article in enumerate([make_article(i) for i in range(5)]):
        record_issue(db, digest_of([article], date(2025, 11, 7) + timedelta(weeks=week)))
    # Issues on 11-07, 11-14, 11-21, 11-28, 12-05.
    assert set(recently_featured(db, 2, date(2025, 12, 5))) >= {"a002", "a003"}
    assert "a001" not in recently_featured(db, 2, date(2025, 12, 5))
    assert "a004" not in recently_featured(db, 4, date(2025, 12, 5))  # its own date
    assert recently_featured(db, 0, date(2025, 12, 5)) == {}


def test_reading_history_never_creates_the_database(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "state.sqlite3"
    assert featured_before(path, 4, date(2025, 12, 5)) == {}
    assert not path.exists()


# -- trending ---------------------------------------------------------------------------


def test_trending_rows_borrow_the_matched_articles_text() -> None:
    article = make_article(
        1,
        title="Port strike ends after three weeks",
        description="Dockers return on Monday.",
        text="Dock workers voted to return. The strike had lasted three weeks.",
    )
    rows = [
        TrendingItem(rank=1, title="Port strike ends after three weeks"),
        TrendingItem(rank=2, title="Something we never collected"),
        TrendingItem(rank=3, title="Has its own", description="Own words."),
    ]
    selection = select_stories(Collection(articles=[article], trending=rows), config(), WINDOW)
    first, second, third = selection.trending
    assert first.description == "Dockers return on Monday."
    assert first.text.startswith("Dock workers voted")
    assert second.description is None and second.text == ""
    assert third.description == "Own words." and third.text == ""
