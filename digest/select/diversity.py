"""Diversity: choose the issue's stories from the ranked candidates so that no category,
source or single story crowds out the rest.

- ``diversity = "mmr"``: maximal marginal relevance. Stories are taken one at a time, each
  the best of ``λ × relevance − (1 − λ) × (its highest similarity to a story already
  taken)``, with relevance the score as a share of the best score and similarity the TF-IDF cosine of
  headline, standfirst and opening text. Only the best ``POOL_FACTOR × max_stories``
  candidates compete (the rest are far below); the caps apply too.
- ``diversity = "caps"``: rank order, skipping a story whose category or source already has
  ``max_per_category`` / ``max_per_source`` stories (0 = no cap).
- ``diversity = "none"``: rank order.

Pinned stories always come first, in pin order, and count towards the caps.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from ..config import RankingSection
from ..models import Exclusion, ExclusionReason, Story
from ..summarise.stopwords import ENGLISH
from ..summarise.textrank import content_words

POOL_FACTOR = 10
POOL_MIN = 40
OPENING_CHARS = 400

Vector = dict[str, float]


def story_words(story: Story) -> list[str]:
    """The words a story is compared by: its headline (twice: it says what the story is),
    its standfirst and the opening of its text."""
    article = story.article
    text = " ".join(
        [article.title, article.title, article.description or "", article.text[:OPENING_CHARS]]
    )
    return content_words(text, ENGLISH)


def tfidf_vectors(documents: Sequence[Sequence[str]]) -> list[Vector]:
    """Unit-length TF-IDF vectors (smoothed idf) of tokenised documents."""
    frequency: Counter[str] = Counter()
    for words in documents:
        frequency.update(set(words))
    n = len(documents)
    vectors = []
    for words in documents:
        counts = Counter(words)
        vector = {w: c * (math.log((1 + n) / (1 + frequency[w])) + 1) for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({w: v / norm for w, v in vector.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def _group_keys(story: Story) -> tuple[str, str]:
    article = story.article
    return (article.category or "").casefold(), (article.sources[0] if article.sources else "")


class _Caps:
    def __init__(self, ranking: RankingSection) -> None:
        active = ranking.diversity != "none"
        self.per_category = ranking.max_per_category if active else 0
        self.per_source = ranking.max_per_source if active else 0
        self.categories: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()

    def add(self, story: Story) -> None:
        category, source = _group_keys(story)
        self.categories[category] += 1
        self.sources[source] += 1

    def blocked(self, story: Story) -> str | None:
        """Why the caps keep this story out, or None."""
        category, source = _group_keys(story)
        if self.per_category and category and self.categories[category] >= self.per_category:
            name = story.article.category
            return f"category {name!r} already has {self.per_category}"
        if self.per_source and self.sources[source] >= self.per_source:
            return f"source {source!r} already has {self.per_source}"
        return None


def choose_stories(
    ranked: list[Story], ranking: RankingSection, limit: int
) -> tuple[list[Story], list[Exclusion]]:
    """The issue's stories (lead first) and, for every other candidate, why it was left out."""
    caps = _Caps(ranking)
    chosen: list[Story] = []
    for story in ranked:
        if story.pinned and len(chosen) < limit:
            chosen.append(story)
            caps.add(story)
    rest = [s for s in ranked if not s.pinned]
    similar_to: dict[int, tuple[float, Story]] = {}
    if ranking.diversity == "mmr":
        pool_size = max(POOL_MIN, POOL_FACTOR * limit)
        _mmr(rest[:pool_size], chosen, caps, ranking.mmr_lambda, limit, similar_to)
        rest = rest[pool_size:]
    taken = {id(s) for s in chosen}
    for story in rest:
        if len(chosen) >= limit:
            break
        if id(story) not in taken and caps.blocked(story) is None:
            chosen.append(story)
            caps.add(story)
            taken.add(id(story))
    return chosen, _exclusions(ranked, chosen, caps, limit, similar_to)


def _mmr(
    pool: list[Story],
    chosen: list[Story],
    caps: _Caps,
    lam: float,
    limit: int,
    similar_to: dict[int, tuple[float, Story]],
) -> None:
    """Maximal marginal relevance over ``pool``, appending to ``chosen`` (which may hold
    pinned stories already). Records, for each pool story, its most similar chosen story."""
    everyone = chosen + pool
    vectors = dict(
        zip(map(id, everyone), tfidf_vectors([story_words(s) for s in everyone]), strict=True)
    )
    # Relevance is the score as a share of the best one (measured from 0, or from the
    # lowest score if boosts made some negative), so close scores stay close.
    scores = [s.score for s in pool]
    low, high = (min(0.0, *scores), max(scores)) if scores else (0.0, 0.0)
    spread = high - low
    relevance = {id(s): (s.score - low) / spread if spread else 1.0 for s in pool}
    nearest: dict[int, tuple[float, Story | None]] = {id(s): (0.0, None) for s in pool}

    def note(new: Story) -> None:
        for story in pool:
            sim = cosine(vectors[id(story)], vectors[id(new)])
            if sim > nearest[id(story)][0]:
                nearest[id(story)] = (sim, new)

    for story in chosen:
        note(story)
    remaining = list(pool)
    while len(chosen) < limit and remaining:
        best: Story | None = None
        best_value = -math.inf
        for story in remaining:  # in rank order, so ties go to the better rank
            if caps.blocked(story) is not None:
                continue
            value = lam * relevance[id(story)] - (1 - lam) * nearest[id(story)][0]
            if value > best_value:
                best, best_value = story, value
        if best is None:
            break
        chosen.append(best)
        caps.add(best)
        remaining.remove(best)
        note(best)
    for story in remaining:
        sim, other = nearest[id(story)]
        if other is not None:
            similar_to[id(story)] = (sim, other)


def _exclusions(
    ranked: list[Story],
    chosen: list[Story],
    caps: _Caps,
    limit: int,
    similar_to: dict[int, tuple[float, Story]],
) -> list[Exclusion]:
    taken = {id(s) for s in chosen}
    position = {id(s): i for i, s in enumerate(ranked)}
    last_taken = max((position[id(s)] for s in chosen), default=-1)
    full = len(chosen) >= limit
    out = []
    for story in ranked:
        if id(story) in taken:
            continue
        # Displaced: it outranks a story that was taken, or there was room for it.
        displaced = position[id(story)] < last_taken or not full
        reason, detail = ExclusionReason.BELOW_CUT, None
        if displaced and not story.pinned:
            blocked = caps.blocked(story)
            if blocked is not None:
                reason, detail = ExclusionReason.DIVERSITY, blocked
            elif id(story) in similar_to:
                sim, other = similar_to[id(story)]
                reason = ExclusionReason.DIVERSITY
                detail = f"similar to {other.article.title!r} ({sim:.2f})"
        article = story.article
        out.append(
            Exclusion.model_construct(  # plain values from a validated Article: no re-check
                title=article.title,
                url=article.url,
                source=", ".join(article.sources) or None,
                reason=reason,
                detail=detail,
                article_id=article.id,
            )
        )
    return out
