"""``digest explain``: why each article is in the issue, or not.

``manifest`` turns a ``Selection`` into plain data (the ``--json`` output, stable order);
``print_table`` shows the same as rich tables: every candidate with each signal's
contribution, its score and its status, then everything left out before ranking
(duplicates, out of window, already featured...).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from ..config import Config
from ..models import Exclusion, ExclusionReason, Selection, Window
from .rank import SIGNALS, weights

if TYPE_CHECKING:
    from rich.console import Console

_REASON_ORDER = {reason: i for i, reason in enumerate(ExclusionReason)}


def manifest(
    selection: Selection, config: Config, issue_date: date, window: Window
) -> dict[str, Any]:
    """The selection as plain data: candidates in rank order, then the other exclusions."""
    position = {s.article.id: i for i, s in enumerate(selection.stories)}
    by_article = {e.article_id: e for e in selection.exclusions if e.article_id}
    candidate_ids = {s.article.id for s in selection.candidates}
    candidates = []
    for rank, story in enumerate(selection.candidates, start=1):
        article = story.article
        exclusion = by_article.get(article.id)
        if article.id in position:
            status = "lead" if position[article.id] == 0 else "selected"
        else:
            status = exclusion.reason.value if exclusion else ExclusionReason.BELOW_CUT.value
        candidates.append(
            {
                "rank": rank,
                "position": position[article.id] + 1 if article.id in position else None,
                "status": status,
                "detail": exclusion.detail if exclusion and article.id not in position else None,
                "pinned": story.pinned,
                "id": article.id,
                "title": article.title,
                "url": article.url,
                "sources": list(article.sources),
                "category": article.category,
                "published": article.when.isoformat() if article.when else None,
                "signals": {name: story.signals.get(name, 0.0) for name in SIGNALS},
                "score": story.score,
            }
        )
    others = [
        e for e in selection.exclusions if not (e.article_id and e.article_id in candidate_ids)
    ]
    others.sort(key=lambda e: (_REASON_ORDER[e.reason], e.title.casefold(), e.url or ""))
    return {
        "issue_date": issue_date.isoformat(),
        "window": {
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
            "first_day": window.since.date().isoformat(),
            "last_day": (window.until - timedelta(microseconds=1)).date().isoformat(),
        },
        "timezone": config.digest.timezone,
        "max_stories": config.digest.max_stories,
        "diversity": config.ranking.diversity,
        "weights": weights(config.ranking),
        "candidates": candidates,
        "exclusions": [_exclusion(e) for e in others],
    }


def _exclusion(exclusion: Exclusion) -> dict[str, Any]:
    return {
        "reason": exclusion.reason.value,
        "detail": exclusion.detail,
        "title": exclusion.title,
        "url": exclusion.url,
        "source": exclusion.source,
    }


def _status_text(candidate: dict[str, Any]) -> str:
    status = str(candidate["status"])
    if candidate["pinned"]:
        status += " (pinned)"
    if candidate["detail"]:
        status += f": {candidate['detail']}"
    return status


# The candidates table needs about this many columns; a narrower terminal gets one block
# per candidate instead (a squeezed table shows a letter per cell).
STACK_BELOW = 140


def print_stacked(data: dict[str, Any], console: Console, *, limit: int = 0) -> None:
    """The manifest for a narrow terminal: each candidate as a few wrapped lines."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    window = data["window"]
    console.print(
        f"Issue {data['issue_date']}: {window['first_day']} .. {window['last_day']} "
        f"({data['timezone']}), {data['max_stories']} stories, diversity {data['diversity']}"
    )
    candidates = data["candidates"]
    shown = candidates[:limit] if limit else candidates
    rows = Table.grid(padding=(0, 1))  # a hanging indent after the rank
    rows.add_column(justify="right")
    rows.add_column()
    for candidate in shown:
        bold = "bold" if candidate["status"] in ("lead", "selected") else ""
        about = [_status_text(candidate), f"score {candidate['score']:.2f}"]
        about += [", ".join(candidate["sources"]), candidate["category"] or ""]
        signals = ", ".join(
            f"{name} {candidate['signals'][name]:.2f} ×{weight:g}"
            for name, weight in data["weights"].items()
        )
        block = Group(
            Text(candidate["title"], style=bold),
            Text(" · ".join(a for a in about if a)),
            Text(signals, style="dim"),
        )
        rows.add_row(f"{candidate['rank']}.", block)
    console.print("Candidates", style="italic")
    console.print(rows)
    if len(shown) < len(candidates):
        console.print(
            f"... and {len(candidates) - len(shown)} more candidates (--limit 0 shows all)"
        )
    exclusions = data["exclusions"]
    listed = exclusions[:limit] if limit else exclusions
    if not listed:
        return
    left_out = Table.grid(padding=(0, 1))
    left_out.add_column()
    left_out.add_column()
    for exclusion in listed:
        why = [exclusion["reason"], exclusion["source"] or "", exclusion["detail"] or ""]
        block = Group(Text(exclusion["title"]), Text(" · ".join(w for w in why if w), style="dim"))
        left_out.add_row("-", block)
    console.print("Left out before ranking", style="italic")
    console.print(left_out)
    if len(listed) < len(exclusions):
        console.print(f"... and {len(exclusions) - len(listed)} more (--limit 0 shows all)")


def print_table(data: dict[str, Any], file: IO[str], *, limit: int = 0) -> None:
    """The manifest as rich tables on ``file`` (``limit`` rows each; 0 = all)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 200
    elif console.width < STACK_BELOW:
        print_stacked(data, console, limit=limit)
        return
    window = data["window"]
    console.print(
        f"Issue {data['issue_date']}: {window['first_day']} .. {window['last_day']} "
        f"({data['timezone']}), {data['max_stories']} stories, diversity {data['diversity']}"
    )
    table = Table(title="Candidates", title_justify="left", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("title", overflow="fold", max_width=48)
    table.add_column("source", overflow="fold", max_width=18)
    table.add_column("category", overflow="fold", max_width=16)
    for name, weight in data["weights"].items():
        table.add_column(f"{name}\n×{weight:g}", justify="right")
    table.add_column("score", justify="right")
    table.add_column("status", overflow="fold", max_width=40)
    candidates = data["candidates"]
    shown = candidates[:limit] if limit else candidates
    for candidate in shown:
        table.add_row(
            str(candidate["rank"]),
            candidate["title"],
            ", ".join(candidate["sources"]),
            candidate["category"] or "",
            *(f"{candidate['signals'][name]:.2f}" for name in data["weights"]),
            f"{candidate['score']:.2f}",
            _status_text(candidate),
            style="bold" if candidate["status"] in ("lead", "selected") else None,
        )
    console.print(table)
    if len(shown) < len(candidates):
        console.print(
            f"... and {len(candidates) - len(shown)} more candidates (--limit 0 shows all)"
        )
    exclusions = data["exclusions"]
    if exclusions:
        left_out = Table(title="Left out before ranking", title_justify="left")
        left_out.add_column("title", overflow="fold", max_width=60)
        left_out.add_column("source", overflow="fold", max_width=24)
        left_out.add_column("reason")
        left_out.add_column("detail", overflow="fold", max_width=60)
        listed = exclusions[:limit] if limit else exclusions
        for exclusion in listed:
            left_out.add_row(
                exclusion["title"],
                exclusion["source"] or "",
                exclusion["reason"],
                exclusion["detail"] or "",
            )
        console.print(left_out)
        if len(listed) < len(exclusions):
            console.print(f"... and {len(exclusions) - len(listed)} more (--limit 0 shows all)")
