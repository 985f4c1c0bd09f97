"""Every source kind, from a file and from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect import collect
from digest.config import Config, load_config
from digest.dates import issue_window
from digest.errors import ConfigError
from digest.models import Collection, ExclusionReason

from .helpers import SAMPLES, write
from .httpserver import LoopbackServer, http_server_fixture  # noqa: F401

DATA = Path(__file__).parent / "data"
SGT = ZoneInfo("Asia/Singapore")
WINDOW = issue_window(date(2025, 12, 5), SGT)
NOW = datetime(2025, 12, 5, 23, 0, tzinfo=SGT)


def config(tmp_path: Path, body: str) -> Config:
    head = '[digest]\ntimezone = "Asia/Singapore"\n[http]\ntimeout = 2\nretries = 0\n'
    return load_config(write(tmp_path / "digest.toml", head + body))


def run(cfg: Config) -> Collection:
    return collect(cfg, WINDOW, now=NOW)


def titles(result: Collection) -> list[str]:
    return [a.title for a in result.articles]


def serve_file(server: LoopbackServer, path: Path, content_type: str) -> str:
    route = "/" + path.name
    server.route(route, path.read_bytes(), content_type=content_type)
    return server.url(route)


# -- feed --------------------------------------------------------------------------------


def test_feed_from_a_file(tmp_path: Path) -> None:
    cfg = config(tmp_path, f'[[sources]]\ntype = "feed"\npath = "{DATA / "feeds/rss2.xml"}"\n')
    result = run(cfg)
    assert titles(result) == [
        "Ferry fares & timetables change on Monday",
        "Night market returns to the waterfront",
        "Permalink guid only",
    ]
    ferry = result.articles[0]
    assert ferry.description == "New fares start on Monday."
    assert ferry.text.startswith("The ferry operator said")
    assert ferry.canonical_url == "https://harbour.example.com/2025/12/ferry-fares"
    assert ferry.sources == ["rss2.xml"]
    assert [e.reason for e in result.exclusions] == [ExclusionReason.UNDATED]


def test_feed_over_http_with_a_wrong_content_type(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    url = serve_file(http_server, DATA / "feeds/atom.xml", "text/html; charset=utf-8")
    cfg = config(tmp_path, f'[[sources]]\ntype = "feed"\nname = "Field"\nurl = "{url}"\n')
    result = run(cfg)
    assert titles(result) == ["Rice harvest beats forecasts", "Monsoon arrives early"]
    assert result.statuses[0].ok and result.statuses[0].items == 2


def test_json_feed_over_http(tmp_path: Path, http_server: LoopbackServer) -> None:
    url = serve_file(http_server, DATA / "feeds/feed11.json", "application/feed+json")
    cfg = config(tmp_path, f'[[sources]]\ntype = "feed"\nurl = "{url}"\n')
    result = run(cfg)
    assert titles(result) == [
        "Rail link opens",
        "A short note with no title about the harbour lights this weekend.",
    ]


def test_conditional_get_is_reported_as_not_modified(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.route(
        "/f.xml", (DATA / "feeds/rss2.xml").read_bytes(), etag='"a"', content_type="text/xml"
    )
    cfg = config(tmp_path, f'[[sources]]\ntype = "feed"\nurl = "{http_server.url("/f.xml")}"\n')
    first, second = run(cfg), run(cfg)
    assert not first.statuses[0].not_modified
    assert second.statuses[0].not_modified
    assert titles(first) == titles(second)


# -- markdown ----------------------------------------------------------------------------


def test_markdown_folder(tmp_path: Path) -> None:
    cfg = config(tmp_path, f'[[sources]]\ntype = "markdown"\npath = "{SAMPLES / "articles"}"\n')
    result = run(cfg)
    assert len(result.articles) >= 10
    reef = next(a for a in result.articles if "Anambas" in a.title)
    assert reef.author == "Rizky Pratama"
    assert reef.category == "Science"
    assert reef.tags == ["coral reefs", "Indonesia", "citizen science"]
    assert reef.url == "https://desk.example.org/stories/anambas-reef-census"
    assert "212 species" in reef.text and "**" not in reef.text


def test_markdown_file_over_http(tmp_path: Path, http_server: LoopbackServer) -> None:
    md = SAMPLES / "articles" / "2025-11-29-anambas-reef-census.md"
    url = serve_file(http_server, md, "text/markdown")
    cfg = config(tmp_path, f'[[sources]]\ntype = "markdown"\nurl = "{url}"\n')
    (article,) = run(cfg).articles
    assert article.title.startswith("Volunteer divers log 212 coral species")


def test_a_bad_markdown_file_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "md"
    folder.mkdir()
    shutil.copy(SAMPLES / "articles" / "2025-11-29-anambas-reef-census.md", folder / "ok.md")
    write(folder / "bad.md", "---\ntitle: [unclosed\n---\nbody\n")
    (folder / "latin.md").write_bytes(b"---\ntitle: caf\xe9\ndate: 2025-12-01\n---\nx\n")
    write(
        folder / "bomb.md",
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
        "title: *f\ntags: *f\ndate: 2025-12-01\n---\nBody.\n",
    )
    cfg = config(tmp_path, f'[[sources]]\ntype = "markdown"\nname = "Desk"\npath = "{folder}"\n')
    result = run(cfg)
    assert any("Anambas" in t for t in titles(result))
    assert "source Desk: bad.md: skipped: bad front matter" in caplog.text
    assert "source Desk: latin.md: skipped: not UTF-8 (a bad byte at line 2)" in caplog.text
    bomb = next(a for a in result.articles if a.title == "bomb")  # title falls back to the name
    assert bomb.tags == []


# -- json / csv exports ------------------------------------------------------------------


def test_json_export_with_default_field_names(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = DATA / "exports/articles.json"
    cfg = config(tmp_path, f'[[sources]]\ntype = "json"\nname = "CMS"\npath = "{path}"\n')
    result = run(cfg)
    (water,) = result.articles
    assert water.title == "Water tariffs to rise in January"
    assert water.published == datetime(2025, 12, 2, 14, 30, tzinfo=SGT)  # naive: config tz
    assert water.author == "Nur Aisyah" and water.category == "Politics"
    assert water.tags == ["water", "utilities"]
    assert water.image == "https://cms.example.com/img/water.jpg"
    assert water.text == "Households will pay about S$3 more a month."  # no script text
    assert water.guid == "501"
    assert [e.reason for e in result.exclusions] == [ExclusionReason.OUT_OF_WINDOW]
    assert "source CMS: skipped 1 record(s) with no title or text" in caplog.text


def test_csv_export_over_http_with_sniffed_delimiter_and_date_format(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    url = serve_file(http_server, DATA / "exports/articles.csv", "text/csv")
    cfg = config(
        tmp_path,
        f'[[sources]]\ntype = "csv"\nurl = "{url}"\nundated = "keep"\n'
        'date_format = "%d/%m/%Y %H:%M"\n',
    )
    result = run(cfg)
    bus, column = result.articles
    assert bus.title == "Bus lanes extended to the airport"
    assert bus.published == datetime(2025, 12, 4, 9, 0, tzinfo=SGT)
    assert bus.tags == ["buses", "airport"]
    assert bus.text == "Work starts in March.\n\nIt will take a year."
    assert column.published is None  # kept: undated = "keep"


def test_csv_mapping_overrides_field_names(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        f'[[sources]]\ntype = "csv"\npath = "{DATA / "exports/custom.csv"}"\n'
        'mapping = { title = "story_name", url = "story_link", date = "went_live", '
        'category = "desk" }\n',
    )
    (article,) = run(cfg).articles
    assert article.title == "Harbour dredging to begin"
    assert article.category == "Business"
    assert article.url == "https://cms.example.com/news/dredging"


def test_json_export_items_key_and_mapping_over_http(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.route(
        "/export",
        '{"payload": {"rows": [{"name": "Dotted paths work", "meta": {"when": "2025-12-03"},'
        ' "href": "https://x.example/d"}]}}',
        content_type="application/json",
    )
    cfg = config(
        tmp_path,
        f'[[sources]]\ntype = "json"\nurl = "{http_server.url("/export")}"\n'
        'items = "payload.rows"\nmapping = { date = "meta.when", url = "href" }\n',
    )
    (article,) = run(cfg).articles
    assert article.title == "Dotted paths work"
    assert article.published == datetime(2025, 12, 3, tzinfo=SGT)
    assert article.url == "https://x.example/d"


def test_unknown_mapping_field_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.mapping: unknown field 'headline'"):
        config(
            tmp_path, '[[sources]]\ntype = "csv"\npath = "a.csv"\nmapping = { headline = "h" }\n'
        )


# -- pages -------------------------------------------------------------------------------


def test_page_from_a_file(tmp_path: Path) -> None:
    cfg = config(
        tmp_path, f'[[sources]]\ntype = "page"\npath = "{DATA / "pages/mangroves.html"}"\n'
    )
    (page,) = run(cfg).articles
    assert page.title == "Mangrove replanting doubles along the coast"
    assert page.url == "https://coast.example.com/2025/12/mangroves"  # rel=canonical
    assert page.author == "Rosa Lim"
    assert page.published == datetime(2025, 12, 3, 9, 15, tzinfo=SGT)
    assert page.description == "Volunteers planted 40,000 seedlings this season."
    assert page.text.startswith("Volunteers planted 40,000 mangrove seedlings")
    assert "SCRIPT-SHOULD-NOT-APPEAR" not in page.text and "Home | News" not in page.text


def test_pages_from_a_list_of_urls_one_failing(
    tmp_path: Path, http_server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    first = serve_file(http_server, DATA / "pages/mangroves.html", "text/html")
    second = serve_file(http_server, DATA / "pages/second.html", "text/html; charset=windows-1252")
    gone = http_server.url("/gone.html")
    cfg = config(
        tmp_path,
        f'[[sources]]\ntype = "page"\nname = "Picks"\nurls = ["{first}", "{second}", "{gone}"]\n',
    )
    result = run(cfg)
    assert titles(result) == ["Mangrove replanting doubles along the coast", "Night buses return"]
    assert f"source Picks: page {gone}: HTTP 404" in caplog.text
    assert result.statuses[0].ok


def test_page_source_needs_a_location(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give 'path', 'url', 'paths' or 'urls'"):
        config(tmp_path, '[[sources]]\ntype = "page"\n')


# -- opml --------------------------------------------------------------------------------


def test_opml_file_expands_into_feeds(tmp_path: Path) -> None:
    shutil.copytree(DATA / "feeds", tmp_path / "feeds")
    write(
        tmp_path / "subs.opml",
        """<?xml version="1.0"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
  <outline text="Local">
    <outline type="rss" text="Harbour" title="Harbour Times" xmlUrl="feeds/rss2.xml"/>
    <outline type="rss" text="Field" xmlUrl="feeds/atom.xml"/>
  </outline>
  <outline type="rss" text="Lab" xmlUrl="feeds/rss1.xml"/>
  <outline type="rss" text="Dup" xmlUrl="feeds/rss1.xml"/>
</body></opml>""",
    )
    cfg = config(tmp_path, '[[sources]]\ntype = "opml"\npath = "subs.opml"\nweight = 2\n')
    result = run(cfg)
    assert [s.name for s in result.statuses] == ["subs.opml", "Harbour Times", "Field", "Lab"]
    assert result.statuses[0].items == 3
    harbour = next(a for a in result.articles if a.sources == ["Harbour Times"])
    assert harbour.category == "Transport"  # the item's own category wins
    monsoon = next(a for a in result.articles if a.title == "Monsoon arrives early")
    assert monsoon.category == "Local"  # the OPML folder
    assert monsoon.source_weight == 2


def test_opml_over_http(tmp_path: Path, http_server: LoopbackServer) -> None:
    serve_file(http_server, DATA / "feeds/rss2.xml", "application/rss+xml")
    serve_file(http_server, DATA / "feeds/feed11.json", "application/json")
    http_server.route(
        "/subs.opml",
        '<opml version="1.0"><body><outline text="A" xmlUrl="/rss2.xml"/>'
        '<outline text="B" xmlUrl="feed11.json"/><outline text="C" xmlUrl="/missing.xml"/>'
        "</body></opml>",
        content_type="text/x-opml",
    )
    cfg = config(tmp_path, f'[[sources]]\ntype = "opml"\nurl = "{http_server.url("/subs.opml")}"\n')
    result = run(cfg)
    assert [(s.name, s.ok) for s in result.statuses] == [
        (http_server.url("/subs.opml"), True),
        ("A", True),
        ("B", True),
        ("C", False),
    ]
    assert "Rail link opens" in titles(result)


def test_opml_that_is_not_opml_fails_that_source(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        f'[[sources]]\ntype = "opml"\nname = "Subs"\npath = "{DATA / "feeds/rss2.xml"}"\n'
        f'[[sources]]\ntype = "feed"\npath = "{DATA / "feeds/rss2.xml"}"\n',
    )
    result = run(cfg)
    assert result.statuses[0].error == "not an OPML document (root element 'rss')"
    assert len(result.articles) == 3


# -- the window, and the progress bar -----------------------------------------------------


def test_window_drops_out_of_window_undated_and_future_items(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>{title}</title><link>https://w.example/{n}</link>{when}</item>"
        for n, (title, when) in enumerate(
            [
                ("In the week", "<pubDate>Wed, 03 Dec 2025 08:00:00 +0800</pubDate>"),
                ("Too old", "<pubDate>Wed, 26 Nov 2025 08:00:00 +0800</pubDate>"),
                ("No date", ""),
                ("Tonight, after now", "<pubDate>Fri, 05 Dec 2025 23:30:00 +0800</pubDate>"),
                ("Naive, read in SGT", "<pubDate>2025-12-05T20:00:00</pubDate>"),  # as UTC: future
            ]
        )
    )
    write(
        tmp_path / "w.xml", f'<rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
    )
    cfg = config(tmp_path, '[[sources]]\ntype = "feed"\nname = "W"\npath = "w.xml"\n')
    result = run(cfg)
    assert titles(result) == ["In the week", "Naive, read in SGT"]
    assert [(e.title, e.reason.value) for e in result.exclusions] == [
        ("Too old", "out of window"),
        ("No date", "undated"),
        ("Tonight, after now", "future-dated"),
    ]
    keep = config(
        tmp_path,
        '[[sources]]\ntype = "feed"\nname = "W"\npath = "w.xml"\nundated = "keep"\n',
    )
    assert "No date" in titles(run(keep))
    everything = collect(cfg, issue_window(date(2025, 12, 5), SGT, since=date(1970, 1, 1)), now=NOW)
    assert "Too old" in titles(everything)


def test_a_progress_bar_shows_on_a_terminal_for_many_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    sources = "".join(
        f'[[sources]]\ntype = "feed"\nname = "F{i}"\npath = "{DATA / "feeds/rss2.xml"}"\n'
        for i in range(6)
    )
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run(config(tmp_path, sources))
    assert "digest: collecting" in terminal.getvalue()

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    run(config(tmp_path, sources))
    assert piped.getvalue() == ""


def test_the_charset_the_server_declares_is_honoured(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    body = (
        '<rss version="2.0"><channel><title>L</title><item><title>Caf\xe9 cr\xe8me</title>'
        "<link>https://l.example/1</link><pubDate>Wed, 03 Dec 2025 08:00:00 +0800</pubDate>"
        "</item></channel></rss>"
    ).encode("latin-1")
    http_server.route("/l.xml", body, content_type="application/rss+xml; charset=ISO-8859-1")
    cfg = config(tmp_path, f'[[sources]]\ntype = "feed"\nurl = "{http_server.url("/l.xml")}"\n')
    assert titles(run(cfg)) == ["Café crème"]


def test_a_huge_page_is_refused_quickly(tmp_path: Path) -> None:
    import time

    from digest.collect.page import MAX_PAGE_TAGS

    write(tmp_path / "big.html", "<html><body>" + "<p>word</p>" * MAX_PAGE_TAGS + "</body></html>")
    write(tmp_path / "ok.html", (DATA / "pages/second.html").read_text("cp1252"))
    cfg = config(
        tmp_path, '[[sources]]\ntype = "page"\nname = "P"\npaths = ["big.html", "ok.html"]\n'
    )
    started = time.monotonic()
    result = run(cfg)
    assert time.monotonic() - started < 5
    assert titles(result) == ["Night buses return"]


def test_an_opml_entity_bomb_is_refused(tmp_path: Path) -> None:
    from .test_collect_feed import BILLION_LAUGHS

    bomb = BILLION_LAUGHS.replace(b"<!DOCTYPE rss", b"<!DOCTYPE opml").split(b"<rss")[0]
    (tmp_path / "bomb.opml").write_bytes(
        bomb + b'<opml version="2.0"><body><outline text="&lol9;" xmlUrl="x.xml"/></body></opml>'
    )
    cfg = config(
        tmp_path,
        '[[sources]]\ntype = "opml"\nname = "Subs"\npath = "bomb.opml"\n'
        f'[[sources]]\ntype = "feed"\npath = "{DATA / "feeds/rss2.xml"}"\n',
    )
    result = run(cfg)
    assert result.statuses[0].error is not None
    assert "declares XML entities" in result.statuses[0].error


def test_export_encoding_is_checked_and_used(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.encoding: unknown encoding 'latin-99'"):
        config(tmp_path, '[[sources]]\ntype = "csv"\npath = "a.csv"\nencoding = "latin-99"\n')
    (tmp_path / "l.csv").write_bytes("title,date\nCaf\u00e9 opens,2025-12-03\n".encode("latin-1"))
    cfg = config(tmp_path, '[[sources]]\ntype = "csv"\npath = "l.csv"\nencoding = "latin-1"\n')
    assert titles(run(cfg)) == ["Café opens"]
