"""What a demanding editor runs into: odd options, odd files, odd terminals.

Every test drives the real command (``python -m digest``) and checks the three things a
cron job sees: the exit code, stderr (one ``digest: ...`` line per problem, never a
traceback) and stdout (only the real output).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest import __version__

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, run_digest


def assert_one_line_error(stderr: str, *needles: str) -> None:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("digest: error: ")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--date", "9999-12-31"),
        ("--date", "0001-01-01"),
        ("--date", SAMPLE_DATE, "--until", "9999-12-31"),
        ("--date", SAMPLE_DATE, "--since", "0001-01-01"),
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_a_usage_error(args: tuple[str, ...]) -> None:
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), *args)
    assert result.code == 2
    assert_one_line_error(result.stderr, args[-2], args[-1])
    assert result.stdout == ""


def test_an_impossible_date_says_why() -> None:
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", "2025-02-30")
    assert result.code == 2
    assert_one_line_error(result.stderr, "--date", "'2025-02-30'", "day is out of range")


def test_version_prints_the_version() -> None:
    result = run_digest("--version")
    assert result.code == 0, result.stderr
    assert result.stdout == f"digest {__version__}\n"
    assert result.stderr == ""


def test_version_needs_no_config(tmp_path: Path) -> None:
    result = run_digest("--version", cwd=tmp_path, env={"DIGEST_CONFIG": str(tmp_path / "x")})
    assert result.code == 0 and result.stdout.startswith("digest ")


# -- digest summarise: what it reads ---------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (like `truncate -s 2G`)."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def test_summarise_refuses_a_huge_file_at_once(tmp_path: Path) -> None:
    huge = _sparse(tmp_path / "huge.txt", 2 << 30)
    result = run_digest("summarise", str(huge), timeout=30)
    assert result.code == 1
    assert_one_line_error(result.stderr, "huge.txt", "2 GB", "20 MB cap")
    assert result.stdout == ""


def test_summarise_refuses_huge_stdin(tmp_path: Path) -> None:
    result = run_digest("summarise", stdin=b"word " * (5 << 20), timeout=30)
    assert result.code == 1
    assert_one_line_error(result.stderr, "stdin", "20 MB cap")


def test_summarise_refuses_binary_data(tmp_path: Path) -> None:
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 64)
    result = run_digest("summarise", str(blob))
    assert result.code == 1
    assert_one_line_error(result.stderr, "photo.jpg", "not text")
    assert result.stdout == ""


def test_summarise_names_a_file_it_cannot_decode(tmp_path: Path) -> None:
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"Caf\xe9 society returns to the old town.")
    result = run_digest("summarise", str(latin))
    assert result.code == 1
    assert_one_line_error(result.stderr, "latin.md: cannot decode the text as utf-8")


def test_summarise_of_an_empty_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n")
    result = run_digest("summarise", str(empty))
    assert result.code == 1
    assert_one_line_error(result.stderr, "empty.md", "nothing to summarise")
    assert result.stdout == ""


# -- digest check: what it reads -------------------------------------------------------


def test_check_does_not_load_a_huge_file(tmp_path: Path) -> None:
    huge = _sparse(tmp_path / "huge.html", 2 << 30)
    result = run_digest("check", str(huge), timeout=30)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("ERROR size: 2,147,483,648 bytes")
    assert "not checked further" in result.stdout


def test_check_reads_the_other_files_when_one_is_missing(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text("<!doctype html><html><body><p>Hi</p></body></html>")
    result = run_digest("check", str(tmp_path / "gone.html"), str(good))
    assert result.code == 2
    assert_one_line_error(result.stderr, "gone.html", "file not found")
    assert f"digest: {good}: 50 bytes" in result.stderr  # the second file was still checked


# -- the command line itself: usage errors and help ------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("build", "--format", "pdf"), ("--format", "'pdf'", "digest build --help")),
        (("build", "--bogus"), ("--bogus", "digest build --help")),
        (("build", "-c", "."), ("--config", "is a directory")),
        (("explain", "--limit", "-1"), ("--limit",)),
        (("check",), ("Missing argument",)),
        (("bild",), ("No such command 'bild'",)),
        (("-v",), ("Missing command", "digest --help")),
    ],
)
def test_a_usage_error_is_one_line(args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    result = run_digest(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert_one_line_error(result.stderr, *needles)
    assert "Value error" not in result.stderr


def test_no_arguments_shows_the_help() -> None:
    result = run_digest()
    assert "Usage: digest [OPTIONS] COMMAND" in result.stdout + result.stderr
    assert "build" in result.stdout + result.stderr


COMMANDS = ("build", "send", "preview", "weather", "explain", "check", "summarise", "init")


@pytest.mark.parametrize("command", [*COMMANDS, "sources"])
def test_help_reads_well(command: str) -> None:
    result = run_digest(command, "--help", env={"COLUMNS": "80"})
    assert result.code == 0
    text = result.stdout
    assert text.startswith(f"Usage: digest {command}")
    # A flag takes no value: no type label after it, which would suggest `--strict true`.
    assert "<bool>" not in text and "<int>" not in text
    assert all(len(line) <= 80 for line in text.splitlines()), text


def test_help_keeps_config_table_names() -> None:
    # rich markup once swallowed "[health]" as a style tag
    text = run_digest("sources", "--help").stdout
    assert "[health] failures" in " ".join(text.split())


def test_the_command_list_has_whole_summaries() -> None:
    text = run_digest("--help", env={"COLUMNS": "100"}).stdout
    listed = text[text.index("Commands:") :].splitlines()[1:]
    assert len(listed) == 9, text
    for line in listed:
        assert not line.rstrip().endswith(("...", ",")), line


def test_verbose_after_the_command_says_where_it_goes() -> None:
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), "-v")
    assert result.code == 2
    assert_one_line_error(result.stderr, "-v", "before the command", "digest -v build")


# -- digest build -o ---------------------------------------------------------------------


def test_output_into_a_missing_folder_fails_before_building(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "issue.html"
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", str(target))
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"digest: error: -o {target}: the folder {target.parent} does not exist"
    ]  # one line, and nothing was collected first
    assert not target.parent.exists()


def test_output_onto_a_folder_fails_before_building(tmp_path: Path) -> None:
    result = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", str(tmp_path)
    )
    assert result.code == 2
    assert result.stderr.splitlines() == [f"digest: error: -o {tmp_path}: is a folder, not a file"]


def test_an_empty_week_names_its_first_and_last_day(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_text('<rss version="2.0"><channel><title>t</title></channel></rss>')
    cfg = tmp_path / "digest.toml"
    cfg.write_text(f'[[sources]]\ntype = "feed"\npath = "{feed}"\n')
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE)
    assert result.code == 1
    # the same inclusive days as --since/--until and `digest explain` (not the day after)
    assert_one_line_error(result.stderr, "no articles dated 2025-11-29 .. 2025-12-05")


def test_no_sources_at_all_says_so(tmp_path: Path) -> None:
    cfg = tmp_path / "digest.toml"
    cfg.write_text('[digest]\ntitle = "Empty"\n')
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE)
    assert result.code == 2
    assert_one_line_error(result.stderr, str(cfg), "no [[sources]]")


# -- tables in a narrow terminal -------------------------------------------------------


def run_in_terminal(*args: str, columns: int, cwd: Path | None = None) -> str:
    """Run digest with stdout on a pseudo-terminal ``columns`` wide (as `script` would);
    returns what the terminal showed, escape sequences removed."""
    import fcntl
    import os
    import pty
    import re
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env={**env, "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_explain_in_a_narrow_terminal_lists_each_candidate_readably() -> None:
    shown = run_in_terminal(
        "explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--limit", "3", columns=40
    )
    lines = shown.splitlines()
    assert lines, shown
    assert all(len(line) <= 40 for line in lines), shown
    assert "┃" not in shown  # no table squeezed to a letter per column
    # whole words of the lead's headline and its score and status are there to read
    assert "Batam data-centre park lands" in " ".join(shown.split())
    assert re.search(r"lead · score \d+\.\d\d", shown), shown
    assert "recency" in shown and "×0.5" in shown


def test_explain_in_a_wide_terminal_or_a_pipe_is_a_table() -> None:
    wide = run_in_terminal(
        "explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--limit", "3", columns=200
    )
    assert re.search(r"┃\s+# ┃ title", wide), wide
    piped = run_digest("explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    assert re.search(r"┃\s+# ┃ title", piped.stdout)


def test_sources_in_a_narrow_terminal_fits_it(tmp_path: Path) -> None:
    assert run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE).code == 0
    shown = run_in_terminal("sources", "-c", str(SAMPLE_CONFIG), columns=40)
    lines = shown.splitlines()
    assert all(len(line) <= 40 for line in lines), shown
    assert "Regional Wire (feed): ok" in shown
    assert "items 21" in " ".join(shown.split())
    wide = run_in_terminal("sources", "-c", str(SAMPLE_CONFIG), columns=120)
    assert "┃ source" in wide


# -- the state database ----------------------------------------------------------------


def test_a_corrupt_history_says_how_to_build_without_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "digest.sqlite3").write_bytes(b"this is not a database" * 500)
    env = {"DIGEST_DATA_DIR": str(data)}
    args = ("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    result = run_digest(*args, env=env)
    assert result.code == 1
    assert result.stdout == ""
    assert_one_line_error(result.stderr, "digest.sqlite3", "not a database", "--no-history")
    assert run_digest(*args, "--no-history", env=env).code == 0


def test_summarise_jsonl_says_a_line_is_not_json() -> None:
    result = run_digest("summarise", "--jsonl", stdin=b'not json\n{"id": 1, "text": "Fine."}\n')
    assert result.code == 1
    assert result.stderr.startswith("digest: warning: stdin line 1: not JSON (Expecting value")
    assert '"id": 1' in result.stdout


def test_summarise_waiting_on_a_terminal_says_so() -> None:
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "summarise"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    os.write(leader, b"The port grew. It doubled its capacity in a year.\n\x04")
    out, err = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0, err
    assert err.decode().startswith("digest: reading the article from stdin (Ctrl-D to end)")
    assert out.decode() == "The port grew. It doubled its capacity in a year.\n"


def test_summarise_from_a_pipe_adds_no_note() -> None:
    result = run_digest("summarise", stdin=b"The port grew. It doubled its capacity in a year.")
    assert result.code == 0 and result.stderr == ""


# -- init ------------------------------------------------------------------------------


def test_init_onto_a_file_is_a_usage_error(tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    result = run_digest("init", str(existing))
    assert result.code == 2
    assert_one_line_error(result.stderr, f"{existing}: is a file, not a folder")
    assert existing.read_text() == "keep me"


def test_init_twice_names_what_exists(tmp_path: Path) -> None:
    assert run_digest("init", str(tmp_path / "news")).code == 0
    again = run_digest("init", str(tmp_path / "news"))
    assert again.code == 2
    assert_one_line_error(again.stderr, "digest.toml", "and 13 more already exist")


# -- files that are far too big for what they claim to be ----------------------------


def test_a_huge_config_file_is_refused_at_once(tmp_path: Path) -> None:
    huge = _sparse(tmp_path / "digest.toml", 2 << 30)
    result = run_digest("build", "-c", str(huge), timeout=30)
    assert result.code == 2
    assert_one_line_error(result.stderr, str(huge), "2 GB", "not a config")


def test_a_huge_recipients_file_is_refused_at_once(tmp_path: Path) -> None:
    huge = _sparse(tmp_path / "list.csv", 2 << 30)
    args = ("send", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--dry-run")
    result = run_digest(*args, "--recipients", str(huge), timeout=30)
    assert result.code == 2
    assert_one_line_error(result.stderr, str(huge), "2 GB", "over the 100 MB")


def test_a_huge_file_in_a_theme_is_refused_at_once(tmp_path: Path, sample_copy: Path) -> None:
    import shutil

    theme = tmp_path / "theme"
    shutil.copytree(SAMPLE_CONFIG.parent.parent / "templates" / "default", theme)
    _sparse(theme / "partials" / "footer.html.j2", 2 << 30)
    with sample_copy.open("a") as fh:
        fh.write(f'\n[render]\ntemplate_dir = "{theme}"\n')
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE, timeout=60)
    assert result.code == 1
    assert_one_line_error(result.stderr, "footer.html.j2", "2 GB", "too large for a template")


@pytest.mark.parametrize(
    "args",
    [
        ("build", "-c", "/dev/zero"),
        ("check", "/dev/zero"),
        ("send", "-c", str(SAMPLE_CONFIG), "--dry-run", "--recipients", "/dev/zero"),
        ("summarise", "/dev/zero"),
    ],
)
def test_an_endless_stream_is_cut_off(args: tuple[str, ...]) -> None:
    # A device or pipe has no size to check first: reading stops at the cap.
    result = (
        run_digest(*args, "--date", SAMPLE_DATE, timeout=60)
        if args[0] in ("build", "send")
        else run_digest(*args, timeout=60)
    )
    assert result.code in (1, 2)
    assert "Traceback" not in result.stderr
    assert "/dev/zero" in result.stderr


# -- where the output goes: devices, pipes, a full disk ------------------------------


def test_output_to_a_named_pipe_writes_into_it_and_keeps_it_a_pipe(tmp_path: Path) -> None:
    # The atomic rename must never replace a device or a pipe with a regular file: as root,
    # `-o /dev/null` replaced /dev/null itself.
    import os
    import stat
    import threading

    fifo = tmp_path / "issue.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    args = ("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-f", "text")
    result = run_digest(*args, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"THE WEEKLY WIRE")
    assert [p.name for p in tmp_path.iterdir()] == ["issue.fifo"]  # no temporary file left


FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.is_char_device(), reason="no /dev/full")


def _run_with_stdout(stdout: int | None, *args: str, close: bool = False) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "digest", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=(lambda: os.close(1)) if close else None,
        timeout=120,
    )
    return proc.returncode, proc.stderr.decode()


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE),
        ("explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE),
        ("weather", "-c", str(SAMPLE_CONFIG)),
        ("sources", "-c", str(SAMPLE_CONFIG)),
    ],
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(args: tuple[str, ...]) -> None:
    with FULL.open("wb") as full:
        code, stderr = _run_with_stdout(full.fileno(), *args)
    assert code == 1
    assert_one_line_error(stderr, "cannot write to stdout", "No space left on device")


def test_a_closed_stdout_is_one_line_and_exit_1() -> None:
    code, stderr = _run_with_stdout(
        None, "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, close=True
    )
    assert code == 1
    assert_one_line_error(stderr, "stdout is closed", "-o FILE")
