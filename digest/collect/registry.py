"""The source-kind registry: ``type`` string → (config model, collector).

A collector turns one configured source into raw ``Entry`` objects. It does no windowing
and no HTML cleaning: the collect stage windows first and cleans only what it keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from ..registry import Registry

if TYPE_CHECKING:
    from ..config import Config, SourceConfig
    from .fetch import Fetcher


@dataclass(slots=True)
class Entry:
    """One item as a source gave it, before windowing and cleaning (cheap to make)."""

    title: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    description_html: bool | None = None  # True: HTML; False: plain text; None: sniff it
    content: str | None = None
    content_html: bool | None = None
    image: str | None = None


@dataclass(slots=True)
class CollectContext:
    """What a collector may use: the config, its time zone, and the fetcher."""

    config: Config
    tz: tzinfo
    fetcher: Fetcher


Collector = Callable[["SourceConfig", CollectContext], Iterable[Entry]]


@dataclass(frozen=True, slots=True)
class SourceKind:
    config: type[SourceConfig]
    collect: Collector
    # Kinds that expand into other sources (opml) return configs instead of entries.
    expand: Callable[[SourceConfig, CollectContext], list[SourceConfig]] | None = None


SOURCE_KINDS: Registry[SourceKind] = Registry(
    "sources", builtins="digest.collect.builtin", noun="source type"
)
