"""Email addresses: one parser for the config, ``--to`` and recipient lists.

``email.headerregistry`` does the RFC 5322 parsing (display names, quoting, non-ASCII
names); this module only insists on exactly one complete mailbox and no control
characters, so nothing typed by a user can inject a header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from ..errors import UsageError
from ..files import read_bounded


def parse_address(text: str) -> Address:
    """``a@example.com`` or ``Name <a@example.com>`` → an ``Address``; ``ValueError`` if it
    is anything else (no domain, two addresses, a newline...)."""
    from email import policy

    value = text.strip()
    if not value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError(f"{text!r} is not an email address")
    try:
        header = policy.default.header_factory("To", value)
        addresses = list(header.addresses)
        defects = list(header.defects)
    except Exception:  # the parser raises IndexError & co. on some garbage
        raise ValueError(f"{text!r} is not an email address") from None
    if len(addresses) != 1 or defects:
        raise ValueError(f"{text!r} is not an email address")
    address = addresses[0]
    if not address.username or not address.domain or " " in address.addr_spec:
        raise ValueError(f"{text!r} is not an email address")
    return Address(display_name=address.display_name, addr_spec=address.addr_spec)


def recipient_key(address: Address) -> str:
    """How the send ledger names a recipient: the bare address, lower-cased (mail systems
    treat ``Ann@Example.com`` and ``ann@example.com`` as one mailbox in practice)."""
    return address.addr_spec.lower()


@dataclass(frozen=True, slots=True)
class Recipients:
    addresses: list[Address]
    duplicates: int = 0


def unique(addresses: list[Address]) -> Recipients:
    seen: set[str] = set()
    kept: list[Address] = []
    for address in addresses:
        key = recipient_key(address)
        if key not in seen:
            seen.add(key)
            kept.append(address)
    return Recipients(kept, len(addresses) - len(kept))


def parse_cli_addresses(values: list[str], option: str = "--to") -> list[Address]:
    problems = []
    addresses = []
    for value in values:
        try:
            addresses.append(parse_address(value))
        except ValueError as err:
            problems.append(f"{option}: {err}")
    if problems:
        raise UsageError(problems[0], problems)
    return addresses


MAX_RECIPIENTS_BYTES = 100 << 20


def read_recipients_csv(path: Path) -> list[Address]:
    """A CSV with an ``email`` column and an optional ``name`` column (UTF-8, header row).

    Every bad row is reported, one line each, and nothing is sent."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        raw, size = read_bounded(path, MAX_RECIPIENTS_BYTES)
        if size > MAX_RECIPIENTS_BYTES:
            shown = f"{size / (1 << 30):.3g} GB" if size >= 1 << 30 else "over 100 MB"
            # ~2 million addresses: the wrong file
            raise UsageError(f"{path}: {shown}, over the 100 MB a recipients list may have")
        with io.StringIO(raw.decode("utf-8-sig"), newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {key.strip().lower(): key for key in reader.fieldnames or [] if key}
            rows.extend((reader.line_num, row) for row in reader)
    except FileNotFoundError:
        raise UsageError(f"{path}: recipients file not found") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: recipients file is not UTF-8 text") from None
    except (OSError, csv.Error) as err:
        raise UsageError(f"{path}: cannot read recipients: {err}") from None
    if "email" not in columns:
        found = ", ".join(columns) or "none"
        raise UsageError(f"{path}: no 'email' column in the header row (found: {found})")
    email_key, name_key = columns["email"], columns.get("name")
    problems: list[str] = []
    addresses: list[Address] = []
    for line, row in rows:
        value = (row.get(email_key) or "").strip()
        if not value:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                problems.append(f"{path}: line {line}: empty email")
            continue  # a blank line
        try:
            address = parse_address(value)
        except ValueError as err:
            problems.append(f"{path}: line {line}: {err}")
            continue
        name = " ".join((row.get(name_key) or "").split()) if name_key else ""
        name = "".join(ch for ch in name if ch.isprintable())
        if name and not address.display_name:
            address = Address(display_name=name, addr_spec=address.addr_spec)
        addresses.append(address)
    if problems:
        raise UsageError(problems[0], problems)
    if not addresses:
        raise UsageError(f"{path}: no recipients")
    return addresses
