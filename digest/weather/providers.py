"""Built-in providers: ``none`` and ``file`` (``open-meteo`` is in ``openmeteo.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..errors import FetchError, WeatherError
from ..models import WeatherReading, WeatherReport
from . import WEATHER_PROVIDERS, WeatherContext, in_unit, place_label
from .codes import describe_code

if TYPE_CHECKING:
    from ..config import WeatherPlace

# A weather file or answer is a few hundred bytes per place; anything far bigger is wrong.
MAX_BYTES = 1024 * 1024


@WEATHER_PROVIDERS.register("none")
def no_weather(ctx: WeatherContext) -> WeatherReport | None:
    return None


@WEATHER_PROVIDERS.register("file")
def weather_from_file(ctx: WeatherContext) -> WeatherReport:
    """A JSON file in the ``WeatherReport`` shape (readings: place, label, temperature, unit,
    code). Temperatures are converted to ``[weather] units``. With ``[[weather.places]]``
    the strip shows those places, in that order, with their labels; a place the file lacks
    is a failure (as with a network provider)."""
    path = ctx.section.path
    if path is None:
        raise WeatherError("provider 'file' needs [weather] path")
    report = read_report(path)
    readings = [described(in_unit(r, ctx.section.units)) for r in report.readings]
    if ctx.section.places:
        readings = pick_places(readings, ctx.section.places, path)
    if not readings:
        raise WeatherError(f"{path}: no readings")
    return WeatherReport(provider="file", readings=readings, fetched_at=report.fetched_at)


def read_report(path: Path) -> WeatherReport:
    from ..collect.fetch import read_file

    try:
        raw = read_file(path, MAX_BYTES)  # as any source file: capped, regular files only
    except FetchError as err:
        raise WeatherError(str(err)) from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise WeatherError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise WeatherError(f"{path}: expected a JSON object with 'readings'")
    data.setdefault("provider", "file")
    for reading in data.get("readings", []) if isinstance(data.get("readings"), list) else []:
        if isinstance(reading, dict):
            reading.setdefault("label", reading.get("place"))
    try:
        return WeatherReport.model_validate(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WeatherError(f"{path}: {where}: {first['msg']}") from None


def pick_places(
    readings: list[WeatherReading], places: list[WeatherPlace], path: Path
) -> list[WeatherReading]:
    """The readings for the configured places, in their order, with their labels."""
    by_name = {r.place.casefold().strip(): r for r in readings}
    picked, missing = [], []
    for place in places:
        found = by_name.get(place.name.casefold().strip())
        if found is None:
            missing.append(place.name)
            continue
        # The config's label, else one the file gave explicitly, else the place's name.
        given = found.label if found.label != found.place else None
        label = place_label(place.name, place.label or given)
        picked.append(found.model_copy(update={"place": place.name, "label": label}))
    if missing:
        raise WeatherError(f"{path}: no reading for {', '.join(missing)}")
    return picked


def described(reading: WeatherReading) -> WeatherReading:
    """Fill in the condition word and symbol from the weather code, unless given."""
    if reading.code is None or (reading.condition and reading.symbol):
        return reading
    condition, symbol = describe_code(reading.code)
    return reading.model_copy(
        update={"condition": reading.condition or condition, "symbol": reading.symbol or symbol}
    )
