"""Summarise: a few sentences under each headline, extractive, offline and deterministic."""

from __future__ import annotations

from functools import cache

from ..config import SummarySection
from ..models import Article, Summary, TrendingItem


@cache
def _segmenter(language: str = "en") -> object:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of a plain text, paragraph by paragraph."""
    segmenter = _segmenter(language)
    sentences: list[str] = []
    for paragraph in text.split("\n\n"):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(s.strip() for s in segmenter.segment(paragraph) if s.strip())  # type: ignore[attr-defined]
    return sentences


def cut_at_word(text: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"


def fit_sentences(sentences: list[str], max_sentences: int, max_chars: int) -> str:
    """Whole sentences in order, within the budget; one over-long sentence is cut."""
    chosen: list[str] = []
    length = 0
    for sentence in sentences:
        extra = len(sentence) + (1 if chosen else 0)
        if len(chosen) >= max_sentences or length + extra > max_chars:
            break
        chosen.append(sentence)
        length += extra
    if not chosen and sentences:
        return cut_at_word(sentences[0], max_chars)
    return " ".join(chosen)


def summarise_text(text: str, max_sentences: int = 3, max_chars: int = 300) -> str:
    return fit_sentences(split_sentences(text), max_sentences, max_chars)


def summarise_article(article: Article, section: SummarySection) -> Summary:
    description = (article.description or "").strip()
    if section.prefer_description and description and len(description) <= section.chars:
        return Summary(text=description, origin="publisher")
    body = article.text or description
    if not body:
        return Summary(text="", origin="title")
    return Summary(text=summarise_text(body, section.sentences, section.chars), origin="extracted")


def summarise_trending(item: TrendingItem, section: SummarySection) -> Summary | None:
    if section.trending_chars == 0:
        return None
    source = item.description or item.text
    if not source:
        return None
    return Summary(
        text=summarise_text(source, 1, section.trending_chars),
        origin="publisher" if item.description else "extracted",
    )
