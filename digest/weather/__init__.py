"""Weather: the strip of places and temperatures in the digest's header.

Providers are a registry keyed by ``[weather] provider``. The weekly run is unattended,
so a failing provider never sinks the digest: the strip is left out with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import DigestError
from ..log import warn
from ..models import WeatherReport
from ..registry import Registry

if TYPE_CHECKING:
    from ..config import WeatherSection


@dataclass(slots=True)
class WeatherContext:
    section: WeatherSection
    now: datetime


WeatherProvider = Callable[[WeatherContext], WeatherReport | None]

WEATHER_PROVIDERS: Registry[WeatherProvider] = Registry(
    "weather", builtins="digest.weather.builtin"
)


def get_weather(
    section: WeatherSection, now: datetime, *, strict: bool = False
) -> WeatherReport | None:
    """The strip to show, or None (provider 'none', or failed with a warning)."""
    provider = WEATHER_PROVIDERS.get(section.provider)
    try:
        return provider(WeatherContext(section=section, now=now))
    except DigestError as err:
        if strict:
            raise
        warn(f"weather: {err}; the strip is left out")
        return None


def format_temperature(value: float) -> str:
    """One decimal, a trailing '.0' dropped: 25 → '25', 24.46 → '24.5', -0.04 → '0'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text
