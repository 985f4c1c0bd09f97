"""Dedupe: same canonical URL, same GUID, same headline, near-identical text; trending."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.collect import collect
from digest.config import load_config
from digest.dates import issue_window
from digest.models import Article, ExclusionReason, TrendingItem
from digest.select.dedupe import dedupe_articles, dedupe_trending
from digest.urls import canonical_url

from .helpers import write

STORY = (
    "The port authority said on Tuesday that container volumes rose eleven per cent in "
    "November, the strongest month since the pandemic, as shipping lines rerouted vessels "
    "away from congested hubs further north. Officials credited a new automated yard and "
    "longer opening hours at the customs checkpoint, and said a third berth would open "
    "next year to handle the larger ships now calling at the harbour every week."
)
OTHER = (
    "Rainfall in the northern provinces reached twice the monthly average, flooding rice "
    "fields and closing two highways, the meteorological department reported, warning "
    "that more storms were expected before the end of the monsoon season next month."
)


def art(n: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "id": str(n),
        "title": f"Headline number {n}",
        "sources": [f"S{n}"],
        **fields,
    }
    if values.get("url"):
        values["canonical_url"] = canonical_url(str(values["url"]))
    return Article.model_validate(values)


def test_same_canonical_url_merges_keeping_the_richest_fields() -> None:
    a = art(
        1,
        url="https://News.example.com/a/story/?utm_source=rss#top",
        text="short",
        published=datetime(2025, 12, 3, tzinfo=UTC),
        tags=["x"],
        source_weight=1.0,
    )
    b = art(
        2,
        url="https://news.example.com/amp/a/story",
        text="a much longer body of text",
        description="standfirst",
        image="https://news.example.com/i.jpg",
        published=datetime(2025, 12, 2, tzinfo=UTC),
        tags=["x", "y"],
        source_weight=2.0,
    )
    merged, dropped = dedupe_articles([a, b])
    assert len(merged) == 1
    one = merged[0]
    assert one.sources == ["S1", "S2"]
    assert one.text == "a much longer body of text"
    assert one.description == "standfirst" and one.image == "https://news.example.com/i.jpg"
    assert one.published == datetime(2025, 12, 2, tzinfo=UTC)
    assert one.tags == ["x", "y"] and one.source_weight == 2.0
    assert one.title == a.title  # the first copy keeps its place and headline
    assert dropped[0].reason is ExclusionReason.DUPLICATE
    assert dropped[0].detail == "same URL as 'Headline number 1'"


def test_same_guid_merges_but_short_ids_are_per_source() -> None:
    a = art(1, guid="tag:wire.example.com,2025:4411")
    b = art(2, guid="tag:wire.example.com,2025:4411")
    assert len(dedupe_articles([a, b])[0]) == 1
    c, d = art(3, guid="1234"), art(4, guid="1234")  # two CMSs numbering from 1
    assert len(dedupe_articles([c, d])[0]) == 2
    e = art(5, guid="1234", sources=["S3"])  # the same source twice: one story
    assert len(dedupe_articles([c, e])[0]) == 1


def test_same_headline_merges() -> None:
    a = art(1, title="Ferry fares rise on Monday!", url="https://a.example/1")
    b = art(2, title="ferry fares rise on monday", url="https://b.example/2")
    merged, dropped = dedupe_articles([a, b])
    assert len(merged) == 1 and "same headline" in (dropped[0].detail or "")


def test_near_identical_text_merges_across_urls_and_headlines() -> None:
    a = art(1, title="Port volumes hit a record", url="https://wire.example/port", text=STORY)
    b = art(
        2,
        title="Harbour container traffic jumps 11%",
        url="https://partner.example/harbour-traffic",
        text=STORY.replace("next year", "in 2026") + " Reporting by the wire desk.",
    )
    c = art(3, title="Floods close highways", url="https://wire.example/floods", text=OTHER)
    merged, dropped = dedupe_articles([a, b, c])
    assert [m.title for m in merged] == ["Port volumes hit a record", "Floods close highways"]
    assert merged[0].sources == ["S1", "S2"]
    assert dropped[0].detail is not None and dropped[0].detail.startswith("near-identical text")


def test_related_but_different_stories_stay_apart() -> None:
    a = art(1, url="https://a.example/1", text=STORY)
    rewritten = (
        "Container traffic through the harbour climbed in November, port officials said, "
        "crediting automation in the yard. Shipping analysts cautioned that the gain may "
        "fade once congestion eases at rival hubs, and unions asked for more staff."
    )
    b = art(2, url="https://b.example/2", text=rewritten)
    assert len(dedupe_articles([a, b])[0]) == 2


def test_short_texts_are_not_judged_by_text() -> None:
    a = art(1, url="https://a.example/1", text="Read more.")
    b = art(2, url="https://b.example/2", text="Read more.")
    assert len(dedupe_articles([a, b])[0]) == 2


def test_dedupe_is_deterministic_and_order_preserving() -> None:
    items = [
        art(i, url=f"https://x.example/{i % 7}", text=STORY if i % 5 == 0 else "")
        for i in range(30)
    ]
    first = dedupe_articles(items)
    second = dedupe_articles(items)
    assert first == second
    assert [a.id for a in first[0]] == sorted({a.id for a in first[0]}, key=int)


def test_duplicates_across_two_feeds_are_merged_through_collect(tmp_path: Path) -> None:
    item = (
        "<item><title>{title}</title><link>{link}</link>"
        "<pubDate>Wed, 03 Dec 2025 08:00:00 +0800</pubDate><description>{text}</description></item>"
    )
    one = item.format(
        title="Port volumes hit a record", link="https://wire.example/port", text=STORY
    )
    two = item.format(
        title="Port volumes hit a record",
        link="https://wire.example/port?utm_source=partner&amp;utm_medium=rss",
        text=STORY[:200],
    )
    for name, body in (("a.xml", one), ("b.xml", two)):
        write(
            tmp_path / name,
            f'<rss version="2.0"><channel><title>{name}</title>{body}</channel></rss>',
        )
    cfg = load_config(
        write(
            tmp_path / "digest.toml",
            '[digest]\ntimezone = "Asia/Singapore"\n'
            '[[sources]]\ntype = "feed"\nname = "Wire"\npath = "a.xml"\n'
            '[[sources]]\ntype = "feed"\nname = "Partner"\npath = "b.xml"\n',
        )
    )
    tz = ZoneInfo("Asia/Singapore")
    result = collect(cfg, issue_window(date(2025, 12, 5), tz), now=datetime(2025, 12, 5, tzinfo=tz))
    merged, dropped = dedupe_articles(result.articles)
    assert len(merged) == 1 and merged[0].sources == ["Wire", "Partner"]
    assert merged[0].text == STORY
    assert len(dropped) == 1


def test_trending_duplicates_are_merged() -> None:
    def item(rank: int, title: str, url: str | None, views: int | None = None) -> TrendingItem:
        return TrendingItem(
            rank=rank,
            title=title,
            url=url,
            canonical_url=canonical_url(url) if url else None,
            views=views,
        )

    items = [
        item(3, "PesoPay outage on payday", "https://w.example/pesopay?utm_source=x", 900),
        item(1, "Straits Cup final", "https://w.example/cup", None),
        item(6, "PesoPay outage on payday", "https://w.example/pesopay", 1200),
        item(7, "Straits cup final!", None, 5000),
        item(2, "Something else", "https://w.example/else"),
    ]
    out = dedupe_trending(items)
    assert [(i.rank, i.title, i.views) for i in out] == [
        (1, "Straits Cup final", 5000),
        (2, "Something else", None),
        (3, "PesoPay outage on payday", 1200),
    ]
