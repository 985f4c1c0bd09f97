"""Where the bundled templates and samples are.

In a wheel they are package data (``digest/templates``, ``digest/samples``); in a source
checkout they sit at the repository root, next to the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    return _bundled("templates")


def samples_dir() -> Path:
    return _bundled("samples")


def bundled_sample_config() -> Path:
    return samples_dir() / "digest.toml"
