"""SMTP: one connection per batch (reconnecting when it drops), and every failure sorted
into the three kinds the sender acts on.

- ``TransientFailure``: try again later (a 4xx reply, a dropped connection, a timeout).
- ``PermanentFailure``: this recipient cannot get it (a 5xx reply to RCPT or DATA).
- ``DeliveryError``: nobody can get it (the server refuses our login, our sender address
  or TLS); the batch stops.

The password comes only from ``$DIGEST_SMTP_PASSWORD``: never from the config file or the
command line, and it is never printed or logged (smtplib's debug output stays off).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    from ..config import SmtpSection

PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class TransientFailure(Exception):
    """Worth retrying. ``connection`` is true when the link itself failed (no reply)."""

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentFailure(Exception):
    """This recipient was refused for good (a 5xx reply)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30
    verify: bool = True
    cafile: Path | None = None

    @classmethod
    def from_config(cls, smtp: SmtpSection, env: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if env is None else env
        password = env.get(PASSWORD_ENV) or None
        if smtp.username and password is None:
            raise ConfigError(
                f"[smtp] username is set but ${PASSWORD_ENV} is empty: "
                "export the password in that environment variable"
            )
        if smtp.username and smtp.security == "none" and not _is_loopback(smtp.host):
            raise ConfigError(
                f"[smtp] security = 'none' would send the password to {smtp.host} in clear "
                "text: use 'starttls' or 'tls'"
            )
        if smtp.cafile is not None and not smtp.cafile.is_file():
            raise ConfigError(f"[smtp] cafile: file not found: {smtp.cafile}")
        return cls(
            host=smtp.host,
            port=smtp.port or DEFAULT_PORTS[smtp.security],
            security=smtp.security,
            username=smtp.username,
            password=password if smtp.username else None,
            timeout=smtp.timeout,
            verify=smtp.verify,
            cafile=smtp.cafile,
        )

    def describe(self) -> str:
        login = f", login as {self.username}" if self.username else ""
        checked = "" if self.verify or self.security == "none" else ", certificate NOT checked"
        return f"{self.host}:{self.port} ({self.security}{login}{checked})"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _reply(err: smtplib.SMTPResponseException) -> str:
    text = err.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{err.smtp_code} {' '.join(str(text).split())}".strip()


def _by_code(code: int, message: str) -> Exception:
    return TransientFailure(message) if 400 <= code < 500 else PermanentFailure(message)


class SmtpConnection:
    """A lazily opened SMTP session; ``send`` reconnects if the last one was lost."""

    def __init__(self, settings: SmtpSettings, *, local_hostname: str | None = None) -> None:
        self.settings = settings
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(polite=True)

    def close(self, *, polite: bool = False) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if polite:
                smtp.quit()
            else:
                smtp.close()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.host,
                s.port,
                local_hostname=self.local_hostname,
                timeout=s.timeout,
                context=s.ssl_context(),
            )
        else:
            smtp = smtplib.SMTP(
                s.host, s.port, local_hostname=self.local_hostname, timeout=s.timeout
            )
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"the SMTP server {s.host}:{s.port} does not offer STARTTLS "
                        "([smtp] security = 'starttls'); not sending in clear text"
                    )
                smtp.starttls(context=s.ssl_context())
                smtp.ehlo()
            if s.username:
                if not smtp.has_extn("auth"):
                    raise DeliveryError(
                        f"the SMTP server {s.host}:{s.port} offers no login (AUTH) "
                        f"but [smtp] username is set"
                    )
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Send ``msg`` to ``recipient`` (the envelope; the headers are the message's)."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            if self._smtp is None:
                self._smtp = self._open()
            self._smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as err:
            code, text = err.recipients.get(recipient) or next(iter(err.recipients.values()))
            reply = f"{code} {' '.join(text.decode('utf-8', 'replace').split())}"
            raise _by_code(code, reply) from None
        except smtplib.SMTPAuthenticationError as err:
            self.close()
            if 400 <= err.smtp_code < 500:
                raise TransientFailure(f"login: {_reply(err)}") from None
            raise DeliveryError(
                f"SMTP login to {where} as {s.username} failed: {_reply(err)}"
            ) from None
        except smtplib.SMTPSenderRefused as err:
            if 400 <= err.smtp_code < 500:
                raise TransientFailure(f"sender refused: {_reply(err)}") from None
            raise DeliveryError(
                f"the SMTP server {where} refused the sender {sender}: {_reply(err)}"
            ) from None
        except smtplib.SMTPConnectError as err:
            self.close()
            if 400 <= err.smtp_code < 500:
                raise TransientFailure(_reply(err), connection=True) from None
            raise DeliveryError(f"the SMTP server {where} refused us: {_reply(err)}") from None
        except smtplib.SMTPResponseException as err:  # DATA, HELO, ...: about this message
            if err.smtp_code == 421:  # "service closing": the session is over
                self.close()
                raise TransientFailure(_reply(err), connection=True) from None
            raise _by_code(err.smtp_code, _reply(err)) from None
        except smtplib.SMTPNotSupportedError as err:
            self.close()
            raise DeliveryError(f"the SMTP server {where}: {err}") from None
        except ssl.SSLCertVerificationError as err:
            self.close()
            raise DeliveryError(
                f"TLS certificate of {where} not trusted ({err.verify_message}); "
                "set [smtp] cafile to its CA, or verify = false"
            ) from None
        except ssl.SSLError as err:
            self.close()
            raise DeliveryError(
                f"TLS with {where} failed ({err.reason or err}); check [smtp] security and port "
                f"('tls' is implicit TLS, usually port 465; 'starttls' usually 587)"
            ) from None
        except smtplib.SMTPServerDisconnected as err:
            self.close()
            raise TransientFailure(f"connection lost: {err}", connection=True) from None
        except smtplib.SMTPException as err:  # e.g. "No suitable authentication method"
            self.close()
            raise DeliveryError(f"SMTP with {where}: {err}") from None
        except OSError as err:  # refused, unreachable, timed out, name not found
            self.close()
            reason = err.strerror or str(err) or type(err).__name__
            raise TransientFailure(f"cannot talk to {where}: {reason}", connection=True) from None
