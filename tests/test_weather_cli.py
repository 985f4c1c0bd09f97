"""The weather strip through the real CLI: `digest weather`, and `digest build` against a
loopback Open-Meteo server that answers, fails, or is slow."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import load_config
from digest.models import WeatherReport
from digest.weather import get_weather

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, run_digest
from .weather_server import OpenMeteoServer, open_meteo  # noqa: F401  (the fixture)

SAMPLE_STRIP = (
    "Singapore 27 °C ☂\ufe0e Showers | Thailand 31.5 °C ☁\ufe0e Partly cloudy | "
    "Indonesia 28.4 °C ⚡\ufe0e Thunderstorm | Philippines 29.5 °C ☂\ufe0e Light rain"
)
TEXT_STRIP = "Singapore 27 °C | Thailand 31.5 °C | Indonesia 28.4 °C | Philippines 29.5 °C"


@pytest.fixture
def server(open_meteo: OpenMeteoServer) -> OpenMeteoServer:  # noqa: F811
    """The loopback API, knowing the same numbers as samples/weather.json."""
    config = load_config(SAMPLE_CONFIG)
    assert config.weather.path is not None
    rows = {r["place"]: r for r in json.loads(config.weather.path.read_text())["readings"]}
    for place in config.weather.places:
        assert rows[place.name].get("unit", "C") == "C"
        open_meteo.set(
            place.latitude,
            place.longitude,
            rows[place.name]["temperature"],
            rows[place.name]["code"],
        )
    return open_meteo


def use_open_meteo(config: Path, server: OpenMeteoServer, timeout: float = 2) -> Path:
    """Point a copy of the sample config's [weather] at the loopback server."""
    text = config.read_text()
    assert text.count('provider = "file"') == 1
    config.write_text(
        text.replace(
            'provider = "file"',
            f'provider = "open-meteo"\nbase_url = "{server.url}"\ntimeout = {timeout}',
        )
    )
    return config


def build(config: Path, *extra: str) -> tuple[int, str, str]:
    result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE, *extra)
    assert "Traceback" not in result.stderr
    return result.code, result.stdout, result.stderr


def has_html_strip(html: str) -> bool:
    return 'class="weather"' in html and 'class="weather-cell"' in html


def has_text_strip(text: str) -> bool:
    return TEXT_STRIP in text


# -- digest weather -------------------------------------------------------------------------


def test_weather_command_prints_the_strip() -> None:
    result = run_digest("weather", "--config", str(SAMPLE_CONFIG))
    assert result.code == 0, result.stderr
    assert result.stdout == SAMPLE_STRIP + "\n"


def test_weather_command_json() -> None:
    result = run_digest("weather", "--config", str(SAMPLE_CONFIG), "--json")
    assert result.code == 0, result.stderr
    report = WeatherReport.model_validate_json(result.stdout)
    assert [r.label for r in report.readings] == [
        "Singapore",
        "Thailand",
        "Indonesia",
        "Philippines",
    ]
    assert report.readings[1].temperature == 31.5 and report.readings[1].code == 2


def test_weather_command_against_open_meteo_matches_the_file(
    server: OpenMeteoServer, sample_copy: Path
) -> None:
    result = run_digest("weather", "-c", str(use_open_meteo(sample_copy, server)))
    assert result.code == 0, result.stderr
    assert result.stdout == SAMPLE_STRIP + "\n"
    assert len(server.requests) == 1
    # the second check is answered from the cache...
    assert run_digest("weather", "-c", str(sample_copy)).stdout == SAMPLE_STRIP + "\n"
    assert len(server.requests) == 1
    # ...unless asked to refresh
    assert run_digest("weather", "-c", str(sample_copy), "--refresh").code == 0
    assert len(server.requests) == 2


def test_weather_command_fails_with_one_line(server: OpenMeteoServer, sample_copy: Path) -> None:
    server.mode = "500"
    result = run_digest("weather", "-c", str(use_open_meteo(sample_copy, server)))
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "digest: error: weather: open-meteo failed (HTTP 500); no cached reading to fall back on"
    ]


def test_weather_command_with_provider_none(sample_copy: Path) -> None:
    sample_copy.write_text(
        sample_copy.read_text().replace('provider = "file"', 'provider = "none"')
    )
    result = run_digest("weather", "-c", str(sample_copy))
    assert result.code == 1
    assert "provider 'none' shows no strip" in result.stderr


def test_weather_command_config_error_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[weather]\nprovider = "open-meteo"\nunits = "K"\n')
    result = run_digest("weather", "-c", str(config))
    assert result.code == 2
    assert "weather.units" in result.stderr and "Traceback" not in result.stderr


# -- digest build -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_file_and_open_meteo_give_the_same_digest(
    server: OpenMeteoServer, sample_copy: Path, fmt: str
) -> None:
    code, from_file, err = build(SAMPLE_CONFIG, "--format", fmt)
    assert code == 0, err
    code, from_api, err = build(use_open_meteo(sample_copy, server), "--format", fmt)
    assert code == 0, err
    assert "warning" not in err
    assert len(server.requests) == 1
    assert (has_html_strip if fmt == "html" else has_text_strip)(from_api)
    assert from_api == from_file


def test_html_strip_shows_symbol_temperature_place_and_condition(
    server: OpenMeteoServer, sample_copy: Path
) -> None:
    code, html, err = build(use_open_meteo(sample_copy, server))
    assert code == 0, err
    cell = html[html.index('class="weather-cell"') :]
    assert re.search(r"☂\ufe0e 27(&nbsp;|\xa0)°C", cell)
    assert re.search(r"Singapore · Showers", cell)
    assert (
        "<img"
        not in html[
            html.index('class="weather"') : html.index("</table>", html.index('class="weather"'))
        ]
    )


@pytest.mark.parametrize("mode", ["slow", "500", "malformed", "missing-place", "error-400"])
def test_a_failing_provider_never_sinks_the_digest(
    server: OpenMeteoServer, sample_copy: Path, mode: str
) -> None:
    server.mode, server.delay = mode, 30
    config = use_open_meteo(sample_copy, server, timeout=0.5)
    code, html, err = build(config)
    assert code == 0, err
    assert not has_html_strip(html)
    assert "Top stories" in html
    warnings = [line for line in err.splitlines() if line.startswith("digest: warning: weather:")]
    assert len(warnings) == 1, err
    assert warnings[0].endswith("no cached reading to fall back on; the strip is left out")

    code, text, err = build(config, "--format", "text")
    assert code == 0 and not has_text_strip(text) and "TOP STORIES" in text

    code, out, err = build(config, "--strict")
    assert code == 1
    assert out == ""
    assert "digest: error: weather: open-meteo failed (" in err


def _seed_cache(config: Path, age: timedelta) -> None:
    """Store a reading fetched ``age`` ago, in the cache the CLI will use (the test's
    DIGEST_CACHE_DIR, which the subprocess inherits)."""
    loaded = load_config(config)
    report = get_weather(loaded.weather, datetime.now(UTC) - age, cache_dir=loaded.cache_dir)
    assert report is not None


def test_a_failing_provider_falls_back_on_a_recent_reading(
    server: OpenMeteoServer, sample_copy: Path
) -> None:
    config = use_open_meteo(sample_copy, server)
    _seed_cache(config, timedelta(hours=3))
    server.mode = "500"
    for extra in ((), ("--strict",)):
        code, html, err = build(config, *extra)
        assert code == 0, err
        assert has_html_strip(html)
        assert (
            "digest: weather: open-meteo failed (HTTP 500); using the reading from 3 h ago" in err
        )
        assert "warning" not in err
    code, text, err = build(config, "--format", "text")
    assert code == 0 and has_text_strip(text)


def test_a_too_old_reading_is_not_used(server: OpenMeteoServer, sample_copy: Path) -> None:
    config = use_open_meteo(sample_copy, server)
    _seed_cache(config, timedelta(hours=30))
    server.mode = "malformed"
    code, html, err = build(config)
    assert code == 0, err
    assert not has_html_strip(html)
    assert re.search(
        r"digest: warning: weather: open-meteo failed \(malformed JSON in the answer\); "
        r"the cached reading from 30 h ago is older than max_stale \(24 h\); the strip is left out",
        err,
    )
    code, _, err = build(config, "--strict")
    assert code == 1 and "older than max_stale" in err


def test_a_fresh_reading_spares_the_request(server: OpenMeteoServer, sample_copy: Path) -> None:
    config = use_open_meteo(sample_copy, server)
    first = build(config)
    second = build(config)
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    assert len(server.requests) == 1
