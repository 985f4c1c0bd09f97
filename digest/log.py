"""Logging: everything the user reads besides the digest goes to stderr, one line each.

The library logs to the ``digest`` logger; the CLI attaches a stderr handler. Library users
get ordinary ``logging`` behaviour.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("digest")


def warn(message: str) -> None:
    logger.warning(message)


def info(message: str) -> None:
    logger.info(message)


def debug(message: str) -> None:
    logger.debug(message)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname.lower()
        prefix = "digest: " if record.levelno < logging.WARNING else f"digest: {level}: "
        # One line per message, whatever the source put in it.
        return prefix + " ".join(record.getMessage().split())


def setup_cli_logging(verbosity: int = 0) -> None:
    """stderr handler: notes and warnings by default, debug with -v, warnings only with -q,
    errors only with -qq."""
    level = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.INFO}.get(
        verbosity, logging.DEBUG if verbosity > 0 else logging.ERROR
    )
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
