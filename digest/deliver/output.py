"""Writing output: stdout, or a file replaced atomically (``digest/files.py``), so an
interrupted run never leaves a half-written digest."""

from __future__ import annotations

import sys
from pathlib import Path

from ..files import write_atomically


def write_output(content: str | bytes, output: Path | None) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(output, data)
