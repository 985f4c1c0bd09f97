"""ROUGE of the summariser against two peers on the summaries dev set, at one budget.

    pip install summa rouge-score      # for this benchmark only (or: pip install -e '.[bench]')
    python benchmarks/summaries.py [--data FILE] [--chars 300] [--sentences 3]

Reads ``../shared/data/summaries-dev/bbc-dev.jsonl`` (relative to the repository root) unless
``--data`` says otherwise. Every system gets the article body and the same character budget:

- lead: the article's first sentences that fit the budget;
- summa: summa's TextRank scores, best sentences first while they fit, shown in article order;
- digest: ``digest.summarise.summarise_text`` (the project's summariser), at the shipped
  default of at most ``[summary] sentences`` = 3 sentences unless ``--sentences`` says otherwise;
- digest, no coherence: the same without the rules of ``coherence.py`` (what they cost).

All split sentences with the project's segmenter (pysbd), so only the choice differs.
Prints ROUGE-1/2/L F1 ×100 (Google's rouge-score, stemming on), the time each took, and
"opens back": how many summaries open with a sentence that points back to one the reader
never saw ("He said...", "But...", '"...," she said.'; see ``coherence.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "summaries-dev" / "bbc-dev.jsonl"
sys.path.insert(0, str(ROOT))

from digest.summarise import split_sentences, summarise_text  # noqa: E402
from digest.summarise.coherence import Need, need  # noqa: E402


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


def opens_pointing_back(text: str, summary: str) -> bool:
    """Does the summary open with a sentence that needs the one before it in the article?"""
    sentences = split_sentences(text)
    first = split_sentences(summary)[:1]
    if not first or first[0] not in sentences:
        return False
    return sentences.index(first[0]) > 0 and need(first[0]) is not Need.NONE


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
    systems: dict[str, Callable[[str], str]] = {
        "lead": lambda text: lead(text, args.chars),
        "summa TextRank": lambda text: summa_textrank(text, args.chars),
        "digest": lambda text: summarise_text(text, args.sentences, args.chars),
        "digest, no coherence": lambda text: summarise_text(
            text, args.sentences, args.chars, coherent=False
        ),
    }
    split_sentences("Warm up the segmenter. It loads its rules once.")
    print(
        f"{len(articles)} articles from {args.data.name}, budget {args.chars} characters "
        f"(digest: at most {args.sentences} sentences)"
    )
    print(
        f"{'system':<21} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'chars':>6} {'time':>8}"
        f" {'opens back':>11}"
    )
    for name, summarise in systems.items():
        started = time.perf_counter()
        summaries = [summarise(a["text"]) for a in articles]
        elapsed = time.perf_counter() - started
        over = [s for s in summaries if len(s) > args.chars]
        if over:
            sys.exit(f"{name}: {len(over)} summaries over the budget")
        totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
        for article, summary in zip(articles, summaries, strict=True):
            for key, score in scorer.score(article["reference"], summary).items():
                totals[key] += score.fmeasure
        r1, r2, rl = (100 * totals[k] / len(articles) for k in ("rouge1", "rouge2", "rougeL"))
        mean_chars = sum(map(len, summaries)) / len(summaries)
        back = sum(
            opens_pointing_back(a["text"], summary)
            for a, summary in zip(articles, summaries, strict=True)
        )
        print(
            f"{name:<21} {r1:8.1f} {r2:8.1f} {rl:8.1f} {mean_chars:6.0f} {elapsed:7.2f}s"
            f" {back:11d}",
            flush=True,
        )


if __name__ == "__main__":
    main()
