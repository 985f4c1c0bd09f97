"""Collect: a week of 10,000 items in 20 feed files, read three ways in the same run.

    python benchmarks/collect.py [--items 10000] [--feeds 20] [--keep DIR]

(a) feedparser's default ``parse()`` of every file, (b) lxml ``iterparse`` reading every
item (the practical floor), (c) digest's collect + window + dedupe through the library
API (a config with one ``feed`` source per file). Each runs in a fresh interpreter with
its libraries already imported, so the times are the work alone (the best of
``--rounds`` interleaved runs); peak memory is that process's maximum resident set. Target (issue 3): (c) at most half of (a), peak under
300 MB.

The generated items are realistic in size: 1-2 KB HTML descriptions with links and
emphasis, RFC 822 dates spread over the week, a creator and a category each; about 2%
of items are also carried by a second feed (with a tracking parameter on the link), so
dedupe has work to do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

ISSUE_DATE = "2025-12-05"
END = datetime(2025, 12, 5, 12, 0, tzinfo=UTC)
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "at",
    "by",
    "from",
    "it",
    "an",
    "be",
    "this",
    "are",
    "have",
    "has",
    "or",
    "were",
    "their",
    "which",
    "not",
    "but",
    "they",
    "said",
    "had",
    "after",
    "its",
    "new",
    "more",
    "one",
    "also",
    "been",
    "two",
    "who",
    "would",
    "about",
    "year",
    "first",
    "over",
    "into",
    "city",
    "government",
    "minister",
    "week",
    "says",
    "market",
    "people",
    "could",
    "company",
    "port",
    "harbour",
    "council",
    "budget",
    "transport",
    "school",
    "hospital",
    "rain",
    "river",
    "election",
    "court",
    "police",
    "station",
    "festival",
    "island",
    "coast",
    "fishermen",
    "ferry",
    "bridge",
]


def _paragraph(r: random.Random) -> str:
    words = [r.choice(WORDS) for _ in range(r.randrange(25, 45))]
    i = r.randrange(len(words))
    words[i] = f'<a href="https://example.com/{r.randrange(10**6)}?utm_source=feed">{words[i]}</a>'
    j = r.randrange(len(words))
    words[j] = f"<em>{words[j]}</em>"
    return "<p>" + " ".join(words).capitalize() + ".</p>"


def generate(folder: Path, items: int, feeds: int) -> list[Path]:
    """``feeds`` RSS 2.0 files holding ``items`` items dated inside the week."""
    per_feed = items // feeds
    paths = []
    shared: list[str] = []  # items a second feed also carries
    for n in range(feeds):
        r = random.Random(n)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Feed {n}</title><link>https://f{n}.example.com/</link>"
            "<description>A newsroom feed</description>"
        ]
        for i in range(per_feed):
            if shared and r.random() < 0.02:
                out.append(shared.pop())
                continue
            when = END - timedelta(seconds=r.randrange(7 * 86400 - 60))
            title = " ".join(r.choice(WORDS) for _ in range(r.randrange(6, 12))).capitalize()
            body = "".join(_paragraph(r) for _ in range(r.randrange(4, 7)))
            item = (
                f"<item><title>{escape(title)} ({n}-{i})</title>"
                f"<link>https://f{n}.example.com/{i}</link>"
                f'<guid isPermaLink="false">f{n}-{i}</guid>'
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<dc:creator>Writer {r.randrange(50)}</dc:creator>"
                f"<category>Section {r.randrange(8)}</category>"
                f"<description>{escape(body)}</description></item>"
            )
            out.append(item)
            if r.random() < 0.02:
                shared.append(item.replace("</link>", "?utm_source=partner</link>"))
        out.append("</channel></rss>")
        path = folder / f"feed{n:02}.xml"
        path.write_text("\n".join(out), encoding="utf-8")
        paths.append(path)
    return paths


# -- the three contenders, each run in a child interpreter ------------------------------

CHILD = {
    "feedparser": """
import feedparser
def work(paths):
    return sum(len(feedparser.parse(str(p)).entries) for p in paths), {}
""",
    "lxml": """
from lxml import etree
def work(paths):
    n = 0
    for p in paths:
        for _, el in etree.iterparse(str(p), events=("end",), tag="item"):
            n += 1
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    return n, {}
""",
    "digest": """
import datasketch, feedparser, lxml.etree, lxml.html, numpy  # imported before timing
from datetime import date, datetime, timezone
from digest.collect import collect
from digest.config import parse_config
from digest.dates import issue_window
from digest.select.dedupe import dedupe_articles
import digest.collect.builtin
def work(paths):
    config = parse_config({
        "digest": {"timezone": "UTC"},
        "sources": [{"type": "feed", "path": str(p)} for p in paths],
        "http": {"cache": False},
    })
    window = issue_window(date(2025, 12, 5), config.digest.tz)
    now = datetime(2025, 12, 5, 23, tzinfo=timezone.utc)
    result = collect(config, window, now=now)
    articles, duplicates = dedupe_articles(result.articles)
    return len(articles), {"duplicates": len(duplicates), "excluded": len(result.exclusions)}
""",
}

RUNNER = """
import json, resource, sys, time
from pathlib import Path
{code}
paths = sorted(Path(sys.argv[1]).glob("*.xml"))
start = time.perf_counter()
count, extra = work(paths)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "count": count, "peak_mb": peak, **extra}}))
"""


def run_child(name: str, folder: Path, data_dir: Path) -> dict[str, float]:
    code = RUNNER.format(code=textwrap.dedent(CHILD[name]))
    env = {**os.environ, "DIGEST_DATA_DIR": str(data_dir), "DIGEST_CACHE_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"{name} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved runs of each; the best is kept"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "feeds"
        folder.mkdir(parents=True, exist_ok=True)
        paths = generate(folder, args.items, args.feeds)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(
            f"collect: {args.items:,} items in {args.feeds} RSS files ({size:.1f} MB), "
            f"the week ending {ISSUE_DATE}"
        )
        results: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):  # interleaved, so a busy machine slows all alike
            for name in CHILD:
                run = run_child(name, folder, Path(tmp) / "state")
                if name not in results or run["seconds"] < results[name]["seconds"]:
                    results[name] = run

    fp, floor, ours = results["feedparser"], results["lxml"], results["digest"]
    print(
        f"  (a) feedparser.parse            {fp['seconds']:7.2f} s   peak {fp['peak_mb']:5.0f} MB"
    )
    print(
        f"  (b) lxml iterparse (the floor)  {floor['seconds']:7.2f} s   peak {floor['peak_mb']:5.0f} MB"
    )
    print(
        f"  (c) digest collect+window+dedupe {ours['seconds']:6.2f} s   peak {ours['peak_mb']:5.0f} MB"
        f"   ({ours['count']:,.0f} articles; {ours['excluded']:,.0f} out of the week,"
        f" {ours['duplicates']:,.0f} duplicates merged)"
    )
    ratio = ours["seconds"] / fp["seconds"]
    verdict = "meets" if ratio <= 0.5 and ours["peak_mb"] < 300 else "MISSES"
    print(
        f"  ratio digest/feedparser {ratio:.2f} (target <= 0.50), "
        f"digest/lxml {ours['seconds'] / floor['seconds']:.1f}x, "
        f"peak {ours['peak_mb']:.0f} MB (target < 300): {verdict} the target"
    )


if __name__ == "__main__":
    main()
