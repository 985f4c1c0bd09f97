"""The text/plain part, and the small pure text helpers behind both parts."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from digest.models import WeatherReading
from digest.render import (
    breakable,
    preheader_text,
    render_text,
    weather_line,
    wrap_text,
)

from .render_fixtures import fixture_digest, render_config

WORD = st.text(alphabet=st.characters(categories=["L", "N", "P"]), min_size=1, max_size=15)


def sample_text() -> str:
    return render_text(fixture_digest(), render_config())


def test_every_line_fits_72_columns_except_weather_and_link_references() -> None:
    text = sample_text()
    (weather,) = [line for line in text.splitlines() if "°C" in line]
    long = [
        line
        for line in text.splitlines()
        if len(line) > 72 and not re.match(r"^\[\d+\] https?://", line) and line != weather
    ]
    assert long == []


def test_links_are_numbered_references_listed_once_in_order() -> None:
    text = sample_text()
    body, _, links = text.partition("== LINKS ==")
    listed = re.findall(r"^\[(\d+)\] (\S+)$", links, re.M)
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
    urls = [u for _, u in listed]
    assert len(urls) == len(set(urls))
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited == set(range(1, len(listed) + 1))
    digest = fixture_digest()
    assert digest.lead is not None and digest.lead.link == urls[0]
    assert "http" not in body  # no bare URLs in the running text


def test_reference_stays_on_the_line_of_the_last_word() -> None:
    for line in sample_text().splitlines():
        assert not re.fullmatch(r"\s*\[\d+\]", line), line


def test_weather_strip_is_one_line() -> None:
    lines = [line for line in sample_text().splitlines() if "°C" in line]
    assert lines == ["Singapore 25 °C | Thailand 24.5 °C | Indonesia 20.4 °C | Philippines 26.4 °C"]


def test_sections_and_footer() -> None:
    text = sample_text()
    order = [
        "THE WEEKLY WIRE",
        "Friday, 5 December 2025",
        "°C",
        "== TECHNOLOGY ==",
        "== TOP STORIES ==",
        "== HOT THIS WEEK ==",
        "== CATEGORIES ==",
        "== LINKS ==",
        "Unsubscribe: {{unsubscribe_url}}",
    ]
    positions = [text.find(marker) for marker in order]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "Business (2), Technology (2)" in text
    assert "<" not in text


def test_empty_sections_are_left_out() -> None:
    digest = fixture_digest().model_copy(
        update={"weather": None, "trending": [], "categories": [], "stories": []}
    )
    text = render_text(digest, render_config())
    assert "°C" not in text and "HOT THIS WEEK" not in text and "TOP STORIES" not in text
    assert "\n\n\n" not in text


# -- pure helpers ----------------------------------------------------------------------------


@given(
    words=st.lists(WORD, max_size=40),
    width=st.integers(20, 100),
    tail=st.sampled_from(["", "[7]", "[123]"]),
)
def test_wrap_text_keeps_words_fits_width_and_keeps_the_tail_with_the_last_word(
    words: list[str], width: int, tail: str
) -> None:
    out = wrap_text(" ".join(words), width, "  ", "* ", tail)
    if not words and not tail:
        assert out == ""
        return
    assert out.split() == ["*", *words, *([tail] if tail else [])]
    lines = out.splitlines()
    for number, line in enumerate(lines):
        content = line.removeprefix("* " if number == 0 else "  ").split()
        if len(line) > width:  # only a single word too long for any line may overflow
            assert content in ([content[0]], [content[0], tail]), line
    if tail and words:
        assert lines[-1].endswith(" " + tail)


@given(st.text(max_size=200), st.integers(8, 40))
def test_breakable_only_adds_zero_width_spaces_and_bounds_runs(text: str, longest: int) -> None:
    out = breakable(text, longest)
    assert out.replace("\u200b", "") == text.replace("\u200b", "")
    assert all(len(run) <= longest for run in re.split(r"[ \u200b]", out))


def test_breakable_splits_a_pasted_url() -> None:
    url = "https://example.com/some/very/long/path/that-goes-on-and-on?with=query&and=more"
    out = breakable(f"See {url} now")
    assert out.replace("\u200b", "") == f"See {url} now"
    assert max(len(r) for r in re.split(r"[ \u200b]", out)) <= 28
    assert breakable("short words only") == "short words only"


def _reading(label: str, t: float) -> WeatherReading:
    return WeatherReading(place=label, label=label, temperature=t)


def test_weather_line_stays_one_line_however_many_places() -> None:
    names = ("Kuala Lumpur", "Ho Chi Minh City", "Phnom Penh", "Bandar Seri Begawan", "Yangon")
    out = weather_line([_reading(n, 20.5) for n in names])
    assert "\n" not in out
    assert out.split(" | ") == [f"{n} 20.5 °C" for n in names]
    assert weather_line([_reading("Oslo", -0.04)]) == "Oslo 0 °C"


def test_preheader_keeps_a_word_that_ends_exactly_at_the_limit() -> None:
    text = "x" * 130 + " software to battery storage"  # "software" ends at character 139
    digest = fixture_digest().model_copy(update={"preheader": text})
    assert preheader_text(digest) == "x" * 130 + " software…"


@given(st.text(max_size=400))
def test_preheader_is_short_and_a_prefix_of_the_source(text: str) -> None:
    digest = fixture_digest().model_copy(update={"preheader": text})
    out = preheader_text(digest)
    collapsed = " ".join(text.split())
    assert len(out) <= 140
    assert collapsed.startswith(out.removesuffix("…").rstrip())
    if len(collapsed) <= 140:
        assert out == collapsed
