"""One source failing never sinks the build; --strict and all-failing are exit 1; no bad
input ever shows a traceback, hangs or exhausts memory."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect import collect
from digest.config import Config, load_config
from digest.dates import issue_window
from digest.errors import BuildError

from .helpers import SAMPLE_DATE, run_digest, write
from .httpserver import LoopbackServer, http_server_fixture  # noqa: F401
from .test_collect_feed import BILLION_LAUGHS, xxe

DATA = Path(__file__).parent / "data"
SGT = ZoneInfo("Asia/Singapore")
WINDOW = issue_window(date(2025, 12, 5), SGT)
NOW = datetime(2025, 12, 5, 23, 0, tzinfo=SGT)
GOOD = f'[[sources]]\ntype = "feed"\nname = "Good"\npath = "{DATA / "feeds/rss2.xml"}"\n'


def config(tmp_path: Path, body: str, http: str = "timeout = 0.5\nretries = 0\n") -> Config:
    head = f'[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n[http]\n{http}'
    return load_config(write(tmp_path / "digest.toml", head + body))


def feed(name: str, location: str) -> str:
    key = "url" if location.startswith("http") else "path"
    return f'[[sources]]\ntype = "feed"\nname = "{name}"\n{key} = "{location}"\n'


@pytest.fixture
def hostile(tmp_path: Path, http_server: LoopbackServer) -> dict[str, str]:
    """One location per kind of failure, each expected to fail with this reason."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c")
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)
    write(tmp_path / "malformed.xml", "<rss><channel><item><title>unclosed")
    (tmp_path / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (tmp_path / "xxe.xml").write_bytes(xxe(secret))
    (tmp_path / "binary.xml").write_bytes(bytes(range(256)) * 40)
    http_server.route("/500", b"oops", status=500)
    http_server.route("/404", b"nope", status=404)
    http_server.route("/slow", b"<rss/>", delay=30)
    http_server.route("/cut", (DATA / "feeds/rss2.xml").read_bytes(), truncate_at=300)
    http_server.route(
        "/html", b"<!DOCTYPE html><html><body>Log in</body></html>", content_type="text/html"
    )
    return {
        str(tmp_path / "missing.xml"): "file not found",
        str(huge): "over the 20 MB cap",
        str(tmp_path / "malformed.xml"): "not a readable RSS, Atom or JSON feed",
        str(tmp_path / "bomb.xml"): "declares XML entities",
        str(tmp_path / "xxe.xml"): "declares XML entities",
        str(tmp_path / "binary.xml"): "not a readable RSS, Atom or JSON feed",
        http_server.url("/500"): "HTTP 500",
        http_server.url("/404"): "HTTP 404",
        http_server.url("/slow"): "timed out",
        http_server.url("/cut"): "broke off",
        http_server.url("/html"): "got an HTML page",
        "http://127.0.0.1:9/closed": "cannot connect",
    }


def test_each_failure_is_one_warning_and_the_rest_builds(
    tmp_path: Path, hostile: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = GOOD + "".join(feed(f"bad{i}", loc) for i, loc in enumerate(hostile))
    started = time.monotonic()
    result = collect(config(tmp_path, body), WINDOW, now=NOW)
    assert time.monotonic() - started < 10
    assert len(result.articles) == 3
    statuses = {s.name: s for s in result.statuses}
    assert statuses["Good"].ok
    for i, reason in enumerate(hostile.values()):
        status = statuses[f"bad{i}"]
        assert not status.ok and status.error and reason in status.error, (reason, status)
        assert f"source bad{i}: " in caplog.text
    assert "TOP-SECRET" not in caplog.text
    assert "TOP-SECRET" not in result.model_dump_json()


def test_every_failure_as_the_cli_sees_it(tmp_path: Path, hostile: dict[str, str]) -> None:
    body = GOOD + "".join(feed(f"bad{i}", loc) for i, loc in enumerate(hostile))
    cfg = write(
        tmp_path / "c.toml",
        '[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n'
        "[http]\ntimeout = 0.5\nretries = 0\n" + body,
    )
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE, "-f", "text")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("digest: warning:")]
    assert len(warnings) == len(hostile), warnings
    assert "TOP-SECRET" not in result.stderr + result.stdout
    assert "Ferry fares" in result.stdout
    assert "excluded 1 undated" in result.stderr

    strict = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE, "--strict")
    assert strict.code == 1
    assert "--strict: source bad0 failed: file not found" in strict.stderr
    assert strict.stdout == ""


def test_every_source_failing_is_a_build_error(tmp_path: Path, hostile: dict[str, str]) -> None:
    body = "".join(feed(f"bad{i}", loc) for i, loc in enumerate(list(hostile)[:4]))
    with pytest.raises(BuildError, match=r"every source failed \(4 of 4\)"):
        collect(config(tmp_path, body), WINDOW, now=NOW)


def test_retries_on_5xx_then_success(tmp_path: Path, http_server: LoopbackServer) -> None:
    http_server.route(
        "/flaky", (DATA / "feeds/rss2.xml").read_bytes(), fail_first=1, content_type="text/xml"
    )
    cfg = config(tmp_path, feed("Flaky", http_server.url("/flaky")), "retries = 1\nbackoff = 0\n")
    result = collect(cfg, WINDOW, now=NOW)
    assert result.statuses[0].ok and len(result.articles) == 3
    assert len(http_server.requests_to("/flaky")) == 2


def test_fifty_slow_feeds_are_fetched_concurrently(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    body = (DATA / "feeds/rss2.xml").read_bytes()
    for i in range(50):
        http_server.route(f"/f{i}.xml", body, delay=0.2, content_type="text/xml")
    sources = "".join(feed(f"F{i}", http_server.url(f"/f{i}.xml")) for i in range(50))
    cfg = config(tmp_path, sources, "timeout = 5\nconcurrency = 16\n")
    started = time.monotonic()
    result = collect(cfg, WINDOW, now=NOW)
    elapsed = time.monotonic() - started
    assert all(s.ok for s in result.statuses)
    assert elapsed < 50 * 0.2 / 3, elapsed  # one at a time would take 10 s
    assert [s.name for s in result.statuses] == [f"F{i}" for i in range(50)]  # config order


def test_a_collector_crash_is_a_warning_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest.collect import feedxml

    def explode(*args: object, **kwargs: object) -> None:
        raise AttributeError("'NoneType' object has no attribute 'tag'")

    monkeypatch.setattr(feedxml, "_rss_item", explode)
    cfg = config(
        tmp_path,
        GOOD
        + f'[[sources]]\ntype = "markdown"\npath = "{DATA.parent.parent / "samples/articles"}"\n',
    )
    result = collect(cfg, WINDOW, now=NOW)
    assert result.statuses[0].error == (
        "cannot read it (AttributeError: 'NoneType' object has no attribute 'tag')"
    )
    assert result.statuses[1].ok


def test_lone_surrogates_and_control_characters_are_cleaned_not_fatal(tmp_path: Path) -> None:
    write(
        tmp_path / "s.json",
        '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
        ' "title": "Bad \\ud800 title\\u0007", "url": "https://s.example/a\\udfffb",'
        ' "content_html": "<p>body \\ud83d</p>", "image": "https://s.example/i\\ud800.jpg",'
        ' "tags": ["t\\ud800"], "date_published": "2025-12-03T10:00:00+08:00"}]}',
    )
    cfg = config(tmp_path, feed("S", str(tmp_path / "s.json")))
    (article,) = collect(cfg, WINDOW, now=NOW).articles
    assert article.title == "Bad title"
    assert article.url == "https://s.example/ab"
    assert article.text == "body"
    assert article.tags == ["t"]
    article.model_dump_json().encode("utf-8")  # encodable everywhere downstream
