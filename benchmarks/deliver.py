"""Deliver: what making and sending the sample issue costs, and how fast the preview follows
an edit.

    python benchmarks/deliver.py [--recipients 300] [--edits 10]

- eml: building one per-recipient message (headers, two quoted-printable parts) and
  serialising it, the work `digest send` does for each recipient.
- send: `send_batch` to an aiosmtpd server on 127.0.0.1 (the test suite's), one message
  per recipient, with the ledger committing each recipient before and after its message:
  the floor of a real send, without the network's latency.
- preview (default settings): from a template write to the new HTML being served by `digest preview`
  (watchfiles' event, the rebuild of the sample issue, the swap), median of `--edits`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import load_config  # noqa: E402
from digest.deliver.addresses import parse_address  # noqa: E402
from digest.deliver.ledger import Ledger  # noqa: E402
from digest.deliver.message import Envelope, build_message, message_bytes  # noqa: E402
from digest.deliver.send import plan_send, send_batch  # noqa: E402
from digest.deliver.smtp import SmtpSettings  # noqa: E402
from digest.pipeline import BuildOptions, build  # noqa: E402
from digest.preview import Preview  # noqa: E402
from tests.mailserver import start_server  # noqa: E402

DAY = date(2025, 12, 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "samples"
        shutil.copytree(ROOT / "samples", folder)
        shutil.copytree(ROOT / "templates" / "default", folder / "theme")
        config_path = folder / "digest.toml"
        with config_path.open("a") as fh:
            fh.write('\n[render]\ntemplate_dir = "theme"\n')
        config = load_config(config_path)
        issue = build(config, BuildOptions(issue_date=DAY))
        addresses = [parse_address(f"reader{i}@example.com") for i in range(args.recipients)]

        envelope = Envelope.from_config(config.email)
        start = time.perf_counter()
        sizes = [
            len(message_bytes(build_message(issue, envelope, [a], sent_at=datetime.now(UTC))))
            for a in addresses
        ]
        eml_ms = (time.perf_counter() - start) / len(addresses) * 1000

        server = start_server()
        try:
            smtp = config.smtp.model_copy(
                update={"host": "127.0.0.1", "port": server.port, "security": "none"}
            )
            config = config.model_copy(update={"smtp": smtp})
            ledger = Ledger.open(Path(tmp) / "state.sqlite3")
            plan = plan_send(ledger, DAY, addresses, force=False)
            start = time.perf_counter()
            report = send_batch(config, issue, plan, ledger, SmtpSettings.from_config(smtp))
            send_s = time.perf_counter() - start
            ledger.close()
            assert len(report.sent) == len(server.inbox.messages) == len(addresses)
        finally:
            server.stop()

        preview = Preview(config_path, lambda: BuildOptions(issue_date=DAY), port=0)
        preview.start()
        template = folder / "theme" / "digest.html.j2"
        source = template.read_text()
        latencies = []
        try:
            for edit in range(args.edits):
                marker = f"EDIT-{edit}"
                start = time.perf_counter()
                template.write_text(source.replace("</body>", f"<p>{marker}</p></body>"))
                while True:
                    with urllib.request.urlopen(preview.url + "digest.html") as response:
                        if marker in response.read().decode():
                            break
                    time.sleep(0.005)
                latencies.append(time.perf_counter() - start)
        finally:
            preview.stop()

    print(f"eml: {eml_ms:.2f} ms per message ({statistics.median(sizes):,.0f} bytes)")
    print(
        f"send: {len(addresses)} recipients to loopback SMTP in {send_s:.2f} s"
        f" = {len(addresses) / send_s:.0f} messages/s ({send_s / len(addresses) * 1000:.1f} ms each)"
    )
    print(
        f"preview: template edit to new HTML served in {statistics.median(latencies) * 1000:.0f} ms"
        f" (median of {len(latencies)}, max {max(latencies) * 1000:.0f} ms; it includes the"
        " 50 ms of quiet watchfiles waits for, to take an editor's writes as one change)"
    )


if __name__ == "__main__":
    main()
