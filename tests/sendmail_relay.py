"""A ``sendmail -t`` stand-in for the tests: reads a message on stdin, takes the recipients
from its To, Cc and Bcc headers, and relays the bytes unchanged with smtplib to the SMTP
server at ``$RELAY_PORT`` on 127.0.0.1, as sendmail, msmtp or ssmtp would to a smarthost.

    digest build --format eml | python tests/sendmail_relay.py -t
"""

from __future__ import annotations

import os
import smtplib
import sys
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses


def main(argv: list[str]) -> int:
    if "-t" not in argv:
        print("sendmail_relay: only -t (recipients from the headers) is supported", file=sys.stderr)
        return 64  # EX_USAGE, as sendmail
    raw = sys.stdin.buffer.read()
    msg = BytesParser(policy=policy.SMTP).parsebytes(raw)
    recipients = [
        addr
        for _, addr in getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in msg.get_all(h, [])]
        )
    ]
    if msg["Bcc"]:
        print("sendmail_relay: Bcc is not supported (it would have to be removed)", file=sys.stderr)
        return 65
    if not recipients:
        print("sendmail_relay: no recipients found in the headers", file=sys.stderr)
        return 65  # EX_DATAERR
    sender = getaddresses([str(msg["From"])])[0][1] if msg["From"] else "root@localhost"
    with smtplib.SMTP("127.0.0.1", int(os.environ["RELAY_PORT"]), timeout=10) as smtp:
        smtp.sendmail(sender, recipients, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
