"""Dates: the issue date, the week it covers, and reading dates from sources.

Pure functions; every datetime that leaves this module is timezone-aware.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from .errors import UsageError
from .models import Window

WEEK = timedelta(days=7)


def today_in(tz: tzinfo, now: datetime | None = None) -> date:
    """Today's date in the config's time zone."""
    now = now or datetime.now(tz)
    return now.astimezone(tz).date()


# Dates the command line accepts: wide enough for any archive, narrow enough that a week
# (and a day either side, for time zones) always fits inside Python's calendar.
FIRST_CLI_DATE = date(1900, 1, 1)
LAST_CLI_DATE = date(9998, 12, 31)


def parse_cli_date(text: str, option: str = "--date") -> date:
    if not _ISO_DATE_ONLY.match(text):
        raise UsageError(f"{option}: expected a date as YYYY-MM-DD, got {text!r}")
    try:
        value = date.fromisoformat(text)
    except ValueError as err:
        raise UsageError(f"{option}: {text!r} is not a date ({err})") from None
    if not FIRST_CLI_DATE <= value <= LAST_CLI_DATE:
        raise UsageError(
            f"{option}: {text!r} is out of range ({FIRST_CLI_DATE} .. {LAST_CLI_DATE})"
        )
    return value


def issue_window(
    issue_date: date,
    tz: tzinfo,
    *,
    since: date | None = None,
    until: date | None = None,
) -> Window:
    """The seven days ending on ``issue_date`` (inclusive), as [start of day 1, end of day 7).

    ``since``/``until`` (inclusive dates) override either end.
    """
    last_day = until or issue_date
    first_day = since or (last_day - timedelta(days=6))
    if first_day > last_day:
        raise UsageError(f"--since {first_day} is after --until {last_day}")
    start = datetime.combine(first_day, time.min, tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tz)
    return Window(since=start, until=end)


def make_aware(value: datetime, tz: tzinfo) -> datetime:
    """A naive datetime is read in the config's time zone."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


_ISO_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object, tz: tzinfo) -> datetime | None:
    """Read a date from a source: ISO 8601, RFC 822, a ``date`` or ``datetime``; None if
    it cannot be read. Naive values are read in ``tz``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return make_aware(value, tz)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tz)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    if _ISO_DATE_ONLY.match(text):
        try:
            return datetime.combine(date.fromisoformat(text), time.min, tz)
        except ValueError:
            return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return make_aware(datetime.fromisoformat(iso), tz)
    except ValueError:
        pass
    try:
        return make_aware(parsedate_to_datetime(text), tz)
    except (TypeError, ValueError, IndexError):
        pass
    return _parse_date_loosely(text, tz)


def _parse_date_loosely(text: str, tz: tzinfo) -> datetime | None:
    """feedparser knows a dozen odd date formats (W3C-DTF fragments, Korean, Greek...)."""
    from feedparser.datetimes import _parse_date

    parsed = _parse_date(text)
    if parsed is None:
        return None
    from calendar import timegm
    from datetime import UTC

    return datetime.fromtimestamp(timegm(parsed), UTC)
