"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, in a thread, with knobs for
the failures a sender must survive (a refused recipient, a 4xx, a dropped connection, a
server that hangs), STARTTLS, implicit TLS and AUTH with a self-signed certificate."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        # SMTP carries CRLF line ends; stored mail (and what a reader sees) has local ones.
        local = self.data.replace(b"\r\n", b"\n")
        parsed = BytesParser(policy=policy.default).parsebytes(local)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Inbox:
    """The aiosmtpd handler: stores accepted messages and misbehaves on request."""

    messages: list[Received] = field(default_factory=list)
    # recipient -> the reply to RCPT TO, forever (e.g. "550 5.1.1 no such user")
    reject: dict[str, str] = field(default_factory=dict)
    # recipient -> replies to give its next RCPT TOs before accepting (e.g. ["451 later"])
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    # drop the connection (no reply) at DATA once this many messages were accepted
    drop_after: int | None = None
    drops: int = 0
    # at DATA once this many messages were accepted, wait until ``release`` is set
    hang_after: int | None = None
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.reject:
            return self.reject[address]
        queue = self.rcpt_replies.get(address)
        if queue:
            return queue.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            self.drop_after = None
            self.drops += 1
            server.transport.close()
            return "421 closing"
        if self.hang_after is not None and len(self.messages) >= self.hang_after:
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            server.transport.close()
            return "421 closing"
        data = envelope.original_content or envelope.content
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1 (valid for a day)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_path, key_path)


class Authenticator:
    """Accepts one user/password; remembers every attempt's user (never the password)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.attempts: list[tuple[str, bool]] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        ok = user == self.user and auth_data.password.decode() == self.password
        self.attempts.append((user, ok))
        return AuthResult(success=ok, handled=False)  # the server replies 535 on failure


@dataclass
class MailServer:
    inbox: Inbox
    controller: Controller
    port: int

    def stop(self) -> None:
        self.inbox.release.set()
        self.controller.stop()


def start_server(
    inbox: Inbox | None = None,
    *,
    starttls: Certificate | None = None,
    implicit_tls: Certificate | None = None,
    authenticator: Callable[..., AuthResult] | None = None,
    auth_require_tls: bool = True,
) -> MailServer:
    inbox = inbox or Inbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls is not None:
        kwargs.update(tls_context=starttls.server_context(), require_starttls=True)
    if authenticator is not None:
        kwargs.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=auth_require_tls,
        )
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=implicit_tls.server_context() if implicit_tls else None,
        **kwargs,
    )
    controller.start()
    return MailServer(inbox, controller, port)
