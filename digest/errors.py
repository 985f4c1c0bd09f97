"""The one error tree. Each error's message is the single line the user sees.

Exit codes are named here (``ExitCode``) and mapped from errors to codes once, in the CLI.
This module imports nothing heavy: the CLI loads it at start-up.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the build (or send, or check) failed
    USAGE = 2  # bad command line or config
    TOO_FEW = 3  # a quiet week: fewer stories than [digest] min_stories


class DigestError(Exception):
    """Base of every error digest reports to the user; ``str(err)`` is one line."""


def first_line(err: BaseException) -> str:
    """What a library's exception says, cut to one line for a message (its class name if
    it says nothing)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


class ConfigError(DigestError):
    """The config file (or a command-line option) is wrong.

    ``problems`` holds one line per problem, each naming the file and the key.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message)

    def __str__(self) -> str:
        return "\n".join(self.problems)


class UsageError(ConfigError):
    """A command-line option is wrong (a bad date, a missing file argument...)."""


class SourceError(DigestError):
    """One source could not be read. Reported as a warning unless --strict."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"source {source}: {reason}")


class FetchError(DigestError):
    """An HTTP fetch failed (network, timeout, status, size cap)."""


class BadSourceData(DigestError):
    """A source's content cannot be read: malformed, unsafe (XML entities), undecodable,
    or not the format its kind expects."""


class BuildError(DigestError):
    """The digest could not be built (nothing to show, every source failed...)."""


class NotEnoughStories(BuildError):
    """Fewer stories than [digest] min_stories: a cron job can skip this week's send."""

    def __init__(self, found: int, needed: int) -> None:
        self.found = found
        self.needed = needed
        super().__init__(f"not enough stories: {found} of {needed}")


class WeatherError(DigestError):
    """The weather provider failed and no usable cached reading exists."""


class RenderError(DigestError):
    """A template is missing or broken."""


class DeliveryError(DigestError):
    """Sending the digest failed."""


class AlreadySent(DeliveryError):
    """This issue already went to these recipients (use --force to send again)."""
