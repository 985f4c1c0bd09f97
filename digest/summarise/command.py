"""I/O for ``digest summarise``: read one article from a file, a URL or stdin; or a batch
of JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from ..config import HttpSection, SummarySection
from ..errors import UsageError
from ..log import warn
from . import summarise_article
from .document import article_from_text


def read_source(source: str, http: HttpSection) -> tuple[str, str]:
    """The text at ``source`` (a path, an http(s) URL or '-') and a name for it.

    Read and decoded exactly as the collect stage reads a source (``collect/fetch.py``): the
    ``[http] max_bytes`` cap, only regular files, and the character set from the byte-order
    mark, the server's header or the document's own declaration, else UTF-8."""
    from ..collect.fetch import Fetcher, decode_text

    if source == "-":
        return decode_text(sys.stdin.buffer.read()), "stdin"
    is_url = source.startswith(("http://", "https://"))
    if not is_url:
        # A mistyped argument is a usage error; what goes wrong reading the file is not.
        if "://" in source:
            raise UsageError(f"{source}: only http and https URLs can be read")
        if not Path(source).exists():
            raise UsageError(f"{source}: file not found")
        if Path(source).is_dir():
            raise UsageError(f"{source}: is a folder, not a file")
    fetcher = Fetcher(http)
    try:
        text = fetcher.fetch(source).text()
    finally:
        fetcher.close()
    return text, source if is_url else Path(source).name


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
