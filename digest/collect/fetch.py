"""Reading a source's bytes from disk or over HTTP, with a size cap either way."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import FetchError

if TYPE_CHECKING:
    from ..config import HttpSection


def user_agent(configured: str | None = None) -> str:
    return configured or f"digest/{__version__} (+https://example.invalid/digest)"


class Fetcher:
    """Reads paths and URLs for collectors. One per build; thread-safe."""

    def __init__(self, http: HttpSection, cache_dir: Path | None = None) -> None:
        self.http = http
        self.cache_dir = cache_dir
        self._client: Any = None

    def read(self, location: str | Path) -> bytes:
        if isinstance(location, Path):
            return self.read_path(location)
        if location.startswith(("http://", "https://")):
            return self.get(location)
        return self.read_path(Path(location))

    def read_path(self, path: Path) -> bytes:
        limit = self.http.max_bytes
        try:
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise FetchError(f"file not found: {path}") from None
        except IsADirectoryError:
            raise FetchError(f"is a folder, not a file: {path}") from None
        except OSError as err:
            raise FetchError(f"cannot read {path}: {err.strerror or err}") from None
        if len(data) > limit:
            raise FetchError(f"file is larger than the {limit:,}-byte cap: {path}")
        return data

    def _get_client(self) -> Any:
        if self._client is None:
            import httpx

            timeout = httpx.Timeout(self.http.timeout, connect=self.http.connect_timeout)
            self._client = httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                headers={"User-Agent": user_agent(self.http.user_agent)},
            )
        return self._client

    def get(self, url: str) -> bytes:
        import httpx

        client = self._get_client()
        attempts = self.http.retries + 1
        for attempt in range(attempts):
            try:
                with client.stream("GET", url) as response:
                    if response.status_code >= 500 and attempt + 1 < attempts:
                        time.sleep(0.2 * 2**attempt)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"HTTP {response.status_code} from {url}")
                    chunks = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > self.http.max_bytes:
                            raise FetchError(
                                f"response larger than the {self.http.max_bytes:,}-byte cap: {url}"
                            )
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.TimeoutException:
                if attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise FetchError(f"timed out fetching {url}") from None
            except httpx.HTTPError as err:
                raise FetchError(f"cannot fetch {url}: {err}") from None
        raise FetchError(f"cannot fetch {url}")  # pragma: no cover - loop always returns/raises

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
