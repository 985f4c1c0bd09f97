"""A loopback stand-in for the Open-Meteo forecast API, for the weather tests.

It answers ``GET /v1/forecast?latitude=..&longitude=..&current=..&temperature_unit=..`` the
way the real API does: one JSON object for one location, a JSON array (in request order)
for several, ``{"error": true, "reason": ...}`` with HTTP 400 for a bad request. Each
location's reading is computed from the query (the temperatures it was given, in Celsius,
converted when Fahrenheit is asked for). ``mode`` makes it slow, failing or malformed.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

KNOWN_CURRENT = {"temperature_2m", "weather_code", "relative_humidity_2m", "wind_speed_10m"}
MODES = (
    "ok",  # a correct answer
    "slow",  # waits `delay` seconds before answering
    "drip",  # sends the headers at once, then the body one byte every `delay` seconds
    "500",  # HTTP 500 with an HTML page
    "malformed",  # HTTP 200 with a truncated JSON body
    "wrong-shape",  # HTTP 200 with JSON that is not a forecast
    "missing-place",  # answers for every place but the last
    "no-current",  # the objects lack "current"
    "nan-temperature",  # temperature_2m is NaN (Python's json writes it as NaN)
    "null-temperature",  # temperature_2m is null
    "error-400",  # HTTP 400 {"error": true, "reason": ...}, as for a bad parameter
    "huge",  # HTTP 200 with a 2 MB body
    "shuffled",  # the array in reverse order, each object with its location_id
)


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class OpenMeteoServer:
    """Set ``readings[(lat, lon)] = (celsius, code)``; unknown places get 20.0 °C, code 0."""

    readings: dict[tuple[float, float], tuple[float, int | None]] = field(default_factory=dict)
    mode: str = "ok"
    delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    port: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/forecast"

    def set(self, latitude: float, longitude: float, celsius: float, code: int | None) -> None:
        self.readings[(round(latitude, 4), round(longitude, 4))] = (celsius, code)

    # -- answering ----------------------------------------------------------------------

    def answer(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        def error(reason: str) -> tuple[int, Any]:
            return 400, {"error": True, "reason": reason}

        if self.mode == "error-400":
            return error(
                "Cannot initialize WeatherVariable from invalid String value tempeture_2m."
            )
        try:
            lats = [float(v) for v in query.get("latitude", [""])[0].split(",")]
            lons = [float(v) for v in query.get("longitude", [""])[0].split(",")]
        except ValueError:
            return error("Cannot initialize float from invalid String value")
        if len(lats) != len(lons):
            return error(
                "Parameter 'latitude' and 'longitude' must have the same number of elements"
            )
        for lat in lats:
            if not -90 <= lat <= 90:
                return error(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
        current = [v for v in query.get("current", [""])[0].split(",") if v]
        for name in current:
            if name not in KNOWN_CURRENT:
                return error(f"Cannot initialize WeatherVariable from invalid String value {name}.")
        unit = query.get("temperature_unit", ["celsius"])[0]
        if unit not in ("celsius", "fahrenheit"):
            return error(f"Cannot initialize TemperatureUnit from invalid String value {unit}.")
        objects = [
            self._location(lat, lon, current, unit) for lat, lon in zip(lats, lons, strict=True)
        ]
        if self.mode == "missing-place":
            objects = objects[:-1]
        if self.mode == "shuffled":
            for index, obj in enumerate(objects):
                obj["location_id"] = index
            objects.reverse()
        return 200, objects[0] if len(objects) == 1 and self.mode != "missing-place" else objects

    def _location(self, lat: float, lon: float, current: list[str], unit: str) -> dict[str, Any]:
        celsius, code = self.readings.get((round(lat, 4), round(lon, 4)), (20.0, 0))
        temperature = round(celsius * 9 / 5 + 32, 1) if unit == "fahrenheit" else round(celsius, 1)
        values: dict[str, Any] = {"time": "2025-12-05T06:00", "interval": 900}
        units: dict[str, Any] = {"time": "iso8601", "interval": "seconds"}
        for name in current:
            if name == "temperature_2m":
                values[name] = temperature
                units[name] = "°F" if unit == "fahrenheit" else "°C"
            elif name == "weather_code":
                values[name] = code
                units[name] = "wmo code"
            else:
                values[name] = 0
                units[name] = "%"
        if self.mode == "nan-temperature":
            values["temperature_2m"] = float("nan")
        if self.mode == "null-temperature":
            values["temperature_2m"] = None
        obj: dict[str, Any] = {
            # The API snaps to its grid cell, so the echoed coordinates differ a little.
            "latitude": round(lat + 0.012, 6),
            "longitude": round(lon - 0.009, 6),
            "generationtime_ms": 0.03,
            "utc_offset_seconds": 0,
            "timezone": "GMT",
            "timezone_abbreviation": "GMT",
            "elevation": 15.0,
        }
        if self.mode != "no-current":
            obj["current_units"] = units
            obj["current"] = values
        return obj


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        state.requests.append(Recorded(parts.path, query, dict(self.headers.items())))
        mode = state.mode
        if mode == "slow" and state._stop.wait(state.delay):
            return
        if parts.path != "/v1/forecast":
            return self._send(404, b'{"error":true,"reason":"Not Found"}')
        if mode == "500":
            return self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        if mode == "malformed":
            return self._send(200, b'[{"latitude": 1.3, "current": {"temperature_2m": 2')
        if mode == "wrong-shape":
            return self._send(200, b'"sunny"')
        if mode == "huge":
            return self._send(200, b"[" + b" " * (2 * 1024 * 1024) + b"]")
        status, payload = state.answer(query)
        body = json.dumps(payload).encode("utf-8")  # NaN stays NaN, like a broken server
        if mode == "drip":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                if state._stop.wait(state.delay):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up
            return
        self._send(status, body)

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up (size cap, timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    state: OpenMeteoServer


@pytest.fixture
def open_meteo() -> Iterator[OpenMeteoServer]:
    """An Open-Meteo-shaped server on 127.0.0.1 for one test."""
    state = OpenMeteoServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    state.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="open-meteo", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state._stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
