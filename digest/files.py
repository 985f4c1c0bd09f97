"""Replacing a file atomically (a temporary file in the same folder, then a rename): the
one way digest writes a file that something else may read at any moment — the digest
itself (``--output``) and the caches (HTTP bodies, prepared themes, weather readings).

Readers see the old file or the new one, never a part. The new file gets the mode of the
file it replaces (so a ``0640`` digest stays ``0640``), or ``0666`` less the umask for a new
file, like any other program's output; ``mkstemp``'s private ``0600`` never leaks out. A
symlinked target keeps its link: the file it points at is replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from pathlib import Path

from .errors import DigestError

TEMP_SUFFIX = ".tmp"
# A temporary file this old next to the target was left by a killed run (SIGKILL, power
# loss): nothing can clean up after those but the next write.
STALE_TEMP_SECONDS = 3600


def read_bounded(path: Path, limit: int) -> tuple[bytes, int]:
    """``(data, size)`` of a file the user named, reading at most ``limit + 1`` bytes.

    ``size > limit`` means too big, and then ``data`` is empty. The size is checked first,
    and the read is bounded too, since a pipe or a device has no size to check. OSError
    (missing file, a folder...) is the caller's to word."""
    size = path.stat().st_size
    if size > limit:
        return b"", size
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return (data, len(data)) if len(data) <= limit else (b"", len(data))


def write_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data``; ``DigestError`` (one line) if it cannot be written.

    The temporary file lives in the target's folder (a rename is atomic only within one
    file system) and is removed on any failure, including Ctrl-C and SIGTERM (the CLI
    turns SIGTERM into an exception so this cleanup runs). ``durable``: the data and the
    rename reach the disk before this returns (``fsync``); a cache can do without."""
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
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise DigestError(f"cannot write {path}: {err.strerror or err}") from None
        raise
    if durable:
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
