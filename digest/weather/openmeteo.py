"""The ``open-meteo`` provider: current temperature and weather code for every place, in one
request to the Open-Meteo forecast API (no key needed).

Request: ``GET {base_url}?latitude=1.29,13.75&longitude=103.85,100.5
&current=temperature_2m,weather_code&temperature_unit=celsius&timezone=GMT``.
Answer: for one place a JSON object with ``current`` and ``current_units``; for several a
JSON array of such objects in request order. Errors: HTTP 400 with
``{"error": true, "reason": "..."}``. One request, no retries: the cache is the fallback.
"""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import __version__
from ..errors import WeatherError
from ..models import WeatherReading, WeatherReport
from . import WEATHER_PROVIDERS, Unit, WeatherContext, cached_readings, convert_temperature
from .codes import describe_code

if TYPE_CHECKING:
    from ..config import WeatherPlace, WeatherSection

MAX_RESPONSE_BYTES = 1024 * 1024
TEMPERATURE = "temperature_2m"
WEATHER_CODE = "weather_code"
UNIT_NAMES: dict[Unit, str] = {"C": "celsius", "F": "fahrenheit"}
UNIT_SYMBOLS: dict[str, Unit] = {"°C": "C", "°F": "F", "C": "C", "F": "F"}
# The API answers for the nearest grid cell; an answer further off than this is for
# another place (a shuffled or truncated answer), not a snapped coordinate.
MAX_GRID_OFFSET_DEGREES = 2.0
# Query parameters digest sets itself; [weather] options cannot override them.
OWN_PARAMS = ("latitude", "longitude", "current", "temperature_unit")


@WEATHER_PROVIDERS.register("open-meteo")
@cached_readings
def open_meteo(ctx: WeatherContext) -> WeatherReport:
    section = ctx.section
    if not section.places:
        raise WeatherError("provider 'open-meteo' needs at least one [[weather.places]]")
    status, body = fetch(str(section.base_url), request_params(section), section.timeout)
    readings = parse_answer(status, body, section.places, section.units)
    return WeatherReport(provider="open-meteo", readings=readings, fetched_at=ctx.now)


def request_params(section: WeatherSection) -> dict[str, str]:
    params = {str(key): _param_value(key, value) for key, value in section.options.items()}
    params.setdefault("timezone", "GMT")
    params.update(
        latitude=",".join(_coordinate(p.latitude) for p in section.places),
        longitude=",".join(_coordinate(p.longitude) for p in section.places),
        current=f"{TEMPERATURE},{WEATHER_CODE}",
        temperature_unit=UNIT_NAMES[section.units],
    )
    return params


def _coordinate(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _param_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ",".join(str(v) for v in value)
    raise WeatherError(f"[weather] options.{key}: expected a string, number or list of them")


def fetch(url: str, params: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """GET the URL; the status and the body (capped). ``timeout`` bounds the whole exchange,
    not just each read, so a server dribbling bytes cannot hold the build up."""
    import httpx

    try:
        host = urlsplit(url).netloc or url
    except ValueError:
        host = url
    deadline = time.monotonic() + timeout
    too_slow = WeatherError(f"no answer from {host} within {timeout:g} s")
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                headers={"User-Agent": f"digest/{__version__}", "Accept": "application/json"},
                follow_redirects=True,
            ) as client,
            client.stream("GET", url, params=params) as response,
        ):
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise WeatherError(
                        f"answer from {host} is larger than the {MAX_RESPONSE_BYTES:,}-byte cap"
                    )
                if time.monotonic() > deadline:
                    raise too_slow
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)
    except WeatherError:
        raise
    except httpx.TimeoutException:
        raise too_slow from None
    except httpx.HTTPError as err:
        raise WeatherError(f"cannot reach {host}: {err or type(err).__name__}") from None
    except Exception as err:
        # A URL httpx cannot use (a bad IPv6 literal, an invalid IDNA host...): at the I/O
        # edge of an unattended run, any failure is a failed provider, never a traceback.
        raise WeatherError(f"cannot request {url}: {err or type(err).__name__}") from None


def parse_answer(
    status: int, body: bytes, places: list[WeatherPlace], units: Unit
) -> list[WeatherReading]:
    """The readings for ``places`` (in order) from an Open-Meteo answer, or ``WeatherError``."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        data = None
        if status == 200:
            raise WeatherError("malformed JSON in the answer") from None
    if isinstance(data, dict) and data.get("error") is True:
        reason = " ".join(str(data.get("reason") or "no reason given").split())
        raise WeatherError(f"HTTP {status}: {reason[:200]}")
    if status != 200:
        raise WeatherError(f"HTTP {status}")
    return parse_forecast(data, places, units)


def parse_forecast(data: Any, places: list[WeatherPlace], units: Unit) -> list[WeatherReading]:
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise WeatherError("unexpected answer: expected JSON objects with 'current'")
    items = _in_request_order(items)
    if len(items) < len(places):
        missing = ", ".join(p.name for p in places[len(items) :])
        raise WeatherError(f"no answer for {missing}")
    if len(items) > len(places):
        raise WeatherError(f"{len(items)} answers for {len(places)} places")
    return [_reading(place, item, units) for place, item in zip(places, items, strict=True)]


def _in_request_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answers come in request order; when each carries a ``location_id``, go by that."""
    ids = [item.get("location_id") for item in items]
    if len(items) > 1 and all(type(i) is int for i in ids) and len(set(ids)) == len(ids):
        return [items[ids.index(i)] for i in sorted(int(i) for i in ids if type(i) is int)]
    return items


def _reading(place: WeatherPlace, item: dict[str, Any], units: Unit) -> WeatherReading:
    _check_position(place, item)
    current = item.get("current")
    if not isinstance(current, dict):
        raise WeatherError(f"no current weather for {place.name}")
    temperature = _number(current.get(TEMPERATURE))
    if temperature is None:
        raise WeatherError(f"no current temperature for {place.name}")
    current_units = item.get("current_units")
    given = current_units.get(TEMPERATURE) if isinstance(current_units, dict) else None
    unit = UNIT_SYMBOLS.get(str(given).strip(), units) if given is not None else units
    code = _number(current.get(WEATHER_CODE))
    code_int = int(code) if code is not None and code == int(code) else None
    condition, symbol = describe_code(code_int) if code_int is not None else (None, None)
    return WeatherReading(
        place=place.name,
        label=place.label or place.name,
        temperature=convert_temperature(temperature, unit, units),
        unit=units,
        code=code_int,
        condition=condition,
        symbol=symbol,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _check_position(place: WeatherPlace, item: dict[str, Any]) -> None:
    latitude, longitude = _number(item.get("latitude")), _number(item.get("longitude"))
    if latitude is None or longitude is None:
        return
    lon_off = abs(longitude - place.longitude) % 360
    if (
        abs(latitude - place.latitude) > MAX_GRID_OFFSET_DEGREES
        or min(lon_off, 360 - lon_off) > MAX_GRID_OFFSET_DEGREES
    ):
        raise WeatherError(
            f"the answer for {place.name} is for {latitude:g}, {longitude:g}, "
            f"not {place.latitude:g}, {place.longitude:g}"
        )
