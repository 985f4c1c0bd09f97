"""Deliver: write the digest out (stdout or a file, atomically) as HTML, text, a whole
email or JSON; send it over SMTP (``send``), keeping a ledger so no one gets it twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..log import warn

if TYPE_CHECKING:
    from email.headerregistry import Address

    from ..config import Config
    from ..models import RenderedDigest


def recipients_for(config: Config, to: list[str] | None) -> list[Address]:
    """``--to`` addresses if given, else ``[email] to`` (validated either way)."""
    from .addresses import parse_address, parse_cli_addresses, unique

    addresses = parse_cli_addresses(to) if to else [parse_address(a) for a in config.email.to]
    return unique(addresses).addresses


def formatter(
    config: Config, fmt: str, to: list[str] | None = None
) -> Callable[[RenderedDigest], str | bytes]:
    """What ``digest build --format FMT`` writes, as a function of the built issue. The
    addresses are checked now, so a typo fails before anything is collected."""
    if fmt in ("html", "text"):
        if to:
            warn("--to applies only to --format eml and json; ignored")
        return (lambda issue: issue.html) if fmt == "html" else (lambda issue: issue.text)
    recipients = recipients_for(config, to)
    if fmt == "eml":
        from .message import Envelope, eml_for_build

        Envelope.from_config(config.email)
        if not recipients:
            raise ConfigError("no recipient: give --to ADDRESS or set [email] to")
        return lambda issue: eml_for_build(
            issue, config, recipients, datetime.now(config.digest.tz)
        )
    if fmt == "json":
        from .payload import payload_for_build

        return lambda issue: payload_for_build(issue, config, recipients)
    raise ValueError(f"unknown format {fmt!r}")
