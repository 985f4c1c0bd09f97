"""The summariser: segmentation, boilerplate, ranking, budget fitting, publisher descriptions."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import SummarySection
from digest.models import Article, TrendingItem
from digest.summarise import (
    candidate_sentences,
    split_sentences,
    summarise_article,
    summarise_text,
    summarise_trending,
)
from digest.summarise.boilerplate import is_boilerplate
from digest.summarise.budget import choose, cut_at_word, fit
from digest.summarise.coherence import Need, need
from digest.summarise.textrank import rank_sentences

# -- segmentation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Lim met officials in the U.S. on Monday. Inflation rose to 24.5 per cent.",
            ["Dr. Lim met officials in the U.S. on Monday.", "Inflation rose to 24.5 per cent."],
        ),
        (
            "The report, by J. R. Tan and A. B. Smith, was published. Then came the vote.",
            ["The report, by J. R. Tan and A. B. Smith, was published.", "Then came the vote."],
        ),
        (
            '"We will win," he said. "It is not over." She left.',
            ['"We will win," he said.', '"It is not over."', "She left."],
        ),
        (
            "Prices rose 3.5% in Q3. The U.K. economy grew. Mr. Smith agreed.",
            ["Prices rose 3.5% in Q3.", "The U.K. economy grew.", "Mr. Smith agreed."],
        ),
        (  # a quotation run over several sentences, each opened anew (pysbd keeps it whole)
            'Mr Frost added: "The outlook is uncertain. "Risks will worsen." Mr Lee disagreed.',
            [
                'Mr Frost added: "The outlook is uncertain.',
                '"Risks will worsen."',
                "Mr Lee disagreed.",
            ],
        ),
        (
            'He said: "We will win." "It is over," she said.',
            ['He said: "We will win."', '"It is over," she said.'],
        ),
        ('Mr. "Big" Tan met U.S. "hawks" today.', ['Mr. "Big" Tan met U.S. "hawks" today.']),
    ],
)
def test_sentences_survive_abbreviations_decimals_initials_and_quotes(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text) == expected


def test_paragraphs_are_never_joined_into_one_sentence() -> None:
    text = "A first paragraph without a full stop\n\nThe second one. It has two sentences."
    assert split_sentences(text) == [
        "A first paragraph without a full stop",
        "The second one.",
        "It has two sentences.",
    ]


_words = st.text(alphabet="abcdefgh", min_size=1, max_size=8)
_tokens = st.one_of(
    _words,
    _words.map(str.capitalize),
    st.sampled_from(
        [
            *["Dr.", "U.S.", "Mr.", "J. R.", "e.g.", "24.5", "3.14", '"Yes."', "(a)", "—", "..."],
            *["!", '"We', 'win."', '"', "“It", "over.”", '"Risks', "rates.", '."'],
        ]
    ),
    st.from_regex(r"[0-9]{1,3}\.[0-9]{1,2}", fullmatch=True),
)
_sentence = st.lists(_tokens, min_size=1, max_size=12).map(
    lambda ws: " ".join(ws) + ("." if not ws[-1].endswith((".", "!", '"')) else "")
)
_text = st.lists(
    st.lists(_sentence, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=4
).map("\n\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_sentences_keep_every_non_space_character_in_order(text: str) -> None:
    joined = "".join(split_sentences(text))
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_sentence, min_size=1, max_size=6),
    st.from_regex(r"[1-9][0-9]{0,2}\.[0-9]{1,2}", fullmatch=True),
)
def test_never_splits_inside_a_decimal(sentences: list[str], number: str) -> None:
    text = " ".join([*sentences[:1], f"The rate was {number} per cent on Monday.", *sentences[1:]])
    pieces = split_sentences(text)
    # The sentence with the decimal is one piece (other generated "sentences" such as
    # "24.5." "0.0." may legitimately end and start with digits).
    assert any(f"The rate was {number} per cent on Monday." in piece for piece in pieces), pieces


# -- boilerplate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Markets slide as rates rise",
        "READ MORE",
        "Subscribe to our newsletter",
        "Sign up for the morning briefing",
        "Photo: Jane Doe/Reuters",
        "Image caption The stadium was full",
        "Workers at the port on Monday. (AP Photo/Jane Doe)",
        "By Jane Doe",
        "By Jane Doe and Ali Khan, Reuters",
        "Advertisement",
        "Share this article",
        "Updated: 5 December 2025",
        "© 2025 The Daily Example. All rights reserved.",
        "Follow us on Instagram",
    ],
)
def test_furniture_lines_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "By Monday, the rain had stopped and the roads had reopened.",
        "Subscribers to the service rose 12 per cent in the quarter.",
        "Updated figures show inflation at 2.1 per cent.",
        "Copyright law will change next year, the minister said.",
        "The photo agency said sales of images fell.",
    ],
)
def test_reporting_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_boilerplate_lines_and_headings_are_not_summary_material() -> None:
    text = (
        "By Jane Doe\n\n"
        "The harbour authority approved a second container terminal on Monday.\n\n"
        "Read more: Port strike ends\n\n"
        "What happens next\n\n"
        "Construction starts in March and will take four years, officials said.\n"
        "Photo: Port Authority\n\n"
        "Subscribe to our newsletter for the week's shipping news."
    )
    sentences = candidate_sentences(text)
    assert sentences == [
        "The harbour authority approved a second container terminal on Monday.",
        "Construction starts in March and will take four years, officials said.",
    ]
    summary = summarise_text(text, 3, 300)
    for furniture in ("Jane Doe", "Read more", "What happens next", "Photo", "Subscribe"):
        assert furniture not in summary


def test_a_line_that_only_continues_a_wrapped_sentence_is_kept() -> None:
    text = "The figures will be\nupdated: next week, the ministry said."
    assert candidate_sentences(text) == [
        "The figures will be updated: next week, the ministry said."
    ]


# -- ranking and budget -----------------------------------------------------------------


def test_the_central_sentence_ranks_first() -> None:
    sentences = [
        "The weather was mild.",
        "The central bank raised interest rates to curb inflation.",
        "Interest rates rose as the bank fought inflation.",
        "Inflation has worried the central bank for months, and rates followed.",
        "A cat sat on a mat.",
    ]
    scores = rank_sentences(sentences)
    assert max(scores) == 1.0
    assert scores.index(1.0) in (1, 2, 3)
    assert scores[4] < min(scores[1:4])


def test_ranking_is_deterministic() -> None:
    text = " ".join(f"Sentence number {i} mentions the port and the strike." for i in range(30))
    assert summarise_text(text) == summarise_text(text)


def test_budget_fills_with_whole_sentences_that_fit_together() -> None:
    # The best sentence is too long to share the budget; two shorter good ones fill it.
    lengths = [90, 62, 57, 20]
    scores = [1.0, 0.95, 0.9, 0.1]
    assert choose(lengths, scores, max_sentences=3, max_chars=120) == [1, 2]
    assert choose(lengths, scores, max_sentences=1, max_chars=120) == [0]
    assert choose(lengths, scores, max_sentences=3, max_chars=10) == []


def test_the_set_that_opens_with_its_best_sentence_wins() -> None:
    # [0, 1] and [1, 2] are worth the same undiscounted; discounted by place in the
    # summary, the one whose first sentence is the best is worth more.
    lengths = [50, 50, 50]
    scores = [0.5, 1.0, 0.5]
    assert choose(lengths, scores, 2, 101) == [1, 2]
    assert choose(lengths, [1.0, 0.5, 0.5], 2, 101) == [0, 1]
    # Without the discount the place makes no difference: either pair (the first found).
    assert choose(lengths, scores, 2, 101, discount=1.0) in ([0, 1], [1, 2])


def test_the_headline_tips_the_ranking_towards_the_sentences_that_echo_it() -> None:
    sentences = [
        "Dockers ended the strike at the harbor.",
        "Pilots ended the strike at the airport.",
    ]
    without = rank_sentences(sentences)
    assert without[0] > without[1]  # the position prior: the first sentence leads
    with_title = rank_sentences(sentences, title="Airport strike ends")
    assert with_title[1] > with_title[0]
    assert rank_sentences(sentences, title="Airport strike ends", title_prior=0.0) == without
    text = " ".join(sentences)
    assert summarise_text(text, 1, 100) == sentences[0]
    assert summarise_text(text, 1, 100, title="Airport strike ends") == sentences[1]
    summary = summarise_article(
        Article(id="a", title="Airport strike ends", text=text), SummarySection(sentences=1)
    )
    assert summary.text == sentences[1]


_word = st.sampled_from(
    [
        "port",
        "strike",
        "airport",
        "dockers",
        "pilots",
        "ended",
        "the",
        "at",
        "bank",
        "rates",
        "rose",
        "fell",
        "city",
        "council",
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(_word, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=8),
    st.lists(_word, max_size=4).map(" ".join),
)
def test_ranking_with_a_headline_is_a_salience_scale(sentences: list[str], title: str) -> None:
    scores = rank_sentences(sentences, title=title)
    assert len(scores) == len(sentences)
    assert max(scores) == 1.0
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == rank_sentences(sentences, title=title)
    # A headline that shares no word with the text changes nothing.
    assert rank_sentences(sentences, title="Zanzibar") == rank_sentences(sentences)


def test_one_sentence_longer_than_the_budget_is_cut_at_a_word_with_an_ellipsis() -> None:
    sentence = "The committee, which met for eleven hours, " * 5 + "finally agreed."
    summary = fit([sentence], [1.0], 3, 100)
    assert len(summary) <= 100
    assert summary.endswith("…")
    assert sentence.startswith(summary[:-1])
    assert summary[:-1] == summary[:-1].rstrip(" ,")
    assert sentence[len(summary) - 1] in " ,"  # cut at a word boundary


def test_cut_at_word_keeps_short_text() -> None:
    assert cut_at_word("Short enough.", 40) == "Short enough."


_article_sentence = st.lists(_words, min_size=2, max_size=40).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


def _as_sentences(summary: str, sentences: list[str], after: int = -1) -> list[int] | None:
    """Positions of sentences (ascending, each after ``after``) that joined by spaces make
    ``summary``, or None. Tries every way, since one sentence may begin another (pysbd can
    keep "A a d. A a." as one sentence while "A a d." and "A a." also stand alone), and
    returns the way with the fewest sentences."""
    if not summary:
        return []
    best: list[int] | None = None
    for i in range(after + 1, len(sentences)):
        if summary == sentences[i] or summary.startswith(sentences[i] + " "):
            rest = _as_sentences(summary[len(sentences[i]) + 1 :], sentences, i)
            if rest is not None and (best is None or len(rest) + 1 < len(best)):
                best = [i, *rest]
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(_article_sentence, min_size=1, max_size=6), min_size=1, max_size=6),
    st.integers(min_value=40, max_value=400),
    st.integers(min_value=1, max_value=5),
)
def test_summaries_never_end_mid_sentence(
    paragraphs: list[list[str]], chars: int, max_sentences: int
) -> None:
    text = "\n\n".join(" ".join(p) for p in paragraphs)
    sentences = split_sentences(text)
    summary = summarise_text(text, max_sentences, chars)
    assert 0 < len(summary) <= chars
    # A sentence that points back ("He ...") may not open a summary (coherence.py).
    fits = [
        s for i, s in enumerate(sentences) if len(s) <= chars and (i == 0 or need(s) is Need.NONE)
    ]
    if fits:
        # Whole sentences only, in article order, within the sentence budget.
        positions = _as_sentences(summary, sentences)
        assert positions is not None, (summary, sentences)
        assert len(positions) <= max_sentences
        assert summary.endswith(".")
    else:
        # No sentence that may open fits: one is cut at a word boundary and says so.
        assert summary.endswith("…")
        assert any(s.startswith(summary[:-1].rstrip()) for s in sentences)


# -- descriptions and origins -----------------------------------------------------------

BODY = (
    "The harbour authority approved a second container terminal on Monday. "
    "Construction starts in March and will take four years. "
    "The terminal will double the port's capacity, officials said."
)


def article(**fields: object) -> Article:
    return Article.model_validate({"id": "a1", "title": "Port expands", "text": BODY, **fields})


def test_publisher_description_is_used_when_within_budget() -> None:
    summary = summarise_article(
        article(description="A second terminal will double the port's capacity."),
        SummarySection(),
    )
    assert summary.origin == "publisher"
    assert summary.text == "A second terminal will double the port's capacity."


def test_description_over_budget_gives_way_to_an_extract() -> None:
    long = "A very long standfirst that goes on and on about the port. " * 8
    summary = summarise_article(article(description=long), SummarySection(chars=200))
    assert summary.origin == "extracted"
    assert len(summary.text) <= 200
    assert summary.text in BODY or all(s in BODY for s in split_sentences(summary.text))


def test_description_is_ignored_when_not_preferred() -> None:
    summary = summarise_article(
        article(description="Short standfirst."), SummarySection(prefer_description=False)
    )
    assert summary.origin == "extracted"


def test_no_text_at_all_gives_an_empty_title_summary() -> None:
    assert summarise_article(article(text=""), SummarySection()).origin == "title"


def test_trending_one_liner_prefers_the_rows_description_then_the_articles_text() -> None:
    section = SummarySection(trending_chars=120)
    row = TrendingItem(rank=1, title="Port expands", description="Terminal two approved.")
    assert summarise_trending(row, section) == summarise_trending(row, section)
    own = summarise_trending(row, section)
    assert own is not None and own.origin == "publisher" and own.text == "Terminal two approved."
    bare = TrendingItem(rank=1, title="Port expands")
    assert summarise_trending(bare, section) is None
    borrowed = summarise_trending(bare, section, article())
    assert borrowed is not None and borrowed.origin == "extracted"
    assert len(borrowed.text) <= 120 and borrowed.text in BODY
    assert summarise_trending(row, SummarySection(trending_chars=0)) is None


def test_a_page_too_large_for_trafilatura_is_read_with_lxml_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collect stage's limit on trafilatura (its cost grows faster than the page)
    holds for `digest summarise` too; the page is still summarised."""
    import trafilatura

    from digest.collect.page import MAX_PAGE_TAGS
    from digest.summarise.document import article_from_text

    calls: list[int] = []
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: calls.append(1))
    paragraphs = "".join(f"<p>Berth {i} opened this week.</p>" for i in range(MAX_PAGE_TAGS))
    page = (
        f"<html><head><title>Port</title></head><body><article>{paragraphs}</article></body></html>"
    )
    document = article_from_text(page)
    assert document.title == "Port"
    assert document.text.startswith("Berth 0 opened this week.")
    assert calls == []
