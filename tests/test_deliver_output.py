"""Atomic output: the target is replaced whole or not at all, keeps its mode (or honours
the umask), and no temporary file is left behind by a failure, Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest import files
from digest.deliver.output import write_output
from digest.errors import DigestError
from digest.files import current_umask, write_atomically

from .helpers import SAMPLE_DATE, run_digest

OLD = b"<html>last week's issue</html>\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        write_atomically(tmp_path / "a.html", b"new")
        os.umask(0o002)
        write_atomically(tmp_path / "b.html", b"new")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.html") == 0o640  # not mkstemp's 0600, not a fixed 0644
    assert mode(tmp_path / "b.html") == 0o664
    assert (tmp_path / "a.html").read_bytes() == b"new"


def test_replacing_keeps_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "digest.html"
    target.write_bytes(OLD)
    target.chmod(0o604)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o604
    assert leftovers(tmp_path) == []


def test_a_symlinked_target_keeps_its_link(tmp_path: Path) -> None:
    real = tmp_path / "published" / "digest.html"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    write_atomically(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "digest.html"
    target.write_bytes(OLD)

    def broken_fsync(fd: int) -> None:
        raise failure

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    expected = DigestError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as info:
        write_atomically(target, b"half of the new issue")
    if isinstance(failure, OSError):
        assert str(info.value) == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_an_unwritable_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match=r"cannot write .*missing.*No such file or directory"):
        write_atomically(tmp_path / "missing" / "digest.html", b"x")


def test_stdout_gets_the_bytes(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    write_output("héllo", None)
    write_output(b"\x00raw", Path("-"))
    assert capfdbinary.readouterr().out == "héllo".encode() + b"\x00raw"


# -- a real `digest build -o` interrupted by a signal -----------------------------------

# Runs the real CLI, but parks it inside the write (after the data, before the rename)
# once it reaches the output's folder, and says so on stderr.
PARKED_CHILD = """
import os, sys, time
folder = os.path.realpath(sys.argv[1])
real_fsync = os.fsync
def parked_fsync(fd):
    if os.path.dirname(os.readlink(f"/proc/self/fd/{fd}")) == folder:
        sys.stderr.write("PARKED\\n"); sys.stderr.flush()
        time.sleep(60)
    real_fsync(fd)
os.fsync = parked_fsync
sys.argv = ["digest", *sys.argv[2:]]
from digest.cli import main
main()
"""


def park_build(target: Path, config: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", PARKED_CHILD, str(target.parent), "build", "-c", str(config),
         "--date", SAMPLE_DATE, "-o", str(target)],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.strip() == b"PARKED":
            return proc
    proc.wait(10)
    raise AssertionError(f"the build never reached the write (exit {proc.returncode})")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_sigterm_mid_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, sample_copy: Path
) -> None:
    target = tmp_path / "out" / "digest.html"
    target.parent.mkdir()
    target.write_bytes(OLD)
    proc = park_build(target, sample_copy)
    assert leftovers(target.parent)  # the new issue is on disk, not yet in place
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"digest: terminated" in err and b"Traceback" not in err
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_sigkill_mid_write_leaves_the_old_file_and_the_next_run_cleans_up(
    tmp_path: Path, sample_copy: Path
) -> None:
    target = tmp_path / "out" / "digest.html"
    target.parent.mkdir()
    target.write_bytes(OLD)
    proc = park_build(target, sample_copy)
    proc.kill()  # nothing can clean up after SIGKILL...
    proc.communicate(timeout=20)
    assert target.read_bytes() == OLD
    [stale] = leftovers(target.parent)
    fresh_neighbour = target.parent / f".{target.name}.another.tmp"  # a concurrent writer's
    fresh_neighbour.write_bytes(b"")
    hours_ago = time.time() - 2 * 3600
    os.utime(target.parent / stale, (hours_ago, hours_ago))
    # ...but the next write removes the stale temporary file it left
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE, "-o", str(target))
    assert result.code == 0, result.stderr
    assert b"Hot this week" in target.read_bytes()
    assert leftovers(target.parent) == [fresh_neighbour.name]
