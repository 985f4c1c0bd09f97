"""``digest send``: one message per recipient over SMTP, with the ledger making it safe to
run again.

- A recipient already sent this issue is skipped; if all were, the send is refused
  (``AlreadySent``) unless ``force``, which sends everyone a fresh copy.
- An interrupted batch resumes: the next run sends only to those not yet marked sent.
- Transient failures (4xx, dropped connections, timeouts) are retried with exponential
  backoff; a 4xx that outlasts the retries, or a 5xx, fails that recipient only. A
  connection that cannot be re-established stops the batch (the rest resume next run).
- The issue is recorded as published in the history once anyone has received it.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, TextIO

from ..errors import AlreadySent, DeliveryError, UsageError
from ..log import info, warn
from .addresses import recipient_key
from .ledger import Ledger, SendRecord, send_lock
from .message import Envelope, build_message, message_bytes
from .smtp import PermanentFailure, SmtpConnection, SmtpSettings, TransientFailure

if TYPE_CHECKING:
    from ..config import Config
    from ..models import RenderedDigest
    from ..pipeline import BuildOptions

MAX_BACKOFF = 300.0


class Action(StrEnum):
    send = "send"  # never sent
    retry = "retry"  # failed last time
    resume = "resume"  # a run died while sending to them: fate unknown, same Message-ID
    resend = "resend"  # sent before; --force
    skip = "skip"  # sent before


@dataclass(frozen=True, slots=True)
class PlannedRecipient:
    address: Address
    action: Action
    record: SendRecord | None

    @property
    def key(self) -> str:
        return recipient_key(self.address)

    @property
    def generation(self) -> int:
        if self.record is None:
            return 0
        return self.record.generation + (1 if self.action is Action.resend else 0)

    def note(self) -> str:
        rec = self.record
        if rec is None:
            return ""
        if self.action in (Action.skip, Action.resend):
            return f"sent {rec.sent_at}"
        if self.action is Action.retry:
            return f"failed: {rec.error}"
        if self.action is Action.resume:
            return "interrupted while sending; may have arrived, same Message-ID"
        return ""


@dataclass(frozen=True, slots=True)
class SendPlan:
    issue_date: date
    recipients: list[PlannedRecipient]
    force: bool

    @property
    def to_send(self) -> list[PlannedRecipient]:
        return [r for r in self.recipients if r.action is not Action.skip]


def plan_send(
    ledger: Ledger, issue_date: date, addresses: Sequence[Address], *, force: bool
) -> SendPlan:
    """Decide, from the ledger, what each recipient gets. Refuses a complete repeat."""
    records = ledger.records(issue_date)
    planned = []
    for address in addresses:
        record = records.get(recipient_key(address))
        if record is None:
            action = Action.send
        elif record.status == "sent":
            action = Action.resend if force else Action.skip
        elif record.status == "sending":
            action = Action.resume
        else:
            action = Action.retry
        planned.append(PlannedRecipient(address, action, record))
    plan = SendPlan(issue_date, planned, force)
    if not plan.to_send:
        last = max((r.record.sent_at or "" for r in planned if r.record), default="")
        count = "the recipient" if len(planned) == 1 else f"all {len(planned)} recipients"
        raise AlreadySent(
            f"the {issue_date:%Y-%m-%d} issue was already sent to {count}"
            f" (last at {last}); use --force to send it again"
        )
    return plan


def content_sha(issue: RenderedDigest) -> str:
    return hashlib.sha256(f"{issue.subject}\0{issue.text}\0{issue.html}".encode()).hexdigest()


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # not attempted: the batch stopped


Sleep = Callable[[float], None]


def send_batch(
    config: Config,
    issue: RenderedDigest,
    plan: SendPlan,
    ledger: Ledger,
    settings: SmtpSettings,
    *,
    on_first_delivery: Callable[[], None] | None = None,
    sleep: Sleep = time.sleep,
    now: Callable[[], datetime] | None = None,
) -> SendReport:
    """Send ``issue`` to every planned recipient, recording each outcome as it happens."""
    envelope = Envelope.from_config(config.email)
    sender = envelope.sender.addr_spec
    sha = content_sha(issue)
    clock = now or (lambda: datetime.now(config.digest.tz))
    report = SendReport(skipped=[r.key for r in plan.recipients if r.action is Action.skip])
    _warn_if_content_changed(plan, sha)
    queue = plan.to_send
    total = len(queue)
    with SmtpConnection(settings) as smtp:
        for index, planned in enumerate(queue, start=1):
            key, day = planned.key, plan.issue_date
            msg = build_message(
                issue, envelope, [planned.address], sent_at=clock(), generation=planned.generation
            )
            if planned.action is Action.resume:
                warn(f"{key}: a previous run stopped while sending to it; sending again")
            ledger.start(day, key, planned.generation, str(msg["Message-ID"]))
            try:
                error = _deliver(
                    smtp,
                    msg,
                    sender,
                    planned.address.addr_spec,
                    retries=config.smtp.retries,
                    delay=config.smtp.retry_delay,
                    sleep=sleep,
                    on_retry=partial(ledger.attempt, day, key),
                )
            except DeliveryError as err:
                ledger.failed(day, key, str(err))
                report.left = [p.key for p in queue[index - 1 :]]
                raise BatchStopped(str(err), report) from None
            if error is None:
                ledger.sent(day, key, sha)
                report.sent.append(key)
                info(f"sent {index}/{total}: {key}")
                if len(report.sent) == 1 and on_first_delivery is not None:
                    on_first_delivery()
            else:
                ledger.failed(day, key, error)
                report.failed.append((key, error))
                warn(f"not sent {index}/{total}: {key}: {error}")
    return report


class BatchStopped(DeliveryError):
    """The SMTP server became unusable mid-batch; the report says who is left."""

    def __init__(self, reason: str, report: SendReport) -> None:
        self.report = report
        done = len(report.sent)
        left = len(report.left)
        super().__init__(
            f"sending stopped: {reason} ({done} sent, {left} left; run again to resume)"
        )


def _deliver(
    smtp: SmtpConnection,
    msg: EmailMessage,
    sender: str,
    recipient: str,
    *,
    retries: int,
    delay: float,
    sleep: Sleep,
    on_retry: Callable[[], None],
) -> str | None:
    """Send with retries. ``None`` when accepted, else the error that failed this recipient.
    Raises ``DeliveryError`` when nobody can be sent to (the batch must stop)."""
    last: TransientFailure | None = None
    for attempt in range(retries + 1):
        if attempt:
            on_retry()
        try:
            smtp.send(msg, sender, recipient)
            return None
        except PermanentFailure as err:
            return str(err)
        except TransientFailure as err:
            last = err
            if attempt < retries:
                wait = min(delay * 2**attempt, MAX_BACKOFF)
                warn(f"{recipient}: {err}; retrying in {wait:g} s")
                sleep(wait)
    assert last is not None
    tries = f"after {retries + 1} attempts" if retries else "no retries"
    if last.connection:
        raise DeliveryError(f"{last} ({tries})")
    return f"{last} ({tries})"


def _warn_if_content_changed(plan: SendPlan, sha: str) -> None:
    earlier = {
        r.record.content_sha
        for r in plan.recipients
        if r.action is Action.skip and r.record and r.record.content_sha
    }
    if earlier and sha not in earlier:
        warn(
            "this issue's content differs from what earlier recipients got "
            "(a source or template changed since); the rest get the new version"
        )


def message_size(issue: RenderedDigest, config: Config, address: Address) -> int:
    envelope = Envelope.from_config(config.email)
    msg = build_message(issue, envelope, [address], sent_at=datetime.now(config.digest.tz))
    return len(message_bytes(msg))


def send_issue(
    config: Config,
    options: BuildOptions,
    addresses: Sequence[Address],
    *,
    force: bool = False,
    dry_run: bool = False,
    out: TextIO | None = None,
    sleep: Sleep = time.sleep,
) -> SendReport | None:
    """Build the issue and send it (``digest send``); with ``dry_run``, print the plan to
    ``out`` instead. Raises ``AlreadySent`` before building anything when everyone has it."""
    from ..pipeline import build, plan
    from ..select.history import record_published

    Envelope.from_config(config.email)  # a missing or bad From is a config error, up front
    settings = SmtpSettings.from_config(config.smtp)
    if not addresses:
        raise UsageError(
            "no recipients: give --to ADDRESS, --recipients FILE.csv or set [email] to"
        )
    issue_date, _, _ = plan(config, options)
    options.issue_date = issue_date  # the same date for the ledger and the build, even at midnight
    options.record_health = not dry_run
    state = config.state_path
    with send_lock(state):
        ledger = Ledger.open(state)
        try:
            send_plan = plan_send(ledger, issue_date, addresses, force=force)
            issue = build(config, options)
            if dry_run:
                print_plan(send_plan, issue, config, settings, out or sys.stdout)
                return None

            report = send_batch(
                config,
                issue,
                send_plan,
                ledger,
                settings,
                on_first_delivery=partial(record_published, state, issue.digest),
                sleep=sleep,
            )
        finally:
            ledger.close()
    skipped = f", {len(report.skipped)} already had it" if report.skipped else ""
    info(f"sent the {issue_date:%Y-%m-%d} issue to {len(report.sent)} recipient(s){skipped}")
    if report.failed:
        failures = "; ".join(f"{who} ({why})" for who, why in report.failed)
        raise DeliveryError(
            f"{len(report.failed)} of {len(send_plan.to_send)} recipients failed: {failures}"
        )
    return report


def print_plan(
    plan: SendPlan, issue: RenderedDigest, config: Config, settings: SmtpSettings, out: TextIO
) -> None:
    envelope = Envelope.from_config(config.email)
    first = plan.to_send[0].address
    size = message_size(issue, config, first)
    count = len(plan.to_send)
    print("dry run: nothing is sent or recorded", file=out)
    print(f"From:    {envelope.sender}", file=out)
    print(f"Subject: {issue.subject}", file=out)
    print(f"Size:    {size:,} bytes per message", file=out)
    print(f"SMTP:    {settings.describe()}", file=out)
    print(f"would send to {count} of {len(plan.recipients)} recipient(s):", file=out)
    for planned in plan.recipients:
        note = planned.note()
        print(
            f"  {planned.action.value:<7}{planned.address}" + (f"  ({note})" if note else ""),
            file=out,
        )
