"""Writing output: stdout, or a file replaced atomically (``digest/files.py``), so an
interrupted run never leaves a half-written digest. A device or a named pipe is written in
place."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from ..errors import DigestError, UsageError
from ..files import write_atomically


def write_output(content: str | bytes, output: Path | None) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output is None or str(output) == "-":
        write_stdout(data)
    elif _is_device_or_pipe(output):
        _write_in_place(output, data)
    else:
        write_atomically(output, data)


def write_stdout(data: bytes) -> None:
    """``data`` to stdout; a closed stdout or a full disk is a one-line error (a reader
    that went away, EPIPE, is left to the CLI, which exits quietly as other tools do)."""
    if sys.stdout is None:
        raise DigestError("stdout is closed: give -o FILE")
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise DigestError(f"cannot write to stdout: {err.strerror or err}") from None


def _is_device_or_pipe(path: Path) -> bool:
    """``/dev/null``, ``/dev/stdout``, a named pipe: written in place. The atomic rename
    would replace the device itself with a regular file (as root, /dev/null)."""
    try:
        mode = path.stat().st_mode  # follows symlinks, e.g. /dev/stdout
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as fh:
            fh.write(data)
    except OSError as err:
        raise DigestError(f"cannot write {path}: {err.strerror or err}") from None


def check_output_path(output: Path | None) -> None:
    """Refuse an ``-o`` that cannot work before anything is built (a typo'd folder should
    not cost a whole collect first)."""
    if output is None or str(output) == "-":
        return
    if output.is_dir():
        raise UsageError(f"-o {output}: is a folder, not a file")
    folder = output.parent if str(output.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {output}: {folder} is not a folder")
    if not folder.is_dir():
        raise UsageError(f"-o {output}: the folder {folder} does not exist")
