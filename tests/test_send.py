"""``digest send`` end to end: the real CLI against a real SMTP server (aiosmtpd on
127.0.0.1), plain, STARTTLS, implicit TLS and AUTH; refusals, retries, dropped connections,
a killed batch that resumes, and the ledger that refuses a repeat."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import SAMPLE_DATE, Result, run_digest, write
from .mailserver import (
    Authenticator,
    Certificate,
    MailServer,
    make_certificate,
    start_server,
)

PASSWORD = "s3cret-Pa55word"


@pytest.fixture
def server() -> Iterator[MailServer]:
    mail = start_server()
    yield mail
    mail.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def mail_config(config: Path, port: int, *, smtp: str = "", email: str = "") -> Path:
    """The sample config with its [email] table replaced and an [smtp] table pointing at
    the test server."""
    text = config.read_text("utf-8")
    head = text[: text.index("[email]")]
    smtp_keys = {
        "host": '"127.0.0.1"',
        "port": str(port),
        "security": '"none"',
        "timeout": "10",
        "retries": "2",
        "retry_delay": "0.01",
    }
    for line in smtp.strip().splitlines():
        key, _, value = line.partition("=")
        smtp_keys[key.strip()] = value.strip()
    body = "\n".join(f"{k} = {v}" for k, v in smtp_keys.items())
    config.write_text(
        head + "[email]\n"
        'from = "The Weekly Wire <digest@example.com>"\n'
        'unsubscribe_url = "https://example.com/unsubscribe?list=wire"\n'
        'unsubscribe_mailto = "leave@example.com"\n'
        f"{email}\n[smtp]\n{body}\n",
        "utf-8",
    )
    return config


def send(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_digest("send", "-c", str(config), "--date", SAMPLE_DATE, *args, env=env)


def state_db() -> sqlite3.Connection:
    return sqlite3.connect(Path(os.environ["DIGEST_DATA_DIR"]) / "digest.sqlite3")


def ledger_rows() -> dict[str, tuple[str, int, int]]:
    with state_db() as db:
        rows = db.execute("SELECT recipient, status, attempts, deliveries FROM sends").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def built(config: Path, fmt: str) -> str:
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, "--format", fmt)
    assert result.code == 0, result.stderr
    return result.stdout


def assert_same_issue(received: list, config: Path) -> None:
    """Each received message parses back into the subject, text and HTML the build makes."""
    text, html = built(config, "text"), built(config, "html")
    expected_subject = json.loads(built(config, "json"))["subject"]
    assert received
    for item in received:
        msg = item.message
        assert msg["Subject"] == expected_subject
        assert msg.get_content_type() == "multipart/alternative"
        parts = [p.get_content_type() for p in msg.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        plain = msg.get_body(("plain",))
        rich = msg.get_body(("html",))
        assert plain is not None and rich is not None
        # A MIME text part always ends with a line break; the content is otherwise exact.
        assert plain.get_content().rstrip("\n") == text.rstrip("\n")
        assert rich.get_content().rstrip("\n") == html.rstrip("\n")


# -- delivery and idempotency -----------------------------------------------------------


def test_send_delivers_the_built_issue_and_refuses_a_repeat_unless_forced(
    sample_copy: Path, server: MailServer
) -> None:
    config = mail_config(sample_copy, server.port)
    result = send(config, "--to", "ann@example.com", "--to", "Bob Lee <bob@example.net>")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    inbox = server.inbox
    assert [m.rcpt_tos for m in inbox.messages] == [["ann@example.com"], ["bob@example.net"]]
    assert all(m.mail_from == "digest@example.com" for m in inbox.messages)
    assert_same_issue(inbox.messages, config)

    first, second = (m.message for m in inbox.messages)
    assert first["To"] == "ann@example.com"  # one message per recipient: no one sees the list
    assert second["To"] == "Bob Lee <bob@example.net>"
    assert first["From"] == "The Weekly Wire <digest@example.com>"
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")
    assert first["List-Unsubscribe"] == (
        "<https://example.com/unsubscribe?list=wire>, <mailto:leave@example.com?subject=unsubscribe>"
    )
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "sent 2/2: bob@example.net" in result.stderr

    # the issue is now published in the history
    with state_db() as db:
        assert db.execute("SELECT issue_date FROM issues").fetchall() == [(SAMPLE_DATE,)]
        assert db.execute("SELECT count(*) FROM issue_articles").fetchone()[0] > 0

    again = send(config, "--to", "ann@example.com", "--to", "bob@example.net")
    assert again.code == 1
    errors = [line for line in again.stderr.splitlines() if "error" in line]
    assert len(errors) == 1
    assert "already sent to all 2 recipients" in errors[0] and "--force" in errors[0]
    assert len(inbox.messages) == 2

    forced = send(config, "--to", "ann@example.com", "--to", "bob@example.net", "--force")
    assert forced.code == 0, forced.stderr
    assert len(inbox.messages) == 4
    resent = inbox.messages[2].message
    assert resent["Subject"] == first["Subject"]
    assert resent["Message-ID"] != first["Message-ID"]  # a deliberate second copy
    assert ledger_rows()["ann@example.com"][0] == "sent"
    assert ledger_rows()["ann@example.com"][2] == 2  # delivered twice


def test_recipients_default_to_config_and_new_ones_get_only_theirs(
    sample_copy: Path, server: MailServer
) -> None:
    config = mail_config(sample_copy, server.port, email='to = ["ann@example.com"]')
    assert send(config).code == 0
    assert [m.rcpt_tos for m in server.inbox.messages] == [["ann@example.com"]]
    # Ann already has it; Cy, added to the list since, gets it alone (a resume, not a repeat)
    result = send(config, "--to", "ANN@example.com", "--to", "cy@example.com")
    assert result.code == 0, result.stderr
    assert [m.rcpt_tos for m in server.inbox.messages] == [["ann@example.com"], ["cy@example.com"]]
    assert "1 already had it" in result.stderr


def test_dry_run_sends_and_records_nothing(sample_copy: Path, server: MailServer) -> None:
    config = mail_config(sample_copy, server.port)
    assert send(config, "--to", "ann@example.com").code == 0
    result = send(config, "--to", "ann@example.com", "--to", "bo@example.com", "--dry-run")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "Subject: The Weekly Wire — 05 December 2025" in out
    assert "would send to 1 of 2 recipient(s)" in out
    assert "skip   ann@example.com" in out and "send   bo@example.com" in out
    assert "bytes per message" in out and f"127.0.0.1:{server.port}" in out
    assert len(server.inbox.messages) == 1
    assert set(ledger_rows()) == {"ann@example.com"}


def test_recipients_csv(sample_copy: Path, server: MailServer) -> None:
    config = mail_config(sample_copy, server.port)
    csv_file = write(
        sample_copy.parent / "list.csv",
        "name,email\nAnn Tan,ann@example.com\n,bo@example.com\nAnn again,Ann@Example.com\n",
    )
    result = send(config, "--recipients", str(csv_file))
    assert result.code == 0, result.stderr
    tos = [m.message["To"] for m in server.inbox.messages]
    assert tos == ["Ann Tan <ann@example.com>", "bo@example.com"]  # the duplicate dropped

    bad = write(sample_copy.parent / "bad.csv", "email,name\nok@example.com,A\nnot-an-address,B\n")
    result = send(config, "--recipients", str(bad))
    assert result.code == 2
    assert f"{bad}: line 3: 'not-an-address' is not an email address" in result.stderr
    assert "Traceback" not in result.stderr
    no_column = write(sample_copy.parent / "nocol.csv", "mail\nx@example.com\n")
    result = send(config, "--recipients", str(no_column))
    assert result.code == 2 and "no 'email' column" in result.stderr
    both = send(config, "--recipients", str(csv_file), "--to", "x@example.com")
    assert both.code == 2 and "not both" in both.stderr
    assert len(server.inbox.messages) == 2


def test_config_and_usage_errors_exit_2(sample_copy: Path, server: MailServer) -> None:
    config = mail_config(sample_copy, server.port)
    assert "no recipients" in send(config).stderr
    assert send(config).code == 2
    bad_to = send(config, "--to", "nobody")
    assert bad_to.code == 2 and "--to: 'nobody' is not an email address" in bad_to.stderr
    text = config.read_text().replace('from = "The Weekly Wire <digest@example.com>"\n', "")
    config.write_text(text)
    no_from = send(config, "--to", "ann@example.com")
    assert no_from.code == 2 and "[email] from is not set" in no_from.stderr
    assert server.inbox.messages == []


# -- failures ---------------------------------------------------------------------------


def test_permanent_rejection_fails_one_recipient_and_the_others_get_it(
    sample_copy: Path, server: MailServer
) -> None:
    server.inbox.reject["gone@example.com"] = "550 5.1.1 <gone@example.com>: no such user"
    config = mail_config(sample_copy, server.port)
    recipients = ["ann@example.com", "gone@example.com", "cy@example.com"]
    args = [arg for r in recipients for arg in ("--to", r)]
    result = send(config, *args)
    assert result.code == 1
    assert [m.rcpt_tos for m in server.inbox.messages] == [["ann@example.com"], ["cy@example.com"]]
    error = [line for line in result.stderr.splitlines() if line.startswith("digest: error:")]
    assert error == [
        "digest: error: 1 of 3 recipients failed: gone@example.com"
        " (550 5.1.1 <gone@example.com>: no such user)"
    ]
    assert ledger_rows()["gone@example.com"][0] == "failed"
    # a second run retries only the failed one: no duplicates for the others
    server.inbox.reject.clear()
    again = send(config, *args)
    assert again.code == 0, again.stderr
    assert Counter(r for m in server.inbox.messages for r in m.rcpt_tos) == {
        "ann@example.com": 1,
        "gone@example.com": 1,
        "cy@example.com": 1,
    }


def test_transient_4xx_is_retried_with_backoff(sample_copy: Path, server: MailServer) -> None:
    server.inbox.rcpt_replies["ann@example.com"] = ["451 4.7.1 greylisted, try again later"]
    # more 4xx replies than attempts (retries = 2 → 3 attempts): that recipient fails
    server.inbox.rcpt_replies["full@example.com"] = ["452 4.2.2 mailbox full"] * 3
    config = mail_config(sample_copy, server.port)
    result = send(config, "--to", "ann@example.com", "--to", "full@example.com")
    assert result.code == 1
    assert [m.rcpt_tos for m in server.inbox.messages] == [["ann@example.com"]]
    assert "ann@example.com: 451 4.7.1 greylisted, try again later; retrying in 0.01 s" in (
        result.stderr
    )
    assert "retrying in 0.02 s" in result.stderr  # the delay doubles
    assert "full@example.com (452 4.2.2 mailbox full (after 3 attempts))" in result.stderr
    rows = ledger_rows()
    assert rows["ann@example.com"] == ("sent", 2, 1)
    assert rows["full@example.com"] == ("failed", 3, 0)


def test_dropped_connection_is_reopened_without_duplicates(
    sample_copy: Path, server: MailServer
) -> None:
    server.inbox.drop_after = 1
    config = mail_config(sample_copy, server.port)
    recipients = [f"r{i}@example.com" for i in range(4)]
    result = send(config, *[a for r in recipients for a in ("--to", r)])
    assert result.code == 0, result.stderr
    assert server.inbox.drops == 1
    assert [m.rcpt_tos[0] for m in server.inbox.messages] == recipients
    assert "retrying" in result.stderr


def test_unreachable_server_stops_the_batch_for_a_later_resume(sample_copy: Path) -> None:
    from .mailserver import free_port

    config = mail_config(sample_copy, free_port(), smtp="retries = 1")
    result = send(config, "--to", "ann@example.com", "--to", "bo@example.com")
    assert result.code == 1
    error = [line for line in result.stderr.splitlines() if line.startswith("digest: error:")]
    assert len(error) == 1
    assert "sending stopped: cannot talk to 127.0.0.1:" in error[0]
    assert "(0 sent, 2 left; run again to resume)" in error[0]
    assert "Traceback" not in result.stderr
    with state_db() as db:  # nobody got it: not published
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert "issues" not in tables or not db.execute("SELECT * FROM issues").fetchall()


def test_killed_batch_resumes_without_duplicates(sample_copy: Path, server: MailServer) -> None:
    inbox = server.inbox
    inbox.hang_after = 2
    config = mail_config(sample_copy, server.port)
    recipients = [f"r{i}@example.com" for i in range(5)]
    args = [a for r in recipients for a in ("--to", r)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "send", "-c", str(config), "--date", SAMPLE_DATE, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert inbox.hanging.wait(60), "the third message never reached the server"
        proc.send_signal(signal.SIGKILL)  # no cleanup at all: the harshest interruption
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        assert proc.stderr is not None
        proc.stderr.close()
    inbox.hang_after = None
    inbox.release.set()
    assert [m.rcpt_tos[0] for m in inbox.messages] == recipients[:2]
    rows = ledger_rows()
    assert rows["r2@example.com"][0] == "sending"  # its fate unknown to the ledger
    with state_db() as db:  # two readers have it: the issue counts as published
        assert db.execute("SELECT issue_date FROM issues").fetchall() == [(SAMPLE_DATE,)]

    resumed = send(config, *args)
    assert resumed.code == 0, resumed.stderr
    assert "r2@example.com: a previous run stopped while sending to it" in resumed.stderr
    assert "2 already had it" in resumed.stderr
    assert Counter(m.rcpt_tos[0] for m in inbox.messages) == dict.fromkeys(recipients, 1)
    refused = send(config, *args)
    assert refused.code == 1 and "already sent to all 5 recipients" in refused.stderr


def test_sigterm_stops_cleanly_and_the_batch_resumes(sample_copy: Path, server: MailServer) -> None:
    inbox = server.inbox
    inbox.hang_after = 1
    config = mail_config(sample_copy, server.port)
    recipients = ["a@example.com", "b@example.com", "c@example.com"]
    args = [a for r in recipients for a in ("--to", r)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "send", "-c", str(config), "--date", SAMPLE_DATE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert inbox.hanging.wait(60)
    proc.terminate()
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"digest: terminated" in err and b"Traceback" not in err
    inbox.hang_after = None
    inbox.release.set()
    resumed = send(config, *args)
    assert resumed.code == 0, resumed.stderr
    assert Counter(m.rcpt_tos[0] for m in inbox.messages) == dict.fromkeys(recipients, 1)


def test_a_second_concurrent_send_is_refused(sample_copy: Path, server: MailServer) -> None:
    import fcntl

    config = mail_config(sample_copy, server.port)
    lock = Path(os.environ["DIGEST_DATA_DIR"]) / "digest.sqlite3.send-lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = send(config, "--to", "ann@example.com")
    assert result.code == 1
    assert "another digest send is running" in result.stderr
    assert server.inbox.messages == []
    assert send(config, "--to", "ann@example.com").code == 0


# -- TLS and AUTH -----------------------------------------------------------------------


def test_starttls_with_auth(sample_copy: Path, certificate: Certificate) -> None:
    auth = Authenticator("digest", PASSWORD)
    mail = start_server(starttls=certificate, authenticator=auth)
    try:
        config = mail_config(
            sample_copy,
            mail.port,
            smtp=f'security = "starttls"\nusername = "digest"\ncafile = "{certificate.cert}"',
        )
        env = {"DIGEST_SMTP_PASSWORD": PASSWORD}
        result = send(config, "--to", "ann@example.com", "--to", "b@x.org", env=env)
        assert result.code == 0, result.stderr
        assert auth.attempts == [("digest", True)]  # one session, one login
        assert_same_issue(mail.inbox.messages, config)
        assert PASSWORD not in result.stderr + result.stdout

        # the password never leaves the environment: not printed even in a dry run
        dry = send(config, "--to", "c@x.org", "--dry-run", env=env)
        assert dry.code == 0 and PASSWORD not in dry.stdout + dry.stderr
        assert "login as digest" in dry.stdout

        wrong = send(config, "--to", "c@x.org", env={"DIGEST_SMTP_PASSWORD": "wrong-guess"})
        assert wrong.code == 1
        assert (
            "SMTP login to 127.0.0.1:" in wrong.stderr and "as digest failed: 535" in wrong.stderr
        )
        assert "wrong-guess" not in wrong.stderr

        missing = send(config, "--to", "c@x.org")
        assert missing.code == 2
        assert "$DIGEST_SMTP_PASSWORD is empty" in missing.stderr
        assert len(mail.inbox.messages) == 2
    finally:
        mail.stop()


def test_starttls_certificate_is_verified_by_default(
    sample_copy: Path, certificate: Certificate
) -> None:
    mail = start_server(starttls=certificate)
    try:
        config = mail_config(sample_copy, mail.port, smtp='security = "starttls"')
        result = send(config, "--to", "ann@example.com")
        assert result.code == 1
        assert "TLS certificate of 127.0.0.1:" in result.stderr
        assert "set [smtp] cafile" in result.stderr
        assert mail.inbox.messages == []
        # verify = false is an explicit opt-out, and the dry run says so
        config = mail_config(sample_copy, mail.port, smtp='security = "starttls"\nverify = false')
        assert "certificate NOT checked" in send(config, "--to", "a@x.org", "--dry-run").stdout
        assert send(config, "--to", "ann@example.com").code == 0
        assert len(mail.inbox.messages) == 1
    finally:
        mail.stop()


def test_starttls_is_never_skipped(sample_copy: Path, server: MailServer) -> None:
    config = mail_config(sample_copy, server.port, smtp='security = "starttls"')
    result = send(config, "--to", "ann@example.com")
    assert result.code == 1
    assert "does not offer STARTTLS" in result.stderr and "not sending in clear text" in (
        result.stderr
    )
    assert server.inbox.messages == []


def test_implicit_tls(sample_copy: Path, certificate: Certificate) -> None:
    mail = start_server(implicit_tls=certificate)
    try:
        config = mail_config(
            sample_copy, mail.port, smtp=f'security = "tls"\ncafile = "{certificate.cert}"'
        )
        result = send(config, "--to", "ann@example.com")
        assert result.code == 0, result.stderr
        assert_same_issue(mail.inbox.messages, config)
    finally:
        mail.stop()


def test_password_over_clear_text_only_to_loopback(sample_copy: Path) -> None:
    config = mail_config(sample_copy, 2525, smtp='host = "mail.example.com"\nusername = "u"')
    result = send(config, "--to", "a@x.org", env={"DIGEST_SMTP_PASSWORD": PASSWORD})
    assert result.code == 2
    assert "would send the password to mail.example.com in clear text" in result.stderr


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_auth_without_tls_on_loopback(sample_copy: Path) -> None:
    auth = Authenticator("digest", PASSWORD)
    mail = start_server(authenticator=auth, auth_require_tls=False)
    try:
        config = mail_config(sample_copy, mail.port, smtp='username = "digest"')
        result = send(config, "--to", "a@x.org", env={"DIGEST_SMTP_PASSWORD": PASSWORD})
        assert result.code == 0, result.stderr
        assert auth.attempts == [("digest", True)]
        assert len(mail.inbox.messages) == 1
    finally:
        mail.stop()


def test_an_unconfirmed_recipient_gets_the_same_message_id_on_resume(
    sample_copy: Path, server: MailServer
) -> None:
    """Killed between the server's "250" and the ledger's commit: the resend carries the
    same Message-ID, so the receiving system can drop the duplicate."""
    config = mail_config(sample_copy, server.port)
    assert send(config, "--to", "ann@example.com").code == 0
    with state_db() as db:  # what such a kill leaves behind
        db.execute("UPDATE sends SET status = 'sending' WHERE recipient = 'ann@example.com'")
    resumed = send(config, "--to", "ann@example.com")
    assert resumed.code == 0, resumed.stderr
    first, second = (m.message for m in server.inbox.messages)
    assert first["Message-ID"] == second["Message-ID"]


def test_a_resume_with_changed_content_is_flagged(sample_copy: Path, server: MailServer) -> None:
    config = mail_config(sample_copy, server.port)
    assert send(config, "--to", "ann@example.com").code == 0
    text = config.read_text("utf-8")
    config.write_text(text.replace("[digest]\n", '[digest]\npreheader = "Changed"\n', 1))
    result = send(config, "--to", "ann@example.com", "--to", "bo@example.com")
    assert result.code == 0, result.stderr
    assert "this issue's content differs from what earlier recipients got" in result.stderr
    assert [m.rcpt_tos for m in server.inbox.messages] == [["ann@example.com"], ["bo@example.com"]]
