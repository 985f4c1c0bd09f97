"""The weather stage as a library: providers against a loopback Open-Meteo server, the cache
(with an injected clock, never sleeps), the file provider, and the pure formatting helpers."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import __version__
from digest.config import WeatherPlace, WeatherSection, load_config, parse_config
from digest.errors import ConfigError, WeatherError
from digest.models import WeatherReading, WeatherReport
from digest.weather import (
    convert_temperature,
    describe_age,
    format_strip,
    format_temperature,
    get_weather,
)
from digest.weather.codes import describe_code
from digest.weather.openmeteo import parse_answer, parse_forecast, request_params

from .helpers import SAMPLE_CONFIG, write
from .weather_server import OpenMeteoServer, open_meteo  # noqa: F401  (the fixture)

T0 = datetime(2025, 12, 5, 6, 0, tzinfo=UTC)
SINGAPORE = {"name": "Singapore", "latitude": 1.29, "longitude": 103.85}
THAILAND = {"name": "Thailand", "latitude": 13.75, "longitude": 100.5}
INDONESIA = {"name": "Indonesia", "latitude": -6.2, "longitude": 106.85}


def section(**weather: Any) -> WeatherSection:
    return parse_config({"weather": weather}).weather


def meteo(server: OpenMeteoServer, *places: dict[str, Any], **extra: Any) -> WeatherSection:
    return section(
        provider="open-meteo",
        base_url=server.url,
        places=list(places or (SINGAPORE, THAILAND)),
        timeout=extra.pop("timeout", 5),
        **extra,
    )


@pytest.fixture
def server(open_meteo: OpenMeteoServer) -> OpenMeteoServer:  # noqa: F811
    open_meteo.set(1.29, 103.85, 27.0, 80)
    open_meteo.set(13.75, 100.5, 31.5, 2)
    open_meteo.set(-6.2, 106.85, 28.4, 95)
    return open_meteo


class Log:
    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []

    def lines(self, level: int = logging.DEBUG) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]

    @property
    def warnings(self) -> list[str]:
        return self.lines(logging.WARNING)


@pytest.fixture
def log() -> Iterator[Log]:
    """What the library logs to the ``digest`` logger (handler attached directly, so it works
    whether or not the logger propagates)."""
    captured = Log()
    handler = logging.Handler()
    handler.emit = captured.records.append  # type: ignore[method-assign]
    logger = logging.getLogger("digest")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


# -- formatting (pure) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(25, "25"), (25.0, "25"), (24.5, "24.5"), (24.46, "24.5"), (-0.04, "0"), (-3.5, "-3.5")],
)
def test_format_temperature_examples(value: float, text: str) -> None:
    assert format_temperature(value) == text


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_format_temperature_properties(value: float) -> None:
    text = format_temperature(value)
    assert re.fullmatch(r"-?\d+(\.\d)?", text), text  # at most one decimal
    assert not text.endswith(".0")
    assert text != "-0"
    assert math.isclose(float(text), value, abs_tol=0.05 + 1e-9 * max(1.0, abs(value)))


@given(st.floats(min_value=-100, max_value=150, allow_nan=False))
def test_celsius_fahrenheit_round_trip(value: float) -> None:
    there = convert_temperature(value, "C", "F")
    assert math.isclose(convert_temperature(there, "F", "C"), value, abs_tol=1e-9)
    assert convert_temperature(value, "C", "C") == value


def test_known_conversions() -> None:
    assert convert_temperature(100, "C", "F") == 212
    assert convert_temperature(-40, "F", "C") == -40


def test_codes_map_to_a_word_and_a_text_symbol() -> None:
    assert describe_code(80) == ("Showers", "☂\ufe0e")
    assert describe_code(0)[0] == "Clear"
    assert describe_code(12345) == (None, None)
    for code in range(100):
        word, symbol = describe_code(code)
        if symbol is not None:
            # text presentation selector, one visible character, no markup or remote image
            assert symbol.endswith("\ufe0e") and len(symbol) == 2
            assert word and "<" not in word


def test_strip_text() -> None:
    report = WeatherReport(
        provider="x",
        readings=[
            WeatherReading(
                place="Singapore",
                label="Singapore",
                temperature=27.0,
                code=80,
                condition="Showers",
                symbol="☂\ufe0e",
            ),
            WeatherReading(place="Thailand", label="Bangkok", temperature=31.49, unit="C"),
        ],
    )
    assert format_strip(report) == "Singapore 27 °C ☂\ufe0e Showers | Bangkok 31.5 °C"


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (600, "10 min"), (3 * 3600, "3 h"), (86400 * 3, "3 d")]
)
def test_describe_age(seconds: float, text: str) -> None:
    assert describe_age(seconds) == text


def test_weather_reading_rejects_nan() -> None:
    with pytest.raises(ValueError):
        WeatherReading(place="a", label="a", temperature=float("nan"))


# -- Open-Meteo request and answer parsing (pure) -----------------------------------------


def test_request_asks_for_every_place_at_once_in_the_configured_unit() -> None:
    params = request_params(
        section(
            provider="open-meteo",
            places=[SINGAPORE, INDONESIA],
            units="F",
            options={"models": "best_match", "latitude": "0"},
        )
    )
    assert params["latitude"] == "1.29,-6.2"
    assert params["longitude"] == "103.85,106.85"
    assert params["current"] == "temperature_2m,weather_code"
    assert params["temperature_unit"] == "fahrenheit"
    assert params["models"] == "best_match"  # options pass through...
    assert params["timezone"] == "GMT"


def _obj(temp: Any, code: Any = 1, unit: str = "°C", **extra: Any) -> dict[str, Any]:
    return {
        "latitude": 1.3,
        "longitude": 103.8,
        "current_units": {"temperature_2m": unit, "weather_code": "wmo code"},
        "current": {"time": "2025-12-05T06:00", "temperature_2m": temp, "weather_code": code},
        **extra,
    }


PLACES = [WeatherPlace(**SINGAPORE), WeatherPlace(**{**SINGAPORE, "name": "Also here"})]


def test_parse_single_object_and_array() -> None:
    [one] = parse_forecast(_obj(27.04, 80), PLACES[:1], "C")
    assert (one.place, one.label, one.temperature, one.code, one.condition) == (
        "Singapore",
        "Singapore",
        27.04,
        80,
        "Showers",
    )
    two = parse_forecast([_obj(27, 80), _obj(31.5, 2)], PLACES, "C")
    assert [r.temperature for r in two] == [27, 31.5]


def test_parse_follows_location_ids_when_given() -> None:
    answer = [_obj(31.5, 2, location_id=1), _obj(27, 80, location_id=0)]
    assert [r.temperature for r in parse_forecast(answer, PLACES, "C")] == [27, 31.5]


def test_parse_converts_when_the_answer_is_in_the_other_unit() -> None:
    [reading] = parse_forecast(_obj(80.6, 80, unit="°F"), PLACES[:1], "C")
    assert reading.unit == "C" and math.isclose(reading.temperature, 27.0)


def test_parse_tolerates_odd_codes() -> None:
    [reading] = parse_forecast(_obj(27, 3.0), PLACES[:1], "C")
    assert (reading.code, reading.condition) == (3, "Overcast")
    [reading] = parse_forecast(_obj(27, None), PLACES[:1], "C")
    assert (reading.code, reading.condition, reading.symbol) == (None, None, None)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("sunny", "unexpected answer"),
        ([_obj(27), "x"], "unexpected answer"),
        ([_obj(27)], "no answer for Also here"),
        ([_obj(27), _obj(28), _obj(29)], "3 answers for 2 places"),
        ([_obj(None), _obj(28)], "no current temperature for Singapore"),
        ([_obj(float("nan")), _obj(28)], "no current temperature for Singapore"),
        ([_obj(True), _obj(28)], "no current temperature for Singapore"),
        ([_obj("27"), _obj(28)], "no current temperature for Singapore"),
        ([{"latitude": 1.3}, _obj(28)], "no current weather for Singapore"),
        ([_obj(27), {**_obj(28), "latitude": 51.5}], "the answer for Also here is for 51.5"),
    ],
)
def test_parse_rejects_wrong_shapes(answer: Any, message: str) -> None:
    with pytest.raises(WeatherError, match=re.escape(message)):
        parse_forecast(answer, PLACES, "C")


def test_parse_answer_reports_the_api_reason_and_status() -> None:
    body = json.dumps({"error": True, "reason": "Latitude must be in range"}).encode()
    with pytest.raises(WeatherError, match="HTTP 400: Latitude must be in range"):
        parse_answer(400, body, PLACES, "C")
    with pytest.raises(WeatherError, match="HTTP 503"):
        parse_answer(503, b"<html>down</html>", PLACES, "C")
    with pytest.raises(WeatherError, match="malformed JSON"):
        parse_answer(200, b"[{", PLACES, "C")
    with pytest.raises(WeatherError, match="malformed JSON"):
        parse_answer(200, b"[" * 100_000, PLACES, "C")


# -- open-meteo over HTTP -----------------------------------------------------------------


def test_one_place(server: OpenMeteoServer, log: Log) -> None:
    report = get_weather(meteo(server, SINGAPORE), T0)
    assert report is not None
    assert format_strip(report) == "Singapore 27 °C ☂\ufe0e Showers"
    assert report.provider == "open-meteo" and report.fetched_at == T0 and not report.stale
    [request] = server.requests
    assert request.query["latitude"] == ["1.29"] and request.query["longitude"] == ["103.85"]
    assert request.query["temperature_unit"] == ["celsius"]
    assert set(request.query["current"][0].split(",")) == {"temperature_2m", "weather_code"}
    assert request.headers["User-Agent"] == f"digest/{__version__}"
    assert log.warnings == []


def test_several_places_in_one_request_in_order_with_labels(server: OpenMeteoServer) -> None:
    bangkok = {**THAILAND, "label": "Bangkok"}
    report = get_weather(meteo(server, INDONESIA, bangkok, SINGAPORE), T0)
    assert report is not None
    assert [(r.place, r.label, r.temperature) for r in report.readings] == [
        ("Indonesia", "Indonesia", 28.4),
        ("Thailand", "Bangkok", 31.5),
        ("Singapore", "Singapore", 27.0),
    ]
    assert len(server.requests) == 1
    assert server.requests[0].query["latitude"] == ["-6.2,13.75,1.29"]


def test_fahrenheit(server: OpenMeteoServer) -> None:
    report = get_weather(meteo(server, units="F"), T0)
    assert report is not None
    assert server.requests[0].query["temperature_unit"] == ["fahrenheit"]
    assert format_strip(report).startswith("Singapore 80.6 °F ☂\ufe0e Showers | Thailand 88.7 °F")


def test_answer_with_location_ids_in_another_order(server: OpenMeteoServer) -> None:
    server.mode = "shuffled"
    report = get_weather(meteo(server), T0)
    assert report is not None
    assert [r.temperature for r in report.readings] == [27.0, 31.5]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("500", "HTTP 500"),
        ("error-400", "HTTP 400: Cannot initialize WeatherVariable"),
        ("malformed", "malformed JSON"),
        ("wrong-shape", "unexpected answer"),
        ("missing-place", "no answer for Thailand"),
        ("no-current", "no current weather for Singapore"),
        ("nan-temperature", "no current temperature for Singapore"),
        ("null-temperature", "no current temperature for Singapore"),
        ("huge", "larger than the 1,048,576-byte cap"),
    ],
)
def test_failures_leave_the_strip_out_with_one_warning(
    server: OpenMeteoServer, log: Log, tmp_path: Path, mode: str, reason: str
) -> None:
    server.mode = mode
    assert get_weather(meteo(server), T0, cache_dir=tmp_path) is None
    [warning] = log.warnings
    assert warning.startswith("weather: open-meteo failed (") and reason in warning
    assert warning.endswith("no cached reading to fall back on; the strip is left out")
    assert "\n" not in warning
    with pytest.raises(WeatherError, match=re.escape(reason)):
        get_weather(meteo(server), T0, cache_dir=tmp_path, strict=True)


@pytest.mark.parametrize("mode", ["slow", "drip"])
def test_a_slow_server_fails_within_the_timeout(
    server: OpenMeteoServer, log: Log, mode: str
) -> None:
    # "slow" never sends headers; "drip" sends a byte every 0.2 s, so only a deadline on the
    # whole exchange (not per read) stops it. Either would take 30 s or more if waited for.
    server.mode, server.delay = mode, (30 if mode == "slow" else 0.2)
    started = time.monotonic()
    assert get_weather(meteo(server, timeout=0.5), T0) is None
    assert time.monotonic() - started < 10
    [warning] = log.warnings
    assert "within 0.5 s" in warning


def test_unreachable_server(log: Log) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    weather = section(
        provider="open-meteo", base_url=f"http://127.0.0.1:{port}/v1/forecast", places=[SINGAPORE]
    )
    assert get_weather(weather, T0) is None
    assert "cannot reach 127.0.0.1:" in log.warnings[0]


@pytest.mark.parametrize("url", ["http://[::1/v1/forecast", "http://xn--a.example/v1/forecast"])
def test_a_url_httpx_cannot_use_is_a_failed_provider(log: Log, url: str) -> None:
    weather = section(provider="open-meteo", base_url=url, places=[SINGAPORE])
    assert get_weather(weather, T0) is None
    assert log.warnings[0].startswith(f"weather: open-meteo failed (cannot request {url}: ")


# -- the cache (injected clock) -----------------------------------------------------------


def test_fresh_cache_answers_without_a_request(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server)
    first = get_weather(weather, T0, cache_dir=tmp_path)
    assert len(list((tmp_path / "weather").glob("*.json"))) == 1
    server.set(1.29, 103.85, 10.0, 0)  # would show if asked again
    second = get_weather(weather, T0 + timedelta(minutes=59), cache_dir=tmp_path)
    assert len(server.requests) == 1
    assert first is not None and second is not None
    assert second.readings == first.readings and second.fetched_at == T0 and not second.stale


def test_expired_cache_is_refetched(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server)
    get_weather(weather, T0, cache_dir=tmp_path)
    server.set(1.29, 103.85, 10.0, 0)
    later = T0 + timedelta(minutes=61)
    report = get_weather(weather, later, cache_dir=tmp_path)
    assert len(server.requests) == 2
    assert report is not None and report.readings[0].temperature == 10.0
    assert report.fetched_at == later
    # ...and the new reading is what the cache holds now
    server.mode = "500"
    again = get_weather(weather, later + timedelta(hours=2), cache_dir=tmp_path)
    assert again is not None and again.readings[0].temperature == 10.0


def test_ttl_is_configurable(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server, ttl=60)
    get_weather(weather, T0, cache_dir=tmp_path)
    get_weather(weather, T0 + timedelta(seconds=59), cache_dir=tmp_path)
    assert len(server.requests) == 1
    get_weather(weather, T0 + timedelta(seconds=61), cache_dir=tmp_path)
    assert len(server.requests) == 2


def test_refresh_asks_even_when_fresh(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server)
    get_weather(weather, T0, cache_dir=tmp_path)
    get_weather(weather, T0 + timedelta(minutes=1), cache_dir=tmp_path, refresh=True)
    assert len(server.requests) == 2


def test_failure_uses_a_stale_reading_and_says_so(
    server: OpenMeteoServer, tmp_path: Path, log: Log
) -> None:
    weather = meteo(server)
    first = get_weather(weather, T0, cache_dir=tmp_path)
    server.mode = "500"
    report = get_weather(weather, T0 + timedelta(hours=3), cache_dir=tmp_path, strict=True)
    assert first is not None and report is not None
    assert report.stale and report.readings == first.readings and report.fetched_at == T0
    assert log.warnings == []
    notes = [line for line in log.lines(logging.INFO) if line.startswith("weather:")]
    assert notes == ["weather: open-meteo failed (HTTP 500); using the reading from 3 h ago"]


def test_failure_with_a_too_old_reading_leaves_the_strip_out(
    server: OpenMeteoServer, tmp_path: Path, log: Log
) -> None:
    weather = meteo(server)
    get_weather(weather, T0, cache_dir=tmp_path)
    server.mode = "malformed"
    later = T0 + timedelta(hours=25)
    assert get_weather(weather, later, cache_dir=tmp_path) is None
    assert log.warnings == [
        "weather: open-meteo failed (malformed JSON in the answer); the cached reading from "
        "25 h ago is older than max_stale (24 h); the strip is left out"
    ]
    with pytest.raises(WeatherError, match="older than max_stale"):
        get_weather(weather, later, cache_dir=tmp_path, strict=True)


def test_max_stale_is_configurable(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server, ttl=0, max_stale=7200)
    get_weather(weather, T0, cache_dir=tmp_path)
    server.mode = "500"
    assert get_weather(weather, T0 + timedelta(seconds=7100), cache_dir=tmp_path) is not None
    assert get_weather(weather, T0 + timedelta(seconds=7300), cache_dir=tmp_path) is None


def test_the_cache_is_per_setup_but_labels_do_not_matter(
    server: OpenMeteoServer, tmp_path: Path
) -> None:
    get_weather(meteo(server), T0, cache_dir=tmp_path)
    relabelled = meteo(server, {**SINGAPORE, "label": "SG"}, THAILAND)
    report = get_weather(relabelled, T0 + timedelta(minutes=5), cache_dir=tmp_path)
    assert len(server.requests) == 1
    assert report is not None and report.readings[0].label == "SG"
    for other in (meteo(server, SINGAPORE), meteo(server, units="F")):
        get_weather(other, T0 + timedelta(minutes=5), cache_dir=tmp_path)
    assert len(server.requests) == 3
    assert len(list((tmp_path / "weather").glob("*.json"))) == 3


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"format": 1, "report": {"provider": "open-meteo", "readings": "x"}}',
        '{"format": 99, "report": {}}',
        "[]",
    ],
)
def test_a_corrupt_cache_file_is_no_cache(
    server: OpenMeteoServer, tmp_path: Path, content: str
) -> None:
    weather = meteo(server)
    get_weather(weather, T0, cache_dir=tmp_path)
    [cache_file] = (tmp_path / "weather").glob("*.json")
    cache_file.write_text(content)
    report = get_weather(weather, T0 + timedelta(minutes=1), cache_dir=tmp_path)
    assert report is not None and len(server.requests) == 2
    json.loads(cache_file.read_text())  # rewritten whole


def test_a_reading_from_the_future_is_not_trusted(server: OpenMeteoServer, tmp_path: Path) -> None:
    weather = meteo(server)
    get_weather(weather, T0, cache_dir=tmp_path)
    earlier = T0 - timedelta(hours=1)
    get_weather(weather, earlier, cache_dir=tmp_path)
    assert len(server.requests) == 2
    server.mode = "500"
    assert get_weather(weather, earlier - timedelta(minutes=1), cache_dir=tmp_path) is None


def test_an_unwritable_cache_warns_but_shows_the_strip(
    server: OpenMeteoServer, tmp_path: Path, log: Log
) -> None:
    blocker = write(tmp_path / "cache", "a file where the cache folder should be")
    report = get_weather(meteo(server), T0, cache_dir=blocker)
    assert report is not None
    [warning] = log.warnings
    assert warning.startswith("weather: cannot write the cache")


def test_no_cache_dir_means_no_cache(server: OpenMeteoServer) -> None:
    get_weather(meteo(server), T0)
    get_weather(meteo(server), T0)
    assert len(server.requests) == 2


# -- the file provider ----------------------------------------------------------------------


def _file(tmp_path: Path, readings: list[dict[str, Any]]) -> Path:
    return write(tmp_path / "w.json", json.dumps({"readings": readings}))


def test_file_follows_the_configured_places_and_labels(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            {"place": "Thailand", "temperature": 31.5, "code": 2},
            {"place": "Singapore", "label": "Lion City", "temperature": 27, "code": 80},
            {"place": "Elsewhere", "temperature": 3},
        ],
    )
    weather = section(
        provider="file", path=path, places=[SINGAPORE, {**THAILAND, "label": "Bangkok"}]
    )
    report = get_weather(weather, T0, cache_dir=tmp_path / "cache")
    assert report is not None and report.provider == "file"
    assert format_strip(report) == (
        "Lion City 27 °C ☂\ufe0e Showers | Bangkok 31.5 °C ☁\ufe0e Partly cloudy"
    )
    assert not (tmp_path / "cache").exists()  # a local file is read every time, not cached


def test_file_without_places_shows_every_reading(tmp_path: Path) -> None:
    path = _file(tmp_path, [{"place": "A", "temperature": 1}, {"place": "B", "temperature": 2}])
    report = get_weather(section(provider="file", path=path), T0)
    assert report is not None and format_strip(report) == "A 1 °C | B 2 °C"


def test_file_reading_is_not_stamped_with_the_clock(tmp_path: Path) -> None:
    # The digest's JSON carries the report: the same file must give the same bytes.
    path = _file(tmp_path, [{"place": "Singapore", "temperature": 27}])
    first = get_weather(section(provider="file", path=path), T0)
    later = get_weather(section(provider="file", path=path), T0 + timedelta(hours=1))
    assert first is not None and first.fetched_at is None
    assert first == later
    stamped = write(
        tmp_path / "s.json",
        json.dumps(
            {
                "fetched_at": "2025-12-05T05:00:00+08:00",
                "readings": [{"place": "Singapore", "temperature": 27}],
            }
        ),
    )
    report = get_weather(section(provider="file", path=stamped), T0)
    assert report is not None and report.fetched_at == datetime(2025, 12, 4, 21, 0, tzinfo=UTC)


def test_file_temperatures_are_converted_to_the_configured_unit(tmp_path: Path) -> None:
    path = _file(tmp_path, [{"place": "Singapore", "temperature": 80.6, "unit": "F"}])
    report = get_weather(section(provider="file", path=path, units="C"), T0)
    assert report is not None and format_strip(report) == "Singapore 27 °C"
    path = _file(tmp_path, [{"place": "Singapore", "temperature": 27, "unit": "C"}])
    report = get_weather(section(provider="file", path=path, units="F"), T0)
    assert report is not None and format_strip(report) == "Singapore 80.6 °F"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"readings": [{"place": "Thailand", "temperature": 30}]}', "no reading for Singapore"),
        ('{"readings": [{"place": "Singapore", "temperature": NaN}]}', "readings.0.temperature"),
        ('{"readings": [{"place": "Singapore"}]}', "readings.0.temperature"),
        ("{oops", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_a_bad_file_leaves_the_strip_out(
    tmp_path: Path, log: Log, content: str, reason: str
) -> None:
    path = write(tmp_path / "w.json", content)
    weather = section(provider="file", path=path, places=[SINGAPORE])
    assert get_weather(weather, T0) is None
    [warning] = log.warnings
    assert warning.startswith("weather: file failed (") and reason in warning


def test_missing_file(tmp_path: Path, log: Log) -> None:
    assert get_weather(section(provider="file", path=tmp_path / "nope.json"), T0) is None
    assert "file not found" in log.warnings[0]


def test_a_file_that_is_not_a_regular_file_is_refused_without_blocking(
    tmp_path: Path, log: Log
) -> None:
    fifo = tmp_path / "weather.json"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    assert get_weather(section(provider="file", path=fifo), T0) is None
    assert "not a regular file" in log.warnings[0]


def test_provider_none_shows_nothing(tmp_path: Path, log: Log) -> None:
    assert get_weather(section(provider="none"), T0, cache_dir=tmp_path) is None
    assert log.warnings == []


def test_open_meteo_needs_places(tmp_path: Path) -> None:
    cfg = write(tmp_path / "digest.toml", '[weather]\nprovider = "open-meteo"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert "weather: provider 'open-meteo' needs at least one [[weather.places]]" in str(info.value)


# -- the sample's file and a loopback open-meteo agree -------------------------------------


def test_sample_file_and_open_meteo_give_the_same_strip(
    open_meteo: OpenMeteoServer,  # noqa: F811
) -> None:
    config = load_config(SAMPLE_CONFIG)
    assert config.weather.provider == "file" and config.weather.path is not None
    from_file = get_weather(config.weather, T0)
    assert from_file is not None and len(from_file.readings) == len(config.weather.places)
    # Feed the server the file's numbers, at the config's coordinates.
    sample = json.loads(config.weather.path.read_text())
    by_place = {r["place"]: r for r in sample["readings"]}
    for place in config.weather.places:
        row = by_place[place.name]
        celsius = convert_temperature(row["temperature"], row.get("unit", "C"), "C")
        open_meteo.set(place.latitude, place.longitude, celsius, row.get("code"))
    weather = config.weather.model_copy(
        update={"provider": "open-meteo", "base_url": open_meteo.url}
    )
    from_api = get_weather(weather, T0)
    assert from_api is not None
    assert format_strip(from_api) == format_strip(from_file)
    assert from_api.readings == from_file.readings
