"""Importing this module registers the built-in source kinds, as a plugin would."""

from . import feed, markdown  # noqa: F401
