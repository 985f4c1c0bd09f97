"""Importing this module registers the built-in source kinds, as a plugin would."""

from . import export, feed, markdown, opml, page  # noqa: F401
