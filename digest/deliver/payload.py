"""``digest build --format json``: the issue as data, for mail services whose API takes JSON
(subject, sender, recipients, list headers, the rendered HTML and text, and the digest's
structured content for templates of their own)."""

from __future__ import annotations

from collections.abc import Sequence
from email.headerregistry import Address
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ..models import Digest
from .message import Envelope, list_headers

if TYPE_CHECKING:
    from ..config import Config
    from ..models import RenderedDigest


class EmailPayload(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    subject: str
    from_: str | None = Field(None, alias="from")
    to: list[str] = Field(default_factory=list)
    reply_to: str | None = None
    headers: dict[str, str] = Field(
        default_factory=dict, description="extra headers: List-Unsubscribe and friends"
    )
    text: str
    html: str
    digest: Digest


def payload_for_build(issue: RenderedDigest, config: Config, to: Sequence[Address]) -> str:
    sender = reply_to = None
    if config.email.from_:
        envelope = Envelope.from_config(config.email)
        sender = str(envelope.sender)
        reply_to = str(envelope.reply_to) if envelope.reply_to else None
    payload = EmailPayload(
        subject=issue.subject,
        from_=sender,
        to=[str(a) for a in to],
        reply_to=reply_to,
        headers=list_headers(config.email),
        text=issue.text,
        html=issue.html,
        digest=issue.digest,
    )
    return payload.model_dump_json(indent=2, by_alias=True) + "\n"
