"""I/O for ``digest summarise``: read one article from a file, a URL or stdin; or a batch
of JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from ..config import HttpSection, SummarySection
from ..errors import FetchError, UsageError
from ..log import warn
from . import summarise_article
from .document import article_from_text


def read_source(source: str, http: HttpSection) -> tuple[str, str]:
    """The text at ``source`` (a path, an http(s) URL or '-') and a name for it."""
    if source == "-":
        return _decode(sys.stdin.buffer.read()), "stdin"
    if source.startswith(("http://", "https://")):
        from ..collect.fetch import Fetcher

        fetcher = Fetcher(http)
        try:
            return _decode(fetcher.get(source)), source
        finally:
            fetcher.close()
    if "://" in source:
        raise UsageError(f"{source}: only http and https URLs can be read")
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{source}: file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{source}: is a folder, not a file") from None
    except OSError as err:
        raise FetchError(f"{source}: cannot read: {err.strerror or err}") from None
    return _decode(data), path.name


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def summarise_one(raw: str, section: SummarySection, *, name: str = "-") -> dict[str, Any]:
    article = article_from_text(raw, name=name)
    summary = summarise_article(article, section)
    return {
        "title": article.title or None,
        "summary": summary.text,
        "origin": summary.origin,
        "chars": len(summary.text),
    }


def summarise_jsonl(lines: IO[str], out: IO[str], section: SummarySection) -> int:
    """Summarise ``{"id", "text"[, "title", "description"]}`` lines into ``{"id",
    "summary", "origin"}`` lines; a bad line is a warning (and counted), never the end."""
    from ..models import Article

    failed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            text = record["text"]
            document = article_from_text(text) if text.strip() else Article(id="-", title="")
            given = record.get("description")
            article = document.model_copy(
                update={
                    "title": str(record.get("title") or ""),
                    "description": given if isinstance(given, str) else document.description,
                }
            )
        except ValueError as err:  # json.JSONDecodeError is a ValueError
            warn(f"stdin line {number}: {err}")
            failed += 1
            continue
        summary = summarise_article(article, section)
        result = {"id": record.get("id"), "summary": summary.text, "origin": summary.origin}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return failed
