"""The trending list: CSV, JSON or a feed, by rank or by views, from a file or HTTP."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.fetch import Fetcher
from digest.collect.registry import CollectContext
from digest.collect.trending import collect_trending
from digest.config import Config, TrendingSection, parse_config
from digest.errors import SourceError
from digest.models import TrendingItem

from .helpers import SAMPLES, write
from .httpserver import LoopbackServer, http_server_fixture  # noqa: F401

DATA = Path(__file__).parent / "data"


def read(section: dict[str, object]) -> list[TrendingItem]:
    config: Config = parse_config({"trending": section})
    assert config.trending is not None
    ctx = CollectContext(config=config, tz=ZoneInfo("UTC"), fetcher=Fetcher(config.http))
    return collect_trending(config.trending, ctx)


def test_sample_csv() -> None:
    items = read({"path": str(SAMPLES / "trending.csv")})
    assert [i.rank for i in items] == sorted(i.rank for i in items)
    assert items[0].title.startswith("Kallang Rovers edge Harbourfront")
    assert items[0].views == 48210
    assert (
        items[0].canonical_url == "https://wire.example.com/2025/11/kallang-rovers-lift-straits-cup"
    )


def test_json_with_views_only_is_ranked_by_views(tmp_path: Path) -> None:
    path = write(
        tmp_path / "hot.json",
        '{"items": [{"title": "Less read", "url": "https://a.example/1", "pageviews": "1,200"},'
        ' {"headline": "Most read", "link": "https://a.example/2", "views": 9000},'
        ' {"title": "No views"}, {"title": "Bad views", "views": "lots"}]}',
    )
    items = read({"path": str(path)})
    assert [(i.rank, i.title, i.views) for i in items] == [
        (1, "Most read", 9000),
        (2, "Less read", 1200),
        (3, "No views", None),
    ]


def test_rows_without_rank_follow_the_ranked_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "hot.csv",
        "rank,title,views\n2,Second,10\n,Unranked big,500\n1,First,5\n,Unranked small,50\n",
    )
    items = read({"path": str(path)})
    assert [(i.rank, i.title) for i in items] == [
        (1, "First"),
        (2, "Second"),
        (3, "Unranked big"),
        (4, "Unranked small"),
    ]


def test_feed_order_is_the_rank(tmp_path: Path) -> None:
    items = read({"path": str(DATA / "feeds/atom.xml")})
    assert [(i.rank, i.title) for i in items] == [
        (1, "Rice harvest beats forecasts"),
        (2, "Monsoon arrives early"),
    ]
    assert items[1].description == "Heavy rain in the north."


@pytest.mark.parametrize(
    ("route", "body", "content_type", "first"),
    [
        ("/hot", "rank,title\n1,From CSV\n", "text/csv", "From CSV"),
        ("/hot.json", '[{"rank": 1, "title": "From JSON"}]', "application/json", "From JSON"),
        ("/api/hot", '[{"title": "Sniffed JSON", "views": 3}]', "text/plain", "Sniffed JSON"),
        (
            "/hot.feed",
            (DATA / "feeds/feed11.json").read_text(),
            "application/feed+json",
            "Rail link opens",
        ),
        (
            "/rss",
            (DATA / "feeds/rss2.xml").read_text(),
            "text/xml",
            "Ferry fares & timetables change on Monday",
        ),
    ],
)
def test_auto_format_over_http(
    http_server: LoopbackServer, route: str, body: str, content_type: str, first: str
) -> None:
    http_server.route(route, body, content_type=content_type)
    items = read({"url": http_server.url(route)})
    assert items[0].title == first


def test_forced_format(tmp_path: Path) -> None:
    path = write(tmp_path / "hot.data", '[{"rank": 1, "title": "Forced"}]')
    assert read({"path": str(path), "format": "json"})[0].title == "Forced"
    with pytest.raises(SourceError, match="CSV needs at least a 'title' column"):
        read({"path": str(path), "format": "csv"})


def test_missing_trending_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="source trending: file not found"):
        read({"path": str(tmp_path / "none.csv")})


def test_trending_section_rejects_an_unknown_format() -> None:
    with pytest.raises(Exception, match="format"):
        TrendingSection.model_validate({"format": "xls"})


def test_a_missing_trending_list_is_a_warning_and_strict_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from digest.collect import collect
    from digest.config import load_config
    from digest.dates import issue_window
    from digest.errors import BuildError

    cfg = load_config(
        write(
            tmp_path / "c.toml",
            f'[[sources]]\ntype = "feed"\npath = "{DATA / "feeds/rss2.xml"}"\n'
            '[trending]\npath = "gone.csv"\n',
        )
    )
    tz = ZoneInfo("UTC")
    window, now = issue_window(date(2025, 12, 5), tz), datetime(2025, 12, 6, tzinfo=tz)
    result = collect(cfg, window, now=now)
    assert result.trending == [] and len(result.articles) == 3
    assert f"source trending: file not found: {tmp_path / 'gone.csv'}" in caplog.text
    with pytest.raises(BuildError, match="--strict: source trending failed: file not found"):
        collect(cfg, window, now=now, strict=True)


def test_a_feed_over_http_is_decoded_as_the_server_says(http_server: LoopbackServer) -> None:
    # The server's charset outranks the document's own declaration (RFC 7303), as for any
    # feed source.
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Hot'
        "</title><item><title>Café wins the cup</title><link>https://e.com/a</link></item>"
        "</channel></rss>"
    ).encode()
    http_server.route("/hot.rss", body, content_type="application/rss+xml; charset=utf-8")
    assert [i.title for i in read({"url": http_server.url("/hot.rss")})] == ["Café wins the cup"]
