"""WMO weather interpretation codes (as Open-Meteo reports them) → a short word and a
text-safe symbol (U+FE0E asks for the text, not the emoji, form; no remote images).

Only symbols that common text fonts carry (DejaVu, Segoe UI Symbol, Apple Symbols): no
⛅ (U+26C5), which most text fonts lack and which shows as an empty box."""

from __future__ import annotations

_TEXT = "\ufe0e"

_CODES: dict[int, tuple[str, str]] = {
    0: ("Clear", "☀"),
    1: ("Mostly clear", "☀"),
    2: ("Partly cloudy", "☁"),
    3: ("Overcast", "☁"),
    45: ("Fog", "≡"),
    48: ("Rime fog", "≡"),
    51: ("Light drizzle", "☂"),
    53: ("Drizzle", "☂"),
    55: ("Heavy drizzle", "☂"),
    56: ("Freezing drizzle", "☂"),
    57: ("Freezing drizzle", "☂"),
    61: ("Light rain", "☂"),
    63: ("Rain", "☂"),
    65: ("Heavy rain", "☂"),
    66: ("Freezing rain", "☂"),
    67: ("Freezing rain", "☂"),
    71: ("Light snow", "❄"),
    73: ("Snow", "❄"),
    75: ("Heavy snow", "❄"),
    77: ("Snow grains", "❄"),
    80: ("Showers", "☂"),
    81: ("Showers", "☂"),
    82: ("Heavy showers", "☂"),
    85: ("Snow showers", "❄"),
    86: ("Snow showers", "❄"),
    95: ("Thunderstorm", "⚡"),
    96: ("Thunderstorm, hail", "⚡"),
    99: ("Thunderstorm, hail", "⚡"),
}


def describe_code(code: int) -> tuple[str | None, str | None]:
    found = _CODES.get(code)
    if found is None:
        return None, None
    word, symbol = found
    return word, symbol + _TEXT
