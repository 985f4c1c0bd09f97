"""Feed health: how each source fared, run after run, beside the state database.

Every build records, per source: when it last succeeded, how many runs in a row it has
failed and why, how many items it gave, and the newest item it has ever carried. A
source that fails ``[health] failures`` runs in a row, or that has carried nothing new
for ``[health] silent_weeks`` weeks, is *unhealthy*: that is reported once (a warning,
and a note the footer can show), remembered, and not repeated every week — until the
source recovers, or turns unhealthy for another reason.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..config import Config, HealthSection, SourceConfig
from ..state import connect
from .registry import Entry

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_health (
    key TEXT PRIMARY KEY,            -- type and location: stable across renames
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    location TEXT NOT NULL,
    parent TEXT,                     -- the key of the OPML list a feed came from
    runs INTEGER NOT NULL DEFAULT 0,
    first_run TEXT,
    last_run TEXT,
    last_success TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    items_seen INTEGER NOT NULL DEFAULT 0,   -- items in the last successful read
    newest_item TEXT,                -- the newest item date ever seen (ISO 8601)
    fingerprint TEXT,                -- the item ids of the last successful read, hashed
    last_change TEXT,                -- when that set of items last changed
    reported TEXT                    -- 'failing' or 'silent' once reported; NULL if healthy
);
"""


def health_path(config: Config) -> Path:
    """Where the record lives: beside the state database (``[history] path``), in a file
    of its own — every build writes it, and a build that records no issue must leave the
    history file untouched (not even created)."""
    state = config.state_path
    return state.with_name(f"{state.stem}.health{state.suffix or '.sqlite3'}")


def source_key(source: SourceConfig) -> str:
    return f"{source.type}:{source.location}"


@dataclass(slots=True)
class RunResult:
    """One source's outcome in this run, as the collect stage saw it: a summary of its
    items (so the items themselves need not be kept until the run is recorded)."""

    source: SourceConfig
    ok: bool
    error: str | None = None
    parent: str | None = None
    items: int = 0
    newest: datetime | None = None  # the newest item dated at or before the reference
    fingerprint: str | None = None  # the item ids, hashed: a change means something new

    @classmethod
    def read(
        cls,
        source: SourceConfig,
        entries: Iterable[Entry],
        reference: datetime,
        parent: str | None = None,
    ) -> RunResult:
        items = list(entries)
        dates = [d for e in items if (d := e.published or e.updated) and d <= reference]
        return cls(
            source=source,
            ok=True,
            parent=parent,
            items=len(items),
            newest=max(dates) if dates else None,
            fingerprint=_fingerprint(items),
        )


@dataclass(slots=True)
class Verdict:
    """What to say about a source this run."""

    key: str
    unhealthy: str | None = None  # 'failing' / 'silent' while it is unhealthy
    newly_reported: str | None = None  # the one-line report, the first run it is unhealthy


@dataclass(slots=True)
class HealthRow:
    key: str
    name: str
    type: str
    location: str
    parent: str | None
    runs: int
    last_run: datetime | None
    last_success: datetime | None
    consecutive_failures: int
    last_error: str | None
    items_seen: int
    newest_item: datetime | None
    last_change: datetime | None
    reported: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _fingerprint(entries: list[Entry]) -> str:
    ids = sorted(e.guid or e.url or e.title for e in entries)
    return hashlib.sha256("\n".join(ids).encode("utf-8", "replace")).hexdigest()[:32]


class HealthLog:
    """The ``source_health`` table. Open with ``HealthLog.open(config)``."""

    def __init__(self, db: sqlite3.Connection, settings: HealthSection) -> None:
        self.db = db
        self.settings = settings

    @classmethod
    def open(cls, config: Config) -> HealthLog:
        return cls(connect(health_path(config), SCHEMA), config.health)

    def close(self) -> None:
        self.db.close()

    def rows(self) -> dict[str, HealthRow]:
        cursor = self.db.execute(
            "SELECT key, name, type, location, parent, runs, last_run, last_success,"
            " consecutive_failures, last_error, items_seen, newest_item, last_change, reported"
            " FROM source_health"
        )
        out = {}
        for r in cursor.fetchall():
            out[r[0]] = HealthRow(
                key=r[0],
                name=r[1],
                type=r[2],
                location=r[3],
                parent=r[4],
                runs=r[5],
                last_run=_when(r[6]),
                last_success=_when(r[7]),
                consecutive_failures=r[8],
                last_error=r[9],
                items_seen=r[10],
                newest_item=_when(r[11]),
                last_change=_when(r[12]),
                reported=r[13],
            )
        return out

    def record(self, results: list[RunResult], now: datetime, reference: datetime) -> list[Verdict]:
        """Record this run and judge each source. ``reference`` is the moment silence is
        measured to: now, or the end of the issue's window when building a past issue."""
        verdicts = []
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for result in results:
                verdicts.append(self._record_one(result, now, reference))
        return verdicts

    def _record_one(self, result: RunResult, now: datetime, reference: datetime) -> Verdict:
        source = result.source
        key = source_key(source)
        row = self.db.execute(
            "SELECT consecutive_failures, newest_item, fingerprint, last_change, reported,"
            " first_run FROM source_health WHERE key = ?",
            (key,),
        ).fetchone()
        failures, newest, fingerprint, last_change, reported, first_run = row or (
            0, None, None, None, None, None,
        )  # fmt: skip
        stamp = now.isoformat()
        first_run = first_run or stamp
        items_seen = None
        if result.ok:
            items_seen = result.items
            failures = 0
            if result.newest is not None:
                previous = _when(newest)
                if previous is None or result.newest > previous:
                    newest = _iso(result.newest)
            if result.fingerprint != fingerprint:
                fingerprint, last_change = result.fingerprint, stamp
        else:
            failures += 1

        unhealthy, detail = self._judge(
            failures, result.error, _when(newest), _when(last_change or first_run), reference
        )
        newly = None
        if unhealthy and unhealthy != reported:
            newly = f"source {source.display_name} is unhealthy: {detail}"
        self.db.execute(
            """
            INSERT INTO source_health (key, name, type, location, parent, runs, first_run,
                last_run, last_success, consecutive_failures, last_error, items_seen,
                newest_item, fingerprint, last_change, reported)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET
                name = excluded.name, type = excluded.type, location = excluded.location,
                parent = excluded.parent, runs = runs + 1, last_run = excluded.last_run,
                last_success = COALESCE(excluded.last_success, last_success),
                consecutive_failures = excluded.consecutive_failures,
                last_error = COALESCE(excluded.last_error, last_error),
                items_seen = COALESCE(?, items_seen),
                newest_item = excluded.newest_item, fingerprint = excluded.fingerprint,
                last_change = excluded.last_change, reported = excluded.reported
            """,
            (
                key, source.display_name, source.type, source.location, result.parent,
                first_run, stamp, stamp if result.ok else None, failures,
                None if result.ok else result.error, items_seen, newest, fingerprint,
                last_change, unhealthy, items_seen,
            ),
        )  # fmt: skip
        return Verdict(key=key, unhealthy=unhealthy, newly_reported=newly)

    def _judge(
        self,
        failures: int,
        error: str | None,
        newest: datetime | None,
        last_change: datetime | None,
        reference: datetime,
    ) -> tuple[str | None, str]:
        if failures >= self.settings.failures:
            return "failing", f"failed {failures} runs in a row (last error: {error})"
        since = newest or last_change
        if since is not None and failures == 0:
            quiet = reference - since
            if quiet > timedelta(weeks=self.settings.silent_weeks):
                weeks = quiet.days // 7
                return "silent", f"no new items for {weeks} weeks (newest: {since:%Y-%m-%d})"
        return None, ""


# -- the `digest sources` table ---------------------------------------------------------


def health_table_rows(config: Config) -> list[tuple[str, ...]]:
    """One row per configured source (and per feed an OPML list expanded into):
    name, type, last success, failures in a row, items, last error, status."""
    path = health_path(config)
    rows = {}
    if path.exists():
        log = HealthLog.open(config)
        try:
            rows = log.rows()
        finally:
            log.close()
    tz = config.digest.tz

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "never"

    def line(name: str, kind: str, row: HealthRow | None, indent: str = "") -> tuple[str, ...]:
        if row is None:
            return (indent + name, kind, "never", "0", "", "", "not run yet")
        if row.reported:
            status = f"unhealthy ({row.reported})"
        elif row.consecutive_failures:
            status = "failing"
        else:
            status = "ok"
        return (
            indent + name,
            kind,
            when(row.last_success),
            str(row.consecutive_failures),
            str(row.items_seen),
            row.last_error or "",
            status,
        )

    table = []
    for source in config.sources:
        key = source_key(source)
        table.append(line(source.display_name, source.type, rows.get(key)))
        children = sorted((r for r in rows.values() if r.parent == key), key=lambda r: r.name)
        table.extend(line(child.name, child.type, child, "  ") for child in children)
    return table


def print_health_table(config: Config) -> None:
    """``digest sources``: the health table, to stdout."""
    import sys

    from rich.console import Console
    from rich.table import Table

    rows = health_table_rows(config)
    console = Console(file=sys.stdout)
    if not console.is_terminal:
        console.width = max(100, console.width)
    elif console.width < 80:  # too narrow for seven columns: a few lines per source
        from rich.padding import Padding
        from rich.text import Text

        console.print("Sources", style="italic")
        for name, kind, success, failures, items, error, status in rows:
            style = "red" if status.startswith("unhealthy") else ""
            indent = len(name) - len(name.lstrip())
            details = [f"last success {success} · failures {failures} · items {items or 0}"]
            details += [f"last error: {error}"] if error else []
            head = Text(f"{name.strip()} ({kind}): {status}", style=style)
            console.print(Padding(head, (0, 0, 0, indent)))
            console.print(Padding(Text("\n".join(details), style=style), (0, 0, 0, indent + 2)))
        return
    table = Table(title="Sources", title_justify="left")
    for column in ("source", "type", "last success", "failures", "items", "last error", "status"):
        table.add_column(column, overflow="fold", no_wrap=column in ("type", "status"))
    for row in rows:
        table.add_row(*row, style="red" if row[-1].startswith("unhealthy") else None)
    console.print(table)
