"""Article links: UTM tags (configurable, can be off, existing query kept) and the
safe-scheme filter; image URLs."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.config import UtmSection
from digest.render.links import image_src, link_for, utm_params

ISSUE = date(2025, 12, 5)
UTM = utm_params(UtmSection(), ISSUE)


def test_default_utm_parameters() -> None:
    assert UTM == {
        "utm_source": "digest",
        "utm_medium": "email",
        "utm_campaign": "2025-12-05",
    }


def test_utm_can_be_switched_off_and_configured() -> None:
    assert utm_params(UtmSection(enabled=False), ISSUE) == {}
    custom = utm_params(UtmSection(source="wire", campaign="weekly-{date:%G-W%V}"), ISSUE)
    assert custom["utm_source"] == "wire" and custom["utm_campaign"] == "weekly-2025-W49"
    assert link_for("https://e.com/a", {}) == "https://e.com/a"


def test_existing_query_and_fragment_are_kept() -> None:
    out = link_for("https://e.com/a?id=7&ref=home#comments", UTM)
    assert out is not None
    parts = urlsplit(out)
    assert parse_qsl(parts.query)[:2] == [("id", "7"), ("ref", "home")]
    assert dict(parse_qsl(parts.query))["utm_medium"] == "email"
    assert parts.fragment == "comments"


def test_a_publisher_utm_is_not_overwritten() -> None:
    out = link_for("https://e.com/a?utm_source=partner", UTM)
    assert out is not None
    query = parse_qsl(urlsplit(out).query)
    assert [v for k, v in query if k == "utm_source"] == ["partner"]


def test_mailto_gets_no_utm() -> None:
    assert link_for("mailto:desk@example.com", UTM) == "mailto:desk@example.com"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "/relative",
        "//host/x",
        "ftp://e.com/f",
        'https://e.com/"x',
    ],
)
def test_unsafe_links_are_dropped_with_a_warning(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="digest"):
        assert link_for(url, UTM) is None
    assert "unsafe or relative URL" in caplog.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://img.example/a.jpg", "https://img.example/a.jpg"),
        ("http://img.example/a.jpg", "http://img.example/a.jpg"),
        ("mailto:x@example.com", None),
        ("data:image/png;base64,AAAA", None),
        ("/images/a.jpg", None),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_image_sources_are_absolute_http_only(url: str | None, expected: str | None) -> None:
    assert image_src(url) == expected


@given(
    path=st.text(alphabet="abcxyz0123/-", max_size=20),
    query=st.lists(
        st.tuples(
            st.sampled_from(["id", "page", "q", "ref"]), st.text(alphabet="abc123 é&=", max_size=6)
        ),
        max_size=4,
    ),
)
def test_utm_only_appends(path: str, query: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    url = f"https://example.com/{path}" + (f"?{urlencode(query)}" if query else "")
    out = link_for(url, UTM)
    assert out is not None
    got = parse_qsl(urlsplit(out).query, keep_blank_values=True)
    assert got[: len(query)] == query
    assert dict(got[len(query) :]) == UTM
    assert urlsplit(out).path == urlsplit(url).path
