"""Importing this module registers the built-in weather providers, as a plugin would."""

from . import openmeteo, providers  # noqa: F401
