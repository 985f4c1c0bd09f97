"""Writing output: stdout, or a file replaced atomically (temporary file, then rename), so an
interrupted run never leaves a half-written digest.

The new file gets the mode of the file it replaces (so a ``0640`` digest stays ``0640``), or
``0666`` less the umask for a new file, like any other program's output; ``mkstemp``'s
private ``0600`` never leaks out. A symlinked target keeps its link: the file it points at
is replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

from ..errors import DigestError, UsageError

TEMP_SUFFIX = ".tmp"
# A temporary file this old next to the target was left by a killed run (SIGKILL, power
# loss): nothing can clean up after those but the next write.
STALE_TEMP_SECONDS = 3600


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


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never a part.

    The temporary file lives in the target's folder (a rename is atomic only within one
    file system) and is removed on any failure, including Ctrl-C and SIGTERM (the CLI
    turns SIGTERM into an exception so this cleanup runs)."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    mode = _mode_for(path)
    _remove_stale_temps(folder, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    except OSError as err:
        raise DigestError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            _chmod(fh.fileno(), tmp, mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise DigestError(f"cannot write {path}: {err.strerror or err}") from None
        raise
    _fsync_folder(folder)


def _mode_for(path: Path) -> int:
    """The existing file's permission bits, else what ``open()`` would give a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (``os.umask`` can
    only be read by setting it, which races with other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chmod(fd: int, name: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # pragma: no cover - Windows
        os.chmod(name, mode)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temps(folder: Path, name: str) -> None:
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f".{_glob_escape(name)}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and leftover.lstat().st_mtime < cutoff:
                    leftover.unlink()


def _glob_escape(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)
