"""``digest preview``: real HTTP requests to the running server, live rebuilds after edits
to a template, the config and a source folder, build errors shown on the page, and a
headless Chromium look at the side-by-side page."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from digest.pipeline import BuildOptions
from digest.preview import Preview, can_open_browser

from .helpers import ROOT, SAMPLE_DATE, run_digest


def get(url: str, host: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def themed_config(sample_copy: Path) -> Path:
    """The sample config with its own copy of the default theme, to edit."""
    shutil.copytree(ROOT / "templates" / "default", sample_copy.parent / "theme")
    with sample_copy.open("a", encoding="utf-8") as fh:
        fh.write('\n[render]\ntemplate_dir = "theme"\n')
    return sample_copy


@pytest.fixture
def preview(themed_config: Path) -> Iterator[Preview]:
    session = Preview(
        config_path=themed_config,
        make_options=lambda: BuildOptions(issue_date=date(2025, 12, 5)),
        port=0,
        debounce_ms=50,
    )
    session.start()
    yield session
    session.stop()


def status(preview: Preview) -> dict[str, Any]:
    code, kind, body = get(preview.url + "status")
    assert code == 200 and kind == "application/json; charset=utf-8"
    return dict(json.loads(body))


def test_routes_serve_the_issue(preview: Preview) -> None:
    assert preview.url.startswith("http://127.0.0.1:")
    code, kind, page = get(preview.url)
    assert code == 200 and kind == "text/html; charset=utf-8"
    assert "<title>Preview: The Weekly Wire — 05 December 2025</title>" in page
    assert 'id="desktop"' in page and "width:600px" in page
    assert 'id="phone"' in page and "width:375px" in page

    code, kind, html = get(preview.url + "digest.html")
    assert code == 200 and kind == "text/html; charset=utf-8"
    built = run_digest("build", "-c", str(preview.config_path), "--date", SAMPLE_DATE)
    assert html == built.stdout  # exactly what `digest build` makes

    code, kind, text = get(preview.url + "digest.txt")
    assert code == 200 and kind == "text/plain; charset=utf-8"
    assert text.startswith("THE WEEKLY WIRE")

    state = status(preview)
    assert state["ok"] is True and state["error"] is None and state["version"] == 1
    assert get(preview.url + "nope")[0] == 404


def test_other_host_names_are_refused(preview: Preview) -> None:
    """DNS rebinding: a page on evil.example pointed at 127.0.0.1 must not read the issue."""
    port = preview.port_number
    assert get(preview.url, host=f"evil.example:{port}")[0] == 403
    assert get(preview.url + "digest.html", host=f"localhost:{port}")[0] == 200


def test_a_template_edit_is_rebuilt(preview: Preview, themed_config: Path) -> None:
    template = themed_config.parent / "theme" / "digest.html.j2"
    before = status(preview)["version"]
    source = template.read_text("utf-8")
    assert "</body>" in source
    template.write_text(source.replace("</body>", "<p>EDITED-IN-PREVIEW</p></body>"), "utf-8")
    wait_for(lambda: "EDITED-IN-PREVIEW" in get(preview.url + "digest.html")[2], "the rebuild")
    assert status(preview)["version"] > before

    # an editor that saves by writing a new file and renaming it over the old one
    replacement = template.with_name(".digest.html.j2.swap")
    replacement.write_text(source.replace("</body>", "<p>SAVED-BY-RENAME</p></body>"), "utf-8")
    replacement.replace(template)
    wait_for(lambda: "SAVED-BY-RENAME" in get(preview.url + "digest.html")[2], "the rebuild")


def test_build_errors_show_on_the_page_and_the_server_keeps_going(
    preview: Preview, themed_config: Path
) -> None:
    good_config = themed_config.read_text("utf-8")
    good_html = get(preview.url + "digest.html")[2]

    # a config error whose message carries markup: shown, escaped
    broken = good_config.replace(
        'timezone = "Asia/Singapore"', 'timezone = "<script>alert(1)</script>"'
    )
    themed_config.write_text(broken, "utf-8")
    state = wait_for(lambda: (s := status(preview))["error"] and s, "the error")
    assert state["ok"] is False
    assert "digest.timezone: unknown time zone '<script>alert(1)</script>'" in state["error"]
    page = get(preview.url)[2]
    assert "Build failed (showing the last good build):" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    # the last good issue is still served
    assert get(preview.url + "digest.html") == (200, "text/html; charset=utf-8", good_html)

    # the config is broken, yet a template edit is still watched...
    themed_config.write_text(good_config, "utf-8")
    wait_for(lambda: status(preview)["ok"], "the fix")
    assert "Build failed" not in get(preview.url)[2]

    # ...and a template syntax error names the file and line
    template = themed_config.parent / "theme" / "digest.html.j2"
    template.write_text(template.read_text("utf-8") + "{% if %}\n", "utf-8")
    state = wait_for(lambda: (s := status(preview))["error"] and s, "the template error")
    assert "digest.html.j2:" in state["error"] and "template error" in state["error"]


def test_a_new_file_in_a_source_folder_triggers_a_rebuild(
    preview: Preview, themed_config: Path
) -> None:
    before = status(preview)["version"]
    article = themed_config.parent / "articles" / "zz-late-news.md"
    article.write_text(
        "---\ntitle: Late news\ndate: 2025-12-04T09:00:00+08:00\n---\n\nSomething happened.\n",
        "utf-8",
    )
    wait_for(lambda: status(preview)["version"] > before, "a rebuild after the new article")


def test_the_watch_follows_the_config(preview: Preview, themed_config: Path) -> None:
    """Point the config at another theme folder: edits there are watched from then on."""
    other = themed_config.parent / "other-theme"
    shutil.copytree(themed_config.parent / "theme", other)
    themed_config.write_text(
        themed_config.read_text("utf-8").replace(
            'template_dir = "theme"', 'template_dir = "other-theme"'
        ),
        "utf-8",
    )
    wait_for(lambda: any(f == other for f in preview._watching.folders), "the new watch set")
    template = other / "digest.html.j2"
    template.write_text(template.read_text("utf-8").replace("</body>", "<p>OTHER</p></body>"))
    wait_for(lambda: "OTHER" in get(preview.url + "digest.html")[2], "a rebuild from the new theme")


# -- the command ------------------------------------------------------------------------


def test_cli_serves_until_ctrl_c(themed_config: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "preview", "-c", str(themed_config),
         "--date", SAMPLE_DATE, "--port", "0", "--no-open"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        url = ""
        for raw in proc.stderr:
            line = raw.decode()
            if "previewing at " in line:
                url = line.split("previewing at ", 1)[1].split()[0]
                break
        assert url.startswith("http://127.0.0.1:"), "no URL on stderr"
        code, _, page = get(url)
        assert code == 200 and "iframe" in page
        assert get(url + "digest.txt")[2].startswith("THE WEEKLY WIRE")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert b"preview stopped" in err and b"Traceback" not in err
    assert out == b""  # the digest command's stdout stays clean


def test_cli_port_in_use_is_a_usage_error(themed_config: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_digest(
            "preview", "-c", str(themed_config), "--date", SAMPLE_DATE,
            "--port", str(port), "--no-open",
        )  # fmt: skip
    assert result.code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "--port 0" in result.stderr and "Traceback" not in result.stderr
    # said at once, before any build (which may mean minutes of fetching)
    assert "rebuilt" not in result.stderr and "excluded" not in result.stderr


def test_a_browser_is_opened_only_where_there_is_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert can_open_browser([]) is False  # webbrowser would start lynx in the terminal
    assert can_open_browser(["DISPLAY"]) is True
    assert can_open_browser(["WAYLAND_DISPLAY", "HOME"]) is True


# -- what a browser shows ---------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.mark.browser
def test_side_by_side_page_in_chromium(
    browser: Any, preview: Preview, themed_config: Path, tmp_path: Path
) -> None:
    page = browser.page(1200, 900)
    base = preview.url
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
    )
    try:
        page.goto(base, wait_until="load")
        frames = page.evaluate(
            """() => [...document.querySelectorAll('iframe')].map(f => {
                const box = f.getBoundingClientRect();
                return {id: f.id, inner: f.contentWindow.innerWidth, top: box.top,
                        left: box.left, right: box.right, height: box.height,
                        loaded: f.contentDocument.body.innerText.includes('Hot this week'),
                        scripts: f.sandbox.contains('allow-scripts')};
            })"""
        )
        desktop, phone = frames
        assert (desktop["id"], desktop["inner"]) == ("desktop", 600)
        assert (phone["id"], phone["inner"]) == ("phone", 375)
        assert desktop["loaded"] and phone["loaded"]
        assert not desktop["scripts"] and not phone["scripts"]  # like a mail client
        assert desktop["top"] == phone["top"] and phone["left"] > desktop["right"]  # side by side
        assert phone["height"] > 900  # sized to the email, not a scrolling box
        shot = tmp_path / "preview.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height = png_size(shot)
        assert width >= 600 + 375 and height > 900

        # the open page follows the build: edit the template, the frames reload by themselves
        template = themed_config.parent / "theme" / "digest.html.j2"
        template.write_text(
            template.read_text("utf-8").replace("</body>", "<p id='fresh'>FRESH</p></body>")
        )
        page.wait_for_function(
            "() => [...document.querySelectorAll('iframe')].every("
            "f => f.contentDocument && f.contentDocument.getElementById('fresh'))",
            timeout=30_000,
        )
    finally:
        page.close()
