"""The send ledger: who got which issue, so a send is never repeated by accident and an
interrupted batch resumes where it stopped.

One row per (issue date, recipient), in the shared state database. A recipient is marked
``sending`` (committed) before the message goes out and ``sent`` right after the server
accepts it, so a killed run leaves at most one recipient whose fate is unknown; that one is
sent again on resume with the same Message-ID (see ``message.py``), which receiving systems
use to drop the duplicate. ``generation`` counts the ``--force`` re-sends.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import DeliveryError
from ..state import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    issue_date  TEXT NOT NULL,               -- YYYY-MM-DD
    recipient   TEXT NOT NULL,               -- addr-spec, lower-cased
    status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    generation  INTEGER NOT NULL DEFAULT 0,  -- bumped by each --force re-send
    message_id  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,  -- SMTP attempts, retries included
    deliveries  INTEGER NOT NULL DEFAULT 0,  -- times the server accepted it
    error       TEXT,                        -- the last failure, if any
    content_sha TEXT,                        -- what was sent (subject + text + html)
    updated_at  TEXT NOT NULL,               -- ISO 8601, UTC
    sent_at     TEXT,                        -- the last accepted delivery
    PRIMARY KEY (issue_date, recipient)
);
"""

STATUSES = ("sending", "sent", "failed")


@dataclass(frozen=True, slots=True)
class SendRecord:
    recipient: str
    status: str
    generation: int
    message_id: str
    attempts: int
    deliveries: int
    error: str | None
    content_sha: str | None
    sent_at: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path) -> Ledger:
        return cls(connect(path, SCHEMA))

    def close(self) -> None:
        self.db.close()

    def records(self, issue_date: date) -> dict[str, SendRecord]:
        rows = self.db.execute(
            "SELECT recipient, status, generation, message_id, attempts, deliveries, error,"
            " content_sha, sent_at FROM sends WHERE issue_date = ?",
            (issue_date.isoformat(),),
        ).fetchall()
        return {row[0]: SendRecord(*row) for row in rows}

    def start(self, issue_date: date, recipient: str, generation: int, message_id: str) -> None:
        """Mark ``recipient`` as being sent to, counting the first attempt (one commit
        before the message leaves; ``attempt`` counts the retries)."""
        self.db.execute(
            """
            INSERT INTO sends
                (issue_date, recipient, status, generation, message_id, attempts, updated_at)
            VALUES (?, ?, 'sending', ?, ?, 1, ?)
            ON CONFLICT (issue_date, recipient) DO UPDATE SET
                status = 'sending', generation = excluded.generation,
                message_id = excluded.message_id, attempts = attempts + 1,
                updated_at = excluded.updated_at
            """,
            (issue_date.isoformat(), recipient, generation, message_id, _now()),
        )

    def attempt(self, issue_date: date, recipient: str) -> None:
        self.db.execute(
            "UPDATE sends SET attempts = attempts + 1, updated_at = ?"
            " WHERE issue_date = ? AND recipient = ?",
            (_now(), issue_date.isoformat(), recipient),
        )

    def sent(self, issue_date: date, recipient: str, content_sha: str) -> None:
        now = _now()
        self.db.execute(
            "UPDATE sends SET status = 'sent', deliveries = deliveries + 1, error = NULL,"
            " content_sha = ?, sent_at = ?, updated_at = ? WHERE issue_date = ? AND recipient = ?",
            (content_sha, now, now, issue_date.isoformat(), recipient),
        )

    def failed(self, issue_date: date, recipient: str, error: str) -> None:
        self.db.execute(
            "UPDATE sends SET status = 'failed', error = ?, updated_at = ?"
            " WHERE issue_date = ? AND recipient = ?",
            (error, _now(), issue_date.isoformat(), recipient),
        )


@contextlib.contextmanager
def send_lock(state_path: Path) -> Iterator[None]:
    """One ``digest send`` at a time per state database: two overlapping cron runs would
    otherwise both see a recipient as unsent. (POSIX ``flock``; elsewhere no lock.)"""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock_path = state_path.with_name(state_path.name + ".send-lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fh = lock_path.open("a")
    except OSError as err:
        raise DeliveryError(f"cannot open the send lock {lock_path}: {err.strerror}") from None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeliveryError(
                f"another digest send is running (it holds {lock_path}); try again when it ends"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
