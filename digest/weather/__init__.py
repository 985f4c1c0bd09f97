"""Weather: the strip of places and temperatures in the digest's header.

Providers are a registry keyed by ``[weather] provider``. A provider is a callable taking a
``WeatherContext`` and returning a ``WeatherReport`` (or None for no strip); it raises a
``DigestError`` when it cannot answer. Providers that ask the network are marked with
``@cached_readings``: their last reading is kept in the cache folder, reused while it is
fresh (``ttl``) and stands in for a failing provider while it is not too old (``max_stale``).

The weekly run is unattended, so a failing provider never sinks the digest: without a
usable cached reading the strip is left out with a one-line warning (``--strict``: an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import DigestError, WeatherError
from ..log import debug, info, warn
from ..models import WeatherReading, WeatherReport
from ..registry import Registry

if TYPE_CHECKING:
    from ..config import WeatherSection

Unit = Literal["C", "F"]


@dataclass(slots=True)
class WeatherContext:
    section: WeatherSection
    now: datetime


WeatherProvider = Callable[[WeatherContext], WeatherReport | None]

WEATHER_PROVIDERS: Registry[WeatherProvider] = Registry(
    "weather", builtins="digest.weather.builtin", noun="weather provider"
)

_CACHED_MARK = "digest_cached_readings"


def cached_readings(provider: WeatherProvider) -> WeatherProvider:
    """Mark a provider whose readings go through the cache (network providers do; reading a
    local file does not, so an edited file shows at once)."""
    setattr(provider, _CACHED_MARK, True)
    return provider


def uses_cache(provider: WeatherProvider) -> bool:
    return bool(getattr(provider, _CACHED_MARK, False))


def get_weather(
    section: WeatherSection,
    now: datetime,
    *,
    cache_dir: Path | None = None,
    strict: bool = False,
    refresh: bool = False,
) -> WeatherReport | None:
    """The strip to show, or None (provider 'none', or failed with a warning).

    ``now`` is the clock: cache ages are measured against it and a new reading is stamped
    with it. ``cache_dir`` is the user's cache folder (the reading goes in its ``weather/``
    subfolder); None disables the cache. ``refresh`` asks the provider even when the cached
    reading is fresh. With ``strict``, a provider failure without a usable cached reading
    raises ``WeatherError`` instead of leaving the strip out.
    """
    from .cache import WeatherCache

    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    provider = WEATHER_PROVIDERS.get(section.provider)
    context = WeatherContext(section=section, now=now)
    cache = (
        WeatherCache(cache_dir / "weather", section) if cache_dir and uses_cache(provider) else None
    )
    cached = cache.load() if cache else None
    # A reading stamped in the future (a clock moved back) is not trusted either way.
    age = cached.age(now) if cached else None
    if age is not None and age < 0:
        debug("weather: the cached reading is stamped in the future; ignoring it")
        age = None

    if cached and age is not None and age < section.ttl and not refresh:
        debug(f"weather: using the cached reading from {describe_age(age)} ago")
        return relabel(cached.report, section)
    try:
        report = provider(context)
    except DigestError as err:
        reason = f"{section.provider} failed ({err})"
        if cached and age is not None and age < section.max_stale:
            info(f"weather: {reason}; using the reading from {describe_age(age)} ago")
            return relabel(cached.report, section).model_copy(update={"stale": True})
        if cache is not None:
            reason += (
                f"; the cached reading from {describe_age(age)} ago is older than max_stale "
                f"({describe_age(section.max_stale)})"
                if age is not None
                else "; no cached reading to fall back on"
            )
        if strict:
            raise WeatherError(f"weather: {reason}") from None
        warn(f"weather: {reason}; the strip is left out")
        return None
    if report is None:
        return None
    if cache is not None:
        # The stamp dates the cached copy. A reading that is not cached (a local file) keeps
        # the time it gave, or none: the same inputs must give the same digest.
        if report.fetched_at is None:
            report = report.model_copy(update={"fetched_at": now})
        cache.store(report)
    return report


def require_weather(
    section: WeatherSection, now: datetime, *, cache_dir: Path | None, refresh: bool = False
) -> WeatherReport:
    """The strip, or ``WeatherError`` (for ``digest weather``, a check command)."""
    report = get_weather(section, now, cache_dir=cache_dir, strict=True, refresh=refresh)
    if report is None:
        raise WeatherError(f"weather: provider {section.provider!r} shows no strip")
    if not report.readings:
        raise WeatherError(f"weather: provider {section.provider!r} gave no readings")
    return report


# -- pure helpers -------------------------------------------------------------------------


def format_temperature(value: float) -> str:
    """One decimal, a trailing '.0' dropped: 25 → '25', 24.46 → '24.5', -0.04 → '0'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def format_reading(reading: WeatherReading) -> str:
    """'Singapore 27 °C ☂︎ Showers' (the condition only when the code is known)."""
    parts = [reading.label, f"{format_temperature(reading.temperature)} °{reading.unit}"]
    parts += [part for part in (reading.symbol, reading.condition) if part]
    return " ".join(parts)


def format_strip(report: WeatherReport) -> str:
    """The strip as one line of text: places separated by ' | '."""
    return " | ".join(format_reading(reading) for reading in report.readings)


def convert_temperature(value: float, from_unit: Unit, to_unit: Unit) -> float:
    if from_unit == to_unit:
        return value
    if to_unit == "F":
        return value * 9 / 5 + 32
    return (value - 32) * 5 / 9


def in_unit(reading: WeatherReading, unit: Unit) -> WeatherReading:
    if reading.unit == unit:
        return reading
    value = convert_temperature(reading.temperature, reading.unit, unit)
    return reading.model_copy(update={"temperature": value, "unit": unit})


def place_label(name: str, label: str | None) -> str:
    return label or name


def relabel(report: WeatherReport, section: WeatherSection) -> WeatherReport:
    """Apply the config's current labels to a (cached) report: a label is display only, so
    changing one does not invalidate the cache."""
    labels = {place.name: place_label(place.name, place.label) for place in section.places}
    readings = [
        r.model_copy(update={"label": labels[r.place]}) if r.place in labels else r
        for r in report.readings
    ]
    return report.model_copy(update={"readings": readings})


def describe_age(seconds: float) -> str:
    """'45 s', '12 min', '3 h', '2 d' (rounded; for one-line notes)."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"
