"""Render: 1,000 variants of the sample digest (a segment name in the title, a different
subset of stories each), two ways:

(a) render the theme with Jinja2, then inline the CSS with premailer, for every page;
(b) the prepared template (premailer ran once, on the template) + plain Jinja2.

    python benchmarks/render.py [--variants 1000] [--direct 1000]

Prints pages per second both ways and the ratio (target: at least 1,000 pages/s on the
prepared path), and checks on a sample of variants that both give the same document.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import load_config  # noqa: E402
from digest.models import Digest  # noqa: E402
from digest.pipeline import BuildOptions, build_digest  # noqa: E402
from digest.render import render_html, render_html_direct, template_context  # noqa: E402
from digest.render.prepare import canonical_html, clear_cache  # noqa: E402


def variants(digest: Digest, count: int) -> list[Digest]:
    stories = digest.stories
    out = []
    for i in range(count):
        keep = [s for j, s in enumerate(stories) if (i >> (j % 6)) & 1 or j == i % len(stories)]
        out.append(
            digest.model_copy(
                update={"title": f"{digest.title} · segment {i:04d}", "stories": keep}
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--direct", type=int, default=None, help="variants for (a); default all")
    args = parser.parse_args()

    import logging
    import tempfile

    logging.getLogger("digest").setLevel(logging.ERROR)
    config = load_config(ROOT / "samples" / "digest.toml")
    with tempfile.TemporaryDirectory() as state:
        config.paths.data_dir = Path(state)
        config.paths.cache_dir = Path(state) / "cache"
        digest = build_digest(config, BuildOptions(issue_date=date(2025, 12, 5)))
        pages = variants(digest, args.variants)
        direct_pages = pages[: args.direct or len(pages)]

        clear_cache()
        config.paths.cache_dir = None  # time the real premailer run, not the disk cache
        start = time.perf_counter()
        render_html(pages[0], config)
        prepare_ms = (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        prepared = [render_html(page, config) for page in pages]
        prepared_s = time.perf_counter() - start

        start = time.perf_counter()
        direct = [render_html_direct(page, config) for page in direct_pages]
        direct_s = time.perf_counter() - start

    step = max(1, len(direct) // 25)
    for i in range(0, len(direct), step):
        keep = [
            str(v) for v in template_context(pages[i], config).values() if hasattr(v, "__html__")
        ]
        assert canonical_html(prepared[i], keep=keep) == direct[i], f"variant {i} differs"
    size = sum(len(p.encode()) for p in prepared) / len(prepared) / 1024
    direct_rate = len(direct) / direct_s
    prepared_rate = len(prepared) / prepared_s
    print(f"render: {len(pages)} variants of the sample digest ({size:.1f} KB each)")
    print(
        f"  (a) render, then premailer: {len(direct):5d} pages in {direct_s:7.2f} s = "
        f"{direct_rate:8.1f} pages/s ({1000 / direct_rate:.1f} ms/page)"
    )
    print(
        f"  (b) prepared + Jinja2:      {len(prepared):5d} pages in {prepared_s:7.2f} s = "
        f"{prepared_rate:8.1f} pages/s ({1000 / prepared_rate:.2f} ms/page; "
        f"preparing the theme once: {prepare_ms:.0f} ms)"
    )
    print(
        f"  ratio: {prepared_rate / direct_rate:.0f}x; target >= 1000 pages/s: "
        f"{'met' if prepared_rate >= 1000 else 'NOT met'}; "
        f"{len(range(0, len(direct), step))} variants checked identical after canonicalisation"
    )


if __name__ == "__main__":
    main()
