"""Extension points: registries keyed by the config's ``type`` string.

Built-in source kinds, weather providers, ESP presets and themes register here exactly the
way a plugin would. Plugins are discovered lazily through entry points in the group
``digest.<kind>`` (e.g. ``digest.sources``); loading an entry point is expected to register
its object as an import side effect, or the entry point may itself be the object.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import ConfigError

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

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@SOURCES.register("feed")``."""

        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self._builtins:
            import importlib

            importlib.import_module(self._builtins)
        from importlib.metadata import entry_points

        for ep in entry_points(group=f"digest.{self.kind}"):
            obj = ep.load()
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
