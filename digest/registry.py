"""Extension points: registries keyed by the config's ``type`` string.

Built-in source kinds, weather providers, ESP presets and themes register here exactly the
way a plugin would. Plugins are discovered lazily through entry points in the group
``digest.<kind>`` (e.g. ``digest.sources``); loading an entry point is expected to register
its object as an import side effect, or the entry point may itself be the object.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import ConfigError, first_line
from .log import warn

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, builtins: str | None = None, *, noun: str | None = None) -> None:
        """``kind`` names the entry-point group (``digest.<kind>``); ``noun`` what one entry
        is called in messages ("source type"); ``builtins`` is the module whose import
        registers the built-in entries (imported on first use)."""
        self.kind = kind
        self.noun = noun or kind
        self._builtins = builtins
        self._items: dict[str, T] = {}
        self._loaded = False
        self._loading = False
        # Reentrant: a plugin's import may itself use the registry.
        self._lock = threading.RLock()

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@SOURCES.register("feed")``."""

        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def _load(self) -> None:
        """Import the built-ins, then every plugin; once, and never half-seen by another
        thread (collectors look kinds up from a thread pool)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded or self._loading:
                return
            self._loading = True
            try:
                self._load_entries()
            finally:
                self._loading = False
            self._loaded = True

    def _load_entries(self) -> None:
        import importlib
        from importlib.metadata import entry_points

        if self._builtins:
            importlib.import_module(self._builtins)
        for ep in entry_points(group=f"digest.{self.kind}"):
            try:
                obj = ep.load()
            except Exception as err:  # a broken plugin must not take every command down
                warn(f"plugin {ep.name!r} ({ep.value}) cannot be loaded: {first_line(err)}")
                continue
            if ep.name not in self._items:
                self._items[ep.name] = obj

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(self.unknown_message(name)) from None

    def unknown_message(self, name: str) -> str:
        known = sorted(self.names())
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown {self.noun} {name!r}{hint}; known: {', '.join(known)}"

    def names(self) -> list[str]:
        self._load()
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
