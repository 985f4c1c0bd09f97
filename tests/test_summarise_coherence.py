"""Summaries that read on their own: the dangling-sentence detectors, the coherent
knapsack, and one-liners that state the news rather than quote someone."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import SummarySection, load_config
from digest.models import Article, TrendingItem
from digest.summarise import candidate_sentences, split_sentences, summarise_text
from digest.summarise import summarise_trending as one_liner
from digest.summarise.budget import DISCOUNT, SHARPNESS, UNRESOLVED, choose
from digest.summarise.coherence import (
    Need,
    continues,
    is_lead_in,
    is_quote,
    need,
    needs,
    opens_dangling,
    pronoun_attributed,
    quotation_fragment,
)

from .helpers import SAMPLE_CONFIG

# -- dangling openers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Then it reaches in and drops the fruit into a crate.",
        "He said the plan would cost £2bn.",
        "She won the national junior title in June.",
        "It plans to rent robots to farms by the season.",
        "Its current model identifies ripe fruit 94.5 per cent of the time.",
        "Their shares fell 4%.",
        "This lets a company put its servers near its engineers.",
        "These figures were revised.",
        "But the bank kept rates on hold.",
        "And playwrights will fight it out for the award.",
        "However, exports declined in the second half.",
        "Meanwhile, the group made no comment.",
        "Instead, officials chose to wait.",
        "Such moves are rare.",
        "The latter was sold to a collector.",
        "Despite this, sales rose.",
        "Because of that, the match was moved.",
        "Also on Friday, output figures were released.",
        "Or simply wait.",
        '"They have been listening to us," said Mr Tan.',
        "(However, the figures were not audited.)",
    ],
)
def test_sentences_that_point_back_are_dangling_openers(sentence: str) -> None:
    assert opens_dangling(sentence)
    assert need(sentence) is not Need.NONE


@pytest.mark.parametrize(
    "sentence",
    [
        "The harbour authority approved a second terminal on Monday.",
        "This year, the company doubled its exports.",
        "This week the ministry published its report.",
        "These days most buyers pay by phone.",
        "So far, 20 people have been rescued.",
        "It is likely that rates will rise again.",
        "It was not clear whether the deal would survive.",
        "Heavy rain closed the roads.",  # "He" only as part of a word
        "Hereford won 2-0.",
        "Theirs-and-ours is not a word, but Thenardier is a name.",
        "Thus-and-so Ltd made a loss.",
        "Shell said profits rose.",
        "Officials said that, in the end, the plan was approved.",
        "Italy's economy grew by 0.3%.",
    ],
)
def test_sentences_that_stand_alone_are_not_dangling_openers(sentence: str) -> None:
    assert not opens_dangling(sentence)


_OPENERS = ["He", "She", "It", "They", "His", "Her", "Their", "Then", "But", "And", "Yet"]
_OPENERS += ["However,", "Meanwhile,", "Instead,", "Still,", "Also", "Such", "The latter"]
_OPENERS += ["This", "That", "These", "Those", "So", "Or"]
_lower_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)
_rest = st.lists(_lower_words, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_OPENERS), _rest, st.sampled_from(["", '"', "“", "("]))
def test_any_back_pointing_opener_is_dangling(opener: str, rest: str, quote: str) -> None:
    sentence = f"{quote}{opener} {rest}."
    # "This week..." and "So far..." point at the time of writing, not at earlier text.
    pointing_nowhere = (opener in ("This", "These") and rest.split()[0] in _TIME_WORDS) or (
        opener == "So" and rest.startswith("far")
    )
    assert opens_dangling(sentence) is not pointing_nowhere


_TIME_WORDS = {"year", "week", "weekend", "month", "morning", "afternoon", "evening", "days"}
_TIME_WORDS |= {"season", "summer", "winter", "spring", "autumn", "quarter", "term", "times"}
_TIME_WORDS |= {"decade", "century"}


# -- speakers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        '"Investors are no longer willing to fund a server farm," she said.',
        '"Last year it was forty," she said.',
        "The behaviour of online shoppers was also changing, he said.",
        "Prices will rise, he added.",
        '"It is a great strategic fit," said he.',
        '"We are against it," they told reporters.',
        '"Our industry is in crisis," he continued.',
        "The deal was notable, she later told the BBC.",
        '"It is slow," he said. "But it does not ask for a raise."',
    ],
)
def test_quotes_attributed_only_to_a_pronoun(sentence: str) -> None:
    assert pronoun_attributed(sentence)
    assert need(sentence) is Need.STRICT
    assert is_quote(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        '"Twelve seconds," says Ms. Vo Ngoc Tram, checking a laptop.',
        '"In the third game I stopped thinking," Nur Aisyah said afterwards.',
        '"The upgrade is positive," said Bhanu Baweja, a strategist at UBS.',
        "Mr Kilroy-Silk said he wanted to spend an extra £500m.",
        "Ms. A. L. Wong said the deal was notable, and she told investors so.",
        '"We will watch closely," the ministry said.',
        '"Load it at home," said the driver.',
        "Environmental groups said they would watch how land is cleared.",
        "The company said it would waive transfer fees until 31 December.",
        "Sales rose 5% in the quarter.",
    ],
)
def test_named_speakers_and_plain_statements_are_not_pronoun_attributed(sentence: str) -> None:
    assert not pronoun_attributed(sentence)


_names = st.sampled_from(["Mr Tan", "Dr. Lim", "Ms Wong", "Anna Smith", "the minister"])
_pronouns = st.sampled_from(["he", "she", "they"])
_verbs = st.sampled_from(["said", "added", "says", "told reporters", "explained"])


@settings(max_examples=200, deadline=None)
@given(_rest, _pronouns, _verbs, _names, st.booleans())
def test_a_pronoun_speaker_is_dangling_unless_someone_is_named(
    words: str, pronoun: str, verb: str, name: str, named: bool
) -> None:
    quotation = f'"{words.capitalize()}," {pronoun} {verb}.'
    sentence = f"{name[0].upper()}{name[1:]} said {words}, and {quotation}" if named else quotation
    assert pronoun_attributed(sentence) is not named


@pytest.mark.parametrize(
    ("sentence", "fragment"),
    [
        ('"A good human picker does it in four.', True),
        ('We are getting closer."', True),
        ('"It is not over."', True),
        ('"Dragon fruit is like asking a robot to pick a flower out of barbed wire."', True),
        ('" CBI chief economist Ian McCafferty said the economy had slowed.', True),
        ('"We will win," said Mr Tan.', False),
        ('Mr Tan said: "We will win."', False),
        ("The economy grew.", False),
        ('The regulator called the deal "a good start".', False),
    ],
)
def test_quotation_fragments(sentence: str, fragment: bool) -> None:
    assert quotation_fragment(sentence) is fragment


def test_continuations_and_lead_ins() -> None:
    assert continues("on Sunday evenings, heading back into Singapore.")
    assert continues("mobi domain would be aimed at mobile sites.")
    assert not continues("iPhone sales rose 20%.")
    assert not continues("eBay reported record profits.")
    assert not continues("The economy grew.")
    assert is_lead_in("Based on past years, expect the heaviest jams:")
    assert not is_lead_in("The heaviest jams are on Friday evenings.")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_OPENERS).map(lambda o: f"{o} went home."), min_size=1))
def test_the_first_sentence_of_an_article_never_needs_an_antecedent(
    sentences: list[str],
) -> None:
    wants = needs(sentences)
    assert wants[0] is Need.NONE
    assert all(w is not Need.NONE for w in wants[1:])


# -- the coherent knapsack ----------------------------------------------------------------


def _value(chosen: list[int], lengths: list[int], scores: list[float], wants: list[Need]) -> float:
    total = 0.0
    for position, i in enumerate(chosen):
        # The knapsack's worth: discounted by the sentence's place in the summary.
        value = (max(scores[i], 0.0) ** SHARPNESS * lengths[i] + 1e-9) * DISCOUNT**position
        if wants[i] is not Need.NONE and not (position and chosen[position - 1] == i - 1):
            if position == 0 or UNRESOLVED[wants[i]] == 0:
                return -1.0  # not allowed
            value *= UNRESOLVED[wants[i]]
        total += value
    return total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=5, max_value=80),
            st.floats(min_value=0.0, max_value=1.0),
            st.sampled_from(list(Need)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=10, max_value=200),
)
def test_knapsack_finds_the_best_coherent_set(
    rows: list[tuple[int, float, Need]], max_sentences: int, max_chars: int
) -> None:
    lengths = [r[0] for r in rows]
    scores = [r[1] for r in rows]
    wants = [Need.NONE, *(r[2] for r in rows[1:])]
    chosen = choose(lengths, scores, max_sentences, max_chars, wants)
    # Within budget, and never opening with (or holding an unresolved strict) dangling one.
    assert len(chosen) <= max_sentences
    assert sum(lengths[i] for i in chosen) + len(chosen) - 1 <= max_chars or not chosen
    assert _value(chosen, lengths, scores, wants) >= 0 or not chosen
    # And no coherent set that fits is worth more (brute force over every subset).
    best = 0.0
    for k in range(1, max_sentences + 1):
        for subset in itertools.combinations(range(len(rows)), k):
            if sum(lengths[i] for i in subset) + k - 1 <= max_chars:
                best = max(best, _value(list(subset), lengths, scores, wants))
    assert _value(chosen, lengths, scores, wants) == pytest.approx(best, rel=1e-9, abs=1e-12)


def test_an_antecedent_is_brought_in_to_keep_a_strong_dangling_sentence() -> None:
    lengths = [60, 60, 60, 60]
    scores = [0.5, 0.6, 1.0, 0.2]
    wants = [Need.NONE, Need.NONE, Need.STRICT, Need.NONE]
    assert choose(lengths, scores, 2, 130, wants) == [1, 2]
    # Only one sentence fits: the strong one cannot stand alone, so the next best opens.
    assert choose(lengths, scores, 1, 130, wants) == [1]


# -- whole summaries ----------------------------------------------------------------------

_plain = st.lists(_lower_words, min_size=3, max_size=14).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
_dangling = st.one_of(
    st.tuples(st.sampled_from(_OPENERS), _rest).map(lambda t: f"{t[0]} {t[1]}."),
    _rest.map(lambda words: f'"{words.capitalize()}," she said.'),
    _rest.map(lambda words: f"{words.capitalize()}, he added."),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.one_of(_plain, _dangling), min_size=1, max_size=5), min_size=1),
    st.integers(min_value=60, max_value=400),
    st.integers(min_value=1, max_value=4),
)
def test_summaries_never_open_with_a_dangling_sentence(
    paragraphs: list[list[str]], chars: int, max_sentences: int
) -> None:
    text = "\n\n".join(" ".join(p) for p in paragraphs)
    sentences = candidate_sentences(text)
    summary = summarise_text(text, max_sentences, chars)
    assert summary
    if summary.endswith("…"):  # nothing that may open fits whole: one sentence, cut
        opening = next((s for s in sentences if s.startswith(summary[:-1].rstrip())), None)
    else:
        opening = next((s for s in sentences if summary.startswith(s)), None)
    assert opening is not None, (summary, sentences)
    index = sentences.index(opening)
    assert index == 0 or need(opening) is Need.NONE, (summary, sentences)


def test_a_pointing_back_sentence_comes_with_what_it_points_to() -> None:
    quotation = (
        '"The port needs the terminal, the port needs the dock workers, the harbour needs the '
        'container terminal," he said.'
    )
    text = (
        "The harbour authority approved a second container terminal at the port on Monday. "
        f"Dock workers at the container terminal had asked for it for years. {quotation} "
        "Weather in the region was mild."
    )
    # The quotation is the most central sentence: alone it would be the whole summary.
    assert summarise_text(text, 1, 300, coherent=False) == quotation
    # With room for two, it comes with the sentence before it...
    assert summarise_text(text, 2, 300) == (
        f"Dock workers at the container terminal had asked for it for years. {quotation}"
    )
    # ...and without, it is left out rather than left without a speaker.
    assert "he said" not in summarise_text(text, 1, 300)


def test_the_robot_article_no_longer_opens_with_then_it() -> None:
    text = (
        "On a workbench in a converted warehouse, a robot arm hesitates in front of a plastic "
        "cactus. Its camera sweeps left, then right. Then it reaches in, cradles a bright pink "
        "dragon fruit between two padded fingers, twists, and drops it gently into a crate.\n\n"
        "Dragon fruit is not an obvious candidate for a robot. Fruit on the same plant ripen at "
        "different times, and the skin bruises easily.\n\n"
        "The robot picks a dragon fruit in twelve seconds; a good human picker does it in four."
    )
    summary = summarise_text(text, 3, 300)
    assert not summary.startswith(("Then", "Its"))
    for sentence in split_sentences(summary):
        if sentence.startswith("Then it"):
            assert "Its camera sweeps left, then right. Then it" in summary


# -- one-liners -------------------------------------------------------------------------

STORY = (
    "A consortium has raised S$1.2 billion to build a 300-megawatt data-centre park on Batam, "
    "after regulators approved an undersea cable to carry solar power to the site.\n\n"
    "Four regional banks and a U.S. fund arranged the financing of the data-centre park.\n\n"
    "Ms. A. L. Wong, a partner at a consultancy, said the data-centre park deal was notable. "
    '"Investors are no longer willing to fund a data-centre park and hope the power turns up," '
    "she said."
)


def test_one_liner_uses_a_description_or_its_first_sentence() -> None:
    section = SummarySection(trending_chars=160)
    short = TrendingItem(rank=1, title="Batam", description="Batam lands a data-centre park.")
    line = one_liner(short, section)
    assert line is not None and line.text == "Batam lands a data-centre park."
    assert line.origin == "publisher"
    standfirst = (
        "A consortium will build a 300-megawatt campus on Batam. The deal, signed on Monday "
        "evening after two years of talks, also covers an undersea cable to Singapore."
    )
    line = one_liner(TrendingItem(rank=1, title="Batam", description=standfirst), section)
    assert (
        line is not None and line.text == "A consortium will build a 300-megawatt campus on Batam."
    )
    assert line.origin == "publisher"


def test_one_liner_is_never_a_pronoun_quotation_when_a_statement_fits() -> None:
    section = SummarySection(trending_chars=160)
    row = TrendingItem(rank=2, title="Batam data-centre park", text=STORY)
    line = one_liner(row, section)
    assert line is not None and line.origin == "extracted"
    assert not is_quote(line.text) and need(line.text) is Need.NONE
    assert line.text in STORY and len(line.text) <= 160
    # The same from the matched article when the row has nothing of its own.
    article = Article(id="a", title="Batam", text=STORY)
    borrowed = one_liner(TrendingItem(rank=2, title="Batam"), section, article)
    assert borrowed is not None and borrowed.text == line.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_plain, _dangling), min_size=1, max_size=8),
    st.integers(min_value=60, max_value=200),
)
def test_one_liners_are_statements_whenever_the_text_has_one_that_fits(
    sentences: list[str], limit: int
) -> None:
    text = " ".join(sentences)
    line = one_liner(
        TrendingItem(rank=1, title="Row", text=text), SummarySection(trending_chars=limit)
    )
    assert line is not None and 0 < len(line.text) <= limit
    pieces = candidate_sentences(text)
    alone = [
        s
        for i, s in enumerate(pieces)
        if len(s) <= limit and not is_quote(s) and (i == 0 or need(s) is Need.NONE)
    ]
    if alone:
        assert line.text in alone
        assert not is_quote(line.text)


def test_one_liner_cuts_a_description_only_when_nothing_fits() -> None:
    long = "A consortium will build a campus " * 10 + "on Batam."
    line = one_liner(
        TrendingItem(rank=1, title="Batam", description=long), SummarySection(trending_chars=80)
    )
    assert line is not None and line.text.endswith("…") and len(line.text) <= 80
    assert long.startswith(line.text[:-1])


# -- the sample week --------------------------------------------------------------------


def test_sample_digest_summaries_read_on_their_own() -> None:
    from digest.pipeline import BuildOptions, build_digest

    config = load_config(SAMPLE_CONFIG)
    digest = build_digest(config, BuildOptions(issue_date=date(2025, 12, 5), use_history=False))
    stories = [digest.lead, *digest.stories] if digest.lead else digest.stories
    assert len(stories) == 8 and len(digest.trending) == 6
    for story in stories:
        assert story.summary is not None and story.summary.text
        article_sentences = candidate_sentences(story.article.text)
        first = split_sentences(story.summary.text)[0]
        if story.summary.origin == "extracted":
            assert first == article_sentences[0] or need(first) is Need.NONE, story.summary
    for entry in digest.trending:
        assert entry.summary is not None, entry.title
        assert not is_quote(entry.summary.text), entry.summary
        assert need(entry.summary.text) is Need.NONE, entry.summary
        assert len(entry.summary.text) <= config.summary.trending_chars
