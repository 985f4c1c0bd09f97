"""Collect: read every source, keep the items inside the issue's window, clean what is kept.

Sources are read concurrently (``[http] concurrency`` at a time); kinds that expand into
other sources (OPML) are expanded first. Windowing happens on the cheap raw entries, and
only the kept ones are cleaned into ``Article`` objects: sanitising markup costs far more
than parsing it.

One broken source never sinks the others: its failure becomes a ``SourceStatus`` with the
reason and a one-line warning (once a source is reported unhealthy, its repeats are
quiet; see ``health``); the build fails only when every source fails, or when
``strict`` is set and any does.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Config, SourceConfig
from ..errors import BuildError, DigestError, SourceError
from ..log import debug, warn
from ..models import Article, Collection, Exclusion, ExclusionReason, SourceStatus, Window
from ..text import one_line, plain, shorten
from ..urls import canonical_url
from .fetch import Fetcher
from .health import HealthLog, RunResult, Verdict, source_key
from .registry import SOURCE_KINDS, CollectContext, Entry
from .trending import collect_trending

PROGRESS_MIN_SOURCES = 6  # a progress bar is noise for a handful of sources


@dataclass(slots=True)
class _Read:
    """One source's outcome: its entries, or why it failed."""

    source: SourceConfig
    entries: list[Entry] = field(default_factory=list)  # raw; dropped once processed
    error: str | None = None
    parent: str | None = None  # the OPML source's key, for an expanded feed
    expanded: list[SourceConfig] | None = None  # what an expanding kind expanded into
    articles: list[Article] = field(default_factory=list)  # the kept entries, cleaned
    exclusions: list[Exclusion] = field(default_factory=list)
    health: RunResult | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def collect(
    config: Config,
    window: Window,
    *,
    now: datetime | None = None,
    strict: bool = False,
    fetcher: Fetcher | None = None,
    record_health: bool = True,
) -> Collection:
    """Read every configured source and the trending list; window and clean the items."""
    now = now or datetime.now(config.digest.tz)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(
        config.http, config.cache_dir / "http" if config.http.cache else None
    )
    ctx = CollectContext(config=config, tz=config.digest.tz, fetcher=fetcher)
    result = Collection()
    reference = min(now, window.until)  # silence is measured to the issue being built

    def process(read: _Read) -> None:
        """Window and clean one source's entries as soon as it is read, then let the
        raw entries go: only a summary is kept for the health record."""
        if read.ok and read.expanded is None:
            read.health = RunResult.read(read.source, read.entries, reference, read.parent)
            kept, read.exclusions = window_entries(read.entries, read.source, window, now)
            read.articles = _articles(kept, read.source)
        read.entries = []

    side = ThreadPoolExecutor(max_workers=1)  # the trending list, alongside the sources
    trending = side.submit(collect_trending, config.trending, ctx) if config.trending else None
    try:
        reads = read_all(config.sources, ctx, config.http.concurrency, process)
        verdicts = _record_health(config, reads, now, reference) if record_health else {}
        for read in reads:
            result.statuses.append(_status(read, fetcher))
            verdict = verdicts.get(source_key(read.source))
            if read.ok or (verdict and verdict.newly_reported):
                continue  # the unhealthy report below says it all
            if verdict and verdict.unhealthy:  # reported before: not again every week
                debug(f"source {read.source.display_name}: {read.error} (reported unhealthy)")
            else:
                warn(f"source {read.source.display_name}: {read.error}")
        for verdict in verdicts.values():
            if verdict.newly_reported:
                warn(verdict.newly_reported)
                result.health_notes.append(verdict.newly_reported.removeprefix("source "))
        for read in reads:
            result.exclusions.extend(read.exclusions)
            result.articles.extend(read.articles)
        if trending is not None and config.trending is not None:
            name = config.trending.name
            try:
                result.trending = trending.result()
            except Exception as err:  # a bad trending list is a warning, never a traceback
                reason = failure_reason(err, name)
                warn(f"source {name}: {reason}")
                result.statuses.append(
                    SourceStatus(name=name, type="trending", ok=False, error=reason)
                )
    finally:
        side.shutdown(wait=True)
        if own_fetcher:
            fetcher.close()

    # A successful expansion (an OPML list) is not itself a source of articles.
    units = [r for r in reads if not (r.ok and r.expanded is not None)]
    if units and all(not r.ok for r in units):
        raise BuildError(f"every source failed ({len(units)} of {len(units)})")
    if strict and any(not s.ok for s in result.statuses):
        bad = next(s for s in result.statuses if not s.ok)
        raise BuildError(f"--strict: source {bad.name} failed: {bad.error}")
    return result


def _status(read: _Read, fetcher: Fetcher) -> SourceStatus:
    source = read.source
    return SourceStatus(
        name=source.display_name,
        type=source.type,
        ok=read.ok,
        items=len(read.expanded)
        if read.expanded is not None
        else (read.health.items if read.health else 0),
        error=read.error,
        not_modified=bool(source.url and source.url in fetcher.not_modified),
    )


# -- reading ----------------------------------------------------------------------------


def read_all(
    sources: list[SourceConfig],
    ctx: CollectContext,
    concurrency: int,
    process: Callable[[_Read], None] = lambda read: None,
) -> list[_Read]:
    """Read (and expand) every source concurrently, handing each result to ``process`` as
    it arrives (in this thread, while other reads go on). Results keep the config's
    order, an expanded source followed by the sources it expanded into."""
    done: dict[tuple[int, int], _Read] = {}  # (config index, 0 or 1 + child index)
    with ThreadPoolExecutor(max_workers=concurrency) as pool, _progress(len(sources)) as tick:
        pending: dict[Future[_Read], tuple[int, int]] = {
            pool.submit(read_source, s, ctx): (i, 0) for i, s in enumerate(sources)
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index, child = pending.pop(future)
                read = done[index, child] = future.result()
                process(read)
                tick(advance=1)
                if read.expanded:
                    tick(more=len(read.expanded))
                    parent = source_key(read.source)
                    for n, sub in enumerate(read.expanded, start=1):
                        pending[pool.submit(read_source, sub, ctx, parent)] = (index, n)
    return [done[k] for k in sorted(done)]


def read_source(source: SourceConfig, ctx: CollectContext, parent: str | None = None) -> _Read:
    """One source's entries (or what it expands into); never raises for bad input."""
    try:
        kind = SOURCE_KINDS.get(source.type)
        if kind.expand is not None:
            return _Read(source, expanded=kind.expand(source, ctx), parent=parent)
        return _Read(source, entries=list(kind.collect(source, ctx)), parent=parent)
    except Exception as err:  # a malformed source must never become a traceback
        return _Read(source, error=failure_reason(err, source.display_name), parent=parent)


def failure_reason(err: Exception, name: str) -> str:
    """Why a source (or the trending list) could not be read, in one line."""
    if isinstance(err, SourceError):
        reason = err.reason
    elif isinstance(err, DigestError):
        reason = str(err)
    elif isinstance(err, RecursionError):
        reason = "the document is nested too deeply to read"
    elif isinstance(err, MemoryError):
        reason = "the document is too large to read"
    else:  # a bug, or a library's surprise: the detail is for -v
        debug(f"source {name}: " + " | ".join(traceback.format_exc().splitlines()[-6:]))
        reason = f"cannot read it ({type(err).__name__}: {err})"
    return one_line(reason) or "failed"


@contextmanager
def _progress(total: int) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr, only for a terminal and more than a handful of sources."""
    if total < PROGRESS_MIN_SOURCES or not sys.stderr.isatty():
        yield lambda more=0, advance=0: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("digest: collecting"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("collect", total=total)

        def tick(more: int = 0, advance: int = 0) -> None:
            if more:
                progress.update(task, total=(progress.tasks[0].total or 0) + more)
            if advance:
                progress.advance(task, advance)

        yield tick


def _record_health(
    config: Config, reads: list[_Read], now: datetime, reference: datetime
) -> dict[str, Verdict]:
    try:
        log = HealthLog.open(config)
    except DigestError as err:
        warn(f"source health not recorded: {err}")
        return {}
    results = [
        r.health or RunResult(source=r.source, ok=r.ok, error=r.error, parent=r.parent)
        for r in reads
    ]
    try:
        verdicts = log.record(results, now, reference)
    except Exception as err:  # health is a side record; never fail the build
        warn(f"source health not recorded: {err}")
        return {}
    finally:
        log.close()
    return {v.key: v for v in verdicts}


# -- windowing and cleaning -------------------------------------------------------------


def window_entries(
    entries: Iterable[Entry], source: SourceConfig, window: Window, now: datetime
) -> tuple[list[Entry], list[Exclusion]]:
    """Keep the entries dated inside the window (undated ones only if the source says so);
    drop future-dated ones."""
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
                Exclusion(
                    title=one_line(entry.title)[:200], url=entry.url, source=name, reason=reason
                )
            )
    return kept, dropped


def _articles(entries: list[Entry], source: SourceConfig) -> list[Article]:
    """The kept entries, cleaned; an entry that cannot be cleaned is skipped, not fatal."""
    articles = []
    failed = 0
    for entry in entries:
        try:
            articles.append(entry_to_article(entry, source))
        except Exception as err:  # untrusted data must never become a traceback
            failed += 1
            debug(f"source {source.display_name}: item skipped: {type(err).__name__}: {err}")
    if failed:
        warn(f"source {source.display_name}: skipped {failed} item(s) that could not be read")
    return articles


def article_id(canonical: str | None, guid: str | None, title: str) -> str:
    key = canonical or (f"guid:{guid}" if guid else f"title:{title.casefold()}")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def entry_to_article(entry: Entry, source: SourceConfig) -> Article:
    """Clean an entry's fields into plain text and make the ``Article``."""
    description = plain(entry.description, entry.description_html) or None
    text = plain(entry.content, entry.content_html) if entry.content else ""
    title = one_line(plain(entry.title))
    if not title:  # JSON Feed and microblog items may have none: use the opening words
        title = shorten(one_line(description or text), 90) or "(untitled)"
    url = one_line(entry.url) or None if entry.url else None
    canonical = canonical_url(url) if url else None
    return Article(
        id=article_id(canonical, entry.guid, title),
        title=title,
        url=url,
        canonical_url=canonical,
        guid=entry.guid,
        published=entry.published,
        updated=entry.updated,
        author=one_line(plain(entry.author)) or None if entry.author else None,
        category=one_line(entry.category or "") or source.category,
        tags=[t for t in (one_line(t) for t in entry.tags) if t],
        description=description,
        text=text or (description or ""),
        image=one_line(entry.image) or None if entry.image else None,
        sources=[source.display_name],
        source_weight=source.weight,
    )
