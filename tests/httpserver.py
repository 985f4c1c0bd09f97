"""A real HTTP server on 127.0.0.1 for tests: routes with canned answers, and a log.

Reusable by any test module::

    from .httpserver import LoopbackServer, http_server_fixture  # noqa: F401

    def test_x(http_server: LoopbackServer) -> None:
        http_server.route("/feed.xml", body=b"<rss .../>", content_type="application/rss+xml")
        url = http_server.url("/feed.xml")

A route can answer with any status, delay its answer (to trip a client's timeout), drip
its body a byte at a time (to trip a deadline no read timeout catches), send
ETag / Last-Modified and answer 304 to a matching conditional GET, redirect, fail its
first N requests with a 5xx, or cut its body short (a Content-Length it never delivers).
Every request is logged (method, path, headers) so tests can assert what the client sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    etag: str | None = None  # answer 304 to a matching If-None-Match
    last_modified: str | None = None  # answer 304 to a matching If-Modified-Since
    redirect: str | None = None  # a path or URL: answer 302 to it
    fail_first: int = 0  # answer the first N requests with fail_status
    fail_status: int = 500
    truncate_at: int | None = None  # promise the whole body, send this many bytes, hang up
    drip: float = 0.0  # send the body one byte at a time, this many seconds apart
    hits: int = 0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_HEAD(self) -> None:
                server._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    # -- set-up ---------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(body=data, **options)
        with self._lock:
            self.routes[path] = route
        return route

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving --------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Request(handler.command, path, headers))
            route = self.routes.get(path)
            if route is not None:
                route.hits += 1
                hit = route.hits
        if route is None:
            self._send(handler, 404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay and self.stopping.wait(route.delay):
            return
        if hit <= route.fail_first:
            self._send(handler, route.fail_status, b"try later", {"Content-Type": "text/plain"})
            return
        if route.redirect is not None:
            target = route.redirect if "://" in route.redirect else self.url(route.redirect)
            self._send(handler, 302, b"", {"Location": target})
            return
        base = dict(route.headers)
        if route.content_type:
            base["Content-Type"] = route.content_type
        if route.etag:
            base["ETag"] = route.etag
        if route.last_modified:
            base["Last-Modified"] = route.last_modified
        etag_hit = route.etag is not None and headers.get("if-none-match") == route.etag
        date_hit = (
            route.last_modified is not None
            and headers.get("if-modified-since") == route.last_modified
        )
        if etag_hit or date_hit:
            self._send(handler, 304, b"", {k: v for k, v in base.items() if k != "Content-Type"})
            return
        if route.drip:
            handler.send_response(route.status)
            for key, value in base.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(route.body)))
            handler.end_headers()
            try:
                for byte in route.body:
                    if self.stopping.wait(route.drip):
                        return
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if route.truncate_at is not None:
            handler.send_response(route.status)
            for key, value in base.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(route.body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(route.body[: route.truncate_at])
            handler.wfile.flush()
            handler.close_connection = True
            return
        self._send(handler, route.status, route.body, base)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            if status != 304:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if handler.command != "HEAD" and status != 304:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do


@pytest.fixture(name="http_server")
def http_server_fixture() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.close()
