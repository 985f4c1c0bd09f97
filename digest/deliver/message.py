"""The email itself: an RFC 5322 message, ``multipart/alternative`` (text first, HTML
second, as RFC 2046 orders them: the last part is the preferred one), UTF-8.

Deterministic by design, so the same issue gives the same bytes:

- ``Message-ID`` is a hash of the issue (date and title), the recipient(s) and the send
  "generation" (bumped only by ``digest send --force``). A resumed or retried send of the
  same issue to the same person therefore carries the same id, and receiving systems that
  de-duplicate by Message-ID (Gmail does) drop the rare copy sent twice when a run was
  killed between the server's "250 OK" and the ledger's commit. ``--force`` makes a new id:
  the user asked for a second copy.
- ``Date`` for ``digest build --format eml`` is 06:00 on the issue date in the config's time
  zone (or the current time, if that is still in the future: a future Date is a spam
  signal). ``digest send`` stamps the real time of sending.
- The MIME boundary is derived from the content (and cannot occur in it: ``=_`` never
  appears in quoted-printable output).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .addresses import parse_address, recipient_key

if TYPE_CHECKING:
    from ..config import Config, EmailSection
    from ..models import RenderedDigest

MORNING = time(6, 0)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who a message is from and to, and the list headers, as parsed from the config."""

    sender: Address
    reply_to: Address | None
    extra_headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_config(cls, email: EmailSection) -> Envelope:
        if not email.from_:
            raise ConfigError("[email] from is not set: a message needs a From address")
        return cls(
            sender=parse_address(email.from_),
            reply_to=parse_address(email.reply_to) if email.reply_to else None,
            extra_headers=tuple(list_headers(email).items()),
        )


def _bare_mailto(value: str | None) -> str | None:
    return parse_address(value.removeprefix("mailto:")).addr_spec if value else None


def _is_web_url(url: str | None) -> bool:
    """Only a real http(s) URL goes into a header (an ESP merge tag such as
    ``*|UNSUB|*`` is for the body; the ESP writes its own List-Unsubscribe)."""
    if not url:
        return False
    scheme, _, rest = url.partition("://")
    return (
        scheme.lower() in ("http", "https")
        and bool(rest)
        and not any(ch in url for ch in " <>,\"'\r\n\t")
    )


def list_headers(email: EmailSection) -> dict[str, str]:
    """``List-Unsubscribe`` (RFC 2369: angle brackets, comma-separated, the URL first) and,
    when that URL is https, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)."""
    url = email.unsubscribe_url if _is_web_url(email.unsubscribe_url) else None
    mailto = _bare_mailto(email.unsubscribe_mailto)
    links = []
    if url:
        links.append(f"<{url}>")
    if mailto:
        links.append(f"<mailto:{mailto}?subject=unsubscribe>")
    headers = {}
    if links:
        headers["List-Unsubscribe"] = ", ".join(links)
    if url and url.lower().startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def message_id(
    issue_date: date, title: str, recipients: Sequence[Address], generation: int, domain: str
) -> str:
    keys = sorted(recipient_key(a) for a in recipients)
    seed = "\n".join([issue_date.isoformat(), title, *keys, str(generation)])
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]
    return f"<digest.{issue_date:%Y%m%d}.{digest}@{domain}>"


def issue_date_header(issue_date: date, tz: tzinfo, now: datetime) -> datetime:
    """06:00 on the issue date in the newsletter's time zone, unless that is in the future."""
    morning = datetime.combine(issue_date, MORNING, tzinfo=tz)
    return min(morning, now.astimezone(tz).replace(microsecond=0))


def build_message(
    issue: RenderedDigest,
    envelope: Envelope,
    to: Sequence[Address],
    *,
    sent_at: datetime,
    generation: int = 0,
) -> EmailMessage:
    from email import policy
    from email.utils import format_datetime

    if not to:
        raise ConfigError("no recipient: give --to ADDRESS or set [email] to")
    msg = EmailMessage(policy=policy.default)
    msg["From"] = envelope.sender
    msg["To"] = list(to)
    if envelope.reply_to:
        msg["Reply-To"] = envelope.reply_to
    msg["Subject"] = " ".join(issue.subject.split())  # one line, whatever the title holds
    msg["Date"] = format_datetime(sent_at)
    domain = envelope.sender.domain
    msg["Message-ID"] = message_id(
        issue.digest.issue_date, issue.digest.title, to, generation, domain
    )
    for name, value in envelope.extra_headers:
        msg[name] = value
    msg.set_content(
        _crlf_free(issue.text), subtype="plain", charset="utf-8", cte="quoted-printable"
    )
    msg.add_alternative(
        _crlf_free(issue.html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    fingerprint = hashlib.sha256(f"{issue.text}\0{issue.html}".encode()).hexdigest()[:32]
    msg.set_boundary(f"=_digest_{fingerprint}")
    return msg


def _crlf_free(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as a Unix mail tool expects it on stdin (``sendmail -t``): LF line ends,
    7-bit headers (non-ASCII as RFC 2047 encoded words), lines under 78 characters."""
    from email import policy

    return msg.as_bytes(policy=policy.default.clone(linesep="\n"))


def eml_for_build(
    issue: RenderedDigest, config: Config, to: Sequence[Address], now: datetime
) -> bytes:
    """``digest build --format eml``: one message to every address in ``to``."""
    envelope = Envelope.from_config(config.email)
    sent_at = issue_date_header(issue.digest.issue_date, config.digest.tz, now)
    return message_bytes(build_message(issue, envelope, to, sent_at=sent_at))
