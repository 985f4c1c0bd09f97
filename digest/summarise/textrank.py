"""Sentence ranking: TextRank (PageRank over a sentence-similarity graph) with a position
prior in the teleport vector.

- Similarity: cosine of the sentences' word counts (words lower-cased, not stemmed, English
  stop words left out). On the dev set this beat summa's overlap/log-length measure, TF-IDF
  weighting and Snowball stemming.
- Position prior: a personalised PageRank whose random jump lands on sentence *i* with
  probability ∝ ``1 + strength × n × w_i`` where ``w_i ∝ 1/(i+1)`` (``strength`` = 0.2): a
  gentle pull towards the top of the article that breaks ties and carries short or
  unconnected texts, without overriding centrality.
- Damping 0.85 (the PageRank default), power iteration to 1e-9.

The score is salience only; whether a sentence can stand alone under a headline
("He said...", "But...") is the budget fitting's concern (``coherence.py``, ``budget.py``),
which can keep such a sentence together with the one it points back to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .stopwords import ENGLISH

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"\w+(?:['’]\w+)*")

DAMPING = 0.85
POSITION_PRIOR = 0.2


def content_words(sentence: str, stop_words: frozenset[str] = ENGLISH) -> list[str]:
    words = (w.replace("’", "'") for w in _WORD.findall(sentence.casefold()))
    return [w for w in words if len(w) > 1 and w not in stop_words and not w.isdigit()]


def similarity_matrix(sentences: Sequence[Sequence[str]]) -> np.ndarray:
    """Cosine similarity of word-count vectors; zero diagonal."""
    import numpy as np

    vocabulary: dict[str, int] = {}
    for words in sentences:
        for word in words:
            vocabulary.setdefault(word, len(vocabulary))
    counts = np.zeros((len(sentences), max(1, len(vocabulary))))
    for row, words in enumerate(sentences):
        for word in words:
            counts[row, vocabulary[word]] += 1
    norms = np.linalg.norm(counts, axis=1)
    norms[norms == 0] = 1.0
    unit = counts / norms[:, None]
    similarity: np.ndarray = unit @ unit.T
    np.fill_diagonal(similarity, 0.0)
    return similarity


def pagerank(
    weights: np.ndarray, teleport: np.ndarray, damping: float = DAMPING, iterations: int = 200
) -> np.ndarray:
    """PageRank over a weighted graph; rows without edges jump by ``teleport``."""
    import numpy as np

    n = weights.shape[0]
    out_weight = weights.sum(axis=1)
    dangling = out_weight == 0
    transition = weights / np.where(dangling, 1.0, out_weight)[:, None]
    jump = teleport / teleport.sum()
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) * jump + damping * (transition.T @ rank + rank[dangling].sum() * jump)
        if np.abs(new - rank).sum() < 1e-9:
            return new
        rank = new
    return rank


def position_teleport(n: int, strength: float = POSITION_PRIOR) -> np.ndarray:
    import numpy as np

    prior = 1.0 / np.arange(1, n + 1)
    return np.full(n, 1.0 / n) + strength * prior / prior.sum()


def rank_sentences(
    sentences: Sequence[str],
    *,
    position_prior: float = POSITION_PRIOR,
    damping: float = DAMPING,
) -> list[float]:
    """A salience score per sentence, scaled so the best is 1.0."""
    n = len(sentences)
    if n == 0:
        return []
    if n == 1:
        return [1.0]
    similarity = similarity_matrix([content_words(s) for s in sentences])
    ranks = pagerank(similarity, position_teleport(n, position_prior), damping)
    scores = [float(r) for r in ranks]
    top = max(scores)
    return [s / top if top > 0 else 0.0 for s in scores]
