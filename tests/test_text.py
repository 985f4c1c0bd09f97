"""Source markup → plain text: nothing from scripts, styles or embeds ever comes out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.text import clean_text, html_to_text, one_line, plain, shorten

DROPPED = [
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "svg",
    "textarea",
    "title",
]
words = st.text("abcdefghij klmnop", min_size=1, max_size=30)
hostile = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(
    st.lists(st.tuples(st.sampled_from(DROPPED), hostile, words), min_size=1, max_size=4),
    st.sampled_from(["p", "div", "li", "span", "b", "a", "td"]),
)
def test_dropped_elements_never_reach_the_text(
    parts: list[tuple[str, str, str]], wrapper: str
) -> None:
    markup = "".join(
        f"<{wrapper}>{visible}<{tag}>SECRET{body.replace('<', '')}SECRET</{tag}></{wrapper}>"
        for tag, body, visible in parts
    )
    text = html_to_text(markup)
    assert "SECRET" not in text
    for _, _, visible in parts:
        assert " ".join(visible.split()) in " ".join(text.split())


@given(st.text(max_size=200))
def test_any_input_gives_text_without_tags_from_the_source(markup: str) -> None:
    text = html_to_text(f"<p>{markup}</p><script>SECRET()</script>")
    assert "SECRET" not in text
    assert "\r" not in text and "\x00" not in text


@given(st.text(max_size=200))
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert one_line(one_line(text)) == one_line(text)
    assert "\n" not in one_line(text)


def test_paragraphs_and_entities() -> None:
    assert html_to_text("<p>One &amp; <b>two</b></p><p>Three</p>") == "One & two\n\nThree"
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\n\nb"
    assert html_to_text("line<br>break") == "line\nbreak"
    assert html_to_text("<div><!-- comment -->Shown</div>") == "Shown"
    assert html_to_text("Fish &amp; chips") == "Fish & chips"
    assert html_to_text("<html><head><title>T</title></head><body>Body</body></html>") == "Body"


@pytest.mark.parametrize(
    ("value", "is_html", "expected"),
    [
        ("a <b>b</b>", None, "a b"),
        ("5 < 6 & 7 > 3", False, "5 < 6 & 7 > 3"),
        ("<not markup>", False, "<not markup>"),
        ("Caf\u0065\u0301", None, "Café"),
    ],
)
def test_plain(value: str, is_html: bool | None, expected: str) -> None:
    assert plain(value, is_html) == expected


@given(st.text(max_size=300), st.integers(min_value=5, max_value=120))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    out = shorten(text, limit)
    assert len(out) <= limit


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        # The room ends exactly after a word: that word stays (the preheader lost it).
        ("from logistics software to battery storage", 20, "from logistics…"),
        ("from logistics software to battery storage", 25, "from logistics software…"),
        # A cut inside a word goes back to its start...
        ("The committee met for eleven hours", 20, "The committee met…"),
        # ...unless that would throw away more than half the room (a pasted URL).
        ("See https://example.com/a/very/long/path/indeed", 30, "See https://example.com/a/ver…"),
        # Punctuation and an opening quote left at the cut go.
        ('He said, "the port will grow', 11, "He said…"),
        ("  spaced   out   words  ", 40, "spaced out words"),
    ],
)
def test_shorten_cuts_at_a_word(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


@given(st.text(max_size=300), st.integers(min_value=5, max_value=120))
def test_shorten_gives_a_prefix_of_the_collapsed_text(text: str, limit: int) -> None:
    out = shorten(text, limit)
    collapsed = " ".join(text.split())
    assert collapsed.startswith(out.removesuffix("…"))
    assert out == collapsed or out.endswith("…")
