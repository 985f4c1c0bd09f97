"""Fitting whole sentences into a budget of sentences and characters.

The choice is a small knapsack: among the ranked sentences, take the set that fits the
budget (sentences joined by one space) and carries the most *salient text*, each sentence
worth ``score ** SHARPNESS × its length``. Greedy "best first, skip what does not fit"
leaves much of the budget empty when the best sentence is long; the knapsack fills it with
the best sentences that fit together. ``SHARPNESS`` > 1 keeps the most central sentences
ahead of merely long ones.
"""

from __future__ import annotations

from collections.abc import Sequence

SHARPNESS = 1.5
MAX_CANDIDATES = 40  # only the best-ranked sentences compete (keeps the table small)
ELLIPSIS = "…"


def choose(
    lengths: Sequence[int], scores: Sequence[float], max_sentences: int, max_chars: int
) -> list[int]:
    """Indices (ascending) of the sentences that best fill the budget; empty if none fits."""
    import numpy as np

    order = sorted(range(len(lengths)), key=lambda i: (-scores[i], i))
    candidates = [i for i in order if lengths[i] <= max_chars][:MAX_CANDIDATES]
    if not candidates or max_sentences < 1:
        return []
    # Each sentence costs its length plus the joining space; the capacity gets one back.
    capacity = max_chars + 1
    slots = min(max_sentences, len(candidates))
    neg = -1.0
    best = np.full((slots + 1, capacity + 1), neg)  # best[k, c]: k sentences, c chars used
    best[0, 0] = 0.0
    taken = np.zeros((len(candidates), slots + 1, capacity + 1), dtype=bool)
    for row, i in enumerate(candidates):
        cost = lengths[i] + 1
        value = max(scores[i], 0.0) ** SHARPNESS * lengths[i] + 1e-9
        before = best[:-1, : capacity + 1 - cost]
        gain = np.where(before > neg, before + value, neg)
        improves = gain > best[1:, cost:]
        best[1:, cost:] = np.where(improves, gain, best[1:, cost:])
        taken[row, 1:, cost:] = improves
    k, c = np.unravel_index(int(np.argmax(best)), best.shape)
    chosen: list[int] = []
    for row in range(len(candidates) - 1, -1, -1):
        if k > 0 and taken[row, k, c]:
            chosen.append(candidates[row])
            c -= lengths[candidates[row]] + 1
            k -= 1
    return sorted(chosen)


def cut_at_word(text: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters at a word boundary, ending in an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - len(ELLIPSIS))]
    if " " in head and not text[len(head)].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-–—([{\"'“‘") + ELLIPSIS


def fit(
    sentences: Sequence[str], scores: Sequence[float], max_sentences: int, max_chars: int
) -> str:
    """The chosen sentences in article order, or — when not even one fits — the best one
    cut at a word boundary with an ellipsis."""
    if not sentences:
        return ""
    chosen = choose([len(s) for s in sentences], scores, max_sentences, max_chars)
    if chosen:
        return " ".join(sentences[i] for i in chosen)
    top = min(range(len(sentences)), key=lambda i: (-scores[i], i))
    return cut_at_word(sentences[top], max_chars)
