"""History: which articles each *published* issue featured, so the next issues don't repeat
them. Only publishing records (``digest build --record``, ``digest send``); previews never
change the next real issue."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import DigestError
from ..models import Digest
from ..state import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    issue_date   TEXT PRIMARY KEY,          -- YYYY-MM-DD
    title        TEXT NOT NULL,
    published_at TEXT NOT NULL              -- ISO 8601, UTC
);
CREATE TABLE IF NOT EXISTS issue_articles (
    issue_date    TEXT NOT NULL REFERENCES issues(issue_date) ON DELETE CASCADE,
    article_id    TEXT NOT NULL,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (issue_date, article_id)
);
CREATE INDEX IF NOT EXISTS issue_articles_url ON issue_articles(canonical_url);
"""


def open_history(path: Path) -> sqlite3.Connection:
    return connect(path, SCHEMA)


def record_issue(db: sqlite3.Connection, digest: Digest, *, now: datetime | None = None) -> None:
    """Record a published issue and its stories (re-recording the same date replaces it)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    day = digest.issue_date.isoformat()
    with db:
        db.execute("BEGIN")
        db.execute("DELETE FROM issues WHERE issue_date = ?", (day,))
        db.execute("INSERT INTO issues VALUES (?, ?, ?)", (day, digest.title, stamp))
        db.executemany(
            "INSERT OR IGNORE INTO issue_articles VALUES (?, ?, ?, ?, ?)",
            [
                (day, s.article.id, s.article.canonical_url, s.article.title, i)
                for i, s in enumerate(digest.all_stories)
            ],
        )


def recently_featured(db: sqlite3.Connection, last_n: int, before: date) -> dict[str, str]:
    """Articles featured in the last ``last_n`` issues published before ``before``:
    article id or canonical URL → the issue date that featured it."""
    if last_n <= 0:
        return {}
    rows = db.execute(
        """
        SELECT a.article_id, a.canonical_url, a.issue_date FROM issue_articles a
        WHERE a.issue_date IN (
            SELECT issue_date FROM issues WHERE issue_date < ? ORDER BY issue_date DESC LIMIT ?
        )
        """,
        (before.isoformat(), last_n),
    ).fetchall()
    featured: dict[str, str] = {}
    for article_id, url, day in rows:
        featured[article_id] = day
        if url:
            featured[url] = day
    return featured


def featured_before(path: Path, last_n: int, before: date) -> dict[str, str]:
    """``recently_featured`` read from the database at ``path`` without creating or changing
    it (a preview must not touch the state); empty if there is no history yet."""
    if last_n <= 0 or not path.is_file():
        return {}
    bypass = "(--no-history builds without it)"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as err:
        raise DigestError(f"cannot open the state database {path}: {err} {bypass}") from None
    try:
        return recently_featured(db, last_n, before)
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return {}  # the file exists but no issue was ever recorded
        raise DigestError(f"cannot read the history in {path}: {err} {bypass}") from None
    except sqlite3.Error as err:
        raise DigestError(f"cannot read the history in {path}: {err} {bypass}") from None
    finally:
        db.close()


def record_published(path: Path, digest: Digest) -> None:
    """Open the history at ``path`` and record ``digest`` as published."""
    db = open_history(path)
    try:
        record_issue(db, digest)
    except sqlite3.Error as err:
        raise DigestError(f"cannot record the issue in {path}: {err}") from None
    finally:
        db.close()
