"""URL canonicalisation: examples, and properties that must hold for any URL."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Example.COM/a/story/", "https://news.example.com/a/story"),
        (
            "https://news.example.com/a/story?utm_source=rss&utm_medium=x",
            "https://news.example.com/a/story",
        ),
        (
            "https://news.example.com/a/story?fbclid=abc&gclid=def#comments",
            "https://news.example.com/a/story",
        ),
        ("https://news.example.com/amp/a/story", "https://news.example.com/a/story"),
        ("https://news.example.com/a/story/amp/", "https://news.example.com/a/story"),
        ("https://amp.news.example.com/a/story?amp=1", "https://news.example.com/a/story"),
        ("https://news.example.com:443/a//story", "https://news.example.com/a/story"),
        ("https://news.example.com/a?b=2&a=1", "https://news.example.com/a?a=1&b=2"),
        ("https://news.example.com/caf%c3%a9/%7Euser", "https://news.example.com/caf%C3%A9/~user"),
        ("https://news.example.com/café", "https://news.example.com/caf%C3%A9"),
        ("http://[2001:db8::1]:8080/x", "https://[2001:db8::1]:8080/x"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
    ],
)
def test_examples(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_www_and_paths_that_differ_stay_different() -> None:
    assert canonical_url("https://www.example.com/a") != canonical_url("https://example.com/a")
    assert canonical_url("https://example.com/a?id=1") != canonical_url(
        "https://example.com/a?id=2"
    )


_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_segment = st.text(
    st.characters(blacklist_characters="/?#", blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=10,
)
_key = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6).filter(
    lambda k: not k.startswith("utm_") and k not in ("fbclid", "gclid", "amp", "outputtype")
)
_value = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https"]))
    host = ".".join(draw(st.lists(_label, min_size=1, max_size=3))) + ".example"
    port = draw(st.sampled_from(["", ":8080", ":443", ":80"]))
    path = "".join("/" + s for s in draw(st.lists(_segment, max_size=4)))
    params = draw(st.lists(st.tuples(_key, _value), max_size=3))
    from urllib.parse import urlencode

    query = ("?" + urlencode(params)) if params else ""
    # As a link appears in a feed: whitespace around it is stray and stripped first
    # (test_surrounding_whitespace_never_changes_it), so the properties start without it.
    return f"{scheme}://{host}{port}{path}{query}".strip()


@given(urls())
def test_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(
    urls(),
    st.lists(
        st.tuples(
            st.sampled_from(
                ["utm_source", "utm_medium", "utm_campaign", "UTM_Term", "fbclid", "gclid"]
            ),
            st.text("abcxyz0123", max_size=6),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_tracking_parameters_never_change_it(url: str, tracking: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    joiner = "&" if "?" in url else "?"
    assert canonical_url(url + joiner + urlencode(tracking)) == canonical_url(url)


@given(urls(), st.text(max_size=10))
def test_fragment_never_changes_it(url: str, fragment: str) -> None:
    assert canonical_url(f"{url}#{fragment}") == canonical_url(url)


@given(urls())
def test_scheme_and_host_case_never_change_it(url: str) -> None:
    parts = urlsplit(url)
    shouted = url.replace(parts.scheme, parts.scheme.upper(), 1).replace(
        parts.netloc, parts.netloc.upper(), 1
    )
    assert canonical_url(shouted) == canonical_url(url)


@given(urls())
def test_trailing_slash_never_changes_it(url: str) -> None:
    parts = urlsplit(url)
    slashed = parts._replace(path=parts.path + "/").geturl()
    assert canonical_url(slashed) == canonical_url(url)


@given(urls(), st.sampled_from(["amp_path", "amp_suffix", "amp_host", "amp_query"]))
def test_amp_variants_never_change_it(url: str, variant: str) -> None:
    parts = urlsplit(url)
    if variant == "amp_path":
        amp = parts._replace(path="/amp" + parts.path)
    elif variant == "amp_suffix":
        amp = parts._replace(path=parts.path + "/amp")
    elif variant == "amp_host":
        amp = parts._replace(netloc="amp." + parts.netloc)
    else:
        amp = parts._replace(query=(parts.query + "&" if parts.query else "") + "amp=1")
    assert canonical_url(amp.geturl()) == canonical_url(url)


@given(urls(), st.text(" \t\r\n", min_size=1, max_size=3), st.text(" \t\r\n", max_size=3))
def test_surrounding_whitespace_never_changes_it(url: str, before: str, after: str) -> None:
    assert canonical_url(before + url + after) == canonical_url(url)


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        # Found by hypothesis: whitespace inside a path is a character of it (%20), so a
        # segment " " is kept whether or not "/amp" or a query follows it.
        ("http://0.example/ /amp", "http://0.example/%20"),
        ("http://0.example/a /amp?b=1", "http://0.example/a%20?b=1"),
        ("http://0.example/a /?b=1", "http://0.example/a%20?b=1"),
    ],
)
def test_whitespace_in_a_path_is_part_of_it(variant: str, plain: str) -> None:
    assert canonical_url(variant) == canonical_url(plain)
