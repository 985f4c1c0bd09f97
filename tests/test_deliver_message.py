"""``digest build --format eml | json``: a standard email that round-trips, and the data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.config import load_config
from digest.deliver.addresses import parse_address
from digest.deliver.message import (
    Envelope,
    build_message,
    issue_date_header,
    message_bytes,
    message_id,
)
from digest.models import RenderedDigest
from digest.pipeline import BuildOptions, build

from .helpers import ROOT, SAMPLE_CONFIG, SAMPLE_DATE, run_digest
from .mailserver import start_server

EMAIL = """[email]
from = "The Weekly Wire <digest@example.com>"
to = ["Ann Tan <ann@example.com>"]
reply_to = "desk@example.com"
unsubscribe_url = "https://example.com/u?list=wire"
unsubscribe_mailto = "mailto:leave@example.com"
"""


def with_email(config: Path, email: str = EMAIL) -> Path:
    text = config.read_text("utf-8")
    config.write_text(text[: text.index("[email]")] + email, "utf-8")
    return config


def parse(data: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def build_out(config: Path, fmt: str, *args: str) -> str:
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", fmt, *args)
    assert result.code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def issue() -> RenderedDigest:
    return build(load_config(SAMPLE_CONFIG), BuildOptions(issue_date=date(2025, 12, 5)))


def test_eml_is_a_complete_message_that_round_trips(sample_copy: Path) -> None:
    config = with_email(sample_copy)
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "--format", "eml")
    assert result.code == 0, result.stderr
    data = result.stdout_bytes
    msg = parse(data)
    assert msg["From"] == "The Weekly Wire <digest@example.com>"
    assert msg["To"] == "Ann Tan <ann@example.com>"
    assert msg["Reply-To"] == "desk@example.com"
    assert msg["Subject"] == "The Weekly Wire — 05 December 2025"
    # 06:00 on the issue date in the newsletter's time zone (Asia/Singapore)
    assert msg["Date"] == "Fri, 05 Dec 2025 06:00:00 +0800"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Message-ID"].startswith("<digest.20251205.")
    assert msg["Message-ID"].endswith("@example.com>")
    assert msg["List-Unsubscribe"] == (
        "<https://example.com/u?list=wire>, <mailto:leave@example.com?subject=unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().rstrip("\n") == build_out(config, "text").rstrip("\n")
    assert parts[1].get_content().rstrip("\n") == build_out(config, "html").rstrip("\n")
    assert not msg.defects and not any(p.defects for p in parts)


def test_eml_is_7bit_with_short_lines_and_unix_line_ends(sample_copy: Path) -> None:
    data = build_out(with_email(sample_copy), "eml").encode()
    assert data.isascii()  # safe for any MTA, with or without 8BITMIME
    assert b"\r" not in data  # what `sendmail -t` expects on stdin
    assert max(len(line) for line in data.split(b"\n")) <= 78


def test_eml_is_byte_identical_for_the_same_date(sample_copy: Path) -> None:
    config = with_email(sample_copy)
    first = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "eml")
    second = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "eml")
    assert first.code == 0
    assert first.stdout_bytes == second.stdout_bytes


def test_to_option_overrides_config_and_is_validated(sample_copy: Path) -> None:
    config = with_email(sample_copy)
    data = build_out(config, "eml", "--to", "x@example.org", "--to", "Yé <y@example.org>")
    assert parse(data.encode())["To"] == "x@example.org, Yé <y@example.org>"
    bad = run_digest("build", "-c", str(config), "-f", "eml", "--to", "x@")
    assert bad.code == 2 and "--to: 'x@' is not an email address" in bad.stderr


def test_eml_without_from_or_recipient_is_a_config_error(sample_copy: Path) -> None:
    config = with_email(sample_copy, "[email]\nto = 'a@example.com'\n")
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "eml")
    assert result.code == 2
    assert "[email] from is not set" in result.stderr and result.stdout == ""
    config = with_email(sample_copy, "[email]\nfrom = 'd@example.com'\n")
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "eml")
    assert result.code == 2
    assert "no recipient: give --to ADDRESS or set [email] to" in result.stderr


def test_bad_addresses_in_config_are_one_line_each(sample_copy: Path) -> None:
    config = with_email(
        sample_copy,
        '[email]\nfrom = "Wire"\nto = ["ok@example.com", "a@b@c"]\nunsubscribe_mailto = "nope"\n',
    )
    result = run_digest("build", "-c", str(config), "-f", "eml")
    assert result.code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: error:")]
    assert len(errors) == 3
    assert any("email.from: 'Wire' is not an email address" in e for e in errors)
    assert any("email.to[1]: 'a@b@c' is not an email address" in e for e in errors)
    assert any("email.unsubscribe_mailto: 'nope' is not an email address" in e for e in errors)


@pytest.mark.parametrize(
    ("keys", "unsubscribe", "post"),
    [
        ('unsubscribe_url = "https://e.com/u"', "<https://e.com/u>", True),
        ('unsubscribe_url = "http://e.com/u"', "<http://e.com/u>", False),
        ('unsubscribe_mailto = "u@e.com"', "<mailto:u@e.com?subject=unsubscribe>", False),
        ('unsubscribe_url = "*|UNSUB|*"', None, False),  # a merge tag: for the ESP, not headers
        ("", None, False),
    ],
)
def test_list_unsubscribe_headers(
    sample_copy: Path, keys: str, unsubscribe: str | None, post: bool
) -> None:
    config = with_email(sample_copy, f'[email]\nfrom = "d@example.com"\nto = "a@e.com"\n{keys}\n')
    msg = parse(build_out(config, "eml").encode())
    assert msg["List-Unsubscribe"] == unsubscribe
    assert (msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click") is post
    assert msg.get_all("List-Unsubscribe-Post", []) == (
        ["List-Unsubscribe=One-Click"] if post else []
    )


def test_eml_to_a_file_and_through_sendmail_t(sample_copy: Path) -> None:
    """`digest build --format eml | sendmail -t`, with a sendmail-compatible relay to a real
    SMTP server: the message that arrives is the one that was built."""
    config = with_email(sample_copy)
    out = sample_copy.parent / "issue.eml"
    assert (
        run_digest(
            "build", "-c", str(config), "--date", SAMPLE_DATE, "-f", "eml", "-o", str(out)
        ).code
        == 0
    )
    server = start_server()
    try:
        relay = ROOT / "tests" / "sendmail_relay.py"
        pipeline = (
            f"{sys.executable} -m digest build -c {config} --date {SAMPLE_DATE} --format eml"
            f" | {sys.executable} {relay} -t"
        )
        proc = subprocess.run(
            ["bash", "-c", "set -o pipefail; " + pipeline],
            env={**os.environ, "RELAY_PORT": str(server.port)},
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        [received] = server.inbox.messages
    finally:
        server.stop()
    assert received.mail_from == "digest@example.com"
    assert received.rcpt_tos == ["ann@example.com"]
    arrived = received.data.replace(b"\r\n", b"\n")
    assert arrived == out.read_bytes()  # byte for byte: nothing for an MTA to rewrite
    msg = parse(arrived)
    assert msg["Subject"] == "The Weekly Wire — 05 December 2025"
    html = msg.get_body(("html",))
    assert html is not None
    assert html.get_content().rstrip("\n") == build_out(config, "html").rstrip("\n")


def test_json_is_the_issue_as_data(sample_copy: Path) -> None:
    config = with_email(sample_copy)
    data = json.loads(build_out(config, "json"))
    assert data["subject"] == "The Weekly Wire — 05 December 2025"
    assert data["from"] == "The Weekly Wire <digest@example.com>"
    assert data["to"] == ["Ann Tan <ann@example.com>"]
    assert data["reply_to"] == "desk@example.com"
    assert data["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert data["html"] == build_out(config, "html")
    assert data["text"] == build_out(config, "text")
    assert data["digest"]["issue_date"] == SAMPLE_DATE
    assert data["digest"]["lead"]["article"]["title"]
    # without [email] from it is still useful to an ESP API: the recipients come from it
    bare = json.loads(build_out(with_email(sample_copy, "[email]\n"), "json"))
    assert bare["from"] is None and bare["to"] == [] and bare["headers"] == {}


# -- the message builder (library) ------------------------------------------------------


def test_subject_and_names_cannot_inject_headers(issue: RenderedDigest) -> None:
    bad = issue.model_copy(update={"subject": "Weekly\r\nBcc: everyone@example.com"})
    envelope = Envelope(sender=parse_address("D <d@example.com>"), reply_to=None)
    msg = build_message(bad, envelope, [parse_address("a@example.com")], sent_at=datetime.now(UTC))
    data = message_bytes(msg)
    assert b"\nBcc:" not in data
    assert parse(data)["Subject"] == "Weekly Bcc: everyone@example.com"


def test_message_id_is_stable_per_issue_recipient_and_generation() -> None:
    ann, bo = Address(addr_spec="ann@example.com"), Address(addr_spec="bo@example.com")
    day = date(2025, 12, 5)
    same = message_id(day, "Wire", [ann], 0, "example.com")
    assert same == message_id(
        day, "Wire", [Address("Ann", addr_spec="ANN@example.com")], 0, "example.com"
    )
    assert same != message_id(day, "Wire", [bo], 0, "example.com")
    assert same != message_id(day, "Wire", [ann], 1, "example.com")  # --force
    assert same != message_id(date(2025, 12, 12), "Wire", [ann], 0, "example.com")
    assert same != message_id(day, "Other list", [ann], 0, "example.com")
    assert "ann" not in same  # recipients are not exposed in a header others may see


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_date_header_is_never_in_the_future(now: datetime) -> None:
    tz = ZoneInfo("Asia/Singapore")
    for offset in (-3, 0, 1):
        day = (now.astimezone(tz) + timedelta(days=offset)).date()
        stamp = issue_date_header(day, tz, now)
        assert stamp <= now
        if offset < 0:  # a past issue is dated its own morning
            assert stamp.date() == day and (stamp.hour, stamp.minute) == (6, 0)


_atom = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20
).filter(lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s)
_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@given(local=_atom, labels=st.lists(_label, min_size=2, max_size=4), name=st.text(max_size=20))
def test_parse_address_round_trips_plain_addresses(
    local: str, labels: list[str], name: str
) -> None:
    addr = f"{local}@{'.'.join(labels)}"
    assert parse_address(addr).addr_spec == addr
    clean = " ".join("".join(ch for ch in name if ch.isprintable()).split())
    named = parse_address(str(Address(display_name=clean, addr_spec=addr)))
    assert named.addr_spec == addr


@given(text=st.text(max_size=40), breaker=st.sampled_from(["\n", "\r", "\x00", "\t"]))
def test_parse_address_rejects_control_characters(text: str, breaker: str) -> None:
    with pytest.raises(ValueError, match="is not an email address"):
        parse_address(f"a{text}{breaker}@example.com")
