"""The fetcher against a real HTTP server on 127.0.0.1, and local files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from digest import __version__
from digest.collect.fetch import Fetcher, decode_text
from digest.config import HttpSection
from digest.errors import FetchError

from .httpserver import LoopbackServer, http_server_fixture  # noqa: F401


def fetcher(tmp_path: Path | None = None, **http: object) -> Fetcher:
    settings = {"timeout": 0.5, "connect_timeout": 0.5, "retries": 2, "backoff": 0.01, **http}
    return Fetcher(HttpSection(**settings), tmp_path / "http" if tmp_path else None)


def test_get_sends_a_user_agent_naming_the_tool(http_server: LoopbackServer) -> None:
    http_server.route("/a", b"hello", content_type="text/xml; charset=ISO-8859-1")
    got = fetcher().fetch(http_server.url("/a"))
    assert got.data == b"hello"
    assert got.content_type == "text/xml"
    assert got.charset == "ISO-8859-1"
    assert (
        http_server.requests_to("/a")[0].headers["user-agent"].startswith(f"digest/{__version__}")
    )


def test_404_is_an_error_and_is_not_retried(http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher().fetch(http_server.url("/missing"))
    assert len(http_server.requests_to("/missing")) == 1


def test_500_is_retried_a_bounded_number_of_times(http_server: LoopbackServer) -> None:
    http_server.route("/down", b"x", status=500)
    with pytest.raises(FetchError, match=r"HTTP 500 after 3 attempts"):
        fetcher(retries=2).fetch(http_server.url("/down"))
    assert len(http_server.requests_to("/down")) == 3


def test_a_transient_500_is_retried_until_it_succeeds(http_server: LoopbackServer) -> None:
    http_server.route("/flaky", b"ok", fail_first=2, fail_status=503)
    assert fetcher(retries=2).fetch(http_server.url("/flaky")).data == b"ok"
    assert len(http_server.requests_to("/flaky")) == 3


def test_backoff_doubles_between_attempts(http_server: LoopbackServer) -> None:
    http_server.route("/down", b"x", status=502)
    started = time.monotonic()
    with pytest.raises(FetchError):
        fetcher(retries=2, backoff=0.2).fetch(http_server.url("/down"))
    assert time.monotonic() - started >= 0.2 + 0.4


def test_a_slow_answer_past_the_read_timeout_fails_quickly(http_server: LoopbackServer) -> None:
    http_server.route("/slow", b"late", delay=30)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 2 attempts"):
        fetcher(timeout=0.3, retries=1).fetch(http_server.url("/slow"))
    assert time.monotonic() - started < 5
    assert len(http_server.requests_to("/slow")) == 2


def test_redirects_are_followed_and_the_final_url_reported(http_server: LoopbackServer) -> None:
    http_server.route("/old", redirect="/new")
    http_server.route("/new", b"moved here")
    got = fetcher().fetch(http_server.url("/old"))
    assert got.data == b"moved here"
    assert got.location == http_server.url("/new")


def test_a_truncated_body_is_an_error(http_server: LoopbackServer) -> None:
    http_server.route("/cut", b"x" * 10_000, truncate_at=100)
    with pytest.raises(FetchError, match="broke off"):
        fetcher(retries=0).fetch(http_server.url("/cut"))


def test_a_response_over_the_size_cap_is_refused(http_server: LoopbackServer) -> None:
    http_server.route("/big", b"x" * 5000)
    with pytest.raises(FetchError, match="over the 1000 bytes cap"):
        fetcher(max_bytes=1000).fetch(http_server.url("/big"))


def test_conditional_get_reuses_the_cached_body_on_304(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    http_server.route("/feed", b"<rss/>", etag='"v1"', content_type="application/rss+xml")
    first = fetcher(tmp_path).fetch(http_server.url("/feed"))
    assert not first.not_modified
    second = fetcher(tmp_path).fetch(http_server.url("/feed"))
    assert second.not_modified
    assert second.data == b"<rss/>"
    assert second.content_type == "application/rss+xml"
    sent = http_server.requests_to("/feed")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"'


def test_conditional_get_by_last_modified(http_server: LoopbackServer, tmp_path: Path) -> None:
    stamp = "Wed, 03 Dec 2025 10:00:00 GMT"
    http_server.route("/f", b"body", last_modified=stamp)
    fetcher(tmp_path).fetch(http_server.url("/f"))
    again = fetcher(tmp_path).fetch(http_server.url("/f"))
    assert again.not_modified and again.data == b"body"
    assert http_server.requests_to("/f")[1].headers["if-modified-since"] == stamp


def test_a_changed_resource_replaces_the_cached_copy(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    http_server.route("/f", b"one", etag='"1"')
    fetcher(tmp_path).fetch(http_server.url("/f"))
    http_server.route("/f", b"two", etag='"2"')
    got = fetcher(tmp_path).fetch(http_server.url("/f"))
    assert got.data == b"two" and not got.not_modified
    http_server.route("/f", b"two", etag='"2"')
    assert fetcher(tmp_path).fetch(http_server.url("/f")).not_modified


def test_a_corrupt_cache_entry_is_not_served(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.route("/f", b"original", etag='"1"')
    fetcher(tmp_path).fetch(http_server.url("/f"))
    for body in (tmp_path / "http").glob("*.body"):
        body.write_bytes(b"tampered")
    got = fetcher(tmp_path).fetch(http_server.url("/f"))
    assert got.data == b"original"
    assert "if-none-match" not in http_server.requests_to("/f")[1].headers


def test_connection_refused_is_an_error_not_a_traceback() -> None:
    with LoopbackServer() as server:
        url = server.url("/x")
    with pytest.raises(FetchError, match="cannot connect"):
        fetcher(retries=0).fetch(url)


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)  # 1 GB, sparse
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"1 GB, over the 20 MB cap"):
        fetcher().fetch(huge)
    assert time.monotonic() - started < 1


def test_missing_file_folder_and_fifo(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="file not found"):
        fetcher().fetch(tmp_path / "nope.xml")
    with pytest.raises(FetchError, match="is a folder"):
        fetcher().fetch(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FetchError, match="not a regular file"):
        fetcher().fetch(fifo)


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ("café".encode("utf-16"), None, "café"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", None, "café"),
        (b"caf\xe9", "iso-8859-1", "café"),
        (b'<?xml version="1.0" encoding="windows-1252"?><a>\x93q\x94</a>', None, "“q”"),
        (b'<html><head><meta charset="iso-8859-1"></head>caf\xe9', None, "café"),
        (b"caf\xc3\xa9", "no-such-charset", "café"),
    ],
)
def test_decoding_follows_bom_then_declared_then_document(
    data: bytes, declared: str | None, expected: str
) -> None:
    assert expected in decode_text(data, declared)


def test_undecodable_bytes_are_one_line_error() -> None:
    with pytest.raises(
        FetchError, match=r"cannot decode the text as utf-8 \(bad byte at offset 3\)"
    ):
        decode_text(b"caf\xe9 au lait")


def test_a_server_dripping_bytes_is_cut_off_by_the_deadline(http_server: LoopbackServer) -> None:
    http_server.route("/drip", b"x" * 1000, drip=0.05)  # each read well inside the timeout
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s"):
        fetcher(timeout=1, retries=0, max_time=0.5).fetch(http_server.url("/drip"))
    assert time.monotonic() - started < 3
