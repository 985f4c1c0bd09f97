"""Fitting whole sentences into a budget of sentences and characters.

The choice is a small knapsack: among the ranked sentences, take the set that fits the
budget (sentences joined by one space) and carries the most *salient text*, each sentence
worth ``score ** SHARPNESS × its length``. Greedy "best first, skip what does not fit"
leaves much of the budget empty when the best sentence is long; the knapsack fills it with
the best sentences that fit together. ``SHARPNESS`` > 1 keeps the most central sentences
ahead of merely long ones.

Coherence is part of the knapsack (see ``coherence.py``): a sentence that needs the one
before it ("Then it...", '"...," she said.') is *resolved* when that sentence is chosen
too. An unresolved one may never open the summary; elsewhere a loose one ("But...",
"He...") keeps ``UNRESOLVED`` (0.8) of its value and a strict one (a quotation without
its speaker) is left out. The table is filled in article order and remembers whether
the previous sentence was taken, so the best coherent set is found exactly, including
the one that brings in an antecedent to keep a strong sentence.

The summary is read from the top and attention fades, so each sentence's value is
discounted by its place in the summary: the first counts in full, the second ``DISCOUNT``
(0.8) of that, the third 0.8², ... Among sets of about the same worth, the one that opens
with its best sentence wins; the sentences are still shown in article order, since that
is the order their writer made them readable in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..text import shorten
from .coherence import Need, is_lead_in
from .coherence import needs as needs_of

SHARPNESS = 1.5
# What a sentence is worth in the second place of the summary relative to the first (and
# so on: DISCOUNT ** k in place k + 1).
DISCOUNT = 0.8
# The share of its value a sentence keeps when the one it needs is left out (it may
# never open the summary): a loose opener ("But", "He") keeps some, a strict one (a
# quotation without its speaker) none.
UNRESOLVED = {Need.NONE: 1.0, Need.LOOSE: 0.8, Need.STRICT: 0.0}
MAX_CANDIDATES = 40  # only the best-ranked sentences compete (keeps the table small)


def choose(
    lengths: Sequence[int],
    scores: Sequence[float],
    max_sentences: int,
    max_chars: int,
    needs: Sequence[Need] | None = None,
    usable: Sequence[bool] | None = None,
    unresolved: Mapping[Need, float] = UNRESOLVED,
    *,
    sharpness: float = SHARPNESS,
    discount: float = DISCOUNT,
) -> list[int]:
    """Indices (ascending) of the sentences that best fill the budget; empty if none fits.

    A set is worth Σ ``discount ** k`` × ``scores[i] ** sharpness`` × ``lengths[i]`` over
    its sentences *i* in article order (*k* = 0, 1, ...).
    ``needs[i]`` other than ``Need.NONE``: sentence *i* reads badly unless sentence *i − 1*
    is chosen too; it never comes first, and unresolved it is worth ``unresolved[needs[i]]``
    × its value (0: never unresolved). ``usable[i]`` false: never choose sentence *i*."""
    import numpy as np

    n = len(lengths)
    needs = list(needs) if needs is not None else [Need.NONE] * n
    fits = [lengths[i] <= max_chars and (usable is None or usable[i]) for i in range(n)]
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    best_ranked = [i for i in order if fits[i]][:MAX_CANDIDATES]
    if not best_ranked or max_sentences < 1:
        return []
    # A strong sentence that needs its antecedent competes together with it.
    pool = set(best_ranked)
    for i in best_ranked:
        j = i
        while needs[j] and j > 0 and j - 1 not in pool and fits[j - 1]:
            pool.add(j - 1)
            j -= 1
    candidates = sorted(pool)  # article order: "the previous sentence" is the previous row

    # Each sentence costs its length plus the joining space; the capacity gets one back.
    capacity = max_chars + 1
    slots = min(max_sentences, len(candidates))
    neg = -1.0
    place_weight = discount ** np.arange(slots)  # the (k+1)-th sentence of the summary
    # best[t, k, c]: k sentences, c chars used; t = 1 when the last row was taken.
    best = np.full((2, slots + 1, capacity + 1), neg)
    best[0, 0, 0] = 0.0
    skip_from = np.zeros((len(candidates), slots + 1, capacity + 1), dtype=np.int8)
    take_from = np.zeros((len(candidates), slots + 1, capacity + 1), dtype=np.int8)
    previous = -2
    for row, i in enumerate(candidates):
        cost = lengths[i] + 1
        value = max(scores[i], 0.0) ** sharpness * lengths[i] + 1e-9
        new = np.full_like(best, neg)
        # Leave sentence i out.
        skip_from[row] = best[1] > best[0]
        new[0] = np.maximum(best[0], best[1])
        # Take it, after a state where the previous row was left out (t=0) or taken (t=1).
        gains = []
        for taken_before in (0, 1):
            before = best[taken_before, :-1, : capacity + 1 - cost]
            worth = value * place_weight
            if needs[i] and not (taken_before and previous == i - 1):
                kept = unresolved[needs[i]]
                worth = worth * kept if kept > 0 else np.full(slots, neg)
                worth[0] = neg  # it would open the summary
            gain = np.where((before > neg) & (worth[:, None] > neg), before + worth[:, None], neg)
            gains.append(gain)
        take_from[row, 1:, cost:] = gains[1] > gains[0]
        new[1, 1:, cost:] = np.maximum(gains[0], gains[1])
        best = new
        previous = i
    t, k, c = (int(x) for x in np.unravel_index(int(np.argmax(best)), best.shape))
    if best[t, k, c] <= 0:
        return []
    chosen: list[int] = []
    for row in range(len(candidates) - 1, -1, -1):
        if t:
            chosen.append(candidates[row])
            t = int(take_from[row, k, c])
            c -= lengths[candidates[row]] + 1
            k -= 1
        else:
            t = int(skip_from[row, k, c])
    return sorted(chosen)


cut_at_word = shorten  # the summariser's name for it


def fit(
    sentences: Sequence[str],
    scores: Sequence[float],
    max_sentences: int,
    max_chars: int,
    coherent: bool = True,
    *,
    sharpness: float = SHARPNESS,
    discount: float = DISCOUNT,
) -> str:
    """The chosen sentences in article order, or — when no coherent set fits — the best
    sentence that can open a summary, cut at a word boundary with an ellipsis.

    ``coherent``: apply ``coherence.py`` (a sentence that needs the one before it is kept
    with it, or never opens the summary; a lead-in "...as follows:" is never chosen)."""
    if not sentences:
        return ""
    n = len(sentences)
    wants = needs_of(sentences) if coherent else [Need.NONE] * n
    usable = [not is_lead_in(s) for s in sentences] if coherent else [True] * n
    lengths = [len(s) for s in sentences]
    chosen = choose(
        lengths,
        scores,
        max_sentences,
        max_chars,
        wants,
        usable,
        sharpness=sharpness,
        discount=discount,
    )
    if chosen:
        return " ".join(sentences[i] for i in chosen)
    top = min(range(n), key=lambda i: (bool(wants[i]) or not usable[i], -scores[i], i))
    return cut_at_word(sentences[top], max_chars)
