"""The ``digest`` command line: parse options, call the library, map errors to exit codes.

Only typer and this package's light modules load at start-up; each command imports what
it needs (pydantic models, lxml, premailer, httpx...) when it runs, so ``--help`` is fast.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from . import __version__
from .errors import ConfigError, DigestError, ExitCode, NotEnoughStories

if TYPE_CHECKING:
    from .config import Config, HttpSection, SummarySection
    from .pipeline import BuildOptions

T = TypeVar("T")

# What writing stdout can fail with besides EPIPE: a full disk or quota, a dead terminal.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}

# The one place errors become exit codes (the first matching class wins).
EXIT_CODES: tuple[tuple[type[DigestError], ExitCode], ...] = (
    (NotEnoughStories, ExitCode.TOO_FEW),
    (ConfigError, ExitCode.USAGE),
    (DigestError, ExitCode.FAILED),
)

app = typer.Typer(
    name="digest",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: rich markup would eat "[health]" as a style tag, label every flag
    # "<bool>" and keep a docstring's line breaks mid-sentence.
    rich_markup_mode=None,
)


class Format(StrEnum):
    html = "html"
    text = "text"
    eml = "eml"
    json = "json"


# -- shared options ---------------------------------------------------------------------

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file. Default: $DIGEST_CONFIG, else ./digest.toml, else the bundled sample.",
        show_default=False,
        dir_okay=False,
    ),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        "-d",
        help="Issue date, YYYY-MM-DD. Default: today in the config's time zone. "
        "The issue covers the seven days ending on it.",
        show_default=False,
        metavar="YYYY-MM-DD",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        help="First day to include (overrides the week's start).",
        metavar="YYYY-MM-DD",
        show_default=False,
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        help="Last day to include (overrides the issue date as the week's end).",
        metavar="YYYY-MM-DD",
        show_default=False,
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help="Fail (exit 1) if any source or the weather fails, instead of warning."
    ),
]
NoHistoryOpt = Annotated[
    bool,
    typer.Option(
        "--no-history",
        help="Ignore the history: do not leave out what recent issues featured.",
    ),
]
ToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        help="Recipient address (repeat for more). Default: the config's email.to list.",
        metavar="ADDRESS",
        show_default=False,
    ),
]
AllowShortOpt = Annotated[
    bool,
    typer.Option(
        "--allow-short",
        help="Build even with fewer stories than min_stories (else exit 3, writing nothing).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically) instead of stdout; '-' is stdout.",
        show_default=False,
    ),
]


def fail(err: DigestError) -> NoReturn:
    code = next(code for cls, code in EXIT_CODES if isinstance(err, cls))
    for line in str(err).splitlines() or ["failed"]:
        print(f"digest: error: {line}", file=sys.stderr)
    raise typer.Exit(int(code))


def run(action: Callable[[], T]) -> T:
    """Run a command body, turning digest errors into one-line messages and exit codes."""
    try:
        return action()
    except DigestError as err:
        fail(err)
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        raise typer.Exit(130) from None
    except OSError as err:
        # Commands print tables and JSON straight to stdout: a full disk or a dead terminal
        # there is the user's, not a bug. (EPIPE, a reader gone, is click's to end quietly.)
        if isinstance(err, BrokenPipeError) or err.errno not in _WRITE_ERRNOS:
            raise
        _detach_stdout()
        print(f"digest: error: cannot write to stdout: {err.strerror or err}", file=sys.stderr)
        raise typer.Exit(int(ExitCode.FAILED)) from None


def _detach_stdout() -> None:
    """Point fd 1 at the null device, so Python's own flush at exit does not fail again
    (with a second message) on what could not be written."""
    import os

    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def load(config_path: Path | None) -> Config:
    from .config import discover_config

    return discover_config(config_path)


def build_options(
    date_text: str | None,
    since: str | None = None,
    until: str | None = None,
    *,
    strict: bool = False,
    no_history: bool = False,
    allow_short: bool = False,
) -> BuildOptions:
    """The selection options build, send, preview and explain share."""
    from .dates import parse_cli_date
    from .pipeline import BuildOptions

    return BuildOptions(
        issue_date=parse_cli_date(date_text) if date_text else None,
        since=parse_cli_date(since, "--since") if since else None,
        until=parse_cli_date(until, "--until") if until else None,
        strict=strict,
        use_history=not no_history,
        allow_short=allow_short,
    )


# -- commands ---------------------------------------------------------------------------


def _print_version(value: bool) -> None:
    # An eager callback: it runs while the options are parsed, before click asks for a
    # command, so `digest --version` needs none.
    if value:
        print(f"digest {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More detail on stderr.")
    ] = 0,
    quiet: Annotated[
        int, typer.Option("--quiet", "-q", count=True, help="Less on stderr (-qq: errors only).")
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    """Collect the week's articles, rank and summarise them, and render an email-safe digest.

    Output goes to stdout (or -o FILE); notes, warnings and errors go to stderr, so
    `digest build | sendmail -t` works. Exit codes: 0 built, 1 failed, 2 usage or config
    error, 3 too few stories.
    """
    from .log import setup_cli_logging

    setup_cli_logging(verbose - quiet)


@app.command()
def build(
    config: ConfigOpt = None,
    date_: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    format_: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="html: the email body; text: the plain-text part; eml: the whole email "
            "(for `| sendmail -t`); json: the issue as data, for mail-service APIs.",
        ),
    ] = Format.html,
    output: OutputOpt = None,
    strict: StrictOpt = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="This issue is published: record its stories in the history, so the next "
            "issues leave them out. Only after the output was written.",
        ),
    ] = False,
    no_history: NoHistoryOpt = False,
    allow_short: AllowShortOpt = False,
    to: ToOpt = None,
) -> None:
    """Build this week's digest and write it to stdout or --output."""

    def action() -> None:
        from .deliver import formatter
        from .deliver.output import check_output_path, write_output
        from .pipeline import build as build_issue

        check_output_path(output)
        options = build_options(
            date_, since, until, strict=strict, no_history=no_history, allow_short=allow_short
        )
        cfg = load(config)
        render = formatter(cfg, format_.value, to)
        issue = build_issue(cfg, options)
        write_output(render(issue), output)
        if record:
            from .log import info
            from .select.history import record_published

            record_published(cfg.state_path, issue.digest)
            info(
                f"recorded the issue of {issue.digest.issue_date:%Y-%m-%d} "
                f"({len(issue.digest.all_stories)} stories) in {cfg.state_path}"
            )

    run(action)


@app.command()
def send(
    config: ConfigOpt = None,
    date_: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    strict: StrictOpt = False,
    no_history: NoHistoryOpt = False,
    allow_short: AllowShortOpt = False,
    to: ToOpt = None,
    recipients: Annotated[
        Path | None,
        typer.Option(
            "--recipients",
            help="CSV of recipients: an 'email' column, optionally 'name'.",
            metavar="FILE.csv",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show who would get what; send and record nothing."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Send again to recipients who already got this issue."),
    ] = False,
) -> None:
    """Send the issue over SMTP, one message per recipient.

    Builds the issue as `build` does (the same selection options).
    Never twice by accident: a repeat is refused unless --force; a stopped run resumes.

    The server is the config's [smtp] table; the password comes from $DIGEST_SMTP_PASSWORD.
    """

    def action() -> None:
        from .deliver import recipients_for
        from .deliver.addresses import read_recipients_csv, unique
        from .deliver.send import send_issue
        from .errors import UsageError

        if to and recipients:
            raise UsageError("give --to or --recipients, not both")
        options = build_options(
            date_, since, until, strict=strict, no_history=no_history, allow_short=allow_short
        )
        cfg = load(config)
        if recipients is not None:
            addresses = unique(read_recipients_csv(recipients)).addresses
        else:
            addresses = recipients_for(cfg, to)
        send_issue(cfg, options, addresses, force=force, dry_run=dry_run)

    run(action)


@app.command()
def preview(
    config: ConfigOpt = None,
    date_: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    strict: StrictOpt = False,
    no_history: NoHistoryOpt = False,
    allow_short: AllowShortOpt = False,
    port: Annotated[
        int,
        typer.Option(
            "--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."
        ),
    ] = 8765,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
) -> None:
    """Serve a live preview on 127.0.0.1; it rebuilds on changes.

    It rebuilds when the config, the theme or a local source changes. The page shows the
    HTML at 600 px and 375 px side by side; /digest.txt is the text part.
    """

    def action() -> None:
        from .config import find_config
        from .preview import Preview, serve

        def make_options() -> BuildOptions:
            return build_options(
                date_, since, until, strict=strict, no_history=no_history, allow_short=allow_short
            )

        from .log import info

        make_options()  # check the dates now
        config_path, how = find_config(config)
        if how == "bundled":
            info(f"previewing the bundled sample config ({config_path})")
        session = Preview(
            config_path=config_path,
            make_options=make_options,
            port=port,
        )
        serve(session, open_browser=not no_open)

    run(action)


@app.command()
def weather(
    config: ConfigOpt = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the reading as JSON instead of the strip.")
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Ask the provider even if the cached reading is fresh."),
    ] = False,
) -> None:
    """Print the weather strip as the digest would show it.

    To check a [weather] setup: it uses and updates the cache like a build; exit 1 if no
    reading can be obtained.
    """

    def action() -> None:
        from datetime import UTC, datetime

        from .weather import format_strip, require_weather

        cfg = load(config)
        report = require_weather(
            cfg.weather, datetime.now(UTC), cache_dir=cfg.cache_dir, refresh=refresh
        )
        text = report.model_dump_json(indent=2) if json_ else format_strip(report)
        sys.stdout.buffer.write((text + "\n").encode("utf-8"))
        sys.stdout.buffer.flush()

    run(action)


@app.command()
def explain(
    config: ConfigOpt = None,
    date_: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    no_history: NoHistoryOpt = False,
    json_: Annotated[
        bool, typer.Option("--json", help="A machine-readable manifest instead of the table.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=0, help="Rows per table (0 = all). The --json manifest has them all."
        ),
    ] = 40,
    strict: StrictOpt = False,
) -> None:
    """Show why each article is in this week's issue, or not.

    Every candidate with each ranking signal's contribution, its score and its status
    (lead, selected, or why it was left out), then the articles left out before ranking."""

    def action() -> None:
        from .pipeline import gather
        from .select.explain import manifest, print_table

        options = build_options(date_, since, until, strict=strict, no_history=no_history)
        options.record_health = False  # a look at the issue, not a run
        cfg = load(config)
        _, selection, issue_date, window = gather(cfg, options)
        data = manifest(selection, cfg, issue_date, window)
        if json_:
            import json

            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            print_table(data, sys.stdout, limit=limit)

    run(action)


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="HTML email file(s) to check; '-' reads stdin.", metavar="FILE", show_default=False
        ),
    ],
) -> None:
    """Lint any HTML email, ours or not, for mail-client problems.

    Size against Gmail's clipping, forbidden elements, <style> rules other than media
    queries, images, unsafe or relative URLs, lang, charset, preheader, unsubscribe. One
    'SEVERITY rule: message' line per finding on stdout; exit 1 on errors, 2 if a file
    cannot be read."""

    def action() -> None:
        from .files import read_bounded
        from .log import info
        from .render.check import MAX_CHECKED_BYTES, check_html, check_oversized, has_errors

        failed = unreadable = False
        for path in files:
            name = "<stdin>" if str(path) == "-" else str(path)
            try:
                if name == "<stdin>":
                    data = sys.stdin.buffer.read(MAX_CHECKED_BYTES + 1)
                    size = len(data)
                else:
                    data, size = read_bounded(path, MAX_CHECKED_BYTES)
            except OSError as err:  # report it, and check the other files
                reason = {FileNotFoundError: "file not found", IsADirectoryError: "is a folder"}
                why = reason.get(type(err)) or f"cannot read: {err.strerror or err}"
                print(f"digest: error: {path}: {why}", file=sys.stderr)
                unreadable = True
                continue
            findings = check_oversized(size) if size > MAX_CHECKED_BYTES else check_html(data)
            prefix = f"{name}: " if len(files) > 1 else ""
            for finding in findings:
                print(f"{prefix}{finding}")
            errors = sum(f.severity == "error" for f in findings)
            info(f"{name}: {size:,} bytes, {errors} error(s), {len(findings) - errors} warning(s)")
            failed = failed or has_errors(findings)
        if unreadable:
            raise typer.Exit(int(ExitCode.USAGE))
        if failed:
            raise typer.Exit(int(ExitCode.FAILED))

    run(action)


@app.command()
def summarise(
    source: Annotated[
        str,
        typer.Argument(
            help="A file (plain text, Markdown or HTML), an http(s) URL, or '-' for stdin.",
            metavar="FILE|URL|-",
            show_default=False,
        ),
    ] = "-",
    config: ConfigOpt = None,
    chars: Annotated[
        int | None,
        typer.Option(
            "--chars",
            min=40,
            help="Character budget (default: chars in the config's summary table, else 300).",
            show_default=False,
        ),
    ] = None,
    sentences: Annotated[
        int | None,
        typer.Option(
            "--sentences",
            min=1,
            help="At most this many sentences (default: the summary table's sentences, else 3).",
            show_default=False,
        ),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print {title, summary, origin, chars} as JSON.")
    ] = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Batch: read {"id", "text"} lines on stdin, write {"id", "summary", "origin"} lines.',
        ),
    ] = False,
) -> None:
    """Print one article's summary, as the digest would make it."""

    def action() -> None:
        from .summarise.command import read_source, summarise_jsonl, summarise_one

        section, http = _summary_settings(config, chars, sentences)
        if jsonl:
            failed = summarise_jsonl(sys.stdin, sys.stdout, section)
            if failed:
                raise typer.Exit(int(ExitCode.FAILED))
            return
        raw, name = read_source(source, http)
        result = summarise_one(raw, section, name=name)
        if json_:
            import json

            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(result["summary"] + "\n")

    run(action)


@app.command()
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder to set up (created if missing).", metavar="DIR", show_default=False
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist.")
    ] = False,
) -> None:
    """Start a project: a config and a theme to customise.

    Writes DIR/digest.toml and a copy of the default theme in DIR/templates/."""

    def action() -> None:
        from .log import info
        from .render.scaffold import init_project

        for path in init_project(directory, force=force):
            info(f"wrote {path}")
        info(
            f"next: add your [[sources]] to {directory / 'digest.toml'}, then "
            f"digest build -c {directory / 'digest.toml'} -o digest.html"
        )

    run(action)


@app.command()
def sources(config: ConfigOpt = None) -> None:
    """Show each source's health, as the builds recorded it.

    Last success, failures in a row, items in the last read, the last error, the status.
    A source failing [health] failures runs in a row, or with nothing new for
    [health] silent_weeks weeks, is marked unhealthy.
    """

    def action() -> None:
        from .collect.health import print_health_table

        print_health_table(load(config))

    run(action)


def _summary_settings(
    config_path: Path | None, chars: int | None, sentences: int | None
) -> tuple[SummarySection, HttpSection]:
    """The [summary] and [http] sections: from the config when there is one (never the
    bundled sample), with --chars/--sentences on top."""
    from .config import HttpSection, SummarySection, find_config, load_config

    path, how = find_config(config_path)
    cfg = load_config(path) if how != "bundled" else None
    section = cfg.summary if cfg else SummarySection()
    updates = {k: v for k, v in (("chars", chars), ("sentences", sentences)) if v is not None}
    return section.model_copy(update=updates), (cfg.http if cfg else HttpSection())


def main() -> None:
    _terminate_cleanly()
    command = typer.main.get_command(app)
    try:
        code = command.main(prog_name="digest", standalone_mode=False)
    except Exception as err:
        # click's usage errors (a bad option value, a missing argument...) become one line
        # like every other error. Typer may vendor click, so they are known by their shape.
        if not (hasattr(err, "format_message") and isinstance(getattr(err, "exit_code", 0), int)):
            raise
        if type(err).__name__ == "NoArgsIsHelpError":  # bare `digest`: the help, as before
            err.show()  # type: ignore[attr-defined]
            sys.exit(err.exit_code)  # type: ignore[attr-defined]
        print(f"digest: error: {_usage_error_line(err)}", file=sys.stderr)
        code = err.exit_code  # type: ignore[attr-defined]
    sys.exit(_flush_stdout(code if isinstance(code, int) else 0))


def _flush_stdout(code: int) -> int:
    """Flush what the command printed (tables, JSON...) while errors can still be told:
    a full disk must not pass for success. A reader that went away (EPIPE) ends quietly."""
    if sys.stdout is None:
        return code
    try:
        sys.stdout.flush()
    except OSError as err:
        _detach_stdout()
        if err.errno == errno.EPIPE:
            return code or 1
        print(f"digest: error: cannot write to stdout: {err.strerror or err}", file=sys.stderr)
        return code or int(ExitCode.FAILED)
    return code


def _usage_error_line(err: Exception) -> str:
    message = " ".join(err.format_message().split())  # type: ignore[attr-defined]
    message = message.replace("Value error, ", "").rstrip(".")
    ctx = getattr(err, "ctx", None)
    command = ctx.command_path if ctx is not None else "digest"
    option = getattr(err, "option_name", None)
    if option and option.lstrip("-").rstrip("vq") in ("", "verbose", "quiet"):
        name = command.removeprefix("digest").strip() or "build"
        return f"{message}: -v and -q go before the command (digest -v {name} ...)"
    return f"{message} (see '{command} --help')"


def _terminate_cleanly() -> None:
    """SIGTERM (cron's timeout, systemd, ``kill``) unwinds like Ctrl-C, so cleanup runs: no
    half-written output or temporary files, the send ledger consistent."""
    import signal

    def stop(signum: int, frame: object) -> None:
        print("digest: terminated", file=sys.stderr)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":  # pragma: no cover
    main()
