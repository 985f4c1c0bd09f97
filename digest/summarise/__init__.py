"""Summarise: a few sentences under each headline, extractive, offline and deterministic.

    text → paragraphs and lines → drop furniture (boilerplate.py) → sentences (segment.py)
         → TextRank with a position and a headline prior (textrank.py) → whole sentences
           that best fill the budget, best first, and read without what the reader never
           saw (coherence.py), in article order (budget.py)

A publisher's own description is used instead when it fits the budget
(``[summary] prefer_description``); each ``Summary`` says which it is (``origin``).
"""

from __future__ import annotations

from ..config import SummarySection
from ..models import Article, Summary, TrendingItem
from .boilerplate import is_boilerplate, is_heading
from .budget import cut_at_word, fit
from .segment import ENDS_SENTENCE, paragraphs, segment, split_sentences

MAX_TEXT_CHARS = 60_000
MAX_SENTENCES = 400

__all__ = [
    "candidate_sentences",
    "cut_at_word",
    "split_sentences",
    "summarise_article",
    "summarise_text",
    "summarise_trending",
]


def candidate_sentences(text: str, language: str = "en") -> list[str]:
    """The sentences worth summarising: furniture lines, headings and boilerplate
    sentences are left out."""
    out: list[str] = []
    for lines in paragraphs(text):
        kept: list[str] = []
        previous_ended = True
        for line in lines:
            # A line is only furniture on its own: not the tail of a sentence wrapped
            # across lines ("...will be\nupdated next week.").
            if not (previous_ended and is_boilerplate(line)):
                kept.append(line)
            previous_ended = bool(ENDS_SENTENCE.search(line))
        block = " ".join(kept)
        if not block or (len(kept) == 1 and is_heading(block)):
            continue
        out.extend(s for s in segment(block, language) if not is_boilerplate(s))
    return out


def summarise_text(
    text: str,
    max_sentences: int = 3,
    max_chars: int = 300,
    language: str = "en",
    *,
    title: str = "",
    coherent: bool = True,
) -> str:
    """The best whole sentences of ``text`` within the budget, in article order; a single
    sentence is cut (at a word, with "…") only when no whole sentence that can open a
    summary fits. ``title``: the article's headline, if it has one (it guides the ranking).
    ``coherent=False`` drops the rules of ``coherence.py`` (for measuring)."""
    from .textrank import rank_sentences

    # A summary comes from the opening of a very long text (bounded time and memory).
    text = text[:MAX_TEXT_CHARS]
    sentences = candidate_sentences(text, language)[:MAX_SENTENCES]
    if not sentences:
        # Nothing but headings or furniture: better the plain text than nothing.
        sentences = split_sentences(text, language)[:MAX_SENTENCES]
    scores = rank_sentences(sentences, title=title)
    return fit(sentences, scores, max_sentences, max_chars, coherent)


def _fits(text: str, max_sentences: int, max_chars: int, language: str) -> bool:
    return len(text) <= max_chars and len(split_sentences(text, language)) <= max_sentences


def summarise_article(article: Article, section: SummarySection, language: str = "en") -> Summary:
    """The publisher's description when preferred and within budget, else an extract."""
    description = " ".join((article.description or "").split())
    if (
        section.prefer_description
        and description
        and description.casefold() != " ".join(article.title.split()).casefold()
        and not is_boilerplate(description)
        and _fits(description, section.sentences, section.chars, language)
    ):
        return Summary(text=description, origin="publisher")
    body = article.text or description
    if not body.strip():
        return Summary(text="", origin="title")
    return Summary(
        text=summarise_text(body, section.sentences, section.chars, language, title=article.title),
        origin="extracted",
    )


def summarise_trending(
    item: TrendingItem,
    section: SummarySection,
    article: Article | None = None,
    language: str = "en",
) -> Summary | None:
    """A one-line summary for a "Hot this week" row: a self-contained statement of the
    news, never a quotation when there is anything else. In order:

    1. the row's (else the matched article's) description, when it fits on the line;
    2. else a description's first sentence, when that fits;
    3. else the best-ranked sentence of the row's text (else the article's text, else the
       descriptions) that fits and stands alone: not a quotation, not attributed to "he"
       or "she", not opening with "But", "It", "Then"... (``coherence.py``);
    4. else the best such sentence (or a description) cut at a word, with "…".
    """
    from .coherence import is_quote

    if section.trending_chars == 0:
        return None
    limit = section.trending_chars
    title = " ".join(item.title.split()).casefold()
    descriptions = [
        text
        for raw in (item.description, article.description if article else None)
        if (text := " ".join((raw or "").split())) and text.casefold() != title
    ]
    if section.prefer_description:
        for description in descriptions:
            if _fits(description, 1, limit, language):
                return Summary(text=description, origin="publisher")
        for description in descriptions:
            first = split_sentences(description, language)[0]
            if len(first) <= limit and not is_quote(first):
                return Summary(text=first, origin="publisher")
    bodies = [item.text, article.text if article else "", *descriptions]
    for body in bodies:
        line = _one_line(body, limit, item.title, language)
        if line:
            return Summary(text=line, origin="extracted")
    if section.prefer_description and descriptions:
        return Summary(text=cut_at_word(descriptions[0], limit), origin="publisher")
    for body in bodies:
        if body.strip():
            return Summary(
                text=summarise_text(body, 1, limit, language, title=item.title),
                origin="extracted",
            )
    return None


def _one_line(text: str, limit: int, title: str = "", language: str = "en") -> str:
    """The best-ranked sentence of ``text`` within ``limit`` that can stand alone on a line:
    not a quotation, not needing the sentence before it, not a lead-in; "" if none."""
    from .coherence import Need, is_lead_in, is_quote, needs
    from .textrank import rank_sentences

    sentences = candidate_sentences(text[:MAX_TEXT_CHARS], language)[:MAX_SENTENCES]
    scores = rank_sentences(sentences, title=title)
    alone = [
        i
        for i, (sentence, need) in enumerate(zip(sentences, needs(sentences), strict=True))
        if len(sentence) <= limit
        and need is Need.NONE
        and not is_quote(sentence)
        and not is_lead_in(sentence)
    ]
    best = min(alone, key=lambda i: (-scores[i], i), default=None)
    return sentences[best] if best is not None else ""
