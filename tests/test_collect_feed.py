"""Feeds: every dialect, both parsing paths agree, and hostile XML is refused safely."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.feed import parse_feed, sniff_document
from digest.collect.feedloose import read_feed_loosely
from digest.collect.feedxml import NotFastPath, author_name, read_xml_feed
from digest.collect.xmlsafe import declares_entities, iterparse_xml
from digest.errors import BadSourceData

FEEDS = Path(__file__).parent / "data" / "feeds"
SGT = ZoneInfo("Asia/Singapore")


def data(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.mark.parametrize("name", ["rss2.xml", "rss1.xml", "atom.xml", "xmlbase.xml"])
@pytest.mark.parametrize("location", ["https://feeds.example.com/f.xml", "/srv/feeds/f.xml"])
def test_fast_and_loose_paths_give_the_same_entries(name: str, location: str) -> None:
    fast = read_xml_feed(data(name), location=location, tz=SGT)
    loose = read_feed_loosely(data(name), location=location, content_type=None, tz=SGT)
    assert fast, name
    assert fast == loose
    # Equal datetimes may differ in offset; they must be the same instants and both aware.
    for a, b in zip(fast, loose, strict=True):
        for when in (a.published, a.updated, b.published, b.updated):
            assert when is None or when.tzinfo is not None


def test_rss2_fields() -> None:
    first, second, third, fourth = parse_feed(data("rss2.xml"), tz=SGT, location="/f/rss2.xml")
    assert first.title == "Ferry fares & timetables change on Monday"
    assert first.guid == "harbour-1001"
    assert first.published == datetime(2025, 12, 3, 0, 30, tzinfo=UTC)
    assert first.author == "Mei Lin Tan"
    assert first.tags == ["Transport", "Ferries"] and first.category == "Transport"
    assert first.description == "<p>New fares <b>start</b> on Monday.</p>"
    assert first.description_html is True
    assert first.content is not None and first.content.startswith("<p>The ferry operator")
    assert first.image == "https://harbour.example.com/img/ferry.jpg"
    # relative link, resolved against the channel's link for a local file
    assert second.url == "https://harbour.example.com/2025/12/night-market"
    assert second.author == "City Desk"  # from "desk@... (City Desk)"
    assert second.image == "https://harbour.example.com/img/market.jpg"  # image enclosure
    assert third.url == "https://harbour.example.com/2025/12/guid-only"  # permalink guid
    assert fourth.published is None and fourth.updated is None


def test_relative_links_resolve_against_the_feed_url_when_fetched() -> None:
    entries = parse_feed(data("rss2.xml"), tz=SGT, location="https://mirror.example.net/x/f.xml")
    assert entries[1].url == "https://mirror.example.net/2025/12/night-market"


def test_atom_fields() -> None:
    rice, monsoon = parse_feed(data("atom.xml"), tz=SGT, location="/f/atom.xml")
    assert rice.title == "Rice harvest <em>beats</em> forecasts"
    assert rice.url == "https://field.example.net/2025/rice-harvest"
    assert rice.image == "https://field.example.net/img/rice.png"
    assert rice.author == "Somchai P."
    assert rice.description_html is False  # type="text": "<not markup>" is literal text
    assert rice.description == "Yields rose 8% <not markup> in the central plains."
    assert rice.published == datetime(2025, 11, 30, 23, 0, tzinfo=UTC)
    assert monsoon.author == "Field Team"  # inherited from the feed
    assert monsoon.published is None
    assert monsoon.updated == datetime(2025, 12, 3, 12, 0, tzinfo=UTC)
    assert monsoon.content == "<p>Rain fell for <em>three</em> days.</p><p>Rivers rose.</p>"


def test_xml_base_is_honoured() -> None:
    first, second = parse_feed(data("xmlbase.xml"), tz=SGT)
    assert first.url == "https://base.example.org/blog/posts/one"
    assert second.url == "https://base.example.org/other/two"


def test_rss1_dc_date_without_time_is_read_in_the_config_time_zone() -> None:
    _, seagrass = parse_feed(data("rss1.xml"), tz=SGT)
    assert seagrass.updated == datetime(2025, 12, 4, tzinfo=SGT)


@pytest.mark.parametrize(
    ("name", "title", "url"),
    [
        ("rss090.xml", "First item of 0.90", "https://ninety.example.com/1"),
        ("rss091.xml", "Café reopens\xa0on the square", "https://oldschool.example.com/cafe"),
        ("atom03.xml", "Atom 0.3 entry", "https://legacy.example.org/e1"),
    ],
)
def test_older_dialects_go_through_feedparser(name: str, title: str, url: str) -> None:
    with pytest.raises(NotFastPath):
        read_xml_feed(data(name), location=None, tz=SGT)
    (entry,) = parse_feed(data(name), tz=SGT)
    assert (entry.title, entry.url) == (title, url)


def test_atom03_dates() -> None:
    (entry,) = parse_feed(data("atom03.xml"), tz=SGT)
    assert entry.published == datetime(2025, 12, 3, 10, 0, tzinfo=UTC)
    assert entry.updated == datetime(2025, 12, 4, 10, 0, tzinfo=UTC)


def test_json_feed_1_1(caplog: pytest.LogCaptureFixture) -> None:
    entries = parse_feed(data("feed11.json"), tz=SGT, name="Micro")
    rail, note = entries
    assert rail.title == "Rail link opens" and rail.author == "Ari Wong"
    assert rail.content_html is True and rail.description_html is False
    assert rail.image == "https://micro.example.com/img/rail.jpg"
    assert rail.tags == ["Transport", "Rail"]
    assert note.title == "" and note.guid == "2" and note.author == "Micro Desk"
    assert note.url == "https://micro.example.com/m/2"
    assert note.content_html is False
    assert "source Micro: skipped 1 JSON Feed item(s)" in caplog.text


def test_json_feed_1_0() -> None:
    (entry,) = parse_feed(data("feed10.json"), tz=SGT)
    assert entry.author == "Jo"
    assert entry.updated == datetime(2025, 12, 2, tzinfo=UTC)
    assert entry.content == "Plain text body & more." and entry.content_html is False


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"version": "1.1", "items": []}', "not a JSON Feed: version"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "not a JSON Feed: items"),
        (b'{"version": ', "malformed JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed JSON"),
    ],
)
def test_bad_json_feeds_are_one_line_errors(payload: bytes, message: str) -> None:
    with pytest.raises(BadSourceData, match=message) as info:
        parse_feed(payload, tz=SGT)
    assert "\n" not in str(info.value)


def test_an_html_page_is_not_a_feed_and_the_message_says_where_the_feed_is() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Home</title>"
        b'<link rel="alternate" type="application/rss+xml" href="https://x.example/rss">'
        b"</head><body>hi</body></html>"
    )
    with pytest.raises(
        BadSourceData, match=r"got an HTML page; it points to a feed at https://x\.example/rss"
    ):
        parse_feed(page, tz=SGT)


def test_malformed_xml_is_read_loosely() -> None:
    broken = (
        b'<rss version="2.0"><channel><title>B</title><item><title>Fine item</title>'
        b"<link>https://b.example/1</link><description>a & b</description></item>"
        b"<item><title>Second</title><link>https://b.example/2</link></channel></rss>"
    )
    with pytest.raises(NotFastPath):
        read_xml_feed(broken, location=None, tz=SGT)
    entries = parse_feed(broken, tz=SGT)
    assert [e.url for e in entries] == ["https://b.example/1", "https://b.example/2"]


@pytest.mark.parametrize("junk", [b"", b"   \n", b"hello, not a feed", b"\x00\x01\x02\xff" * 100])
def test_junk_is_a_one_line_error(junk: bytes) -> None:
    with pytest.raises(BadSourceData) as info:
        parse_feed(junk, tz=SGT)
    assert "\n" not in str(info.value)


def test_undecodable_bytes_warn_and_are_read_loosely(caplog: pytest.LogCaptureFixture) -> None:
    doc = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>'
        b"<title>Caf\xe9 news</title><link>https://c.example/1</link></item></channel></rss>"
    )
    (entry,) = parse_feed(doc, tz=SGT, name="Cafe")
    assert entry.title == "Café news"
    assert "source Cafe: document declared as utf-8" in caplog.text


def test_author_names() -> None:
    assert author_name("jo@example.com (Jo Bloggs)") == "Jo Bloggs"
    assert author_name("Jo Bloggs <jo@example.com>") == "Jo Bloggs"
    assert author_name("jo@example.com") is None
    assert author_name("  ") is None
    assert author_name("The Desk") == "The Desk"


def test_sniffing() -> None:
    assert sniff_document(b'\xef\xbb\xbf  {"version": 1}') == "json"
    assert sniff_document('<?xml version="1.0"?><rss/>'.encode("utf-16")) == "xml"
    assert sniff_document(b"<!-- c --><!DOCTYPE html><html>") == "html"
    assert sniff_document(b"  ") == "empty"


# -- hostile documents ------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>t</title>
<item><title>&lol9;</title><link>https://e.example/a</link><description>&lol9;</description></item>
</channel></rss>
"""


def xxe(secret: Path, root: str = "rss") -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE {root} [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
<rss version="2.0"><channel><title>t</title>
<item><title>leak &xxe; here</title><link>https://e.example/a</link>
<description>&xxe;</description></item></channel></rss>
""".encode()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a9c")
    return path


def test_entity_declarations_are_detected_only_in_the_prolog(secret: Path) -> None:
    assert declares_entities(BILLION_LAUGHS)
    assert declares_entities(xxe(secret))
    assert declares_entities(b"<!-- x --><?pi x?>\n" + xxe(secret).split(b"\n", 1)[1])
    assert declares_entities(BILLION_LAUGHS.decode().encode("utf-16"))
    assert not declares_entities(data("rss091.xml"))  # a DOCTYPE without a subset
    quoted = (
        b'<rss version="2.0"><channel><item><title>XXE explained</title><description>'
        b'<![CDATA[<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>]]></description>'
        b"</item></channel></rss>"
    )
    assert not declares_entities(quoted)
    assert parse_feed(quoted, tz=SGT)[0].title == "XXE explained"


@pytest.mark.parametrize(
    "reader",
    [
        lambda d: parse_feed(d, tz=SGT),
        lambda d: read_xml_feed(d, location=None, tz=SGT),
        lambda d: read_feed_loosely(d, location=None, content_type=None, tz=SGT),
    ],
    ids=["parse_feed", "fast", "loose"],
)
def test_billion_laughs_is_refused_quickly_by_every_path(reader: object) -> None:
    started = time.monotonic()
    with pytest.raises(BadSourceData, match="declares XML entities"):
        reader(BILLION_LAUGHS)  # type: ignore[operator]
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "reader",
    [
        lambda d: parse_feed(d, tz=SGT),
        lambda d: read_xml_feed(d, location=None, tz=SGT),
        lambda d: read_feed_loosely(d, location=None, content_type=None, tz=SGT),
    ],
    ids=["parse_feed", "fast", "loose"],
)
def test_external_entities_are_refused_by_every_path(reader: object, secret: Path) -> None:
    with pytest.raises(BadSourceData, match="declares XML entities") as info:
        reader(xxe(secret))  # type: ignore[operator]
    assert "TOP-SECRET" not in str(info.value)


def test_the_parsers_themselves_never_expand_or_read_files(secret: Path) -> None:
    """Defence in depth: even without the up-front refusal, neither parser expands the
    bomb or reads the file."""
    import feedparser
    from lxml import etree

    for doc in (BILLION_LAUGHS, xxe(secret)):
        started = time.monotonic()
        texts: list[str] = []
        try:
            for _, el in iterparse_xml(io.BytesIO(doc), ("end",)):
                texts.append(el.text or "")
        except etree.XMLSyntaxError:
            pass
        assert time.monotonic() - started < 1
        assert sum(map(len, texts)) < 10_000
        assert not any("TOP-SECRET" in t for t in texts)

        started = time.monotonic()
        parsed = feedparser.parse(doc, sanitize_html=False, resolve_relative_uris=False)
        assert time.monotonic() - started < 2
        dumped = repr(parsed)
        assert "TOP-SECRET" not in dumped
        assert len(dumped) < 100_000


def test_pathological_documents_are_bounded() -> None:
    """Work is bounded: the loose reader refuses big malformed documents, both readers
    stop at MAX_ITEMS, and feedparser's exceptions become one-line errors."""
    from digest.collect.feedloose import LOOSE_MAX_BYTES
    from digest.collect.feedxml import MAX_ITEMS

    started = time.monotonic()
    deep = b'<rss version="2.0"><channel><item><description>' + b"<a>" * (LOOSE_MAX_BYTES // 3 + 1)
    with pytest.raises(BadSourceData, match="too large to read loosely"):
        parse_feed(deep, tz=SGT)
    many = b'<rss version="2.0"><channel>' + b"<item><title>t</title></item>" * (MAX_ITEMS + 50)
    assert len(parse_feed(many + b"</channel></rss>", tz=SGT)) == MAX_ITEMS  # fast path
    assert len(parse_feed(many, tz=SGT)) == MAX_ITEMS  # unclosed: loose path
    with pytest.raises(BadSourceData, match="UnicodeEncodeError"):
        parse_feed(b'<rss version="2.0"><channel><item><title>&#xD800;</title>', tz=SGT)
    assert time.monotonic() - started < 20
