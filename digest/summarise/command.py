"""I/O for ``digest summarise``: read one article from a file, a URL or stdin; or a batch
of JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from ..config import HttpSection, SummarySection
from ..errors import BadSourceData, FetchError, UsageError
from ..log import warn
from . import summarise_article
from .document import article_from_text


def read_source(source: str, http: HttpSection) -> tuple[str, str]:
    """The text at ``source`` (a path, an http(s) URL or '-') and a name for it.

    Local files and stdin obey ``[http] max_bytes`` like every source, and must be text.
    """
    from ..collect.fetch import Fetcher, _size

    if "://" in source and not source.startswith(("http://", "https://")):
        raise UsageError(f"{source}: only http and https URLs can be read")
    if source != "-" and "://" not in source:
        path = Path(source)
        if path.is_dir():
            raise UsageError(f"{source}: is a folder, not a file")
        if not path.exists():
            raise UsageError(f"{source}: file not found")
    fetcher = Fetcher(http)
    try:
        if source == "-":
            if sys.stdin.isatty():  # `digest summarise` alone would seem to hang
                print("digest: reading the article from stdin (Ctrl-D to end)", file=sys.stderr)
            data, name = sys.stdin.buffer.read(http.max_bytes + 1), "stdin"
            if len(data) > http.max_bytes:
                raise FetchError(f"stdin: over the {_size(http.max_bytes)} cap")
        elif "://" in source:
            data, name = fetcher.get(source), source
        else:
            data, name = fetcher.read_path(Path(source)), Path(source).name
    finally:
        fetcher.close()
    return _decode(data, name), name


def _decode(data: bytes, name: str) -> str:
    """Text by BOM, declared charset or UTF-8 (as the sources are read), else cp1252: a
    one-off command forgives a stray Windows export. Binary data is refused."""
    from ..collect.fetch import decode_text

    try:
        text = decode_text(data)
    except FetchError:
        text = data.decode("cp1252", errors="replace")
    head = text[:65536]
    odd = sum(1 for c in head if (c < " " and c not in "\t\n\r\f") or c == "\ufffd")
    if "\x00" in head or odd > len(head) // 100:
        raise BadSourceData(f"{name}: not text (it holds binary data)")
    if not text.strip():
        raise BadSourceData(f"{name}: nothing to summarise (it is empty)")
    return text


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
            try:
                record = json.loads(line)
            except ValueError as err:
                raise ValueError(f"not JSON ({err})") from None
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
