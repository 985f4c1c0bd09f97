"""``digest preview``: the issue in a browser while you edit, rebuilt on every change.

A small HTTP server on 127.0.0.1 (stdlib ``ThreadingHTTPServer``) serves the last good
build: ``/`` shows the HTML at desktop (600 px) and phone (375 px) widths side by side,
``/digest.html`` and ``/digest.txt`` the two parts, ``/status`` the build state as JSON
(the page polls it and reloads when a new build lands). A background thread watches the
config file, the theme folder and the local sources with watchfiles and rebuilds on a
change; a failed build is shown on the page, escaped, and the server keeps running with
the last good issue. Previews never record anything in the history.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DigestError, UsageError
from .log import debug, info, logger, warn

if TYPE_CHECKING:
    from .config import Config
    from .pipeline import BuildOptions

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
WIDTHS = {"desktop": 600, "phone": 375}
# Like a mail client: no scripts in the email; the page may still measure it (same origin),
# and its links open in a new tab.
SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the server shows: the last good build, and the last build's error if it failed."""

    version: int = 0
    html: str | None = None
    text: str | None = None
    subject: str | None = None
    built_at: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()

    def status(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ok": self.error is None and self.html is not None,
            "subject": self.subject,
            "built_at": self.built_at,
            "error": self.error,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class WatchSet:
    """Folders watched recursively (themes, Markdown folders) and single files (the config,
    feed files...), watched through their folder so that editors' save-by-rename is seen."""

    folders: frozenset[Path] = frozenset()
    files: frozenset[Path] = frozenset()

    def wants(self, changed: str) -> bool:
        path = Path(changed)
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)


Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(watching: WatchSet) -> Fingerprint:
    """Size and modification time of every watched file: what a watcher armed late compares
    to the last build's, so a change made before it was listening is not missed."""
    paths = set(watching.files)
    for folder in watching.folders:
        with contextlib.suppress(OSError):
            paths.update(p for p in folder.rglob("*") if p.is_file())
    marks = []
    for path in sorted(paths):
        try:
            info = path.stat()
        except OSError:
            continue
        marks.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(marks)


def watch_set(config_path: Path, config: Config | None) -> WatchSet:
    """What a rebuild depends on, from the config (or only the config file, if it is broken)."""
    folders: set[Path] = set()
    files: set[Path] = {config_path.resolve()}
    if config is not None:
        from .render.themes import THEMES

        paths: list[Path | None] = [source.path for source in config.sources]
        paths += [config.trending.path if config.trending else None, config.weather.path]
        with contextlib.suppress(DigestError):  # an unknown theme: the build reports it
            paths.append(config.render.template_dir or THEMES.get(config.render.theme))
        for path in paths:
            if path is None:
                continue
            path = path.resolve()
            (folders if path.is_dir() else files).add(path)
    return WatchSet(frozenset(folders), frozenset(files))


class CapturedWarnings(logging.Handler):
    """Collects the warnings a build logs, to show them on the page too."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(" ".join(record.getMessage().split()))


@dataclass
class Preview:
    """The preview: ``start()`` builds once and serves; ``stop()`` ends both threads."""

    config_path: Path
    make_options: Callable[[], BuildOptions]
    port: int = DEFAULT_PORT
    debounce_ms: int = 150
    snapshot: Snapshot = field(default_factory=Snapshot, init=False)
    _server: ThreadingHTTPServer | None = field(default=None, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False)
    _build_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _watching: WatchSet = field(default_factory=WatchSet, init=False)
    _round: threading.Event = field(default_factory=threading.Event, init=False)
    _built_from: Fingerprint = field(default=(), init=False)
    _listening: dict[bool, threading.Event] = field(
        default_factory=lambda: {True: threading.Event(), False: threading.Event()}, init=False
    )

    @property
    def port_number(self) -> int:
        """The port actually bound (``port = 0`` picks a free one)."""
        assert self._server is not None, "not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port_number}/"

    # -- building -------------------------------------------------------------------

    def rebuild(self) -> Snapshot:
        """Build now; keep the last good issue if this build fails."""
        from .config import load_config
        from .pipeline import build

        with self._build_lock:
            previous = self.snapshot
            captured = CapturedWarnings()
            logger.addHandler(captured)
            config: Config | None = None
            started = time.monotonic()
            watched = self._watching
            before = fingerprint(watched)
            try:
                config = load_config(self.config_path)
                # Rebuilds are looks at the issue, not runs: they leave the health alone.
                issue = build(config, replace(self.make_options(), record_health=False))
            except DigestError as err:
                update: dict[str, Any] = {"error": str(err)}
            except Exception as err:  # a bug must not take the preview down
                update = {"error": f"internal error: {type(err).__name__}: {err}"}
                logger.exception("preview build failed")
            else:
                update = {
                    "html": issue.html,
                    "text": issue.text,
                    "subject": issue.subject,
                    "error": None,
                }
            finally:
                logger.removeHandler(captured)
            self.snapshot = Snapshot(
                **{
                    "html": previous.html,
                    "text": previous.text,
                    "subject": previous.subject,
                    **update,
                    "version": previous.version + 1,
                    "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "warnings": tuple(captured.lines),
                }
            )
            if self.snapshot.error:
                warn(f"preview: build failed: {self.snapshot.error.splitlines()[0]}")
            else:
                info(f"preview: rebuilt in {time.monotonic() - started:.2f} s")
            if config is not None or not self._watching.files:
                self._set_watching(watch_set(self.config_path, config))
            else:  # a broken config: keep watching what the last good one used
                config_file = self.config_path.resolve()
                self._set_watching(
                    WatchSet(self._watching.folders, self._watching.files | {config_file})
                )
            # what this build saw (for a new watch set, what it holds now)
            self._built_from = before if self._watching == watched else fingerprint(self._watching)
            return self.snapshot

    # -- watching -------------------------------------------------------------------

    def _set_watching(self, watching: WatchSet) -> None:
        if watching != self._watching:
            self._watching = watching
            ended, self._round = self._round, threading.Event()
            ended.set()  # the watchers start a new round with the new set

    def _watch_loop(self, recursive: bool) -> None:
        """One watcher: the folders recursively, or the files' folders not recursively (a
        config in a home folder must not mean watching the whole home folder)."""
        import watchfiles

        default_filter = watchfiles.DefaultFilter()
        while not self._stop.is_set():
            this_round, watching = self._round, self._watching
            folders, file_folders = watch_roots(watching)
            roots = folders if recursive else file_folders

            def relevant(change: Any, path: str, watching: WatchSet = watching) -> bool:
                return default_filter(change, path) and watching.wants(path)

            if not roots:
                self._listening[recursive].set()
                this_round.wait()
                continue
            armed = False
            try:
                for changes in watchfiles.watch(
                    *roots,
                    watch_filter=relevant,
                    debounce=self.debounce_ms,
                    step=50,
                    stop_event=this_round,
                    raise_interrupt=False,
                    recursive=recursive,
                    rust_timeout=250,
                    yield_on_timeout=True,  # the first yield says "now listening"
                ):
                    if changes:
                        self.rebuild()
                    elif not armed and fingerprint(watching) != self._built_from:
                        self.rebuild()  # changed while the watcher was starting
                    if not armed:
                        armed = True
                        self._listening[recursive].set()
            except Exception as err:  # e.g. a watched folder vanished: look again shortly
                debug(f"preview: watcher restarting: {err}")
                this_round.wait(0.5)

    # -- serving --------------------------------------------------------------------

    def start(self) -> None:
        # The port first: a port in use is reported at once, not after a whole build.
        # A request that arrives during the first build waits in the listen queue.
        try:
            server = ThreadingHTTPServer((HOST, self.port), _handler(self))
        except OSError as err:
            raise UsageError(
                f"cannot serve on {HOST}:{self.port}: {err.strerror or err}"
                " (pass --port 0 to pick a free port)"
            ) from None
        server.daemon_threads = True
        try:
            self.rebuild()
        except BaseException:  # Ctrl-C during the first build: give the port back
            server.server_close()
            raise
        self._server = server
        self._threads = [
            threading.Thread(target=server.serve_forever, name="preview-http", daemon=True),
            threading.Thread(
                target=self._watch_loop, args=(True,), name="preview-watch-folders", daemon=True
            ),
            threading.Thread(
                target=self._watch_loop, args=(False,), name="preview-watch-files", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        for listening in self._listening.values():  # so no edit after start() is missed
            listening.wait(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        self._round.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def watch_roots(watching: WatchSet) -> tuple[set[Path], set[Path]]:
    """Existing folders to hand to watchfiles: (recursively) each watched folder, and (not
    recursively) the folder of each watched file that those do not already cover. A missing
    path is watched through its nearest existing parent, so its creation is seen."""

    def existing(path: Path) -> Path:
        while not path.exists() and path != path.parent:
            path = path.parent
        return path

    def outermost(paths: set[Path]) -> set[Path]:
        return {p for p in paths if not any(p != o and p.is_relative_to(o) for o in paths)}

    folders = outermost({existing(f) for f in watching.folders if f.exists()})
    missing = {existing(f) for f in watching.folders if not f.exists()}
    file_folders = {existing(f.parent) for f in watching.files} | missing
    file_folders = {d for d in file_folders if not any(d.is_relative_to(f) for f in folders)}
    return folders, file_folders


# -- HTTP ---------------------------------------------------------------------------------


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "digest-preview"

        def log_message(self, format: str, *args: Any) -> None:
            debug("preview: " + format % args)

        def do_GET(self) -> None:
            if not self._host_allowed():
                self._send(HTTPStatus.FORBIDDEN, "text/plain", b"forbidden host\n")
                return
            snap = preview.snapshot
            route = self.path.split("?", 1)[0]
            if route == "/":
                self._send(HTTPStatus.OK, "text/html", side_by_side_page(snap).encode())
            elif route == "/digest.html":
                if snap.html is None:
                    page = error_page(snap.error or "not built yet")
                    self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html", page.encode())
                else:
                    self._send(HTTPStatus.OK, "text/html", snap.html.encode())
            elif route == "/digest.txt":
                if snap.text is None:
                    body = f"build failed: {snap.error or 'not built yet'}\n".encode()
                    self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", body)
                else:
                    self._send(HTTPStatus.OK, "text/plain", snap.text.encode())
            elif route == "/status":
                self._send(HTTPStatus.OK, "application/json", json.dumps(snap.status()).encode())
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def _host_allowed(self) -> bool:
            """Only our own names: a page on another site must not read the preview
            through a DNS name it re-points at 127.0.0.1 (DNS rebinding)."""
            port = preview.port_number
            host = (self.headers.get("Host") or "").lower()
            return host in {f"127.0.0.1:{port}", f"localhost:{port}"}

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

    return Handler


PAGE_STYLE = """
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #e8eaed; color: #202124; }
header { padding: 10px 16px; background: #fff; border-bottom: 1px solid #dadce0; }
header a { margin-left: 12px; }
.meta { color: #5f6368; margin-left: 12px; }
.error { margin: 12px 16px; padding: 12px; background: #fce8e6; color: #a50e0e;
         border: 1px solid #f5c2c0; white-space: pre-wrap; font-family: ui-monospace, monospace; }
.warnings { margin: 12px 16px; padding: 8px 12px 8px 28px; background: #fef7e0; }
.frames { display: flex; gap: 32px; align-items: flex-start; padding: 16px; overflow-x: auto; }
figure { margin: 0; }
figcaption { margin-bottom: 6px; color: #5f6368; }
iframe { display: block; border: 0; box-shadow: 0 1px 4px rgba(0,0,0,.2); background: #fff;
         height: 900px; }
"""

PAGE_SCRIPT = """
const version = %d;
for (const frame of document.querySelectorAll("iframe")) {
  frame.addEventListener("load", () => {
    const doc = frame.contentDocument;
    if (doc) frame.style.height = doc.documentElement.scrollHeight + "px";
    const y = sessionStorage.getItem("digest-preview-scroll");
    if (y !== null) window.scrollTo(0, Number(y));
  });
}
async function poll() {
  try {
    const status = await (await fetch("/status", {cache: "no-store"})).json();
    if (status.version !== version) {
      sessionStorage.setItem("digest-preview-scroll", String(window.scrollY));
      location.reload();
      return;
    }
  } catch (e) { /* the server restarts: keep trying */ }
  setTimeout(poll, 700);
}
setTimeout(poll, 700);
"""


def side_by_side_page(snap: Snapshot) -> str:
    esc = html.escape
    title = esc(snap.subject or "digest preview")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Preview: {title}</title><style>{PAGE_STYLE}</style></head><body>",
        f"<header><strong>{title}</strong>",
        f'<span class="meta">build {snap.version}, {esc(snap.built_at or "")}</span>',
        '<a href="/digest.html" target="_blank">HTML</a>',
        '<a href="/digest.txt" target="_blank">text</a></header>',
    ]
    if snap.error:
        note = " (showing the last good build)" if snap.html else ""
        parts.append(
            f'<div class="error" id="error"><strong>Build failed{note}:</strong>\n'
            f"{esc(snap.error)}</div>"
        )
    if snap.warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in snap.warnings)
        parts.append(f'<ul class="warnings" id="warnings">{items}</ul>')
    if snap.html is not None:
        parts.append('<div class="frames">')
        for name, width in WIDTHS.items():
            parts.append(
                f"<figure><figcaption>{name.capitalize()}, {width} px</figcaption>"
                f'<iframe id="{name}" src="/digest.html?v={snap.version}" sandbox="{SANDBOX}" '
                f'style="width:{width}px" title="{name} ({width} px)"></iframe></figure>'
            )
        parts.append("</div>")
    parts.append(f"<script>{PAGE_SCRIPT % snap.version}</script></body></html>")
    return "\n".join(parts)


def error_page(error: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
        f"</head><body><h1>Build failed</h1><pre>{html.escape(error)}</pre></body></html>"
    )


def can_open_browser(env: Iterable[str] | None = None) -> bool:
    """Only a graphical browser: with no display, ``webbrowser`` would start a text-mode one
    (lynx, w3m) in this terminal."""
    names = set(os.environ if env is None else env)
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(names & {"DISPLAY", "WAYLAND_DISPLAY"})


def serve(preview: Preview, *, open_browser: bool) -> None:
    """Run until Ctrl-C (or SIGTERM): the CLI's ``digest preview``."""
    preview.start()
    try:
        print(f"digest: previewing at {preview.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        if open_browser:
            if can_open_browser():
                import webbrowser

                webbrowser.open(preview.url)
            else:
                info("no display to open a browser on: open the URL above yourself")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("digest: preview stopped", file=sys.stderr)
    finally:
        preview.stop()
