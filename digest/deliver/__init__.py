"""Deliver: write the digest out (stdout or a file, atomically) as HTML, text, a whole
email or JSON; send it over SMTP (``send``), keeping a ledger so no one gets it twice."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.headerregistry import Address

    from ..config import Config
    from ..models import RenderedDigest


def recipients_for(config: Config, to: list[str] | None) -> list[Address]:
    """``--to`` addresses if given, else ``[email] to`` (validated either way)."""
    from .addresses import parse_address, parse_cli_addresses, unique

    addresses = parse_cli_addresses(to) if to else [parse_address(a) for a in config.email.to]
    return unique(addresses).addresses


def render_format(
    issue: RenderedDigest, config: Config, fmt: str, to: list[str] | None = None
) -> str | bytes:
    """The output of ``digest build --format FMT``."""
    if fmt == "html":
        return issue.html
    if fmt == "text":
        return issue.text
    recipients = recipients_for(config, to)
    if fmt == "eml":
        from .message import eml_for_build

        return eml_for_build(issue, config, recipients, datetime.now(config.digest.tz))
    if fmt == "json":
        from .payload import payload_for_build

        return payload_for_build(issue, config, recipients)
    raise ValueError(f"unknown format {fmt!r}")
