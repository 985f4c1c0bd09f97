"""The tool's own state: one SQLite file in the user's data folder (``[history] path``).

History (which articles each published issue featured), feed health and the send ledger
each keep their tables here. Each module declares its schema with ``CREATE ... IF NOT
EXISTS`` statements and opens the file through ``connect``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import DigestError


def connect(path: Path, schema: str = "") -> sqlite3.Connection:
    """Open (creating if needed) the state database and apply ``schema``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise DigestError(f"cannot open the state database {path}: {err}") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        if schema:
            db.executescript(schema)
    except sqlite3.Error as err:  # not a database, read-only, locked...: no handle left open
        db.close()
        raise DigestError(f"cannot open the state database {path}: {err}") from None
    return db
