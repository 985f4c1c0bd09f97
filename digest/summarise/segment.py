"""Sentence segmentation: paragraphs → sentences, with pysbd for the hard cases
("Dr.", "U.S.", "24.5", "J. R. Tan", quotes).

pysbd is run on a whitespace-normalised paragraph and its pieces are then re-aligned on
that paragraph by counting non-space characters, so the sentences always add up to the
paragraph exactly, whatever pysbd does to the characters it returns.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_BLANK_LINES = re.compile(r"\n\s*\n")
# Sentence-final punctuation, then any closing quotes or brackets.
ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_FALLBACK_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(]*[A-Z0-9])")
# A quotation that runs over several sentences, each opened anew ('...cut rates. "Dismal
# reports...', '"We will win." "It is over," she said.'): pysbd keeps such runs whole.
# Split where a sentence ends and a quotation opens with a capital; the word before the
# stop must be lower-case or a number ("rates.", "2004.") or a closed quotation ('win."'),
# never "Mr.", "U.S." or "e.g.".
_QUOTE_RUN_END = re.compile(r"(\S*)([.!?])(\"|”)?\s+(?=[\"“][A-Z])")
_PLAIN_WORD = re.compile(r"[\W_]*(?:[a-z][a-z'’-]*|[0-9][0-9,%]*)")
# A closing quotation mark that pysbd left at the start of the next piece ('" CBI chief...').
_STRAY_CLOSE = re.compile(r"^[\"”’)\]]+(?=\s|$)")


@cache
def _segmenter(language: str) -> Any:
    import pysbd

    try:
        return pysbd.Segmenter(language=language, clean=False)
    except ValueError:  # a language pysbd does not know: English rules are the best guess
        return pysbd.Segmenter(language="en", clean=False)


def paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (split at blank lines), each as its non-empty lines."""
    blocks = []
    for block in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            blocks.append(lines)
    return blocks


def segment(paragraph: str, language: str = "en") -> list[str]:
    """The sentences of one paragraph; joined with single spaces they give back
    ``" ".join(paragraph.split())``."""
    normalised = " ".join(paragraph.split())
    if not normalised:
        return []
    try:
        pieces = [str(p) for p in _segmenter(language).segment(normalised)]
    except Exception:  # pysbd has failed on odd input before: fall back to a plain rule
        pieces = _FALLBACK_SPLIT.split(normalised)
    pieces = [part for piece in _realign(normalised, pieces) for part in _split_quote_runs(piece)]
    return _glue_fragments(_return_stray_quotes(pieces))


def _split_quote_runs(sentence: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _QUOTE_RUN_END.finditer(sentence):
        word, closed = match.group(1), match.group(3)
        if closed or (_PLAIN_WORD.fullmatch(word) and word[-1:].isalnum()):
            parts.append(sentence[start : match.end()].rstrip())
            start = match.end()
    parts.append(sentence[start:])
    return [part for part in parts if part]


def _return_stray_quotes(sentences: list[str]) -> list[str]:
    """Give a closing quotation mark at the start of a piece back to the piece before."""
    out: list[str] = []
    for sentence in sentences:
        stray = _STRAY_CLOSE.match(sentence)
        if stray and out:
            out[-1] += stray.group()
            sentence = sentence[stray.end() :].lstrip()
        if sentence:
            out.append(sentence)
    return out


def _glue_fragments(sentences: list[str]) -> list[str]:
    """Join a piece that does not end like a sentence to the next one: pysbd sometimes
    cuts before a one-letter word ("sat on | a. Then"), and a summary must never hold half
    a sentence."""
    out: list[str] = []
    pending = ""
    for sentence in sentences:
        pending = f"{pending} {sentence}" if pending else sentence
        if ENDS_SENTENCE.search(pending):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _realign(text: str, pieces: list[str]) -> list[str]:
    """Cut ``text`` where pysbd cut it, by counting the non-space characters of each piece."""
    sentences: list[str] = []
    start = 0
    position = 0
    for piece in pieces[:-1]:
        remaining = sum(1 for ch in piece if not ch.isspace())
        while position < len(text) and remaining:
            if not text[position].isspace():
                remaining -= 1
            position += 1
        sentence = text[start:position].strip()
        if sentence:
            sentences.append(sentence)
        start = position
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of a plain text, paragraph by paragraph (lines of a paragraph are joined)."""
    return [
        sentence for lines in paragraphs(text) for sentence in segment(" ".join(lines), language)
    ]
