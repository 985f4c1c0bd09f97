"""Reading a source's bytes from disk or over HTTP, with a size cap either way.

Over HTTP: httpx (imported on first use), connect/read timeouts and a deadline for the
whole response, a bounded number of retries with exponential backoff on 5xx answers,
timeouts and dropped connections (never on 4xx), a User-Agent naming the tool, a size
cap enforced while streaming, and conditional GET: the ETag / Last-Modified of each
answer is kept with its body in the cache folder, and a 304 reuses that body.

On disk: the size is checked with ``stat`` before anything is read, so a 1 GB file is
refused at once; only regular files are read (a FIFO or a device could block forever).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import stat
import threading
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import DigestError, FetchError, first_line
from ..files import write_atomically

if TYPE_CHECKING:
    from ..config import HttpSection

# Statuses worth another try: the server (or a proxy in front of it) is struggling.
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_MAX_RETRY_AFTER = 30.0


def user_agent(configured: str | None = None) -> str:
    return configured or f"digest/{__version__} (+https://example.invalid/digest)"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A source's bytes and what the transport said about them."""

    data: bytes
    location: str  # the final URL (after redirects) or the file's path
    content_type: str | None = None  # media type, lower case, without parameters
    charset: str | None = None  # the charset the server declared, if any
    not_modified: bool = False  # a 304: ``data`` is the cached copy

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    def text(self) -> str:
        return decode_text(self.data, self.charset)


# -- decoding ---------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


def _known_encoding(name: str | bytes | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(text.strip()).name
    except LookupError:
        return None


def sniff_encoding(data: bytes, declared: str | None = None) -> tuple[str, int]:
    """The encoding to read ``data`` with, and how many BOM bytes to skip.

    A byte-order mark wins, then the charset the server declared, then the document's own
    declaration (``<?xml encoding=...?>`` or ``<meta charset>``), then UTF-8.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    if found := _known_encoding(declared):
        return found, 0
    head = data[:2048]
    match = _XML_ENCODING.match(head.lstrip()) or _META_CHARSET.search(head)
    found = _known_encoding(match.group(1)) if match else None
    # A document that says "utf-16" but has no BOM and is ASCII-compatible is lying.
    if found and not found.startswith(("utf-16", "utf-32")):
        return found, 0
    return "utf-8", 0


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes → text by BOM, declared charset, in-document declaration, else UTF-8.

    Undecodable bytes raise ``FetchError`` naming the encoding and the offset.
    """
    encoding, skip = sniff_encoding(data, declared)
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as err:
        raise FetchError(
            f"cannot decode the text as {encoding} (bad byte at offset {err.start + skip}); "
            "the source should declare its character set"
        ) from None


# -- the conditional-GET cache ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedResponse:
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    charset: str | None
    body: bytes


class HttpCache:
    """One JSON metadata file and one body file per URL, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def get(self, url: str) -> CachedResponse | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("url") != url:
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None  # a torn or tampered body is never served
        return CachedResponse(
            url=url,
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
            content_type=meta.get("content_type"),
            charset=meta.get("charset"),
            body=body,
        )

    def put(self, entry: CachedResponse) -> None:
        meta_path, body_path = self._paths(entry.url)
        meta = {
            "url": entry.url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "content_type": entry.content_type,
            "charset": entry.charset,
            "sha256": hashlib.sha256(entry.body).hexdigest(),
            "stored": time.time(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(body_path, entry.body, durable=False)
            write_atomically(meta_path, json.dumps(meta).encode("utf-8"), durable=False)
        except (OSError, DigestError):
            pass  # a cache that cannot be written only costs a full download next time


# -- local files ----------------------------------------------------------------------


def read_file(path: Path, limit: int) -> bytes:
    """A local file's bytes, refused before reading if over ``limit`` bytes; only a regular
    file is read (a FIFO or a device could block forever). ``FetchError`` says what is wrong."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FetchError(f"is a folder, not a file: {path}")
        if not stat.S_ISREG(info.st_mode):
            raise FetchError(f"not a regular file: {path}")
        if info.st_size > limit:
            raise FetchError(f"file is {_size(info.st_size)}, over the {_size(limit)} cap: {path}")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise FetchError(f"file not found: {path}") from None
    except PermissionError:
        raise FetchError(f"permission denied: {path}") from None
    except OSError as err:
        raise FetchError(f"cannot read {path}: {err.strerror or err}") from None
    if len(data) > limit:  # it grew between stat and read
        raise FetchError(f"file is over the {_size(limit)} cap: {path}")
    return data


# -- the fetcher ------------------------------------------------------------------------


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type(), charset if isinstance(charset, str) else None


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason = reason
        self.wait = wait


class Fetcher:
    """Reads paths and URLs for collectors. One per build; thread-safe."""

    def __init__(self, http: HttpSection, cache_dir: Path | None = None) -> None:
        self.http = http
        self.cache = HttpCache(cache_dir) if cache_dir is not None else None
        self._client: Any = None
        self._lock = threading.Lock()
        self.not_modified: set[str] = set()  # URLs answered 304 (served from the cache)

    # -- any location -------------------------------------------------------------------

    def fetch(self, location: str | Path) -> Fetched:
        if isinstance(location, str) and location.startswith(("http://", "https://")):
            return self.fetch_url(location)
        path = Path(location)
        return Fetched(data=self.read_path(path), location=str(path))

    # -- files --------------------------------------------------------------------------

    def read_path(self, path: Path) -> bytes:
        return read_file(path, self.http.max_bytes)

    # -- HTTP ---------------------------------------------------------------------------

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                import httpx

                timeout = httpx.Timeout(self.http.timeout, connect=self.http.connect_timeout)
                self._client = httpx.Client(
                    timeout=timeout,
                    follow_redirects=True,
                    max_redirects=10,
                    headers={"User-Agent": user_agent(self.http.user_agent)},
                    limits=httpx.Limits(
                        max_connections=self.http.concurrency,
                        max_keepalive_connections=self.http.concurrency,
                    ),
                )
            return self._client

    def get(self, url: str) -> bytes:
        return self.fetch_url(url).data

    def fetch_url(self, url: str) -> Fetched:
        """GET ``url`` with retries; a 304 answers from the cache."""
        attempts = self.http.retries + 1
        cached = self.cache.get(url) if self.cache is not None else None
        for attempt in range(attempts):
            try:
                return self._attempt(url, cached)
            except _Retry as retry:
                if attempt + 1 >= attempts:
                    tries = f" after {attempts} attempts" if attempts > 1 else ""
                    raise FetchError(f"{retry.reason}{tries}: {url}") from None
                delay = self.http.backoff * 2**attempt
                if retry.wait is not None:
                    delay = max(delay, min(retry.wait, _MAX_RETRY_AFTER))
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, url: str, cached: CachedResponse | None) -> Fetched:
        import httpx

        headers = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        client = self._get_client()
        started = time.monotonic()
        try:
            with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                final_url = str(response.url)
                if status == 304 and cached is not None:
                    with self._lock:
                        self.not_modified.add(url)
                    return Fetched(
                        data=cached.body,
                        location=final_url,
                        content_type=cached.content_type,
                        charset=cached.charset,
                        not_modified=True,
                    )
                if status in _RETRY_STATUSES:
                    raise _Retry(f"HTTP {status}", _retry_after(response.headers))
                if status >= 300:
                    phrase = response.reason_phrase or ""
                    raise FetchError(f"HTTP {status} {phrase}".rstrip() + f" from {url}")
                data = self._read_body(response, url, started)
                content_type, charset = _content_type(response.headers.get("content-type"))
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except httpx.TooManyRedirects:
            raise FetchError(f"too many redirects: {url}") from None
        except httpx.RemoteProtocolError as err:
            raise _Retry(f"the connection broke off ({first_line(err)})") from None
        except httpx.TransportError as err:
            raise _Retry(f"cannot connect ({first_line(err)})") from None
        except httpx.HTTPError as err:  # e.g. an invalid URL
            raise FetchError(f"cannot fetch {url}: {first_line(err)}") from None
        if self.cache is not None:
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            if etag or last_modified:
                self.cache.put(
                    CachedResponse(url, etag, last_modified, content_type, charset, data)
                )
        return Fetched(data=data, location=final_url, content_type=content_type, charset=charset)

    def _read_body(self, response: Any, url: str, started: float) -> bytes:
        limit = self.http.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"response is {_size(int(declared))}, over the {_size(limit)} cap: {url}"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response is over the {_size(limit)} cap: {url}")
            if time.monotonic() - started > self.http.max_time:
                raise _Retry(f"took longer than {self.http.max_time:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
