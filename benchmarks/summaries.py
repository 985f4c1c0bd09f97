"""ROUGE of the summariser against two peers on the summaries dev set, at one budget.

    pip install summa rouge-score      # for this benchmark only (or: pip install -e '.[bench]')
    python benchmarks/summaries.py [--data FILE] [--chars 300] [--sentences 3]

Reads ``../shared/data/summaries-dev/bbc-dev.jsonl`` (relative to the repository root) unless
``--data`` says otherwise. Every system gets the article body and the same character budget:

- lead: the article's first sentences that fit the budget;
- summa: summa's TextRank scores, best sentences first while they fit, shown in article order;
- digest: ``digest.summarise.summarise_text`` (the project's summariser) given the article's
  headline, at the shipped default of at most ``[summary] sentences`` = 3 sentences unless
  ``--sentences`` says otherwise;
- digest, no coherence: the same without the rules of ``coherence.py`` (what they cost);
- digest, best first: digest's sentences shown best-ranked first instead of in article
  order (a sentence that needs the one before it stays right after it, and one that needs
  an absent one never opens): what the order is worth to ROUGE-L, and what it costs.

All split sentences with the project's segmenter (pysbd), so only the choice differs.
Prints ROUGE-1/2/L F1 ×100 (Google's rouge-score, stemming on), the time each took, and
"opens back": how many summaries open with a sentence that points back to one the reader
never saw ("He said...", "But...", '"...," she said.'; see ``coherence.py``), and "names
early": how many show a name (a capitalised word, not a stop word or a title such as "Mr")
before the sentence that comes earlier in the article and has it too, which is usually
where the article introduces it ("Wimpey said..." above "...and housebuilder George
Wimpey"); article order never does that. Then each
system's margin over summa: the mean of the per-article differences (the same articles
for both, so the article-to-article spread cancels) with a bootstrap 95 % interval
(articles resampled, 10,000 times, fixed seed). Settings are cross-validated in
``summaries_cv.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "summaries-dev" / "bbc-dev.jsonl"
sys.path.insert(0, str(ROOT))

from digest.summarise import candidate_sentences, split_sentences, summarise_text  # noqa: E402
from digest.summarise.coherence import Need, need, needs  # noqa: E402
from digest.summarise.stopwords import ENGLISH  # noqa: E402
from digest.summarise.textrank import rank_sentences  # noqa: E402


def load(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        sys.exit(f"summaries benchmark: no data set at {path} (give --data FILE)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fill_in_order(sentences: list[str], order: list[int], chars: int) -> str:
    """Take sentences in ``order`` while they fit (skipping those that do not), and show
    them in article order."""
    chosen: list[int] = []
    used = 0
    for i in order:
        cost = len(sentences[i]) + (1 if chosen else 0)
        if used + cost <= chars:
            chosen.append(i)
            used += cost
    return " ".join(sentences[i] for i in sorted(chosen))


def lead(text: str, chars: int) -> str:
    sentences = split_sentences(text)
    return fill_in_order(sentences, list(range(len(sentences))), chars)


def summa_textrank(text: str, chars: int) -> str:
    from summa import summarizer

    sentences = split_sentences(text)
    scored = summarizer.summarize("\n".join(sentences), ratio=1.0, split=True, scores=True)
    # summa returns (sentence, score) in article order, leaving out sentences with no edges.
    texts = [sentence for sentence, _ in scored]
    order = sorted(range(len(scored)), key=lambda i: -scored[i][1])
    return fill_in_order(texts, order, chars)


def bootstrap_interval(
    differences: Sequence[float], resamples: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """A 95 % percentile-bootstrap interval for the mean of paired per-article differences."""
    import numpy as np

    values = np.asarray(differences, dtype=float)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), (resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def margin(ours: Sequence[float], theirs: Sequence[float]) -> str:
    """ "+1.4 [+0.5, +2.4]": the mean paired difference and its bootstrap interval."""
    differences = [a - b for a, b in zip(ours, theirs, strict=True)]
    low, high = bootstrap_interval(differences)
    return f"{sum(differences) / len(differences):+.1f} [{low:+.1f}, {high:+.1f}]"


ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


def opens_pointing_back(text: str, summary: str) -> bool:
    """Does the summary open with a sentence that needs the one before it in the article?"""
    sentences = split_sentences(text)
    first = split_sentences(summary)[:1]
    if not first or first[0] not in sentences:
        return False
    return sentences.index(first[0]) > 0 and need(first[0]) is not Need.NONE


def best_first(text: str, title: str, max_sentences: int, max_chars: int) -> str:
    """digest's summary with its sentences shown best-ranked first: a sentence that needs
    the one before it stays right after it, and one that needs an absent one never opens."""
    summary = summarise_text(text, max_sentences, max_chars, title=title)
    sentences = candidate_sentences(text)
    chosen: list[int] = []
    at = 0
    for i, sentence in enumerate(sentences):
        end = at + len(sentence)
        if summary.startswith(sentence, at) and (end == len(summary) or summary[end] == " "):
            chosen.append(i)
            at = end + 1
    if at < len(summary):  # a sentence cut to fit: nothing to reorder
        return summary
    scores = rank_sentences(sentences, title=title)
    wants = needs(sentences)
    groups: list[list[int]] = []
    for i in chosen:
        if groups and wants[i] and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    groups.sort(key=lambda group: (-max(scores[i] for i in group), group[0]))
    opener = next((g for g in groups if not wants[g[0]]), groups[0])
    groups.remove(opener)
    return " ".join(sentences[i] for group in [opener, *groups] for i in group)


_WORD = re.compile(r"[A-Za-z][\w'’&-]*")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "st"})


def names(sentence: str) -> set[str]:
    words = (re.sub(r"['’]s$", "", word) for word in _WORD.findall(sentence))
    return {
        w for w in words if w[0].isupper() and w.casefold() not in ENGLISH | _TITLES and len(w) > 1
    }


def names_early(text: str, summary: str) -> bool:
    """Does the summary show a name above the sentence, earlier in the article, that has it
    too (where the article usually introduces it)?"""
    article = split_sentences(text)
    shown = split_sentences(summary)
    place = [article.index(s) if s in article else None for s in shown]
    for p, (above, i) in enumerate(zip(shown, place, strict=True)):
        for below, j in zip(shown[p + 1 :], place[p + 1 :], strict=True):
            if i is not None and j is not None and j < i and names(above) & names(below):
                return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--chars", type=int, default=300)
    parser.add_argument("--sentences", type=int, default=3)
    args = parser.parse_args()
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        sys.exit("summaries benchmark: needs rouge-score and summa (pip install summa rouge-score)")

    articles = load(args.data)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    systems: dict[str, Callable[[dict[str, str]], str]] = {
        "lead": lambda a: lead(a["text"], args.chars),
        "summa TextRank": lambda a: summa_textrank(a["text"], args.chars),
        "digest": lambda a: summarise_text(
            a["text"], args.sentences, args.chars, title=a.get("title", "")
        ),
        "digest, no coherence": lambda a: summarise_text(
            a["text"], args.sentences, args.chars, title=a.get("title", ""), coherent=False
        ),
        "digest, best first": lambda a: best_first(
            a["text"], a.get("title", ""), args.sentences, args.chars
        ),
    }
    split_sentences("Warm up the segmenter. It loads its rules once.")
    print(
        f"{len(articles)} articles from {args.data.name}, budget {args.chars} characters "
        f"(digest: at most {args.sentences} sentences)"
    )
    print(
        f"{'system':<21} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'chars':>6} {'time':>8}"
        f" {'opens back':>11} {'names early':>12}"
    )
    scores: dict[str, dict[str, list[float]]] = {}
    for name, summarise in systems.items():
        started = time.perf_counter()
        summaries = [summarise(a) for a in articles]
        elapsed = time.perf_counter() - started
        over = [s for s in summaries if len(s) > args.chars]
        if over:
            sys.exit(f"{name}: {len(over)} summaries over the budget")
        per_article: dict[str, list[float]] = {key: [] for key in ROUGE_TYPES}
        for article, summary in zip(articles, summaries, strict=True):
            for key, score in scorer.score(article["reference"], summary).items():
                per_article[key].append(100 * score.fmeasure)
        scores[name] = per_article
        r1, r2, rl = (sum(per_article[k]) / len(articles) for k in ROUGE_TYPES)
        mean_chars = sum(map(len, summaries)) / len(summaries)
        pairs = list(zip(articles, summaries, strict=True))
        back = sum(opens_pointing_back(a["text"], summary) for a, summary in pairs)
        early = sum(names_early(a["text"], summary) for a, summary in pairs)
        print(
            f"{name:<21} {r1:8.1f} {r2:8.1f} {rl:8.1f} {mean_chars:6.0f} {elapsed:7.2f}s"
            f" {back:11d} {early:12d}",
            flush=True,
        )
    peer = scores["summa TextRank"]
    print("\nmargin over summa, per-article mean [bootstrap 95 % interval]:")
    for name, per_article in scores.items():
        if name != "summa TextRank":
            figures = "  ".join(margin(per_article[k], peer[k]) for k in ROUGE_TYPES)
            print(f"{name:<21} {figures}")


if __name__ == "__main__":
    main()
