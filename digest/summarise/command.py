"""I/O for ``digest summarise``: read one article from a file, a URL or stdin; or a batch
of JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..config import HttpSection, SummarySection
from ..errors import BadSourceData, FetchError, UsageError
from ..log import warn
from . import summarise_article
from .document import article_from_text


def read_source(source: str, http: HttpSection) -> tuple[str, str]:
    """The text at ``source`` (a path, an http(s) URL or '-') and a name for it.

    Read and decoded exactly as the collect stage reads a source (``collect/fetch.py``): the
    ``[http] max_bytes`` cap (stdin too), only regular files, and the character set from the
    byte-order mark, the server's header or the document's own declaration, else UTF-8.
    Binary data and empty input are refused."""
    from ..collect.fetch import Fetcher, _size, decode_text

    if source == "-":
        if sys.stdin.isatty():  # `digest summarise` alone would seem to hang
            print("digest: reading the article from stdin (Ctrl-D to end)", file=sys.stderr)
        data = sys.stdin.buffer.read(http.max_bytes + 1)
        if len(data) > http.max_bytes:
            raise FetchError(f"stdin: over the {_size(http.max_bytes)} cap")
        return _checked(data, decode_text, "stdin"), "stdin"
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
        fetched = fetcher.fetch(source)
    finally:
        fetcher.close()
    name = source if is_url else Path(source).name
    return _checked(fetched.data, lambda _: fetched.text(), name), name


def _checked(data: bytes, decode: Callable[[bytes], str], name: str) -> str:
    """The text of ``data``, refusing binary data (a NUL byte outside UTF-16/32) and empty
    input with a line that says so, rather than a summary of garbage or of nothing."""
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadSourceData(f"{name}: not text (it holds binary data)")
    try:
        text = decode(data)
    except FetchError as err:  # "cannot decode the text as utf-8 ...": say which text
        raise FetchError(f"{name}: {err}") from None
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
