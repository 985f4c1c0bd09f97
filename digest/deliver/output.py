"""Writing output: stdout, or a file replaced atomically (temporary file, then rename), so an
interrupted run never leaves a half-written digest."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import DigestError


def write_output(content: str | bytes, output: Path | None) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(output, data)


def write_atomically(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise DigestError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise DigestError(f"cannot write {path}: {err.strerror or err}") from None
        raise
