"""Collect: read every source, keep the items inside the issue's window, clean what is kept.

One broken source never sinks the others: its failure becomes a ``SourceStatus`` with the
reason (and a one-line warning); the build fails only when every source fails, or when
``strict`` is set and any does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from ..config import Config, SourceConfig
from ..errors import BuildError, DigestError, SourceError
from ..log import warn
from ..models import Article, Collection, Exclusion, ExclusionReason, SourceStatus, Window
from ..text import one_line, plain
from ..urls import canonical_url
from .fetch import Fetcher
from .registry import SOURCE_KINDS, CollectContext, Entry
from .trending import collect_trending


def collect(
    config: Config,
    window: Window,
    *,
    now: datetime | None = None,
    strict: bool = False,
    fetcher: Fetcher | None = None,
) -> Collection:
    """Read every configured source and the trending list; window and clean the items."""
    now = now or datetime.now(config.digest.tz)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(
        config.http, config.cache_dir / "http" if config.http.cache else None
    )
    ctx = CollectContext(config=config, tz=config.digest.tz, fetcher=fetcher)
    result = Collection()
    try:
        with ThreadPoolExecutor(max_workers=config.http.concurrency) as pool:
            outcomes = list(pool.map(lambda s: _read_source(s, ctx), config.sources))
        for source, (entries, status) in zip(config.sources, outcomes, strict=True):
            result.statuses.append(status)
            if not status.ok:
                warn(f"source {status.name}: {status.error}")
                continue
            kept, dropped = window_entries(entries, source, window, now)
            result.exclusions.extend(dropped)
            result.articles.extend(entry_to_article(e, source) for e in kept)
        if config.trending is not None:
            try:
                result.trending = collect_trending(config.trending, fetcher)
            except DigestError as err:
                warn(str(err))
                result.statuses.append(
                    SourceStatus(
                        name=config.trending.name, type="trending", ok=False, error=str(err)
                    )
                )
    finally:
        if own_fetcher:
            fetcher.close()

    failed = [s for s in result.statuses if not s.ok and s.type != "trending"]
    if config.sources and len(failed) == len(config.sources):
        raise BuildError(f"every source failed ({len(failed)} of {len(config.sources)})")
    if strict and any(not s.ok for s in result.statuses):
        bad = next(s for s in result.statuses if not s.ok)
        raise BuildError(f"--strict: source {bad.name} failed: {bad.error}")
    return result


def _read_source(source: SourceConfig, ctx: CollectContext) -> tuple[list[Entry], SourceStatus]:
    name = source.display_name
    try:
        kind = SOURCE_KINDS.get(source.type)
        entries = list(kind.collect(source, ctx))
    except SourceError as err:
        return [], SourceStatus(name=name, type=source.type, ok=False, error=err.reason)
    except DigestError as err:
        return [], SourceStatus(name=name, type=source.type, ok=False, error=str(err))
    except (OSError, ValueError, UnicodeError, LookupError, TypeError) as err:
        # A malformed source must never become a traceback.
        return [], SourceStatus(
            name=name, type=source.type, ok=False, error=f"{type(err).__name__}: {err}"
        )
    return entries, SourceStatus(name=name, type=source.type, ok=True, items=len(entries))


def window_entries(
    entries: Iterable[Entry], source: SourceConfig, window: Window, now: datetime
) -> tuple[list[Entry], list[Exclusion]]:
    """Keep the entries dated inside the window (undated ones only if the source says so)."""
    kept: list[Entry] = []
    dropped: list[Exclusion] = []
    name = source.display_name
    for entry in entries:
        when = entry.published or entry.updated
        reason: ExclusionReason | None = None
        if when is None:
            if source.undated != "keep":
                reason = ExclusionReason.UNDATED
        elif when > now:
            reason = ExclusionReason.FUTURE
        elif not window.contains(when):
            reason = ExclusionReason.OUT_OF_WINDOW
        if reason is None:
            kept.append(entry)
        else:
            dropped.append(
                Exclusion(title=one_line(entry.title), url=entry.url, source=name, reason=reason)
            )
    return kept, dropped


def article_id(canonical: str | None, guid: str | None, title: str) -> str:
    key = canonical or (f"guid:{guid}" if guid else f"title:{title.casefold()}")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def entry_to_article(entry: Entry, source: SourceConfig) -> Article:
    """Clean an entry's fields into plain text and make the ``Article``."""
    title = one_line(plain(entry.title)) or "(untitled)"
    url = entry.url.strip() if entry.url else None
    canonical = canonical_url(url) if url else None
    description = plain(entry.description, entry.description_html or None) or None
    text = plain(entry.content, entry.content_html or None) if entry.content else ""
    return Article(
        id=article_id(canonical, entry.guid, title),
        title=title,
        url=url,
        canonical_url=canonical,
        guid=entry.guid,
        published=entry.published,
        updated=entry.updated,
        author=one_line(entry.author) if entry.author else None,
        category=one_line(entry.category) if entry.category else source.category,
        tags=[one_line(t) for t in entry.tags if t],
        description=description,
        text=text or (description or ""),
        image=entry.image,
        sources=[source.display_name],
        source_weight=source.weight,
    )
