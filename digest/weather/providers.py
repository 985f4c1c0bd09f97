"""Built-in providers: ``none`` and ``file``."""

from __future__ import annotations

import json

from pydantic import ValidationError

from ..errors import WeatherError
from ..models import WeatherReading, WeatherReport
from . import WEATHER_PROVIDERS, WeatherContext
from .codes import describe_code


@WEATHER_PROVIDERS.register("none")
def no_weather(ctx: WeatherContext) -> WeatherReport | None:
    return None


@WEATHER_PROVIDERS.register("file")
def weather_from_file(ctx: WeatherContext) -> WeatherReport:
    """A JSON file in the ``WeatherReport`` shape (readings: place, temperature, unit, code)."""
    path = ctx.section.path
    if path is None:
        raise WeatherError("provider 'file' needs [weather] path")
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise WeatherError(f"file not found: {path}") from None
    except (OSError, ValueError) as err:
        raise WeatherError(f"cannot read {path}: {err}") from None
    if isinstance(data, dict):
        data.setdefault("provider", "file")
        for reading in data.get("readings", []) if isinstance(data.get("readings"), list) else []:
            if isinstance(reading, dict):
                reading.setdefault("label", reading.get("place"))
    try:
        report = WeatherReport.model_validate(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WeatherError(f"{path}: {where}: {first['msg']}") from None
    return report.model_copy(update={"readings": [_described(r) for r in report.readings]})


def _described(reading: WeatherReading) -> WeatherReading:
    if reading.code is None or (reading.condition and reading.symbol):
        return reading
    condition, symbol = describe_code(reading.code)
    return reading.model_copy(
        update={"condition": reading.condition or condition, "symbol": reading.symbol or symbol}
    )
